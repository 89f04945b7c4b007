// Package stixpattern parses STIX 2.x indicator patterns far enough to list
// their comparisons, so that equality tests on observable values
// ("[ipv4-addr:value = '1.2.3.4']") can be used as indicators.
//
// The parser reads the whole STIX patterning grammar (observation operators
// AND, OR, FOLLOWEDBY, qualifiers WITHIN, REPEATS, START/STOP, comparison
// operators, set and typed literals) and rejects anything else with an
// error: a pattern is parsed completely or not at all, never guessed at.
// It evaluates nothing. Each comparison records whether it was negated and
// whether it sits under an AND or FOLLOWEDBY, where it alone does not make
// the pattern match.
package stixpattern
