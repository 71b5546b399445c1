package cli

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The --query language: a hand-written JMESPath (jmespath.org/specification)
// covering what az scripts use: identifiers, sub-expressions, index and
// slice, list/object/flatten/filter projections, multi-select lists and
// hashes, pipes, comparisons, && || !, literals, @, and the common functions.

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tQuoted
	tRawString
	tLiteral
	tNumber
	tDot
	tStar
	tFlatten // []
	tFilter  // [?
	tLBracket
	tRBracket
	tLBrace
	tRBrace
	tLParen
	tRParen
	tComma
	tColon
	tPipe
	tOr
	tAnd
	tNot
	tEQ
	tNE
	tLT
	tLE
	tGT
	tGE
	tCurrent
	tExpref
)

var tokNames = map[tokKind]string{
	tEOF: "end of expression", tIdent: "identifier", tQuoted: "quoted identifier", tRawString: "raw string",
	tLiteral: "literal", tNumber: "number", tDot: "'.'", tStar: "'*'", tFlatten: "'[]'", tFilter: "'[?'",
	tLBracket: "'['", tRBracket: "']'", tLBrace: "'{'", tRBrace: "'}'", tLParen: "'('", tRParen: "')'",
	tComma: "','", tColon: "':'", tPipe: "'|'", tOr: "'||'", tAnd: "'&&'", tNot: "'!'", tEQ: "'=='",
	tNE: "'!='", tLT: "'<'", tLE: "'<='", tGT: "'>'", tGE: "'>='", tCurrent: "'@'", tExpref: "'&'",
}

type token struct {
	kind  tokKind
	text  string // identifier name or operator
	value any    // literal value
	num   int
	pos   int
}

// maxQueryLen bounds a --query expression.
const maxQueryLen = 4096

func lex(src string) ([]token, error) {
	if len(src) > maxQueryLen {
		return nil, fmt.Errorf("the expression is longer than %d characters", maxQueryLen)
	}
	if !utf8.ValidString(src) {
		return nil, fmt.Errorf("the expression is not valid UTF-8")
	}
	var out []token
	i := 0
	for i < len(src) {
		c := src[i]
		start := i
		simple := func(k tokKind, n int) {
			out = append(out, token{kind: k, text: src[i : i+n], pos: start})
			i += n
		}
		next := byte(0)
		if i+1 < len(src) {
			next = src[i+1]
		}
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			out = append(out, token{kind: tIdent, text: src[i:j], pos: start})
			i = j
		case c == '-' || c >= '0' && c <= '9':
			j := i + 1
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			n, err := strconv.Atoi(src[i:j])
			if err != nil {
				return nil, fmt.Errorf("invalid number %q at %d", src[i:j], start)
			}
			out = append(out, token{kind: tNumber, num: n, text: src[i:j], pos: start})
			i = j
		case c == '"':
			j, s, err := lexQuoted(src, i)
			if err != nil {
				return nil, err
			}
			out = append(out, token{kind: tQuoted, text: s, pos: start})
			i = j
		case c == '\'':
			j, s, err := lexRaw(src, i)
			if err != nil {
				return nil, err
			}
			out = append(out, token{kind: tRawString, value: s, pos: start})
			i = j
		case c == '`':
			j, v, err := lexLiteral(src, i)
			if err != nil {
				return nil, err
			}
			out = append(out, token{kind: tLiteral, value: v, pos: start})
			i = j
		case c == '[' && next == ']':
			simple(tFlatten, 2)
		case c == '[' && next == '?':
			simple(tFilter, 2)
		case c == '[':
			simple(tLBracket, 1)
		case c == ']':
			simple(tRBracket, 1)
		case c == '{':
			simple(tLBrace, 1)
		case c == '}':
			simple(tRBrace, 1)
		case c == '(':
			simple(tLParen, 1)
		case c == ')':
			simple(tRParen, 1)
		case c == '.':
			simple(tDot, 1)
		case c == '*':
			simple(tStar, 1)
		case c == ',':
			simple(tComma, 1)
		case c == ':':
			simple(tColon, 1)
		case c == '@':
			simple(tCurrent, 1)
		case c == '|' && next == '|':
			simple(tOr, 2)
		case c == '|':
			simple(tPipe, 1)
		case c == '&' && next == '&':
			simple(tAnd, 2)
		case c == '&':
			simple(tExpref, 1)
		case c == '!' && next == '=':
			simple(tNE, 2)
		case c == '!':
			simple(tNot, 1)
		case c == '=' && next == '=':
			simple(tEQ, 2)
		case c == '<' && next == '=':
			simple(tLE, 2)
		case c == '<':
			simple(tLT, 1)
		case c == '>' && next == '=':
			simple(tGE, 2)
		case c == '>':
			simple(tGT, 1)
		default:
			return nil, fmt.Errorf("unexpected character %q at %d", c, start)
		}
	}
	return append(out, token{kind: tEOF, pos: len(src)}), nil
}

func isIdentStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || c >= '0' && c <= '9' }

// lexQuoted reads a "quoted identifier" with JSON string escapes.
func lexQuoted(src string, i int) (int, string, error) {
	j := i + 1
	for j < len(src) && src[j] != '"' {
		if src[j] == '\\' {
			j++
		}
		j++
	}
	if j >= len(src) {
		return 0, "", fmt.Errorf("unterminated quoted identifier at %d", i)
	}
	var s string
	if err := json.Unmarshal([]byte(src[i:j+1]), &s); err != nil {
		return 0, "", fmt.Errorf("invalid quoted identifier at %d", i)
	}
	return j + 1, s, nil
}

// lexRaw reads a 'raw string': only \' and \\ are escapes.
func lexRaw(src string, i int) (int, string, error) {
	var b strings.Builder
	j := i + 1
	for j < len(src) {
		switch {
		case src[j] == '\\' && j+1 < len(src) && (src[j+1] == '\'' || src[j+1] == '\\'):
			b.WriteByte(src[j+1])
			j += 2
		case src[j] == '\'':
			return j + 1, b.String(), nil
		default:
			b.WriteByte(src[j])
			j++
		}
	}
	return 0, "", fmt.Errorf("unterminated raw string at %d", i)
}

// lexLiteral reads a `json literal`; \` escapes a backtick. Like jmespath.py,
// text that is not JSON is taken as a string (the legacy form).
func lexLiteral(src string, i int) (int, any, error) {
	var b strings.Builder
	j := i + 1
	for j < len(src) {
		switch {
		case src[j] == '\\' && j+1 < len(src) && src[j+1] == '`':
			b.WriteByte('`')
			j += 2
		case src[j] == '`':
			text := strings.TrimSpace(b.String())
			var v any
			if err := json.Unmarshal([]byte(text), &v); err != nil {
				return j + 1, text, nil
			}
			return j + 1, v, nil
		default:
			b.WriteByte(src[j])
			j++
		}
	}
	return 0, nil, fmt.Errorf("unterminated literal at %d", i)
}
