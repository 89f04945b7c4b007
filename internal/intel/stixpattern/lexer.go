package stixpattern

import (
	"errors"
	"fmt"
	"strings"
)

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tNumber
	tOp
	tLBracket
	tRBracket
	tLParen
	tRParen
	tComma
	tColon
	tDot
	tStar
)

type token struct {
	kind tokKind
	text string
	// prefix is the type letter of a typed string literal (t, h, b), 0 for
	// a plain string.
	prefix byte
	pos    int
}

func (t token) String() string {
	if t.kind == tEOF {
		return "end of pattern"
	}
	return fmt.Sprintf("%q", t.text)
}

type lexer struct {
	src string
	pos int
}

func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) && strings.IndexByte(" \t\r\n", l.src[l.pos]) >= 0 {
		l.pos++
	}
	start := l.pos
	if l.pos >= len(l.src) {
		return token{kind: tEOF, pos: start}, nil
	}
	c := l.src[l.pos]
	if k := punct(c); k != tEOF {
		l.pos++
		return token{kind: k, text: l.src[start:l.pos], pos: start}, nil
	}
	switch {
	case c == '\'':
		s, err := l.str()
		return token{kind: tString, text: s, pos: start}, err
	case (c == 't' || c == 'h' || c == 'b') && l.pos+1 < len(l.src) && l.src[l.pos+1] == '\'':
		l.pos++
		s, err := l.str()
		return token{kind: tString, text: s, prefix: c, pos: start}, err
	case c == '=' || c == '!' || c == '<' || c == '>':
		for _, op := range []string{"!=", "<>", "<=", ">=", "=", "<", ">"} {
			if strings.HasPrefix(l.src[l.pos:], op) {
				l.pos += len(op)
				return token{kind: tOp, text: op, pos: start}, nil
			}
		}
		return token{}, fmt.Errorf("offset %d: stray %q", start, c)
	case c == '-' || c == '+' || isDigit(c):
		l.pos++
		for l.pos < len(l.src) && (isDigit(l.src[l.pos]) || l.src[l.pos] == '.') {
			l.pos++
		}
		text := l.src[start:l.pos]
		if strings.Count(text, ".") > 1 || !isDigit(text[len(text)-1]) || (len(text) > 1 && !isDigit(text[0]) && !isDigit(text[1])) {
			return token{}, fmt.Errorf("offset %d: bad number %q", start, text)
		}
		return token{kind: tNumber, text: text, pos: start}, nil
	case isIdentStart(c):
		for l.pos < len(l.src) && (isIdentStart(l.src[l.pos]) || isDigit(l.src[l.pos]) || l.src[l.pos] == '-') {
			l.pos++
		}
		return token{kind: tIdent, text: l.src[start:l.pos], pos: start}, nil
	}
	return token{}, fmt.Errorf("offset %d: unexpected %q", start, c)
}

// str reads a quoted string at l.pos, unescaping \' and \\.
func (l *lexer) str() (string, error) {
	start := l.pos
	l.pos++ // opening quote
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch c {
		case '\'':
			l.pos++
			return b.String(), nil
		case '\\':
			if l.pos+1 >= len(l.src) {
				return "", errUnterminated(start)
			}
			e := l.src[l.pos+1]
			if e != '\'' && e != '\\' {
				return "", fmt.Errorf("offset %d: bad escape \\%c", l.pos, e)
			}
			b.WriteByte(e)
			l.pos += 2
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	return "", errUnterminated(start)
}

var errString = errors.New("unterminated string")

func errUnterminated(at int) error { return fmt.Errorf("offset %d: %w", at, errString) }

// punct returns the kind of a one-character token, tEOF for other bytes.
func punct(c byte) tokKind {
	switch c {
	case '[':
		return tLBracket
	case ']':
		return tRBracket
	case '(':
		return tLParen
	case ')':
		return tRParen
	case ',':
		return tComma
	case ':':
		return tColon
	case '.':
		return tDot
	case '*':
		return tStar
	}
	return tEOF
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isIdentStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}
