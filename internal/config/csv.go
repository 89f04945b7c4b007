package config

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// maxCSVErrors caps the problems reported for one CSV file, so that a
// wrong file (a binary, a different export) gives a readable error.
const maxCSVErrors = 20

// readCSV reads the file at path and parses it with parseFn.
func readCSV[T any](readFile func(string) ([]byte, error), path string,
	parseFn func(string, []byte) ([]T, error)) ([]T, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, &csvReadError{err: err}
	}
	return parseFn(path, data)
}

// csvReadError is a CSV file that could not be read at all.
type csvReadError struct{ err error }

func (e *csvReadError) Error() string { return "read csv: " + e.err.Error() }
func (e *csvReadError) Unwrap() error { return e.err }

var (
	assetColumns    = []string{"name", "ips", "criticality", "owner", "tags"}
	identityColumns = []string{"user", "vip", "role", "department"}
)

// parseAssets reads an asset inventory: a header naming some of
// name,ips,criticality,owner,tags in any order (name required), then one
// asset per row; ips and tags are ';'-separated lists. Values are checked
// by Validate, which names each row by its file:line.
func parseAssets(name string, data []byte) ([]Asset, error) {
	var out []Asset
	err := csvRows(name, data, assetColumns, "name", func(origin string, get func(string) string) error {
		out = append(out, Asset{
			Name:        get("name"),
			IPs:         splitList(get("ips")),
			Criticality: strings.ToLower(get("criticality")),
			Owner:       get("owner"),
			Tags:        splitList(get("tags")),
			origin:      origin,
		})
		return nil
	})
	return out, err
}

// parseIdentities reads a directory extract: a header naming some of
// user,vip,role,department in any order (user required), then one identity
// per row; vip is a boolean (true/false, yes/no, 1/0, or empty for false).
func parseIdentities(name string, data []byte) ([]Identity, error) {
	var out []Identity
	err := csvRows(name, data, identityColumns, "user", func(origin string, get func(string) string) error {
		vip, err := parseVIP(get("vip"))
		if err != nil {
			return err
		}
		out = append(out, Identity{
			User:       get("user"),
			VIP:        vip,
			Role:       strings.ToLower(get("role")),
			Department: get("department"),
			origin:     origin,
		})
		return nil
	})
	return out, err
}

func parseVIP(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "", "no", "n":
		return false, nil
	case "yes", "y":
		return true, nil
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("vip %q: want true or false", s)
	}
	return v, nil
}

// splitList splits a ';'-separated cell, trimming spaces, dropping empties.
func splitList(s string) []string {
	var out []string
	for v := range strings.SplitSeq(s, ";") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// csvRows checks the header of a CSV file against the known columns and
// calls row for each record with its "file:line" origin and a getter by
// column name. It reports every bad row as "file:line: problem" and keeps
// the good ones. Lines starting with '#' are comments.
func csvRows(name string, data []byte, known []string, required string,
	row func(origin string, get func(string) string) error) error {
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // spreadsheet exports add a BOM
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: empty file, want a header row: %s", name, strings.Join(known, ","))
	}
	if err != nil {
		return csvError(name, err)
	}
	var errs []error
	cols := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch _, dup := cols[h]; {
		case !slices.Contains(known, h):
			errs = append(errs, fmt.Errorf("%s:1: unknown column %q, want some of %s", name, h, strings.Join(known, ",")))
		case dup:
			errs = append(errs, fmt.Errorf("%s:1: duplicate column %q", name, h))
		default:
			cols[h] = i
		}
	}
	if _, ok := cols[required]; !ok {
		errs = append(errs, fmt.Errorf("%s:1: missing column %q", name, required))
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	var rec []string
	get := func(col string) string {
		if i, ok := cols[col]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	for len(errs) < maxCSVErrors {
		rec, err = r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, csvError(name, err))
			continue
		}
		line, _ := r.FieldPos(0)
		if err := row(fmt.Sprintf("%s:%d", name, line), get); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", name, line, err))
		}
	}
	if len(errs) >= maxCSVErrors {
		errs = append(errs, fmt.Errorf("%s: too many errors, stopped", name))
	}
	return errors.Join(errs...)
}

// csvError rewrites encoding/csv's "record on line 3: wrong number of
// fields" as "file:3: wrong number of fields".
func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d: %w", name, pe.Line, pe.Err)
	}
	return fmt.Errorf("%s: %w", name, err)
}
