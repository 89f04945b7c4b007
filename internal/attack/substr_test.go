package attack

import (
	"strings"
	"testing"
)

// naiveFound is the oracle: which keywords occur in text, ASCII case folded.
func naiveFound(keywords []string, text string, prefixOnly bool) []bool {
	b := []byte(text)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	lower := string(b)
	out := make([]bool, len(keywords))
	for i, k := range keywords {
		if prefixOnly {
			out[i] = strings.HasPrefix(lower, k)
		} else {
			out[i] = strings.Contains(lower, k)
		}
	}
	return out
}

func checkSubstrings(t *testing.T, keywords []string, text string) {
	t.Helper()
	s := newSubstrings(keywords)
	for _, prefixOnly := range []bool{false, true} {
		found := make(bitset, (len(keywords)+63)/64+1)
		if prefixOnly {
			s.scanPrefix(text, found)
		} else {
			s.scan(text, found)
		}
		want := naiveFound(keywords, text, prefixOnly)
		for i, k := range keywords {
			if got := found.has(uint16(i)); got != want[i] {
				t.Errorf("prefix=%v keyword %q in %q: found %v, want %v", prefixOnly, k, text, got, want[i])
			}
		}
	}
}

func TestSubstrings(t *testing.T) {
	tests := []struct {
		name     string
		keywords []string
		text     string
	}{
		{"overlapping suffixes", []string{"he", "she", "his", "hers"}, "USHERS"},
		{"keyword inside keyword", []string{"brute force", "force", "brute"}, "Dovecot brute force attack"},
		{"prefix vs substring", []string{"et scan", "scan"}, "Target scan ET SCAN"},
		{"prefix at start", []string{"et scan", "et scanner", "et"}, "ET SCAN Potential SSH Scan"},
		{"repeated letters", []string{"aab", "ab", "aaab"}, "aaaab"},
		{"no keywords", nil, "anything"},
		{"empty text", []string{"x"}, ""},
		{"non-ascii bytes", []string{"é", "naïve"}, "NAÏVE café"},
		{"punctuation", []string{"ipc$ share", "/etc/passwd", "(scan)."}, "GPL NETBIOS SMB-DS IPC$ share access /etc/passwd (scan)."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkSubstrings(t, tt.keywords, tt.text) })
	}
}

func FuzzSubstrings(f *testing.F) {
	f.Add("he\x00she\x00hers", "ushers")
	f.Add("et scan\x00brute", "Suricata: Alert - ET SCAN brute")
	f.Fuzz(func(t *testing.T, joined, text string) {
		var keywords []string
		for _, k := range strings.Split(joined, "\x00") {
			// Keywords are lower case and non-empty, as compileMappings
			// guarantees.
			if k = strings.ToLower(k); k != "" && len(keywords) < 64 {
				keywords = append(keywords, k)
			}
		}
		checkSubstrings(t, keywords, text)
	})
}
