package httpx

import (
	"context"
	"testing"
)

// A wire names the operation and principal in the server's Note; without
// one (a wire's own tests) naming them does nothing.
func TestNote(t *testing.T) {
	SetOperation(context.Background(), "keyvault.GetSecret")
	SetPrincipal(context.Background(), "oid")
	if NoteFrom(context.Background()) != nil {
		t.Fatal("a Note from nowhere")
	}
	var n Note
	ctx := WithNote(context.Background(), &n)
	SetOperation(ctx, "keyvault.GetSecret")
	SetPrincipal(ctx, "oid")
	if got, want := n, (Note{Operation: "keyvault.GetSecret", Principal: "oid"}); got != want {
		t.Errorf("Note = %+v, want %+v", got, want)
	}
}
