package arm

import (
	"strings"

	"github.com/scopevault/scopevault"
)

// filterTerm is one clause of an ARM $filter: name(), name('v') or name eq
// 'v'; or of a Graph $filter: also startswith(prop,'v') (Name "startswith",
// Prop "displayname") and prop/any(x:x eq 'v') (Name the collection, Any).
type filterTerm struct {
	Name  string // lower-cased: "atscope", "principalid", "assignedto", "rolename", "type"
	Call  bool   // name() or name('v')
	Value string
	HasV  bool
	Prop  string // startswith's property, lower-cased
	Any   bool   // collection/any(x:x eq 'v')
}

// maxFilterLen bounds what the parser reads; real filters are short.
const maxFilterLen = 1024

// parseFilter reads the small OData subset ARM's Authorization provider
// accepts: clauses joined by "and", each a function call (atScope(),
// assignedTo('id')) or a comparison (principalId eq 'id'). String literals
// are single-quoted, with ” standing for a quote.
func parseFilter(s string) ([]filterTerm, error) {
	terms, err := parseGraphFilter(s)
	for _, t := range terms {
		if t.Any || t.Prop != "" {
			return nil, errFilter(s)
		}
	}
	return terms, err
}

// parseGraphFilter is parseFilter with Graph's forms too:
// startswith(prop,'v') and collection/any(x:x eq 'v').
func parseGraphFilter(s string) ([]filterTerm, error) {
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
	if p.i < len(p.s) && p.s[p.i] == '/' {
		return p.anyTerm(t)
	}
	if p.i < len(p.s) && p.s[p.i] == '(' {
		p.i++
		t.Call = true
		if prop := p.ident(); prop != "" {
			// startswith(displayName,'v'): a property, a comma, a literal.
			p.space()
			if p.i >= len(p.s) || p.s[p.i] != ',' {
				return filterTerm{}, false
			}
			p.i++
			p.space()
			t.Prop = strings.ToLower(prop)
		}
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

// anyTerm reads the rest of Graph's lambda form collection/any(x:x eq 'v'),
// the one az sends for servicePrincipalNames and identifierUris.
func (p *filterParser) anyTerm(t filterTerm) (filterTerm, bool) {
	p.i++ // '/'
	if !strings.EqualFold(p.ident(), "any") || p.i >= len(p.s) || p.s[p.i] != '(' {
		return filterTerm{}, false
	}
	p.i++
	v := p.ident()
	if v == "" || p.i >= len(p.s) || p.s[p.i] != ':' {
		return filterTerm{}, false
	}
	p.i++
	if p.ident() != v {
		return filterTerm{}, false
	}
	p.space()
	if !p.keyword("eq") {
		return filterTerm{}, false
	}
	p.space()
	val, ok := p.str()
	if !ok || p.i >= len(p.s) || p.s[p.i] != ')' {
		return filterTerm{}, false
	}
	p.i++
	t.Any, t.Value, t.HasV = true, val, true
	return t, true
}
