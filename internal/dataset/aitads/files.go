package aitads

import (
	"compress/gzip"
	"errors"
	"fmt"

	"os"
	"path/filepath"
	"strings"
)

// ConvertFiles converts each AIT-ADS scenario file (gzip or plain CSV) into
// <outDir>/<scenario>.alerts.jsonl.gz and <outDir>/<scenario>.labels.csv,
// where scenario is the file name before "_alerts" ("fox_alerts.csv.gz" ->
// "fox"). Output files appear only complete: each is written under a
// temporary name and renamed when done.
func ConvertFiles(paths []string, outDir string) error {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fmt.Errorf("create output directory: %w", err)
	}
	for _, p := range paths {
		if _, err := convertFile(p, outDir); err != nil {
			return fmt.Errorf("convert %s: %w", p, err)
		}
	}
	return nil
}

// ScenarioName returns the scenario of an AIT-ADS file path: the base name
// before "_alerts", or without its .csv/.gz extensions when it has none.
func ScenarioName(path string) string {
	base := filepath.Base(path)
	if s, _, ok := strings.Cut(base, "_alerts"); ok {
		return s
	}
	base = strings.TrimSuffix(base, ".gz")
	return strings.TrimSuffix(base, ".csv")
}

func convertFile(path, outDir string) (Stats, error) {
	scenario := ScenarioName(path)
	if err := checkScenario(scenario); err != nil {
		return Stats{}, err
	}
	in, err := os.Open(path)
	if err != nil {
		return Stats{}, err
	}
	defer in.Close()

	alertsPath := filepath.Join(outDir, scenario+".alerts.jsonl.gz")
	labelsPath := filepath.Join(outDir, scenario+".labels.csv")
	af, err := os.CreateTemp(outDir, scenario+".alerts-*.tmp")
	if err != nil {
		return Stats{}, err
	}
	defer os.Remove(af.Name()) // fails harmlessly once renamed
	lf, err := os.CreateTemp(outDir, scenario+".labels-*.tmp")
	if err != nil {
		af.Close()
		return Stats{}, err
	}
	defer os.Remove(lf.Name())

	zw := gzip.NewWriter(af)
	st, err := Convert(in, scenario, zw, lf)
	err = errors.Join(err, zw.Close(), closeSync(af), closeSync(lf))
	if err != nil {
		return st, err
	}
	if err := os.Rename(af.Name(), alertsPath); err != nil {
		return st, err
	}
	if err := os.Rename(lf.Name(), labelsPath); err != nil {
		return st, err
	}
	return st, nil
}

func closeSync(f *os.File) error {
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
