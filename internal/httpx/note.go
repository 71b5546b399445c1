package httpx

import "context"

// Note is what a wire tells the server about a request it served, for the
// access log line and the metrics: the operation it resolved and the
// principal it authenticated. The server puts an empty Note in the
// request's context before the wire runs and reads it after; a wire fills it
// in where it already knows the facts, so nothing parses the request again.
//
// What must stay true: a Note holds names and ids only (an operation name,
// an object id), never a secret value, a client secret or a token.
type Note struct {
	// Operation is the wire's name for the operation ("keyvault.GetSecret",
	// "Vaults.Get", "secrets.PutSecret").
	Operation string
	// Principal is the authenticated caller's object id (or, for a
	// Databricks personal access token, the workspace principal's id).
	Principal string
}

type noteKey struct{}

// WithNote returns ctx carrying n.
func WithNote(ctx context.Context, n *Note) context.Context {
	return context.WithValue(ctx, noteKey{}, n)
}

// NoteFrom returns the request's Note, or nil when the server put none
// there (a wire's own tests).
func NoteFrom(ctx context.Context) *Note {
	n, _ := ctx.Value(noteKey{}).(*Note)
	return n
}

// SetOperation names the request's operation, if it has a Note.
func SetOperation(ctx context.Context, op string) {
	if n := NoteFrom(ctx); n != nil {
		n.Operation = op
	}
}

// SetPrincipal names the request's authenticated principal, if it has a Note.
func SetPrincipal(ctx context.Context, id string) {
	if n := NoteFrom(ctx); n != nil {
		n.Principal = id
	}
}
