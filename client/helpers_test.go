package client_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scopevault/scopevault/client"
	"github.com/scopevault/scopevault/internal/server"
)

// live is a running scopevault (server.Start on a temp dir, port 0) with
// credentials of its bootstrap admin.
type live struct {
	srv    *server.Server
	hc     *http.Client
	rec    *recorder
	armURL string
	cred   *client.ClientSecretCredential
}

func MustLive(tb testing.TB) *live {
	tb.Helper()
	s, err := server.Start(context.Background(), server.Config{DataDir: tb.TempDir(), Port: 0})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	hc, err := client.NewHTTPClient(s.CA.PEM())
	if err != nil {
		tb.Fatal(err)
	}
	l := &live{srv: s, rec: &recorder{next: hc.Transport}}
	hc.Transport = l.rec
	l.hc = hc
	l.armURL = s.URL()
	if l.cred, err = client.NewClientSecretCredential(s.URL()+"/", s.Boot.TenantID, s.Boot.ClientID, s.Boot.ClientSecret, hc); err != nil {
		tb.Fatal(err)
	}
	return l
}

// recorder keeps what each request carried, never the values of its headers.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	Method, Path string
	Host         string
	Auth         bool
	Body         bool
	Status       int
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := r.next.RoundTrip(req)
	rec := recorded{Method: req.Method, Path: req.URL.Path, Host: req.URL.Host, Auth: req.Header.Get("Authorization") != "", Body: req.Body != nil && req.ContentLength != 0}
	if res != nil {
		rec.Status = res.StatusCode
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, rec)
	r.mu.Unlock()
	return res, err
}

// Since returns the requests made after the first n.
func (r *recorder) Since(n int) []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs[n:]...)
}

func (r *recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reqs)
}

func (r *recorder) CountPath(sub string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, q := range r.reqs {
		if strings.Contains(q.Path, sub) {
			n++
		}
	}
	return n
}
