package ioc

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// benchCorpus builds realistic alert text from the shared samples: Wazuh
// full_log lines and rule descriptions, Suricata EVE records and signatures,
// and the CPTC-2017 EVE records of two teams. Each alert is one Text call.
func benchCorpus(b *testing.B) []string {
	b.Helper()
	var texts []string
	for _, name := range []string{"aecid_ossec_insect_sample.jsonl", "aecid_ossec_spiral_correlation_sample.jsonl"} {
		for _, m := range jsonLines(b, sharedPath(b, "samples/wazuh/"+name)) {
			texts = append(texts, str(m, "full_log"))
			if r, ok := m["rule"].(map[string]any); ok {
				texts = append(texts, str(r, "description"))
			}
		}
	}
	for _, m := range jsonLines(b, sharedPath(b, "samples/suricata/cptc2017_eve_alerts.jsonl")) {
		if a, ok := m["alert"].(map[string]any); ok {
			texts = append(texts, str(a, "signature"))
		}
	}
	for _, team := range []string{"NationalTeam1", "NationalTeam5"} {
		texts = append(texts, cptcRaw(b, sharedPath(b, "data/alerts/cptc-2017/"+team+".json.gz"))...)
	}
	return texts
}

func corpusBytes(texts []string) int64 {
	var n int64
	for _, s := range texts {
		n += int64(len(s))
	}
	return n
}

func BenchmarkText(b *testing.B) {
	texts := benchCorpus(b)
	x := New(Options{InternalDomains: []string{"corp.gothamelections.com"}})
	b.Run("alerts", func(b *testing.B) {
		b.SetBytes(corpusBytes(texts))
		b.ReportAllocs()
		dst := make([]alert.Observable, 0, 64)
		start := processCPU()
		for b.Loop() {
			for _, s := range texts {
				dst = x.Text(dst[:0], s, "text")
			}
		}
		reportCPU(b, start, corpusBytes(texts))
	})
	b.Run("no_observables", func(b *testing.B) {
		s := strings.Repeat("Mar  4 14:14:30 mail auth: pam_unix(dovecot:auth): authentication failure; "+
			"logname= uid=0 euid=0 tty=dovecot ruser=violet user=violet [Priority: 3] {TCP} ", 64)
		b.SetBytes(int64(len(s)))
		b.ReportAllocs()
		dst := make([]alert.Observable, 0, 8)
		start := processCPU()
		for b.Loop() {
			dst = x.Text(dst[:0], s, "text")
		}
		reportCPU(b, start, int64(len(s)))
		if len(dst) != 0 {
			b.Fatalf("found %d observables in text without any", len(dst))
		}
	})
}

// baseline is a regexp extractor of the kind the hand-written scanner
// replaces (IPv4, domains, hashes, URLs, emails, CVEs, with no validation),
// kept to measure the difference recorded in docs/adr/0002-public-suffix.md.
var baseline = regexp.MustCompile(`(?i)\b(?:https?|ftp)://[^\s"'<>]+|` +
	`[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}|` +
	`\b(?:\d{1,3}\.){3}\d{1,3}\b|` +
	`\bCVE-\d{4}-\d{4,}\b|` +
	`\b[a-f0-9]{32,64}\b|` +
	`\b(?:[a-z0-9-]+\.)+[a-z]{2,}\b`)

func BenchmarkRegexpBaseline(b *testing.B) {
	texts := benchCorpus(b)
	texts = texts[:min(len(texts), 500)] // the regexp is slow: a subset suffices
	b.SetBytes(corpusBytes(texts))
	b.ReportAllocs()
	start := processCPU()
	for b.Loop() {
		for _, s := range texts {
			baseline.FindAllStringIndex(s, -1)
		}
	}
	reportCPU(b, start, corpusBytes(texts))
}

// reportCPU reports throughput per second of process CPU time (cpu_MB/s)
// since start, for size bytes per iteration.
func reportCPU(b *testing.B, start time.Duration, size int64) {
	used := processCPU() - start
	if used <= 0 || b.N == 0 {
		return
	}
	b.ReportMetric(float64(size)*float64(b.N)/1e6/used.Seconds(), "cpu_MB/s")
}
