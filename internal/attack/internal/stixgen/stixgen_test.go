package stixgen

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestBuildMiniBundle(t *testing.T) {
	f, err := os.Open("testdata/mini_bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := Build(f, "notice")
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	var b bytes.Buffer
	if err := Encode(&b, d); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	// Written out whole so that any change in what is kept, dropped or
	// ordered shows up here.
	want := `{"domain":"enterprise-attack","modified":"2025-02-01T00:00:00.000Z","license":"notice",
"tactics": [
  {"id":"TA0043","short":"reconnaissance","name":"Reconnaissance"},
  {"id":"TA0002","short":"execution","name":"Execution"},
  {"id":"TA0006","short":"credential-access","name":"Credential Access"}
],
"groups": [
  "Alpha Group",
  "Beta Group"
],
"techniques": [
  {"id":"T1059","name":"Command and Scripting Interpreter","tactics":["execution","credential-access"]},
  {"id":"T1110","name":"Brute Force","tactics":["credential-access"],"groups":[0]},
  {"id":"T1110.001","name":"Password Guessing","tactics":["credential-access"],"groups":[1]}
],
"revoked": {"T1000":"T1059","T1086":"T1059"}
}
`
	if got != want {
		t.Errorf("Encode =\n%s\nwant\n%s", got, want)
	}
	var round Data
	if err := json.Unmarshal(b.Bytes(), &round); err != nil {
		t.Fatalf("encoded data is not JSON: %v", err)
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct{ name, bundle, wantErr string }{
		{"not json", `{`, "decode stix bundle"},
		{"not a bundle", `{"type":"indicator"}`, "want bundle"},
		{"no matrix", `{"type":"bundle","objects":[]}`, "no x-mitre-matrix"},
		{"missing tactic", `{"type":"bundle","objects":[{"type":"x-mitre-matrix","id":"m","tactic_refs":["x-mitre-tactic--nope"]}]}`, "not in bundle"},
		{"bad technique id", `{"type":"bundle","objects":[{"type":"x-mitre-matrix","id":"m"},{"type":"attack-pattern","id":"ap","external_references":[{"source_name":"mitre-attack","external_id":"X1"}]}]}`, `technique ID "X1"`},
		{"unknown phase", `{"type":"bundle","objects":[{"type":"x-mitre-matrix","id":"m"},{"type":"attack-pattern","id":"ap","external_references":[{"source_name":"mitre-attack","external_id":"T1000"}],"kill_chain_phases":[{"kill_chain_name":"mitre-attack","phase_name":"nope"}]}]}`, `unknown tactic "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(strings.NewReader(tt.bundle), "")
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Build error = %v, want containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestGenerateRejectsUncompressed(t *testing.T) {
	err := Generate(&bytes.Buffer{}, strings.NewReader(`{"type":"bundle"}`), "")
	if err == nil || !strings.Contains(err.Error(), "open stix bundle") {
		t.Errorf("Generate error = %v, want a gzip error", err)
	}
}

func TestGenerateDeterministic(t *testing.T) {
	raw, err := os.ReadFile("testdata/mini_bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	var first, second bytes.Buffer
	if err := Generate(&first, bytes.NewReader(gz.Bytes()), "n"); err != nil {
		t.Fatal(err)
	}
	if err := Generate(&second, bytes.NewReader(gz.Bytes()), "n"); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Errorf("two runs differ")
	}
}

func FuzzBuild(f *testing.F) {
	if raw, err := os.ReadFile("testdata/mini_bundle.json"); err == nil {
		f.Add(raw)
	}
	f.Add([]byte(`{"type":"bundle","objects":[{"type":"x-mitre-matrix","id":"m"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Build(bytes.NewReader(data), "")
		if err != nil {
			return
		}
		var b bytes.Buffer
		if err := Encode(&b, d); err != nil {
			t.Fatalf("Encode after successful Build: %v", err)
		}
		var round Data
		if err := json.Unmarshal(b.Bytes(), &round); err != nil {
			t.Fatalf("Encode wrote invalid JSON: %v\n%s", err, b.Bytes())
		}
	})
}
