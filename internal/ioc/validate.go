package ioc

import (
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Byte classes used by the scanner. A byte may belong to several.
const (
	cDelim    uint16 = 1 << iota // ends a token: space, control, quotes, <>`\|^
	cAtom                        // may be part of an atom: [A-Za-z0-9._-@+:%], non-ASCII
	cWord                        // word character: [A-Za-z0-9_], non-ASCII
	cHex                         // [0-9A-Fa-f]
	cDigit                       // [0-9]
	cAlpha                       // [A-Za-z]
	cLabel                       // may be part of a DNS label: [A-Za-z0-9-]
	cLocal                       // may be part of an email local part: [A-Za-z0-9._%+-]
	cPieceSep                    // separates pieces inside an atom: @ + : %
	cV6                          // may be part of an IPv6 literal: [0-9A-Fa-f:.]
	cAuth                        // may be part of a URL authority
	cHint                        // worth a closer look: . : @ [ ( {
	cDefang                      // may start or sit in a defang marker: [ ( { x X
)

var class [256]uint16

func init() {
	set := func(chars string, c uint16) {
		for i := 0; i < len(chars); i++ {
			class[chars[i]] |= c
		}
	}
	for b := 0; b <= 0x20; b++ {
		class[b] |= cDelim
	}
	class[0x7f] |= cDelim
	set("\"'<>`\\|^", cDelim)
	for b := 0x80; b < 0x100; b++ {
		class[b] |= cAtom | cWord
	}
	const (
		lower  = "abcdefghijklmnopqrstuvwxyz"
		upper  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		digits = "0123456789"
	)
	alnum := lower + upper + digits
	set(alnum+"._-@+:%", cAtom)
	set(alnum+"_", cWord)
	set(digits+"abcdefABCDEF", cHex)
	set(digits, cDigit)
	set(lower+upper, cAlpha)
	set(alnum+"-", cLabel)
	set(alnum+"._%+-", cLocal)
	set("@+:%", cPieceSep)
	set(digits+"abcdefABCDEF:.", cV6)
	set(alnum+".-_:@[]%~", cAuth)
	set(".:@[({", cHint)
	set("[({xX", cDefang)
}

func is(b byte, c uint16) bool { return class[b]&c != 0 }

// fileExtTLDs are TLDs that are also common file extensions. A bare
// "name.ext" in free text with one of these as its last label is taken for a
// file name unless it was defanged or sits in a URL or an email address.
var fileExtTLDs = map[string]bool{
	"zip": true, "mov": true, "sh": true, "py": true, "pl": true, "rs": true,
	"md": true, "ps": true, "so": true, "app": true, "pub": true, "cat": true,
	"one": true, "download": true, "pm": true, "ml": true, "bz": true,
	"rar": true, "csv": true, "exe": true, "dll": true, "doc": true,
}

// parseIPv4 reports whether s is a dotted-quad IPv4 address with decimal
// octets 0-255 and no leading zeros.
func parseIPv4(s string) bool {
	parts := 0
	i := 0
	for parts < 4 {
		j := i
		v := 0
		for j < len(s) && is(s[j], cDigit) && j-i < 3 {
			v = v*10 + int(s[j]-'0')
			j++
		}
		n := j - i
		if n == 0 || v > 255 || (n > 1 && s[i] == '0') {
			return false
		}
		parts++
		if parts == 4 {
			return j == len(s)
		}
		if j >= len(s) || s[j] != '.' {
			return false
		}
		i = j + 1
	}
	return false
}

// domainShape reports whether d looks like a DNS name of at least two labels
// of [A-Za-z0-9-] (1-63 bytes, no leading or trailing hyphen, at most 253 in
// all) whose last label is alphabetic or punycode. It does not allocate.
func domainShape(d string) bool {
	if len(d) < 3 || len(d) > 253 {
		return false
	}
	labels, start := 0, 0
	for i := 0; i <= len(d); i++ {
		if i < len(d) && d[i] != '.' {
			if !is(d[i], cLabel) {
				return false
			}
			continue
		}
		n := i - start
		if n == 0 || n > 63 || d[start] == '-' || d[i-1] == '-' {
			return false
		}
		labels++
		start = i + 1
	}
	if labels < 2 {
		return false
	}
	tld := d[strings.LastIndexByte(d, '.')+1:]
	if len(tld) < 2 {
		return false
	}
	if len(tld) > 4 && strings.EqualFold(tld[:4], "xn--") {
		return true
	}
	for i := 0; i < len(tld); i++ {
		if !is(tld[i], cAlpha) {
			return false
		}
	}
	return true
}

// domainOK reports whether d is a real domain name. Strict applies the
// file-extension heuristic used for bare words in free text.
func (x *Extractor) domainOK(d string, strict bool) bool {
	if !domainShape(d) {
		return false
	}
	if x.isInternal(d) {
		return true
	}
	tld := d[strings.LastIndexByte(d, '.')+1:]
	if strict && len(tld) <= 8 && fileExtTLD(tld) {
		return false
	}
	ld := lowerASCII(d)
	suffix, icann := publicsuffix.PublicSuffix(ld)
	if !icann && strings.IndexByte(suffix, '.') < 0 {
		return false // unlisted TLD: the list's implicit "*" rule matched
	}
	return len(suffix) < len(ld) || !icann
}

// fileExtTLD looks tld up in fileExtTLDs ignoring case, without allocating.
func fileExtTLD(tld string) bool {
	var buf [8]byte
	for i := 0; i < len(tld); i++ {
		c := tld[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return fileExtTLDs[string(buf[:len(tld)])]
}

// lowerASCII returns s with ASCII letters lower-cased; it returns s itself,
// without allocating, when s has no upper-case letter.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// cveAt reports the length of a CVE identifier (CVE-YYYY-NNNN+, any case) at
// the start of s, or 0. The caller checks the left boundary.
func cveAt(s string) int {
	if len(s) < 13 || !strings.EqualFold(s[:4], "cve-") {
		return 0
	}
	for i := 4; i < 8; i++ {
		if !is(s[i], cDigit) {
			return 0
		}
	}
	if s[8] != '-' {
		return 0
	}
	j := 9
	for j < len(s) && is(s[j], cDigit) {
		j++
	}
	if j-9 < 4 || j-9 > 19 || (j < len(s) && is(s[j], cWord)) {
		return 0
	}
	return j
}

// localOK reports whether s is an acceptable email local part.
func localOK(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !is(s[i], cLocal) {
			return false
		}
	}
	return true
}
