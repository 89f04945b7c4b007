package score

import (
	"bytes"

	"github.com/winnow-soc/winnow/alert"
)

// Category derives the alert category that selects the adaptive reputation
// weights. It is a pure function of the alert, its mapped techniques and its
// enriched observables; the precedence is:
//
//  1. the first category in weights.yaml with a matching ATT&CK technique
//     (from techniques or the alert's own Techniques; T1110 matches T1110.001);
//  2. the first category with a keyword in the rule name, rule category,
//     rule tags or title (ASCII case-insensitive);
//  3. malware, when a hash observable has a malicious finding;
//  4. other.
func (w *Weights) Category(a *alert.Alert, techniques []TechniqueInfo, obs []alert.Observable) string {
	return w.category(a, techniques, obs).name
}

func (w *Weights) category(a *alert.Alert, techniques []TechniqueInfo, obs []alert.Observable) *category {
	for i := range w.categories {
		c := &w.categories[i]
		for _, t := range c.techniques {
			for j := range techniques {
				if techniqueMatch(techniques[j].ID, t) {
					return c
				}
			}
			if a != nil {
				for _, id := range a.Techniques {
					if techniqueMatch(id, t) {
						return c
					}
				}
			}
		}
	}
	if a != nil {
		// One lower-cased haystack, on the stack for ordinary alerts.
		var arr [512]byte
		hay := appendLower(arr[:0], a.Rule.Name)
		hay = appendLower(hay, a.Rule.Category)
		for _, t := range a.Rule.Tags {
			hay = appendLower(hay, t)
		}
		hay = appendLower(hay, a.Title)
		for i := range w.categories {
			c := &w.categories[i]
			for _, k := range c.keywords {
				if containsWord(hay, k) {
					return c
				}
			}
		}
	}
	for i := range obs {
		if kindOf(obs[i].Type) == kindHash && hasReputation(&obs[i], alert.Malicious) {
			for j := range w.categories {
				if w.categories[j].maliciousHash {
					return &w.categories[j]
				}
			}
		}
	}
	return w.defaultCategory
}

// techniqueMatch reports whether id is want or one of its sub-techniques.
func techniqueMatch(id, want string) bool {
	if len(id) < len(want) || id[:len(want)] != want {
		return false
	}
	return len(id) == len(want) || id[len(want)] == '.'
}

// appendLower appends s normalised for keyword matching and a separator
// that no keyword contains, so keywords never match across two fields.
func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		dst = append(dst, foldByte(s[i]))
	}
	return append(dst, '\n')
}

// foldByte lower-cases ASCII and treats '-' and '_' as spaces, so that
// "Password-Spray" and "password_spray" both match "password spray".
func foldByte(b byte) byte {
	switch {
	case 'A' <= b && b <= 'Z':
		return b + 'a' - 'A'
	case b == '-' || b == '_':
		return ' '
	}
	return b
}

// containsWord reports whether kw occurs in hay at the start of a word:
// "scan" matches "scanning" but "rce" does not match "force".
func containsWord(hay, kw []byte) bool {
	for off := 0; off+len(kw) <= len(hay); {
		i := bytes.Index(hay[off:], kw)
		if i < 0 {
			return false
		}
		i += off
		if i == 0 || !isWordByte(hay[i-1]) || !isWordByte(kw[0]) {
			return true
		}
		off = i + 1
	}
	return false
}

func isWordByte(b byte) bool {
	return 'a' <= b && b <= 'z' || '0' <= b && b <= '9'
}

func kindOf(t alert.ObservableType) int {
	switch t {
	case alert.IPv4, alert.IPv6:
		return kindIP
	case alert.Domain:
		return kindDomain
	case alert.URL:
		return kindURL
	case alert.MD5, alert.SHA1, alert.SHA256:
		return kindHash
	case alert.EmailAd:
		return kindEmail
	}
	return kindOther
}

func hasReputation(o *alert.Observable, r alert.Reputation) bool {
	for i := range o.Findings {
		if o.Findings[i].Reputation == r {
			return true
		}
	}
	return false
}
