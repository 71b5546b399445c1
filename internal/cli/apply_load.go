package cli

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The file `scopevault apply` reads. One YAML document:
//
//	location: eastus          # default location of every resource
//	group: rg-seed            # default resource group
//	resources:
//	  - kind: Vault
//	    name: kv-seed
//	    ...
//
// Every resource is a mapping with a kind; the kinds and their fields are
// the spec types below (their yaml tags are the field names). Loading
// checks everything that can be checked without the server: known kinds
// and fields, required fields, values, names unique per kind, and that
// every reference names a resource declared in the file. Each error names
// the line it is about.

// applyFile is a loaded, checked file.
type applyFile struct {
	Name      string
	Location  string
	Group     string
	Resources []*resource
}

// resource is one entry of resources:.
type resource struct {
	Kind string
	Line int
	Spec spec
	node *yaml.Node
}

// spec is one kind's fields.
type spec interface {
	// id is the resource's name, unique within its kind ("kv-seed/db-password").
	id() string
	// check validates the fields and references; f has every resource loaded.
	check(f *applyFile, r *resource) error
}

// kinds maps a kind to a new empty spec, in the order apply works through
// them: each kind comes after everything it may refer to.
var kinds = []struct {
	name string
	new  func() spec
}{
	{"ResourceGroup", func() spec { return &groupSpec{} }},
	{"User", func() spec { return &userSpec{} }},
	{"ServicePrincipal", func() spec { return &spSpec{} }},
	{"Group", func() spec { return &adGroupSpec{} }},
	{"VirtualNetwork", func() spec { return &vnetSpec{} }},
	{"PrivateDnsZone", func() spec { return &zoneSpec{} }},
	{"Workspace", func() spec { return &workspaceSpec{} }},
	{"Vault", func() spec { return &vaultSpec{} }},
	{"PrivateEndpoint", func() spec { return &peSpec{} }},
	{"RoleAssignment", func() spec { return &roleSpec{} }},
	{"Secret", func() spec { return &secretSpec{} }},
	{"SecretScope", func() spec { return &scopeSpec{} }},
	{"ScopeACL", func() spec { return &aclSpec{} }},
}

func kindOrder(kind string) int {
	return slices.IndexFunc(kinds, func(k struct {
		name string
		new  func() spec
	}) bool {
		return k.name == kind
	})
}

func kindNames() string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.name
	}
	return strings.Join(names, ", ")
}

// lineError is a problem at a line of the file.
type lineError struct {
	file string
	line int
	msg  string
}

func (e *lineError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.file, e.line, e.msg)
	}
	return e.file + ": " + e.msg
}

func errAt(line int, format string, a ...any) error {
	return &lineError{line: line, msg: fmt.Sprintf(format, a...)}
}

// yamlLineRE finds the line yaml.v3 names in its errors.
var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// loadApplyFile reads and checks a file.
func loadApplyFile(path string, env func(string) (string, bool)) (*applyFile, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseApplyFile(path, raw, env)
}

// parseApplyFile parses and checks a file's contents. env looks up the
// variables valueFrom.env names; a file's values are read from disk.
func parseApplyFile(name string, raw []byte, env func(string) (string, bool)) (f *applyFile, err error) {
	defer func() {
		var le *lineError
		if errors.As(err, &le) && le.file == "" {
			le.file = name
		}
	}()
	// A tab in indentation is refused here, at its own line (yaml.v3
	// names the line before it).
	for i, line := range strings.Split(string(raw), "\n") {
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		if strings.Contains(indent, "\t") {
			return nil, errAt(i+1, "a tab in the indentation: YAML indents with spaces")
		}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, yamlError(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, errAt(0, "the file is empty: want a mapping with resources:")
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, errAt(top.Line, "want a mapping with location:, group: and resources:")
	}
	f = &applyFile{Name: name}
	var list *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch k.Value {
		case "location", "group":
			if v.Kind != yaml.ScalarNode {
				return nil, errAt(v.Line, "%s: want a string", k.Value)
			}
			if k.Value == "location" {
				f.Location = v.Value
			} else {
				f.Group = v.Value
			}
		case "resources":
			if v.Kind != yaml.SequenceNode {
				return nil, errAt(v.Line, "resources: want a list of resources")
			}
			list = v
		default:
			return nil, errAt(k.Line, "unknown field %q (want location, group, resources)", k.Value)
		}
	}
	if list == nil {
		return nil, errAt(top.Line, "no resources: list")
	}
	for _, n := range list.Content {
		r, err := loadResource(n)
		if err != nil {
			return nil, err
		}
		f.Resources = append(f.Resources, r)
	}
	seen := map[string]int{}
	for _, r := range f.Resources {
		key := r.Kind + " " + strings.ToLower(r.Spec.id())
		if line, ok := seen[key]; ok {
			return nil, errAt(r.Line, "%s %s is declared twice (first at line %d)", r.Kind, r.Spec.id(), line)
		}
		seen[key] = r.Line
	}
	for _, r := range f.Resources {
		if err := r.Spec.check(f, r); err != nil {
			return nil, err
		}
	}
	for _, r := range f.Resources {
		if s, ok := r.Spec.(*secretSpec); ok {
			if err := s.resolve(r, env); err != nil {
				return nil, err
			}
		}
		if u, ok := r.Spec.(*userSpec); ok {
			if err := u.resolve(r, env); err != nil {
				return nil, err
			}
		}
	}
	slices.SortStableFunc(f.Resources, func(a, b *resource) int { return kindOrder(a.Kind) - kindOrder(b.Kind) })
	return f, nil
}

func yamlError(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		err = errors.New(te.Errors[0])
	}
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		// yaml.v3 numbers a parser error's line from the construct's
		// context mark, which counts from 0 ("did not find expected ...");
		// its other errors count from 1.
		if strings.HasPrefix(m[2], "did not find expected") {
			n++
		}
		return errAt(n, "%s", m[2])
	}
	return errAt(0, "%s", strings.TrimPrefix(msg, "yaml: "))
}

// loadResource decodes one entry of resources: into its kind's spec,
// refusing fields the kind does not have.
func loadResource(n *yaml.Node) (*resource, error) {
	if n.Kind != yaml.MappingNode {
		return nil, errAt(n.Line, "a resource must be a mapping with kind:")
	}
	r := &resource{Line: n.Line, node: n}
	kn := mapValue(n, "kind")
	if kn == nil {
		return nil, errAt(n.Line, "a resource has no kind: (want one of %s)", kindNames())
	}
	r.Kind = kn.Value
	i := kindOrder(r.Kind)
	if i < 0 {
		return nil, errAt(kn.Line, "unknown kind %q (want one of %s)", r.Kind, kindNames())
	}
	r.Spec = kinds[i].new()
	if err := checkFields(n, reflect.TypeOf(r.Spec).Elem(), r.Kind, true); err != nil {
		return nil, err
	}
	if err := n.Decode(r.Spec); err != nil {
		return nil, yamlError(err)
	}
	return r, nil
}

// mapValue is the value of key in a mapping node, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// fieldLine is the line of a field of the resource, else the resource's.
func (r *resource) fieldLine(path ...string) int {
	n := r.node
	line := r.Line
	for _, p := range path {
		if n = mapValue(n, p); n == nil {
			return line
		}
		line = n.Line
	}
	return line
}

// itemLine is the line of the i-th element of a list field, else the
// field's line.
func (r *resource) itemLine(i int, path ...string) int {
	n := r.node
	for _, p := range path {
		if n = mapValue(n, p); n == nil {
			return r.fieldLine(path...)
		}
	}
	if n.Kind == yaml.SequenceNode && i < len(n.Content) {
		return n.Content[i].Line
	}
	return r.fieldLine(path...)
}

// checkFields refuses keys that t (a struct) has no yaml field for,
// recursing into nested mappings and lists of mappings.
func checkFields(n *yaml.Node, t reflect.Type, what string, top bool) error {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	switch {
	case n.Kind == yaml.SequenceNode:
		for _, c := range n.Content {
			if err := checkFields(c, t, what, false); err != nil {
				return err
			}
		}
		return nil
	case n.Kind != yaml.MappingNode || t.Kind() != reflect.Struct:
		return nil
	}
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag != "" && tag != "-" {
			fields[tag] = t.Field(i).Type
		}
	}
	if top {
		fields["kind"] = reflect.TypeOf("")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		ft, ok := fields[k.Value]
		if !ok {
			names := make([]string, 0, len(fields))
			for name := range fields {
				names = append(names, name)
			}
			slices.Sort(names)
			return errAt(k.Line, "%s has no field %q (its fields: %s)", what, k.Value, strings.Join(names, ", "))
		}
		if err := checkFields(n.Content[i+1], ft, what+" "+k.Value, false); err != nil {
			return err
		}
	}
	return nil
}
