package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Filter selects records; a zero field selects everything. Names compare
// case-insensitively, as the services treat them.
type Filter struct {
	// Since keeps records at or after this time.
	Since time.Time
	// Scope, Vault and Workspace name where the call went.
	Scope, Vault, Workspace string
	// Principal matches the principal or its app id.
	Principal string
	// Action matches the action name ("getSecret" also matches Key Vault's
	// "GetSecret").
	Action string
	// Service is "keyvault", "secrets", "accounts" or "scim".
	Service string
}

// Match reports whether r passes the filter.
func (f Filter) Match(r Record) bool {
	switch {
	case !f.Since.IsZero() && r.Time.Before(f.Since):
		return false
	case f.Scope != "" && !strings.EqualFold(f.Scope, r.Scope):
		return false
	case f.Vault != "" && !strings.EqualFold(f.Vault, r.Vault):
		return false
	case f.Workspace != "" && !strings.EqualFold(f.Workspace, r.Workspace):
		return false
	case f.Principal != "" && !strings.EqualFold(f.Principal, r.Principal) && !strings.EqualFold(f.Principal, r.AppID):
		return false
	case f.Action != "" && !strings.EqualFold(f.Action, r.Action):
		return false
	case f.Service != "" && !strings.EqualFold(f.Service, r.Service):
		return false
	}
	return true
}

// Result is what Read found.
type Result struct {
	// Records passed the filter, in the order they were written.
	Records []Record
	// Skipped counts lines that are not a record: a line torn by a crash
	// (the file's last, or one Open terminated on the next start).
	Skipped int
}

// Read reads the audit log at path and returns the records passing f, in
// file order. It reads a log a running server is appending to: a last line
// not yet complete is skipped, as is any line a crash tore.
func Read(path string, f Filter) (Result, error) {
	file, err := os.Open(path)
	if err != nil {
		return Result{}, err
	}
	defer file.Close()
	return ReadFrom(file, f)
}

// ReadFrom reads an audit log from r; see Read.
func ReadFrom(r io.Reader, f Filter) (Result, error) {
	var res Result
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var rec Record
			if json.Unmarshal(line, &rec) != nil || rec.Action == "" && rec.Service == "" {
				res.Skipped++
			} else if f.Match(rec) {
				res.Records = append(res.Records, rec)
			}
		}
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		if err != nil {
			return res, fmt.Errorf("audit: read: %w", err)
		}
	}
}
