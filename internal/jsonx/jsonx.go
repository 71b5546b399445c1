// Package jsonx appends JSON by hand for the few shapes written on every
// request (a secret bundle, an audit record), where encoding/json's
// reflection was a measurable share of a GET. Its output is byte for byte
// what encoding/json writes for the same values; tests compare the two.
//
// It imports the standard library only.
package jsonx

import (
	"strconv"
	"time"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// AppendString appends s as a JSON string exactly as encoding/json does:
// invalid UTF-8 becomes U+FFFD, U+2028 and U+2029 are escaped, and with
// escapeHTML (json.Marshal's default) so are <, > and &.
func AppendString(dst []byte, s string, escapeHTML bool) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (!escapeHTML || c != '<' && c != '>' && c != '&') {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '\\', '"':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendInt appends n as a JSON number.
func AppendInt(dst []byte, n int64) []byte { return strconv.AppendInt(dst, n, 10) }

// AppendTime appends t as encoding/json writes a time.Time (RFC 3339 with
// nanoseconds, quoted).
func AppendTime(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = t.AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"')
}

// Object writes the members of one JSON object, with a comma between them.
type Object struct {
	B    []byte
	open bool
}

// Begin starts the object on dst.
func Begin(dst []byte) Object { return Object{B: append(dst, '{')} }

// Key starts a member named key (a plain ASCII name).
func (o *Object) Key(key string) {
	if o.open {
		o.B = append(o.B, ',')
	}
	o.open = true
	o.B = append(o.B, '"')
	o.B = append(o.B, key...)
	o.B = append(o.B, '"', ':')
}

// Name starts a member whose name needs escaping (a map key).
func (o *Object) Name(name string, escapeHTML bool) {
	if o.open {
		o.B = append(o.B, ',')
	}
	o.open = true
	o.B = AppendString(o.B, name, escapeHTML)
	o.B = append(o.B, ':')
}

// String writes a string member.
func (o *Object) String(key, v string, escapeHTML bool) {
	o.Key(key)
	o.B = AppendString(o.B, v, escapeHTML)
}

// Int writes a number member.
func (o *Object) Int(key string, v int64) {
	o.Key(key)
	o.B = AppendInt(o.B, v)
}

// Bool writes a boolean member.
func (o *Object) Bool(key string, v bool) {
	o.Key(key)
	o.B = strconv.AppendBool(o.B, v)
}

// End closes the object and returns the bytes.
func (o *Object) End() []byte { return append(o.B, '}') }
