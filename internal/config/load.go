package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load reads the YAML configuration at path, resolves relative file paths
// against path's directory, reads the asset and identity CSV files it names,
// applies defaults, validates, and precomputes the tenants' lookups. Its
// error joins every problem found, each prefixed with "file:line:" where
// the line is known; errors.As finds the *FieldError inside each.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return parse(path, data, os.ReadFile)
}

// Parse is Load for a file already in memory; name is the file's path,
// used in messages and to resolve relative paths. It reads the CSV files
// the configuration names.
func Parse(name string, data []byte) (*Config, error) {
	return parse(name, data, os.ReadFile)
}

// parse is Load with the file reader injected, so that tests and the fuzz
// target never touch files the input names.
func parse(name string, data []byte, readFile func(string) ([]byte, error)) (*Config, error) {
	c := &Config{}
	var errs []error
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	switch err := dec.Decode(c); {
	case err == nil, errors.Is(err, io.EOF):
	default:
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			// A syntax error leaves nothing worth validating.
			return nil, yamlError(name, err.Error())
		}
		for _, msg := range te.Errors {
			errs = append(errs, yamlError(name, msg))
		}
	}
	if err := dec.Decode(new(yaml.Node)); !errors.Is(err, io.EOF) {
		errs = append(errs, fmt.Errorf("%s: want one YAML document, found more", name))
		return nil, errors.Join(errs...)
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root) // it decoded above, so it decodes here
	lines := map[string]int{}
	nodeLines(&root, "", lines)
	at := func(path string) string {
		for p := path; p != ""; p = parentPath(p) {
			if l, ok := lines[p]; ok {
				return fmt.Sprintf("%s:%d", name, l)
			}
		}
		return name
	}

	dir := filepath.Dir(name)
	c.DataDir = resolvePath(dir, c.DataDir)
	for i := range c.Intel.Feeds {
		c.Intel.Feeds[i].Path = resolvePath(dir, c.Intel.Feeds[i].Path)
	}
	for i := range c.Tenants {
		t := &c.Tenants[i]
		tp := fmt.Sprintf("tenants[%d]", i)
		if t.AssetsFile != "" {
			t.AssetsFile = resolvePath(dir, t.AssetsFile)
			rows, err := readCSV(readFile, t.AssetsFile, parseAssets)
			errs = appendCSVErrors(errs, err, at(tp+".assets_file"), tp+".assets_file")
			t.Assets = append(t.Assets, rows...)
		}
		if t.IdentitiesFile != "" {
			t.IdentitiesFile = resolvePath(dir, t.IdentitiesFile)
			rows, err := readCSV(readFile, t.IdentitiesFile, parseIdentities)
			errs = appendCSVErrors(errs, err, at(tp+".identities_file"), tp+".identities_file")
			t.Identities = append(t.Identities, rows...)
		}
		if t.PolicyFile != "" {
			t.PolicyFile = resolvePath(dir, t.PolicyFile)
			src, err := readFile(t.PolicyFile)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %s.policy_file: %w", at(tp+".policy_file"), tp, err))
			}
			t.policy = src
		}
	}

	c.ApplyDefaults()
	if err := c.Validate(); err != nil {
		for _, e := range unjoin(err) {
			var fe *FieldError
			if errors.As(e, &fe) && fe.Origin == "" {
				e = fmt.Errorf("%s: %w", at(fe.Path), e)
			}
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c.buildIndexes()
	return c, nil
}

// appendCSVErrors adds the problems of one CSV file to errs. Problems in
// its rows already name the CSV file and line; a file that cannot be read
// is reported at the YAML key (at, path) that names it.
func appendCSVErrors(errs []error, err error, at, path string) []error {
	if err == nil {
		return errs
	}
	var re *csvReadError
	if errors.As(err, &re) {
		return append(errs, fmt.Errorf("%s: %s: %w", at, path, err))
	}
	return append(errs, unjoin(err)...)
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// yamlError rewrites the decoder's "yaml: line 3: msg" as "file:3: msg".
func yamlError(name, msg string) error {
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s:%s: %s", name, m[1], msg[len(m[0]):])
	}
	return fmt.Errorf("%s: %s", name, strings.TrimPrefix(msg, "yaml: "))
}

// nodeLines records the line of every value under n by its YAML path, as
// Validate writes paths: "tenants[1].thresholds.escalate". A mapping value
// is recorded at its key's line.
func nodeLines(n *yaml.Node, path string, lines map[string]int) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			nodeLines(c, path, lines)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			if _, seen := lines[p]; !seen {
				lines[p] = k.Line
			}
			nodeLines(v, p, lines)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := path + "[" + strconv.Itoa(i) + "]"
			lines[p] = c.Line
			nodeLines(c, p, lines)
		}
	}
}

// parentPath drops the last element of a YAML path: "a[1].b" -> "a[1]" -> "a".
func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// unjoin splits an errors.Join result back into its parts.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// resolvePath expands a leading "~/" and makes a relative path relative to
// dir; an empty path stays empty.
func resolvePath(dir, p string) string {
	if p == "" {
		return ""
	}
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}
