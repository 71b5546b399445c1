// Package httpx holds the small HTTP pieces every wire shares: request ids,
// JSON writing, bounded body reads, and a handler that returns an error.
// Each wire keeps only its own error rendering.
//
// It imports the domain only; it never imports a wire package.
package httpx

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/scopevault/scopevault"
)

// EnsureRequestID returns r with a request id in its context: the one the
// server already assigned, or a new one.
func EnsureRequestID(r *http.Request) (*http.Request, string) {
	if id := scopevault.RequestIDFrom(r.Context()); id != "" {
		return r, id
	}
	id := scopevault.NewGUID()
	return r.WithContext(scopevault.WithRequestID(r.Context(), id)), id
}

// jsonContentType is shared by every response (nothing edits it in place).
var jsonContentType = []string{"application/json; charset=utf-8"}

// WriteJSON writes body as a JSON response (nothing for a nil body).
func WriteJSON(w http.ResponseWriter, status int, body any) {
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(status)
	if body != nil {
		_ = json.NewEncoder(w).Encode(body)
	}
}

// ErrBodyTooLarge is returned by ReadBody when the body passes its limit.
var ErrBodyTooLarge = errors.New("httpx: request body too large")

// ReadBody reads at most limit bytes of r's body: a longer body is
// ErrBodyTooLarge, any other read failure is returned as it is. Callers
// turn both into their vendor's error.
func ReadBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, ErrBodyTooLarge
	}
	return body, nil
}

// Handler is an HTTP handler that returns its failure instead of writing
// it; Render writes that failure in the wire's own shape.
type Handler struct {
	Serve  func(w http.ResponseWriter, r *http.Request) error
	Render func(w http.ResponseWriter, r *http.Request, err error)
}

func (h Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r, _ = EnsureRequestID(r)
	if err := h.Serve(w, r); err != nil {
		h.Render(w, r, err)
	}
}

// WriteJSONBytes writes body, already encoded JSON, as the response.
func WriteJSONBytes(w http.ResponseWriter, status int, body []byte) {
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
