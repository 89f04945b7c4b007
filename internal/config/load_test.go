package config

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// moduleRoot walks up from the test's working directory to go.mod.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// examplePath returns a file under the module's examples/ and fails,
// naming it, when it is missing.
func examplePath(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(moduleRoot(t), "examples", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("required example file missing: %s", p)
	}
	return p
}

// wantErrs reads the leading "# wantErr: ..." lines of a file.
func wantErrs(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var want []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		w, ok := strings.CutPrefix(sc.Text(), "# wantErr: ")
		if !ok {
			break
		}
		want = append(want, w)
	}
	if len(want) == 0 {
		t.Fatalf("%s: first line must be \"# wantErr: ...\"", path)
	}
	return want
}

func TestLoadInvalid(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/invalid/*.yaml files: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			want := wantErrs(t, path)
			c, err := Load(path)
			if err == nil {
				t.Fatalf("Load succeeded, want errors %q", want)
			}
			if c != nil {
				t.Errorf("Load returned a config with its error")
			}
			got := err.Error()
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("error lacks %q; got:\n%s", w, got)
				}
			}
		})
	}
}

func TestLoadExample(t *testing.T) {
	path := examplePath(t, "winnow.yaml")
	c, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	dir := filepath.Dir(path)
	if want := filepath.Join(dir, "data"); c.DataDir != want {
		t.Errorf("DataDir = %q, want %q", c.DataDir, want)
	}
	if want := filepath.Join(dir, "feeds", "maltrail.tar.gz"); c.Intel.Feeds[0].Path != want {
		t.Errorf("feed path = %q, want %q", c.Intel.Feeds[0].Path, want)
	}
	acme, ok := c.Tenant("acme")
	if !ok {
		t.Fatal("tenant acme missing")
	}
	// One inline asset plus four CSV rows; one inline identity plus three.
	if len(acme.Assets) != 5 || len(acme.Identities) != 4 {
		t.Errorf("acme has %d assets and %d identities, want 5 and 4", len(acme.Assets), len(acme.Identities))
	}
	if a, ok := acme.Asset("WEB01"); !ok || a.Owner != "web-team" || a.Criticality != CriticalityHigh {
		t.Errorf("Asset(WEB01) = %+v, %v", a, ok)
	}
	if id, ok := acme.Identity(`ACME\W.Coyote`); !ok || !id.VIP || id.Role != RoleExecutive {
		t.Errorf("Identity(ACME\\W.Coyote) = %+v, %v", id, ok)
	}
	if !acme.IsInternalDomain("mail.corp.example.com") || !acme.IsInternalDomain("acme.example") {
		t.Error("acme does not see its internal domains")
	}
	if g, _ := c.Tenant("globex"); g.IsInternalDomain("acme.example") {
		t.Error("globex sees acme's internal domain")
	}
	checkGolden(t, "example.golden.json", dumpConfig(t, c, dir))
}

// dumpConfig renders c as indented JSON with dir written as $DIR, so the
// golden file does not depend on where the repository lives.
func dumpConfig(t *testing.T, c *Config, dir string) []byte {
	t.Helper()
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(bytes.ReplaceAll(b, []byte(filepath.ToSlash(dir)), []byte("$DIR")), '\n')
}

var update = flag.Bool("update", os.Getenv("UPDATE_GOLDEN") == "1", "rewrite golden files")

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file %s (run with UPDATE_GOLDEN=1 to create it): %v", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (UPDATE_GOLDEN=1 refreshes it); got:\n%s", path, got)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load(missing) = %v, want fs.ErrNotExist", err)
	}
}

// memFiles serves CSV files from memory to parse.
func memFiles(files map[string]string) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		s, ok := files[filepath.ToSlash(p)]
		if !ok {
			return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
		}
		return []byte(s), nil
	}
}

func TestParseCSV(t *testing.T) {
	const cfg = "tenants:\n  - id: t\n    assets_file: a.csv\n    identities_file: i.csv\n"
	tests := []struct {
		name    string
		assets  string
		ids     string
		wantErr []string
		check   func(t *testing.T, tn *Tenant)
	}{
		{
			name:   "columns in any order, comments, BOM, spaces",
			assets: "\ufeff# inventory\nips,name ,criticality\n\"10.0.0.1; 10.0.0.2\",web01,HIGH\n",
			ids:    "role,user\nadmin,CORP\\bob\n",
			check: func(t *testing.T, tn *Tenant) {
				a, ok := tn.Asset("10.0.0.2")
				if !ok || a.Name != "web01" || a.Criticality != CriticalityHigh || len(a.IPs) != 2 {
					t.Errorf("Asset(10.0.0.2) = %+v, %v", a, ok)
				}
				if id, ok := tn.Identity("bob@corp.example"); !ok || id.Role != RoleAdmin {
					t.Errorf("Identity(bob@corp.example) = %+v, %v", id, ok)
				}
			},
		},
		{
			name:   "defaults fill empty cells",
			assets: "name,ips\nweb01,\n",
			ids:    "user,vip\nalice,\n",
			check: func(t *testing.T, tn *Tenant) {
				if a, _ := tn.Asset("web01"); a.Criticality != CriticalityMedium {
					t.Errorf("criticality = %q, want medium", a.Criticality)
				}
				if id, _ := tn.Identity("alice"); id.Role != RoleUser || id.VIP {
					t.Errorf("identity = %+v, want plain user", id)
				}
			},
		},
		{
			name:    "bad rows name file and line",
			assets:  "name,ips,criticality\nweb01,10.0.0.1,low\nweb02,10.0.0.x,low\nweb01,10.0.0.3,low\n",
			ids:     "user,vip,role\nalice,maybe,user\n\"bob,true,user\n",
			wantErr: []string{"a.csv:3: tenants[0].assets[1].ips[0]: \"10.0.0.x\"", "a.csv:4: tenants[0].assets[2].name: duplicate asset \"web01\" (also dir/a.csv:2)", "i.csv:2: vip \"maybe\"", "i.csv:3: extraneous or missing \" in quoted-field"},
		},
		{
			name:    "header problems",
			assets:  "",
			ids:     "vip,vip\n",
			wantErr: []string{"a.csv: empty file, want a header row", "i.csv:1: duplicate column \"vip\"", "i.csv:1: missing column \"user\""},
		},
		{
			name:    "missing file names the YAML line",
			ids:     "user\nalice\n",
			wantErr: []string{"dir/w.yaml:3: tenants[0].assets_file: read csv: open dir/a.csv: file does not exist"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"dir/i.csv": tc.ids}
			if tc.assets != "" || tc.wantErr == nil || !strings.Contains(tc.wantErr[0], "read csv") {
				files["dir/a.csv"] = tc.assets
			}
			c, err := parse("dir/w.yaml", []byte(cfg), memFiles(files))
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("parse: %v", err)
				}
				tn, _ := c.Tenant("t")
				tc.check(t, tn)
				return
			}
			if err == nil {
				t.Fatalf("parse succeeded, want %q", tc.wantErr)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q; got:\n%v", w, err)
				}
			}
		})
	}
}

func TestParseEmptyIsDefault(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/xdg")
	for _, src := range []string{"", "# nothing\n", "{}\n"} {
		c, err := parse("w.yaml", []byte(src), memFiles(nil))
		if err != nil {
			t.Fatalf("parse(%q): %v", src, err)
		}
		want, _ := json.Marshal(Default())
		got, _ := json.Marshal(c)
		if !bytes.Equal(got, want) {
			t.Errorf("parse(%q) = %s, want the defaults %s", src, got, want)
		}
	}
}

func TestFieldErrorsAreInspectable(t *testing.T) {
	_, err := parse("w.yaml", []byte("tenants:\n  - id: a\n    mode: yolo\n"), memFiles(nil))
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Path != "tenants[0].mode" {
		t.Fatalf("errors.As(%v) found %+v, want a FieldError for tenants[0].mode", err, fe)
	}
}
