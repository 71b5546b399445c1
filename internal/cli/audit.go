package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/internal/audit"
	"github.com/scopevault/scopevault/internal/config"
)

func newAuditCommand() *cobra.Command {
	var (
		dataDir, since, output string
		f                      audit.Filter
	)
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Show the audit log: every vault data-plane and workspace secrets, tokens and SCIM call",
		Long: `Show the audit log of a data directory (DIR/audit.log), oldest first.

Every Key Vault data-plane request and every workspace secrets, tokens and SCIM
call is one record: who, the action, the scope or vault, the secret name, the
client address, the status, and the access decision with the rule that decided
it. A record never holds a secret value or a token. The file is read directly,
so this works while scopevault runs and after it stopped.

--since takes a duration back from now (30m, 24h) or an RFC 3339 time.`,
		Example: `  scopevault audit
  scopevault audit --since 1h --vault kv-scopevault
  scopevault audit --scope my-scope --action getSecret -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "table" && output != "json" {
				return fmt.Errorf("--output must be json or table (got %q)", output)
			}
			if since != "" {
				t, err := parseSince(since, time.Now())
				if err != nil {
					return err
				}
				f.Since = t
			}
			path := filepath.Join(dataDir, audit.FileName)
			res, err := audit.Read(path, f)
			if errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("no audit log in %s (scopevault has not run on this data directory)", dataDir)
			}
			if err != nil {
				return err
			}
			if res.Skipped > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "scopevault audit: %d unreadable line(s) skipped (torn by a crash)\n", res.Skipped)
			}
			if output == "json" {
				return writeAuditJSON(cmd.OutOrStdout(), res.Records)
			}
			return writeAuditTable(cmd.OutOrStdout(), res.Records)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&dataDir, "data", config.DefaultDataDir, "data directory")
	fl.StringVar(&since, "since", "", "only records since a duration ago (1h) or an RFC 3339 time")
	fl.StringVar(&f.Scope, "scope", "", "only calls on this secret scope")
	fl.StringVar(&f.Vault, "vault", "", "only calls on this vault")
	fl.StringVar(&f.Workspace, "workspace", "", "only calls on this workspace")
	fl.StringVar(&f.Principal, "principal", "", "only calls by this principal (object id, user name or application id)")
	fl.StringVar(&f.Action, "action", "", "only this action (GetSecret, getSecret, putSecret, ...)")
	fl.StringVarP(&output, "output", "o", "table", "output format: table or json")
	return cmd
}

// parseSince reads --since: a duration back from now, or an RFC 3339 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("--since %s: the duration must not be negative", s)
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %s: want a duration (30m, 24h) or an RFC 3339 time (2026-01-02T15:04:05Z)", s)
}

func writeAuditJSON(w io.Writer, recs []audit.Record) error {
	if recs == nil {
		recs = []audit.Record{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(recs)
}

func writeAuditTable(w io.Writer, recs []audit.Record) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tSERVICE\tACTION\tPRINCIPAL\tSCOPE/VAULT\tKEY\tSTATUS\tDECISION\tRULE")
	for _, r := range recs {
		where := r.Scope
		if where == "" {
			where = r.Vault
		}
		if where == "" {
			where = r.Workspace
		}
		principal := r.Principal
		if principal == "" {
			principal = r.AppID
		}
		fmt.Fprintln(tw, strings.Join([]string{
			r.Time.UTC().Format(time.RFC3339), cell(r.Service), cell(r.Action), cell(principal), cell(where),
			cell(r.Key), strconv.Itoa(r.Status), cell(r.Decision), cell(r.Rule),
		}, "\t"))
	}
	return tw.Flush()
}

// cell is a table cell: "-" for nothing, and no tab or newline to break
// the columns.
func cell(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}
