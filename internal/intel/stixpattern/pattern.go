package stixpattern

import (
	"errors"
	"fmt"
	"strings"
)

// Comparison is one comparison expression of a pattern.
type Comparison struct {
	// ObjectType is the cyber-observable type ("ipv4-addr", "file").
	ObjectType string
	// Path is the property path after the colon, with quoted components
	// unquoted and list indexes kept: "value", "hashes.SHA-256",
	// "extensions.x[*].name".
	Path string
	// Op is "=", "!=", "<", "<=", ">", ">=", "IN", "LIKE", "MATCHES",
	// "ISSUBSET", "ISSUPERSET" or "EXISTS".
	Op string
	// Values are the literals compared with: one for most operators, the
	// members for IN, none for EXISTS. String literals are unescaped; typed
	// literals (t'', h'', b'') keep only their content.
	Values []string
	// Negated is set by NOT.
	Negated bool
	// Conjunct is set when the comparison is ANDed (or FOLLOWEDBY-joined)
	// with another, so that it alone does not satisfy the pattern.
	Conjunct bool
}

// Equality reports whether the comparison names exact values the pattern
// matches on: "=" or "IN", not negated.
func (c Comparison) Equality() bool {
	return !c.Negated && (c.Op == "=" || c.Op == "IN")
}

// ErrSyntax is wrapped by every parse error.
var ErrSyntax = errors.New("stix pattern syntax")

// maxDepth bounds nesting so hostile patterns cannot exhaust the stack.
const maxDepth = 64

// Parse parses a STIX 2.x pattern and returns its comparisons in order.
func Parse(pattern string) ([]Comparison, error) {
	p := &parser{lx: lexer{src: pattern}}
	p.advance()
	if p.err == nil {
		p.observation(0, false)
	}
	if p.err == nil && p.tok.kind != tEOF {
		p.fail("unexpected %s after pattern", p.tok)
	}
	if p.err != nil {
		return nil, p.err
	}
	return p.out, nil
}

type parser struct {
	lx  lexer
	tok token
	err error
	out []Comparison
}

func (p *parser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("%w: offset %d: %s", ErrSyntax, p.tok.pos, fmt.Sprintf(format, args...))
	}
}

func (p *parser) advance() {
	if p.err != nil {
		return
	}
	t, err := p.lx.next()
	if err != nil {
		p.err = fmt.Errorf("%w: %w", ErrSyntax, err)
		t = token{kind: tEOF}
	}
	p.tok = t
}

// keyword reports whether the current token is the keyword kw.
func (p *parser) keyword(kw string) bool {
	return p.tok.kind == tIdent && strings.EqualFold(p.tok.text, kw)
}

func (p *parser) expect(kind tokKind, what string) string {
	if p.tok.kind != kind {
		p.fail("want %s, got %s", what, p.tok)
		return ""
	}
	text := p.tok.text
	p.advance()
	return text
}

// binary parses operands joined by any of ops, marking operands as
// conjuncts when the operator is not OR.
func (p *parser) binary(depth int, conj bool, ops []string, operand func(int, bool)) {
	if depth > maxDepth {
		p.fail("nested too deeply")
		return
	}
	start := len(p.out)
	operand(depth+1, conj)
	joined := false
	for p.err == nil {
		matched := false
		for _, op := range ops {
			if p.keyword(op) {
				matched = true
				break
			}
		}
		if !matched {
			break
		}
		joined = true
		p.advance()
		operand(depth+1, conj)
	}
	if joined && ops[0] != "OR" {
		for i := start; i < len(p.out); i++ {
			p.out[i].Conjunct = true
		}
	}
}

// observation := or ("FOLLOWEDBY" or)*; or := and ("OR" and)*;
// and := unit ("AND" unit)*.
func (p *parser) observation(depth int, conj bool) {
	p.binary(depth, conj, []string{"FOLLOWEDBY"}, func(d int, c bool) {
		p.binary(d, c, []string{"OR"}, func(d int, c bool) {
			p.binary(d, c, []string{"AND"}, p.obsUnit)
		})
	})
}

// obsUnit := ("[" comparison "]" | "(" observation ")") qualifier*.
func (p *parser) obsUnit(depth int, conj bool) {
	switch p.tok.kind {
	case tLBracket:
		p.advance()
		p.comparisonOr(depth, conj)
		p.expect(tRBracket, "]")
	case tLParen:
		p.advance()
		p.observation(depth, conj)
		p.expect(tRParen, ")")
	default:
		p.fail("want [ or (, got %s", p.tok)
		return
	}
	for p.err == nil {
		switch {
		case p.keyword("WITHIN"):
			p.advance()
			p.expect(tNumber, "number")
			if !p.keyword("SECONDS") {
				p.fail("want SECONDS, got %s", p.tok)
			}
			p.advance()
		case p.keyword("REPEATS"):
			p.advance()
			p.expect(tNumber, "number")
			if !p.keyword("TIMES") {
				p.fail("want TIMES, got %s", p.tok)
			}
			p.advance()
		case p.keyword("START"):
			p.advance()
			p.timestamp()
			if !p.keyword("STOP") {
				p.fail("want STOP, got %s", p.tok)
			}
			p.advance()
			p.timestamp()
		default:
			return
		}
	}
}

func (p *parser) timestamp() {
	if p.tok.kind != tString || p.tok.prefix != 't' {
		p.fail("want t'timestamp', got %s", p.tok)
		return
	}
	p.advance()
}

func (p *parser) comparisonOr(depth int, conj bool) {
	p.binary(depth, conj, []string{"OR"}, func(d int, c bool) {
		p.binary(d, c, []string{"AND"}, p.comparisonUnit)
	})
}

// comparisonUnit := "(" comparisonOr ")" | "EXISTS" path | path NOT? op value.
func (p *parser) comparisonUnit(depth int, conj bool) {
	if p.tok.kind == tLParen {
		p.advance()
		p.comparisonOr(depth, conj)
		p.expect(tRParen, ")")
		return
	}
	var c Comparison
	if p.keyword("EXISTS") {
		p.advance()
		c.ObjectType, c.Path = p.path()
		c.Op = "EXISTS"
		p.emit(c, conj)
		return
	}
	c.ObjectType, c.Path = p.path()
	if p.keyword("NOT") {
		c.Negated = true
		p.advance()
	}
	switch t := p.tok; {
	case t.kind == tOp:
		c.Op = t.text
		if c.Op == "<>" {
			c.Op = "!="
		}
		p.advance()
		c.Values = []string{p.literal()}
	case t.kind == tIdent && (p.keyword("LIKE") || p.keyword("MATCHES") || p.keyword("ISSUBSET") || p.keyword("ISSUPERSET")):
		c.Op = strings.ToUpper(t.text)
		p.advance()
		if p.tok.kind != tString || p.tok.prefix != 0 {
			p.fail("want string after %s, got %s", c.Op, p.tok)
			return
		}
		c.Values = []string{p.literal()}
	case p.keyword("IN"):
		c.Op = "IN"
		p.advance()
		p.expect(tLParen, "(")
		for p.err == nil {
			c.Values = append(c.Values, p.literal())
			if p.tok.kind != tComma {
				break
			}
			p.advance()
		}
		p.expect(tRParen, ")")
	default:
		p.fail("want comparison operator, got %s", p.tok)
	}
	p.emit(c, conj)
}

func (p *parser) emit(c Comparison, conj bool) {
	if p.err == nil {
		c.Conjunct = conj
		p.out = append(p.out, c)
	}
}

// path := objectType ":" component ("." component | "[" index "]")*.
func (p *parser) path() (objectType, path string) {
	objectType = p.expect(tIdent, "object type")
	if p.tok.kind != tColon {
		p.fail("want : after object type, got %s", p.tok)
		return "", ""
	}
	p.advance()
	var b strings.Builder
	b.WriteString(p.component())
	for p.err == nil {
		switch p.tok.kind {
		case tDot:
			p.advance()
			b.WriteByte('.')
			b.WriteString(p.component())
		case tLBracket:
			p.advance()
			idx := p.tok.text
			if p.tok.kind != tNumber && p.tok.kind != tStar {
				p.fail("want list index, got %s", p.tok)
				return "", ""
			}
			p.advance()
			p.expect(tRBracket, "]")
			b.WriteString("[" + idx + "]")
		default:
			return objectType, b.String()
		}
	}
	return "", ""
}

func (p *parser) component() string {
	t := p.tok
	if t.kind == tIdent || (t.kind == tString && t.prefix == 0 && t.text != "") {
		p.advance()
		return t.text
	}
	p.fail("want property name, got %s", t)
	return ""
}

// literal := string | typed string | number | boolean.
func (p *parser) literal() string {
	t := p.tok
	switch {
	case t.kind == tString, t.kind == tNumber:
	case t.kind == tIdent && (strings.EqualFold(t.text, "true") || strings.EqualFold(t.text, "false")):
	default:
		p.fail("want literal, got %s", t)
		return ""
	}
	p.advance()
	return t.text
}
