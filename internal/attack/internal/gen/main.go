package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/winnow-soc/winnow/internal/attack/internal/stixgen"
)

func main() {
	in := flag.String("in", "", "gzip-compressed ATT&CK Enterprise STIX 2.0 bundle")
	license := flag.String("license", "", "MITRE's ATT&CK licence text (LICENSE.txt)")
	out := flag.String("out", ".", "output directory")
	flag.Parse()
	if err := run(*in, *license, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(in, licensePath, out string) error {
	if in == "" || licensePath == "" {
		return fmt.Errorf("both -in and -license are required")
	}
	lic, err := os.ReadFile(licensePath)
	if err != nil {
		return fmt.Errorf("read licence: %w", err)
	}
	f, err := os.Open(in)
	if err != nil {
		return fmt.Errorf("open bundle: %w", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if err := stixgen.Generate(&buf, f, string(lic)); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "attack_data.json"), buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write knowledge base: %w", err)
	}
	if err := os.WriteFile(filepath.Join(out, "ATTACK_LICENSE.txt"), lic, 0o644); err != nil {
		return fmt.Errorf("write licence: %w", err)
	}
	return nil
}
