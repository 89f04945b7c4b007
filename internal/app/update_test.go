package app

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// feedServer serves the tiny test feeds on loopback; /gone answers 404.
func feedServer(t *testing.T) *httptest.Server {
	t.Helper()
	files := map[string]string{
		"/ipsum.txt": mustRead(t, "testdata/intel/ipsum.txt"),
		"/tor.lst":   mustRead(t, "testdata/intel/tor-exit-nodes.lst"),
	}
	modTime := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, r.URL.Path, modTime, strings.NewReader(body))
	}))
	t.Cleanup(func() {
		srv.Close()
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	})
	return srv
}

func TestIntelUpdateFromConfiguredURLs(t *testing.T) {
	srv := feedServer(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "winnow.yaml")
	writeFile(t, cfg, "data_dir: "+filepath.Join(dir, "data")+`
intel:
  feeds:
    - { name: ipsum, kind: ipsum, path: feeds/ipsum.txt, reliability: C, url: "`+srv.URL+`/ipsum.txt" }
    - { name: tor, kind: tor, path: feeds/tor.lst, reliability: A, url: "`+srv.URL+`/tor.lst" }
`)
	r := runMain(t, "", "intel", "update", "--config", cfg)
	if r.code != ExitOK {
		t.Fatalf("update: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	rows := statusRows(r.stdout)
	if len(rows) != 3 || rows[1][0] != "ipsum" || rows[1][1] != "updated" || rows[2][0] != "tor" || rows[2][1] != "updated" {
		t.Fatalf("update table:\n%s", r.stdout)
	}
	for _, f := range []string{"ipsum.txt", "tor.lst"} {
		if _, err := os.Stat(filepath.Join(dir, "feeds", f)); err != nil {
			t.Errorf("feed not written to its configured path: %v", err)
		}
	}

	st := runMain(t, "", "intel", "status", "--config", cfg)
	if st.code != ExitOK {
		t.Fatalf("status: exit %d\n%s%s", st.code, st.stdout, st.stderr)
	}
	rows = statusRows(st.stdout)
	if len(rows) != 3 || rows[1][2] != "3" || rows[2][2] != "2" {
		t.Fatalf("status after update:\n%s", st.stdout)
	}
	if rows[1][4] != srv.URL+"/ipsum.txt" || rows[2][4] != srv.URL+"/tor.lst" {
		t.Errorf("UPSTREAM column does not name the download URLs:\n%s", st.stdout)
	}

	// A second update finds nothing new.
	again := runMain(t, "", "intel", "update", "--config", cfg)
	if again.code != ExitOK || strings.Contains(again.stdout, "updated") {
		t.Errorf("second update: exit %d\n%s", again.code, again.stdout)
	}
}

func TestIntelUpdateFailureKeepsFeed(t *testing.T) {
	srv := feedServer(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "feeds"), 0o755); err != nil {
		t.Fatal(err)
	}
	old := "198.51.100.1\n"
	writeFile(t, filepath.Join(dir, "feeds", "tor.lst"), old)
	cfg := filepath.Join(dir, "winnow.yaml")
	writeFile(t, cfg, "data_dir: "+filepath.Join(dir, "data")+`
intel:
  feeds:
    - { name: ipsum, kind: ipsum, path: feeds/ipsum.txt, reliability: C, url: "`+srv.URL+`/ipsum.txt" }
    - { name: tor, kind: tor, path: feeds/tor.lst, reliability: A, url: "`+srv.URL+`/gone" }
`)
	r := runMain(t, "", "intel", "update", "--config", cfg)
	if r.code != ExitRejected {
		t.Fatalf("exit %d, want %d\n%s", r.code, ExitRejected, r.stdout)
	}
	if !strings.Contains(r.stdout, "error:") || !strings.Contains(r.stdout, "404") {
		t.Errorf("the failed download is not shown with its status:\n%s", r.stdout)
	}
	if got := mustRead(t, filepath.Join(dir, "feeds", "tor.lst")); got != old {
		t.Errorf("failed update replaced the feed: %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "feeds", "ipsum.txt")); err != nil {
		t.Errorf("the good feed was not downloaded: %v", err)
	}
}
