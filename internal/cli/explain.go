package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/client"
	"github.com/scopevault/scopevault/internal/explain"
	"github.com/spf13/cobra"
)

func newExplainCommand() *cobra.Command {
	var q struct {
		workspace, scope, key, vault, secret, as, from, output string
	}
	cmd := &cobra.Command{
		Use:   "explain",
		Short: "Explain why a secret read is allowed or denied, hop by hop",
		Long: `Explain a secret read hop by hop: for each hop, whether it let the read pass, the
rule that decided it and what would change the outcome, then the error the reader gets.

A scope read (as dbutils.secrets.get does it):
  scopevault explain --workspace W --scope S --key K [--as PRINCIPAL]
hops: workspace ACL, scope backend, control plane to vault, network gate, vault
authorization, secret state. --as names a workspace user (userName) or service
principal (application id); the default is you.

A direct Key Vault read:
  scopevault explain --vault V --secret N [--as PRINCIPAL] --from SOURCE
SOURCE is internet, an IP address, VNET/SUBNET (or a subnet id), or
private-endpoint/NAME (or a private endpoint id); hops: name resolution, network
gate, vault authorization, secret state. --as is an object id, application id or
user principal name; the default is you.

Explain runs the very code the server enforces reads with; it never reads out a
secret's value. It needs read on the vault (direct) or the workspace (scope read).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req := map[string]string{}
			switch {
			case q.workspace != "" && q.vault == "":
				if q.scope == "" || q.key == "" {
					return fmt.Errorf("a scope read needs --workspace, --scope and --key")
				}
				if q.from != "" || q.secret != "" {
					return fmt.Errorf("--from and --secret are for a direct read (--vault); a scope read is always the control plane's")
				}
				req["workspace"], req["scope"], req["key"] = q.workspace, q.scope, q.key
			case q.vault != "" && q.workspace == "":
				if q.secret == "" {
					return fmt.Errorf("a direct read needs --vault and --secret (and --from)")
				}
				if q.scope != "" || q.key != "" {
					return fmt.Errorf("--scope and --key are for a scope read (--workspace)")
				}
				if _, err := explain.ParseFrom(q.from); err != nil {
					return fmt.Errorf("%s", scopevault.ErrorMessageOf(err))
				}
				req["vault"], req["secret"], req["from"] = q.vault, q.secret, q.from
			default:
				return fmt.Errorf("explain a scope read (--workspace, --scope, --key) or a direct read (--vault, --secret, --from)")
			}
			if q.as != "" {
				req["as"] = q.as
			}
			if q.output != "text" && q.output != "json" {
				return fmt.Errorf("--output must be text or json")
			}
			s, err := newSession()
			if err != nil {
				return err
			}
			body, _ := json.Marshal(req)
			raw, err := s.insight(cmd.Context(), http.MethodPost, "/scopevault/explain", body)
			if err != nil {
				return err
			}
			if q.output == "json" {
				var out bytes.Buffer
				if err := json.Indent(&out, raw, "", "  "); err != nil {
					return fmt.Errorf("the server's answer is not JSON: %w", err)
				}
				out.WriteByte('\n')
				_, err := cmd.OutOrStdout().Write(out.Bytes())
				return err
			}
			var r explain.Report
			if err := json.Unmarshal(raw, &r); err != nil {
				return fmt.Errorf("the server's answer is not a report: %w", err)
			}
			_, err = io.WriteString(cmd.OutOrStdout(), r.Text())
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&q.workspace, "workspace", "", "the workspace (scope read)")
	f.StringVar(&q.scope, "scope", "", "the secret scope (scope read)")
	f.StringVar(&q.key, "key", "", "the secret's key in the scope (scope read)")
	f.StringVar(&q.vault, "vault", "", "the key vault (direct read)")
	f.StringVar(&q.secret, "secret", "", "the secret's name (direct read)")
	f.StringVar(&q.from, "from", "", "where a direct read comes from: internet, an IP, VNET/SUBNET, private-endpoint/NAME")
	f.StringVar(&q.as, "as", "", "the principal reading (default: you)")
	f.StringVarP(&q.output, "output", "o", "text", "text or json")
	return cmd
}

// insight calls one of the server's insight endpoints with the session's
// ARM token and returns the answer's body; a failure is the server's ARM
// error, as az shows it.
func (s *session) insight(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	tok, err := s.cred.Token(ctx, "", client.ScopeARM)
	if err != nil {
		return nil, err
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(s.prof.ServerURL, "/")+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := s.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if res.StatusCode/100 != 2 {
		re := &client.ResponseError{StatusCode: res.StatusCode}
		var e struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal(raw, &e) == nil && e.Error.Code != "" {
			re.Code, re.Message = e.Error.Code, e.Error.Message
		} else {
			re.Message = fmt.Sprintf("the server answered %d %s", res.StatusCode, http.StatusText(res.StatusCode))
		}
		return nil, re
	}
	return raw, nil
}
