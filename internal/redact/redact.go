// Package redact replaces secret values in an output stream with
// [REDACTED], as Databricks does in notebook output: literal matches only
// (a transformed value — reversed, base64, one character per line — is not
// caught; access control is the real protection). It imports nothing of
// scopevault's.
//
// At every position the longest value that starts there is replaced, and
// scanning resumes after it; Replace is that rule over a whole buffer and
// Writer is the same rule over a stream, so a value split across writes is
// still caught. Empty values are never redacted.
package redact

import (
	"bytes"
	"io"
	"sort"
)

// Marker replaces each value.
const Marker = "[REDACTED]"

// set is the values to hide, longest first, with an index of first bytes.
type set struct {
	values [][]byte
	first  [256]bool
	max    int
}

func newSet(values []string) *set {
	s := &set{}
	seen := map[string]bool{}
	for _, v := range values {
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		s.values = append(s.values, []byte(v))
		s.first[v[0]] = true
		s.max = max(s.max, len(v))
	}
	sort.SliceStable(s.values, func(i, j int) bool { return len(s.values[i]) > len(s.values[j]) })
	return s
}

// at decides position 0 of b: the length of the longest value b starts
// with (0 if none), or wait=true when more input could still make a longer
// value match (only when !final).
func (s *set) at(b []byte, final bool) (n int, wait bool) {
	if !s.first[b[0]] {
		return 0, false
	}
	for _, v := range s.values { // longest first
		if len(v) <= len(b) {
			if bytes.HasPrefix(b, v) {
				return len(v), false
			}
		} else if !final && bytes.HasPrefix(v, b) {
			return 0, true
		}
	}
	return 0, false
}

// scan writes the decided part of b to out and returns how many bytes of b
// it consumed; the rest must wait for more input (never when final).
func (s *set) scan(out *bytes.Buffer, b []byte, final bool) int {
	lit := 0 // start of the pending literal run
	i := 0
	for i < len(b) {
		n, wait := s.at(b[i:], final)
		if wait {
			break
		}
		if n == 0 {
			i++
			continue
		}
		out.Write(b[lit:i])
		out.WriteString(Marker)
		i += n
		lit = i
	}
	out.Write(b[lit:i])
	return i
}

// Replace returns b with every value replaced by Marker.
func Replace(b []byte, values []string) []byte {
	s := newSet(values)
	if len(s.values) == 0 {
		return append([]byte(nil), b...)
	}
	var out bytes.Buffer
	s.scan(&out, b, true)
	return out.Bytes()
}

// Writer redacts what is written to it before passing it on. It holds back
// at most len(longest value)-1 bytes that could be the start of a value;
// Flush writes them at the end of the stream. It is not safe for
// concurrent use (give each stream its own Writer).
type Writer struct {
	w       io.Writer
	s       *set
	pending []byte
	out     bytes.Buffer
}

// NewWriter returns a Writer hiding values from w.
func NewWriter(w io.Writer, values []string) *Writer {
	return &Writer{w: w, s: newSet(values)}
}

// Write redacts p, writing what is decided and holding back a possible
// start of a value. It reports len(p) unless the underlying write fails.
func (r *Writer) Write(p []byte) (int, error) {
	if len(r.s.values) == 0 {
		return r.w.Write(p)
	}
	r.pending = append(r.pending, p...)
	r.out.Reset()
	n := r.s.scan(&r.out, r.pending, false)
	r.pending = append(r.pending[:0], r.pending[n:]...)
	if r.out.Len() > 0 {
		if _, err := r.w.Write(r.out.Bytes()); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes what was held back, redacted, at the end of the stream.
func (r *Writer) Flush() error {
	if len(r.pending) == 0 {
		return nil
	}
	r.out.Reset()
	r.s.scan(&r.out, r.pending, true)
	r.pending = r.pending[:0]
	_, err := r.w.Write(r.out.Bytes())
	return err
}
