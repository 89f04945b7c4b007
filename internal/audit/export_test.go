package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gowebpki/jcs"
)

func TestExportGolden(t *testing.T) {
	log, _ := filledChain(t, 10)
	var buf bytes.Buffer
	if err := Export(context.Background(), log, AllTenants, &buf); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "export.golden.jsonl")
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read %s (refresh with UPDATE_GOLDEN=1): %v", golden, err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("export differs from %s; refresh with UPDATE_GOLDEN=1 if intended:\n%.600s", golden, buf.String())
	}
}

func TestExportTenantIsolation(t *testing.T) {
	ctx := context.Background()
	log, _ := filledChain(t, 40)
	all, _ := log.Entries(ctx, 0, 100)
	count := map[string]int{}
	for _, e := range all {
		count[e.Tenant]++
	}
	tests := []struct {
		name   string
		log    Log
		tenant string
		want   int
	}{
		{"acme", log, "acme", count["acme"]},
		{"globex", log, "globex", count["globex"]},
		{"no tenant", log, "", count[""]},
		{"unknown tenant", log, "initech", 0},
		{"all tenants", log, AllTenants, len(all)},
		// Without TenantLog the export filters every entry itself.
		{"acme via plain Log", plainLog{log}, "acme", count["acme"]},
		{"globex via plain Log", plainLog{log}, "globex", count["globex"]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Export(ctx, tt.log, tt.tenant, &buf); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
			if buf.Len() == 0 {
				lines = nil
			}
			if len(lines) != tt.want {
				t.Fatalf("%d lines, want %d", len(lines), tt.want)
			}
			es, err := ReadExport(&buf)
			if err != nil {
				t.Fatal(err)
			}
			var lastSeq int64
			for i, e := range es {
				if tt.tenant != AllTenants && e.Tenant != tt.tenant {
					t.Errorf("line %d belongs to tenant %q", i+1, e.Tenant)
				}
				if e.Seq <= lastSeq {
					t.Errorf("line %d: seq %d not increasing", i+1, e.Seq)
				}
				lastSeq = e.Seq
				// Each line is JCS canonical and verifies on its own.
				if c, err := jcs.Transform([]byte(lines[i])); err != nil || string(c) != lines[i] {
					t.Errorf("line %d is not canonical JSON: %v", i+1, err)
				}
				if err := VerifyEntry(e); err != nil {
					t.Errorf("line %d: %v", i+1, err)
				}
				// Where seqs are consecutive the receiver checks the link.
				if i > 0 && es[i-1].Seq+1 == e.Seq && e.PrevHash != es[i-1].Hash {
					t.Errorf("line %d does not link to line %d", i+1, i)
				}
			}
		})
	}
}

// plainLog hides Memory's TenantEntries.
type plainLog struct{ m *Memory }

func (p plainLog) Append(ctx context.Context, es ...Entry) error { return p.m.Append(ctx, es...) }
func (p plainLog) Entries(ctx context.Context, from int64, limit int) ([]Entry, error) {
	return p.m.Entries(ctx, from, limit)
}

func TestExportReimportVerifies(t *testing.T) {
	// An AllTenants export is the whole chain: loaded into a fresh log it
	// verifies, and an edited line is named.
	ctx := context.Background()
	log, c := filledChain(t, 15)
	var buf bytes.Buffer
	if err := Export(ctx, log, AllTenants, &buf); err != nil {
		t.Fatal(err)
	}
	for _, edit := range []bool{false, true} {
		text := buf.String()
		if edit {
			text = strings.Replace(text, `"analyst":"carol"`, `"analyst":"mallory"`, 1)
		}
		es, err := ReadExport(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		m := &Memory{}
		if err := m.Append(ctx, es...); err != nil {
			t.Fatal(err)
		}
		rep, err := VerifyAnchors(ctx, m, c.Head())
		if err != nil {
			t.Fatal(err)
		}
		// The first feedback (carol) is record index 2, seq 3.
		if want := map[bool]int64{false: 0, true: 3}[edit]; rep.FirstBroken != want {
			t.Errorf("edit=%v: first broken %d (%s), want %d", edit, rep.FirstBroken, rep.Reason, want)
		}
	}
}

func TestReadExportErrors(t *testing.T) {
	tests := []struct {
		name, in string
		wantN    int
		wantErr  string
	}{
		{"empty", "", 0, ""},
		{"blank lines", "\n\n", 0, ""},
		{"one line", `{"hash":"","kind":"feedback","payload":{},"prev_hash":"","seq":1,"tenant":"a","time":"2026-01-01T00:00:00Z"}` + "\n", 1, ""},
		{"bad second line", `{"seq":1}` + "\n{\n", 1, "line 2"},
		{"bad time", `{"seq":1,"time":"yesterday"}`, 0, "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := ReadExport(strings.NewReader(tt.in))
			if len(es) != tt.wantN {
				t.Errorf("%d entries, want %d", len(es), tt.wantN)
			}
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestEntryJSONMatchesExportLine(t *testing.T) {
	// The Entry's JSON form has the export line's members, so a receiver
	// may decode lines with any JSON library.
	log, _ := filledChain(t, 3)
	es, _ := log.Entries(context.Background(), 0, 10)
	for _, e := range es {
		line := appendBody(nil, &e, true)
		var m1, m2 map[string]any
		if err := json.Unmarshal(line, &m1); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(e)
		if err := json.Unmarshal(b, &m2); err != nil {
			t.Fatal(err)
		}
		c1, _ := Canonical(m1)
		c2, _ := Canonical(m2)
		if !bytes.Equal(c1, c2) {
			t.Errorf("seq %d: export line and Entry JSON differ:\n%s\n%s", e.Seq, c1, c2)
		}
	}
}
