package cli

import "fmt"

type nodeKind int

const (
	nField nodeKind = iota
	nSubexpr
	nIndexExpr
	nIndex
	nSlice
	nProjection
	nValueProjection
	nFilterProjection
	nFlatten
	nIdentity
	nLiteral
	nMultiList
	nMultiHash
	nOr
	nAnd
	nNot
	nCompare
	nPipe
	nFunction
	nExpref
)

// node is one node of a parsed query.
type node struct {
	kind     nodeKind
	name     string // field, function, comparator
	value    any    // literal
	index    int
	slice    [3]*int
	keys     []string // multi-select hash keys, parallel to children
	children []*node
}

// bindingPower is jmespath.py's table; projections stop at tokens below 10.
var bindingPower = map[tokKind]int{
	tPipe: 1, tOr: 2, tAnd: 3,
	tEQ: 5, tNE: 5, tLT: 5, tLE: 5, tGT: 5, tGE: 5,
	tFlatten: 9, tStar: 20, tFilter: 21, tDot: 40, tNot: 45, tLBrace: 50, tLBracket: 55, tLParen: 60,
}

const projectionStop = 10

// maxDepth bounds recursion so a hostile expression cannot exhaust the stack.
const maxDepth = 200

type parser struct {
	toks  []token
	i     int
	depth int
}

// parseQuery compiles a JMESPath expression.
func parseQuery(src string) (*node, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	n, err := p.expression(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.unexpected(t)
	}
	return n, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) peekAt(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) advance() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) match(k tokKind) error {
	if t := p.peek(); t.kind != k {
		return fmt.Errorf("expected %s but found %s at %d", tokNames[k], tokNames[t.kind], t.pos)
	}
	p.advance()
	return nil
}

func (p *parser) unexpected(t token) error {
	return fmt.Errorf("unexpected %s at %d", tokNames[t.kind], t.pos)
}

func (p *parser) expression(rbp int) (*node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, fmt.Errorf("the expression nests too deeply")
	}
	left, err := p.nud(p.advance())
	if err != nil {
		return nil, err
	}
	for rbp < bindingPower[p.peek().kind] {
		if left, err = p.led(p.advance(), left); err != nil {
			return nil, err
		}
	}
	return left, nil
}

var identity = &node{kind: nIdentity}

func (p *parser) nud(t token) (*node, error) {
	switch t.kind {
	case tLiteral, tRawString:
		return &node{kind: nLiteral, value: t.value}, nil
	case tIdent:
		return &node{kind: nField, name: t.text}, nil
	case tQuoted:
		if p.peek().kind == tLParen {
			return nil, fmt.Errorf("a quoted identifier cannot name a function (at %d)", t.pos)
		}
		return &node{kind: nField, name: t.text}, nil
	case tStar:
		right := identity
		if p.peek().kind != tRBracket {
			var err error
			if right, err = p.projectionRHS(bindingPower[tStar]); err != nil {
				return nil, err
			}
		}
		return &node{kind: nValueProjection, children: []*node{identity, right}}, nil
	case tFilter:
		return p.filter(identity)
	case tLBrace:
		return p.multiHash()
	case tLParen:
		n, err := p.expression(0)
		if err != nil {
			return nil, err
		}
		return n, p.match(tRParen)
	case tFlatten:
		right, err := p.projectionRHS(bindingPower[tFlatten])
		if err != nil {
			return nil, err
		}
		return &node{kind: nProjection, children: []*node{{kind: nFlatten, children: []*node{identity}}, right}}, nil
	case tNot:
		n, err := p.expression(bindingPower[tNot])
		if err != nil {
			return nil, err
		}
		return &node{kind: nNot, children: []*node{n}}, nil
	case tLBracket:
		switch k := p.peek().kind; {
		case k == tNumber || k == tColon:
			right, err := p.indexExpr()
			if err != nil {
				return nil, err
			}
			return p.projectIfSlice(identity, right)
		case k == tStar && p.peekAt(1).kind == tRBracket:
			p.advance()
			p.advance()
			right, err := p.projectionRHS(bindingPower[tStar])
			if err != nil {
				return nil, err
			}
			return &node{kind: nProjection, children: []*node{identity, right}}, nil
		}
		return p.multiList()
	case tCurrent:
		return identity, nil
	case tExpref:
		n, err := p.expression(0)
		if err != nil {
			return nil, err
		}
		return &node{kind: nExpref, children: []*node{n}}, nil
	}
	return nil, p.unexpected(t)
}

func (p *parser) led(t token, left *node) (*node, error) {
	switch t.kind {
	case tDot:
		if p.peek().kind == tStar {
			p.advance()
			right, err := p.projectionRHS(bindingPower[tDot])
			if err != nil {
				return nil, err
			}
			return &node{kind: nValueProjection, children: []*node{left, right}}, nil
		}
		right, err := p.dotRHS(bindingPower[tDot])
		if err != nil {
			return nil, err
		}
		return &node{kind: nSubexpr, children: []*node{left, right}}, nil
	case tPipe, tOr, tAnd:
		right, err := p.expression(bindingPower[t.kind])
		if err != nil {
			return nil, err
		}
		k := map[tokKind]nodeKind{tPipe: nPipe, tOr: nOr, tAnd: nAnd}[t.kind]
		return &node{kind: k, children: []*node{left, right}}, nil
	case tEQ, tNE, tLT, tLE, tGT, tGE:
		right, err := p.expression(bindingPower[t.kind])
		if err != nil {
			return nil, err
		}
		return &node{kind: nCompare, name: t.text, children: []*node{left, right}}, nil
	case tLParen:
		if left.kind != nField {
			return nil, fmt.Errorf("only a name can be called as a function (at %d)", t.pos)
		}
		var args []*node
		for p.peek().kind != tRParen {
			a, err := p.expression(0)
			if err != nil {
				return nil, err
			}
			if p.peek().kind == tComma {
				p.advance()
				if p.peek().kind == tRParen {
					return nil, p.unexpected(p.peek())
				}
			} else if p.peek().kind != tRParen {
				return nil, p.unexpected(p.peek())
			}
			args = append(args, a)
		}
		p.advance()
		return &node{kind: nFunction, name: left.name, children: args}, nil
	case tFilter:
		return p.filter(left)
	case tFlatten:
		right, err := p.projectionRHS(bindingPower[tFlatten])
		if err != nil {
			return nil, err
		}
		return &node{kind: nProjection, children: []*node{{kind: nFlatten, children: []*node{left}}, right}}, nil
	case tLBracket:
		if k := p.peek().kind; k == tNumber || k == tColon {
			right, err := p.indexExpr()
			if err != nil {
				return nil, err
			}
			return p.projectIfSlice(left, right)
		}
		if err := p.match(tStar); err != nil {
			return nil, err
		}
		if err := p.match(tRBracket); err != nil {
			return nil, err
		}
		right, err := p.projectionRHS(bindingPower[tStar])
		if err != nil {
			return nil, err
		}
		return &node{kind: nProjection, children: []*node{left, right}}, nil
	}
	return nil, p.unexpected(t)
}

// filter parses "cond]" after "[?" and the projection that follows.
func (p *parser) filter(left *node) (*node, error) {
	cond, err := p.expression(0)
	if err != nil {
		return nil, err
	}
	if err := p.match(tRBracket); err != nil {
		return nil, err
	}
	right := identity
	if p.peek().kind != tFlatten {
		if right, err = p.projectionRHS(bindingPower[tFilter]); err != nil {
			return nil, err
		}
	}
	return &node{kind: nFilterProjection, children: []*node{left, right, cond}}, nil
}

// indexExpr parses "n]" or a slice "[a:b:c]" after "[".
func (p *parser) indexExpr() (*node, error) {
	if p.peek().kind == tColon || p.peekAt(1).kind == tColon {
		var parts [3]*int
		idx := 0
		for t := p.peek(); t.kind != tRBracket; t = p.peek() {
			switch t.kind {
			case tColon:
				idx++
				if idx > 2 {
					return nil, p.unexpected(t)
				}
			case tNumber:
				if parts[idx] != nil {
					return nil, p.unexpected(t)
				}
				n := t.num
				parts[idx] = &n
			default:
				return nil, p.unexpected(t)
			}
			p.advance()
		}
		p.advance()
		if parts[2] != nil && *parts[2] == 0 {
			return nil, fmt.Errorf("a slice step cannot be 0")
		}
		return &node{kind: nSlice, slice: parts}, nil
	}
	t := p.advance()
	if err := p.match(tRBracket); err != nil {
		return nil, err
	}
	return &node{kind: nIndex, index: t.num}, nil
}

func (p *parser) projectIfSlice(left, right *node) (*node, error) {
	n := &node{kind: nIndexExpr, children: []*node{left, right}}
	if right.kind != nSlice {
		return n, nil
	}
	rhs, err := p.projectionRHS(bindingPower[tStar])
	if err != nil {
		return nil, err
	}
	return &node{kind: nProjection, children: []*node{n, rhs}}, nil
}

func (p *parser) projectionRHS(bp int) (*node, error) {
	switch t := p.peek(); {
	case bindingPower[t.kind] < projectionStop:
		return identity, nil
	case t.kind == tLBracket, t.kind == tFilter:
		return p.expression(bp)
	case t.kind == tDot:
		p.advance()
		return p.dotRHS(bp)
	default:
		return nil, p.unexpected(t)
	}
}

func (p *parser) dotRHS(bp int) (*node, error) {
	switch t := p.peek(); t.kind {
	case tIdent, tQuoted, tStar:
		return p.expression(bp)
	case tLBracket:
		p.advance()
		return p.multiList()
	case tLBrace:
		p.advance()
		return p.multiHash()
	default:
		return nil, p.unexpected(t)
	}
}

// multiList parses "a, b]" after "[".
func (p *parser) multiList() (*node, error) {
	n := &node{kind: nMultiList}
	for {
		e, err := p.expression(0)
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, e)
		if p.peek().kind == tRBracket {
			p.advance()
			return n, nil
		}
		if err := p.match(tComma); err != nil {
			return nil, err
		}
	}
}

// multiHash parses "k: a, k2: b}" after "{".
func (p *parser) multiHash() (*node, error) {
	n := &node{kind: nMultiHash}
	for {
		t := p.advance()
		if t.kind != tIdent && t.kind != tQuoted {
			return nil, p.unexpected(t)
		}
		if err := p.match(tColon); err != nil {
			return nil, err
		}
		e, err := p.expression(0)
		if err != nil {
			return nil, err
		}
		n.keys = append(n.keys, t.text)
		n.children = append(n.children, e)
		switch p.advance().kind {
		case tComma:
		case tRBrace:
			return n, nil
		default:
			return nil, fmt.Errorf("expected ',' or '}' in a multi-select hash")
		}
	}
}
