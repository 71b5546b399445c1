package databricks

import (
	"strconv"
	"strings"

	"github.com/scopevault/scopevault"
)

// A SCIM filter (RFC 7644 §3.4.2.2), the subset Databricks clients send:
//
//	filter := or
//	or     := and ("or" and)*
//	and    := not ("and" not)*
//	not    := ["not"] ( "(" filter ")" | attr "pr" | attr op value )
//	op     := eq | ne | co | sw | ew | gt | ge | lt | le
//	value  := "string" | true | false | null | number
//
// Attribute names and operators are case-insensitive; string comparisons
// are case-insensitive too (userName and displayName are not caseExact).
type scimFilter interface {
	match(attrs func(name string) (string, bool)) bool
}

type scimCmp struct {
	attr, op, value string
}

type scimBool struct {
	and  bool
	l, r scimFilter
}

type scimNot struct{ f scimFilter }

func (c scimCmp) match(attrs func(string) (string, bool)) bool {
	v, ok := attrs(c.attr)
	if c.op == "pr" {
		return ok && v != ""
	}
	if !ok {
		return c.op == "ne"
	}
	a, b := strings.ToLower(v), strings.ToLower(c.value)
	switch c.op {
	case "eq":
		return a == b
	case "ne":
		return a != b
	case "co":
		return strings.Contains(a, b)
	case "sw":
		return strings.HasPrefix(a, b)
	case "ew":
		return strings.HasSuffix(a, b)
	case "gt":
		return a > b
	case "ge":
		return a >= b
	case "lt":
		return a < b
	case "le":
		return a <= b
	}
	return false
}

func (b scimBool) match(attrs func(string) (string, bool)) bool {
	if b.and {
		return b.l.match(attrs) && b.r.match(attrs)
	}
	return b.l.match(attrs) || b.r.match(attrs)
}

func (n scimNot) match(attrs func(string) (string, bool)) bool { return !n.f.match(attrs) }

// Bounds on what a filter may be, so a hostile one costs little.
const (
	maxFilterLen   = 4096
	maxFilterDepth = 32
)

func errInvalidFilter(why string) error {
	return scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", "Invalid SCIM filter: %s", why)
}

// parseSCIMFilter parses a filter; "" means no filter (nil).
func parseSCIMFilter(s string) (scimFilter, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	if len(s) > maxFilterLen {
		return nil, errInvalidFilter("the filter is too long.")
	}
	toks, err := lexSCIMFilter(s)
	if err != nil {
		return nil, err
	}
	p := &filterParser{toks: toks}
	f, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if p.i != len(p.toks) {
		return nil, errInvalidFilter("unexpected " + strconv.Quote(clipFilter(p.toks[p.i].text)) + ".")
	}
	return f, nil
}

type filterTok struct {
	text   string
	quoted bool // a string literal
}

func lexSCIMFilter(s string) ([]filterTok, error) {
	var toks []filterTok
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			toks = append(toks, filterTok{text: string(c)})
			i++
		case c == '"':
			var b strings.Builder
			j := i + 1
			closed := false
			for j < len(s) {
				if s[j] == '\\' && j+1 < len(s) {
					b.WriteByte(s[j+1])
					j += 2
					continue
				}
				if s[j] == '"' {
					closed = true
					j++
					break
				}
				b.WriteByte(s[j])
				j++
			}
			if !closed {
				return nil, errInvalidFilter("unterminated string.")
			}
			toks = append(toks, filterTok{text: b.String(), quoted: true})
			i = j
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n()\"", rune(s[j])) {
				j++
			}
			toks = append(toks, filterTok{text: s[i:j]})
			i = j
		}
	}
	return toks, nil
}

type filterParser struct {
	toks []filterTok
	i    int
}

func (p *filterParser) peekWord(w string) bool {
	return p.i < len(p.toks) && !p.toks[p.i].quoted && strings.EqualFold(p.toks[p.i].text, w)
}

func (p *filterParser) or(depth int) (scimFilter, error) {
	l, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	for p.peekWord("or") {
		p.i++
		r, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		l = scimBool{and: false, l: l, r: r}
	}
	return l, nil
}

func (p *filterParser) and(depth int) (scimFilter, error) {
	l, err := p.not(depth)
	if err != nil {
		return nil, err
	}
	for p.peekWord("and") {
		p.i++
		r, err := p.not(depth)
		if err != nil {
			return nil, err
		}
		l = scimBool{and: true, l: l, r: r}
	}
	return l, nil
}

func (p *filterParser) not(depth int) (scimFilter, error) {
	if depth > maxFilterDepth {
		return nil, errInvalidFilter("the filter is nested too deeply.")
	}
	if p.peekWord("not") {
		p.i++
		f, err := p.not(depth + 1)
		if err != nil {
			return nil, err
		}
		return scimNot{f}, nil
	}
	if p.i < len(p.toks) && !p.toks[p.i].quoted && p.toks[p.i].text == "(" {
		p.i++
		f, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.i >= len(p.toks) || p.toks[p.i].quoted || p.toks[p.i].text != ")" {
			return nil, errInvalidFilter("missing ')'.")
		}
		p.i++
		return f, nil
	}
	return p.cmp()
}

var filterOps = map[string]bool{"eq": true, "ne": true, "co": true, "sw": true, "ew": true, "gt": true, "ge": true, "lt": true, "le": true}

func (p *filterParser) cmp() (scimFilter, error) {
	if p.i >= len(p.toks) {
		return nil, errInvalidFilter("expected an attribute.")
	}
	attr := p.toks[p.i]
	if attr.quoted || attr.text == "(" || attr.text == ")" || !validFilterAttr(attr.text) {
		return nil, errInvalidFilter("expected an attribute, got " + strconv.Quote(clipFilter(attr.text)) + ".")
	}
	p.i++
	if p.i >= len(p.toks) || p.toks[p.i].quoted {
		return nil, errInvalidFilter("expected an operator after " + strconv.Quote(clipFilter(attr.text)) + ".")
	}
	op := strings.ToLower(p.toks[p.i].text)
	p.i++
	if op == "pr" {
		return scimCmp{attr: strings.ToLower(attr.text), op: op}, nil
	}
	if !filterOps[op] {
		return nil, errInvalidFilter("unknown operator " + strconv.Quote(clipFilter(op)) + ".")
	}
	if p.i >= len(p.toks) {
		return nil, errInvalidFilter("expected a value after " + op + ".")
	}
	v := p.toks[p.i]
	if !v.quoted {
		switch {
		case v.text == "true", v.text == "false", v.text == "null":
		case isFilterNumber(v.text):
		default:
			return nil, errInvalidFilter("expected a quoted value, got " + strconv.Quote(clipFilter(v.text)) + ".")
		}
	}
	p.i++
	return scimCmp{attr: strings.ToLower(attr.text), op: op, value: v.text}, nil
}

func validFilterAttr(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == ':' || r == '$' || r == '-') {
			return false
		}
	}
	return true
}

func isFilterNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

func clipFilter(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
