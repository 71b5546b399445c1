package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// Output formats of -o/--output, as az names them.
var outputFormats = map[string]bool{"json": true, "jsonc": true, "table": true, "tsv": true, "none": true}

// writeResult prints a command's result the way az does: --query first,
// then JSON with sorted keys (az's json.dumps(sort_keys=True)), a table, or
// TSV. A null result prints nothing. table is the command's table
// transformer (nil for az's automatic table); like az, -o table applies it
// only when no --query is given.
func writeResult(w io.Writer, result any, format, query string, table tableTransform) error {
	v, err := toJSONValue(result)
	if err != nil {
		return err
	}
	if query != "" {
		q, err := parseQuery(query)
		if err != nil {
			return fmt.Errorf("argument --query: invalid jmespath_type value: '%s': %v", query, err)
		}
		if v, err = q.search(v); err != nil {
			return fmt.Errorf("--query: %w", err)
		}
	}
	if v == nil {
		return nil
	}
	switch format {
	case "", "json", "jsonc":
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			return err
		}
		_, err = w.Write(buf.Bytes())
		return err
	case "tsv":
		return writeTSV(w, v)
	case "table":
		if table != nil && query == "" {
			if v, err = table(v); err != nil {
				return err
			}
			return writeTable(w, v, false)
		}
		return writeTable(w, v, query == "")
	case "none":
		return nil
	}
	return fmt.Errorf("argument --output/-o: invalid choice: '%s' (choose from 'json', 'jsonc', 'none', 'table', 'tsv')", format)
}

// toJSONValue turns a result (structs, maps) into decoded JSON.
func toJSONValue(result any) (any, error) {
	raw, err := json.Marshal(result)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// scalar formats a value the way az's Python str() does: True/False, integers without ".0".
func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	}
	raw, _ := json.Marshal(v)
	return string(raw)
}

// writeTSV follows az (knack's _TsvOutput): one line per list item (or one
// for a single value); an object's values in key order (a query's
// multi-select hash keeps its own order), a nested list as its length, a
// nested object as an empty field, a null as None. A boolean that is a
// whole line prints as Python's str(b).lower(), true or false; inside an
// object or list it stays True or False.
func writeTSV(w io.Writer, v any) error {
	rows, ok := v.([]any)
	if !ok {
		rows = []any{v}
	}
	var b strings.Builder
	for _, row := range rows {
		var cells []any
		switch x := row.(type) {
		case []any:
			cells = x
		case bool:
			cells = []any{strconv.FormatBool(x)}
		default:
			if m, keys, ok := asMap(row); ok {
				for _, k := range keys {
					cells = append(cells, m[k])
				}
			} else {
				cells = []any{row}
			}
		}
		for i, c := range cells {
			if i > 0 {
				b.WriteByte('\t')
			}
			switch x := c.(type) {
			case []any:
				b.WriteString(strconv.Itoa(len(x)))
			default:
				if _, _, isObj := asMap(c); !isObj {
					b.WriteString(scalar(c))
				}
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// tableSkip are the keys az's automatic table leaves out.
var tableSkip = map[string]bool{"id": true, "type": true, "etag": true}

// writeTable prints az's automatic table (knack's _TableOutput, laid out
// as tabulate's "simple" format): an object's non-null scalar fields as
// columns (never id, type or etag), headers with a capital first letter,
// keys sorted unless a query or a table transformer chose them; a list row
// gives columns Column1, Column2, ...; any other value a column Result.
func writeTable(w io.Writer, v any, sortKeys bool) error {
	rows, ok := v.([]any)
	if !ok {
		rows = []any{v}
	}
	var cols []string
	seen := map[string]bool{}
	var cells []map[string]string
	for _, row := range rows {
		if list, ok := row.([]any); ok {
			line := map[string]string{}
			for i, val := range list {
				h := "Column" + strconv.Itoa(i+1)
				if !seen[h] {
					seen[h] = true
					cols = append(cols, h)
				}
				line[h] = pyStr(val)
			}
			cells = append(cells, line)
			continue
		}
		m, keys, isObj := asMap(row)
		if !isObj {
			m, keys = map[string]any{"Result": row}, []string{"Result"}
		} else if !sortKeys {
			if o, ok := row.(*object); ok {
				keys = o.keys
			}
		}
		line := map[string]string{}
		for _, k := range keys {
			val := m[k]
			if tableSkip[k] || val == nil {
				continue
			}
			if _, nested := val.([]any); nested {
				continue
			}
			if _, _, nested := asMap(val); nested {
				continue
			}
			h := capitalize(k)
			if !seen[h] {
				seen[h] = true
				cols = append(cols, h)
			}
			line[h] = pyStr(val)
		}
		cells = append(cells, line)
	}
	if len(cols) == 0 {
		return nil
	}
	width := map[string]int{}
	for _, c := range cols {
		width[c] = len([]rune(c))
		for _, line := range cells {
			width[c] = max(width[c], len([]rune(line[c])))
		}
	}
	var b strings.Builder
	writeLine := func(get func(c string) string) {
		var parts []string
		for _, c := range cols {
			s := get(c)
			parts = append(parts, s+strings.Repeat(" ", width[c]-len([]rune(s))))
		}
		b.WriteString(strings.TrimRight(strings.Join(parts, "  "), " ") + "\n")
	}
	writeLine(func(c string) string { return c })
	writeLine(func(c string) string { return strings.Repeat("-", width[c]) })
	for _, line := range cells {
		writeLine(func(c string) string { return line[c] })
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// pyStr is a table cell as tabulate prints it: str(value) of the Python
// value, a null as an empty cell, strings without their surrounding space.
func pyStr(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(x)
	case []any, map[string]any, *object:
		return pyRepr(x)
	}
	return scalar(v)
}

// pyRepr is Python's repr of a decoded JSON value, which is how a list or
// dict lands in a table cell: ['a', 1], {'k': True}.
func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		if strings.Contains(x, "'") && !strings.Contains(x, `"`) {
			return `"` + x + `"`
		}
		return "'" + strings.ReplaceAll(strings.ReplaceAll(x, `\`, `\\`), "'", `\'`) + "'"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	if m, keys, ok := asMap(v); ok {
		if o, isObj := v.(*object); isObj {
			keys = o.keys
		}
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyRepr(k) + ": " + pyRepr(m[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return scalar(v)
}

func capitalize(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
