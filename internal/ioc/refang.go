package ioc

import "strings"

// defangs maps bracketed defang markers to what they stand for. Matching
// ignores case.
var defangs = []struct{ from, to string }{
	{"[.]", "."}, {"(.)", "."}, {"{.}", "."},
	{"[dot]", "."}, {"(dot)", "."},
	{"[@]", "@"}, {"(@)", "@"}, {"[at]", "@"}, {"(at)", "@"},
	{"[://]", "://"}, {"[:]", ":"}, {"[/]", "/"},
}

// refangAt returns the replacement for a defang marker starting at s[i] and
// the marker's length, or n == 0 when there is none.
func refangAt(s string, i int) (to string, n int) {
	switch s[i] {
	case '[', '(', '{':
		for _, d := range defangs {
			if len(s)-i >= len(d.from) && strings.EqualFold(s[i:i+len(d.from)], d.from) {
				return d.to, len(d.from)
			}
		}
	case 'h', 'H':
		// hxxp / hxxps followed by a (possibly defanged) colon.
		if len(s)-i >= 5 && strings.EqualFold(s[i:i+4], "hxxp") {
			j := i + 4
			if s[j] == 's' || s[j] == 'S' {
				j++
			}
			if j < len(s) && (s[j] == ':' || s[j] == '[') {
				return "http" + strings.ToLower(s[i+4:j]), j - i
			}
		}
	case 'f', 'F':
		if len(s)-i >= 4 && strings.EqualFold(s[i:i+3], "fxp") && (s[i+3] == ':' || s[i+3] == '[') {
			return "ftp", 3
		}
	}
	return "", 0
}

// refang returns s with defang markers replaced in a single left-to-right
// pass, and whether anything changed. It allocates only when it changes s.
func refang(s string) (string, bool) {
	var b []byte
	last := 0
	for i := 0; i < len(s); {
		if !is(s[i], cDefang) {
			i++
			continue
		}
		at := i
		if s[i] == 'x' || s[i] == 'X' {
			// hxxp and fxp are found from their first x.
			if i == 0 {
				i++
				continue
			}
			at = i - 1
		}
		to, n := refangAt(s, at)
		if n == 0 {
			i++
			continue
		}
		if b == nil {
			b = make([]byte, 0, len(s))
		}
		b = append(b, s[last:at]...)
		b = append(b, to...)
		i = at + n
		last = i
	}
	if b == nil {
		return s, false
	}
	b = append(b, s[last:]...)
	return string(b), true
}
