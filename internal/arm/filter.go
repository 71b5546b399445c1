package arm

import (
	"strings"

	"github.com/scopevault/scopevault"
)

// filterTerm is one clause of an ARM $filter: name(), name('v') or name eq 'v'.
type filterTerm struct {
	Name  string // lower-cased: "atscope", "principalid", "assignedto", "rolename", "type"
	Call  bool   // name() or name('v')
	Value string
	HasV  bool
}

// maxFilterLen bounds what the parser reads; real filters are short.
const maxFilterLen = 1024

// parseFilter reads the small OData subset ARM's Authorization provider
// accepts: clauses joined by "and", each a function call (atScope(),
// assignedTo('id')) or a comparison (principalId eq 'id'). String literals
// are single-quoted, with ” standing for a quote.
func parseFilter(s string) ([]filterTerm, error) {
	if len(s) > maxFilterLen {
		return nil, errFilter(s)
	}
	p := &filterParser{s: s}
	var out []filterTerm
	for {
		p.space()
		t, ok := p.term()
		if !ok {
			return nil, errFilter(s)
		}
		out = append(out, t)
		p.space()
		if p.done() {
			return out, nil
		}
		if !p.keyword("and") {
			return nil, errFilter(s)
		}
	}
}

func errFilter(s string) error {
	return scopevault.Errorf(scopevault.EINVALID, "InvalidFilterInQueryString", "The $filter '%s' is not supported.", clip(s))
}

type filterParser struct {
	s string
	i int
}

func (p *filterParser) done() bool { return p.i >= len(p.s) }

func (p *filterParser) space() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

// keyword consumes word followed by a space.
func (p *filterParser) keyword(word string) bool {
	end := p.i + len(word)
	if end >= len(p.s) || !strings.EqualFold(p.s[p.i:end], word) || p.s[end] != ' ' {
		return false
	}
	p.i = end
	return true
}

func (p *filterParser) ident() string {
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			break
		}
		p.i++
	}
	return p.s[start:p.i]
}

func (p *filterParser) str() (string, bool) {
	if p.i >= len(p.s) || p.s[p.i] != '\'' {
		return "", false
	}
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		if c != '\'' {
			b.WriteByte(c)
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == '\'' {
			b.WriteByte('\'')
			p.i++
			continue
		}
		return b.String(), true
	}
	return "", false
}

func (p *filterParser) term() (filterTerm, bool) {
	name := p.ident()
	if name == "" {
		return filterTerm{}, false
	}
	t := filterTerm{Name: strings.ToLower(name)}
	if p.i < len(p.s) && p.s[p.i] == '(' {
		p.i++
		t.Call = true
		if p.i < len(p.s) && p.s[p.i] == '\'' {
			v, ok := p.str()
			if !ok {
				return filterTerm{}, false
			}
			t.Value, t.HasV = v, true
		}
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return filterTerm{}, false
		}
		p.i++
		return t, true
	}
	p.space()
	if !p.keyword("eq") {
		return filterTerm{}, false
	}
	p.space()
	v, ok := p.str()
	if !ok {
		return filterTerm{}, false
	}
	t.Value, t.HasV = v, true
	return t, true
}
