package e2e

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
)

// TestHostsCommandWorkspace: `scopevault hosts`, run after sourcing the env
// file, prints the line that makes the default workspace's real host name
// resolve to it, and DATABRICKS_TOKEN works through that name.
func TestHostsCommandWorkspace(t *testing.T) {
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	out := run(t, t.TempDir(), environ(env), buildBinary(t), "hosts")
	ws, err := srv.BootWorkspace(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := ws.Address + "\t" + ws.RealHost()
	if !strings.Contains(out, want+"\n") {
		t.Fatalf("hosts output lacks %q:\n%s", want, out)
	}

	// Resolve adb-<id>.<n>.azuredatabricks.net as that line does.
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	hc := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: srv.CA.Pool()},
		DialContext: func(ctx context.Context, network, hostport string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(hostport)
			if err != nil {
				return nil, err
			}
			if strings.HasSuffix(host, scopevault.WorkspaceSuffix) {
				hostport = net.JoinHostPort(ws.Address, port)
			}
			return dialer.DialContext(ctx, network, hostport)
		},
	}}
	u := "https://" + ws.RealHost() + ":" + strconv.Itoa(srv.Port()) + "/api/2.0/preview/scim/v2/Me"
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+env["DATABRICKS_TOKEN"])
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var me struct {
		UserName string `json:"userName"`
	}
	if err := json.NewDecoder(res.Body).Decode(&me); err != nil || res.StatusCode != http.StatusOK || me.UserName != env["AZURE_CLIENT_ID"] {
		t.Fatalf("Me via %s: status %d, userName %q, err %v", u, res.StatusCode, me.UserName, err)
	}
}
