// Package keyvault is the Key Vault secrets data-plane wire: it turns HTTP
// requests into operations, runs each through the one pipeline
// (authenticate -> network gate -> authorize -> operate) and renders results
// and *scopevault.Error in Key Vault's exact shapes.
//
// It imports the domain and internal/secrets; it never imports another wire
// package (entra, arm, databricks).
package keyvault

import (
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/access"
	"github.com/scopevault/scopevault/internal/audit"
	"github.com/scopevault/scopevault/internal/secrets"
)

// Config wires a Handler.
type Config struct {
	Engine *secrets.Engine
	// Access authenticates callers and runs the network gate and
	// authorization: the one path every wire shares.
	Access *access.Pipeline
	// AuthorityHost is the identity service's base URL ("https://localhost:8443"),
	// named in the 401 challenge so clients know where the tenant lives.
	AuthorityHost string
	Logger        *slog.Logger
	// Audit takes one record per data-plane request; nil keeps none.
	Audit audit.Recorder
}

// Handler serves the secrets API of every vault; the vault is chosen by the
// address the client connected to or by a <vault>.vault.azure.net host name.
type Handler struct {
	cfg Config
	// values are shared header value slices for the values that recur
	// (an assignment id, a client's network info).
	values headerValues
}

// headerValues hands out one shared []string per distinct header value, so
// that a recurring value costs no allocation per response. Nothing edits a
// header value slice in place. It stops adding at maxHeaderValues distinct
// values (then allocates as before), so no client can grow it without bound.
type headerValues struct {
	m sync.Map // string -> []string
	n atomic.Int64
}

const maxHeaderValues = 4096

func (h *headerValues) of(v string) []string {
	if s, ok := h.m.Load(v); ok {
		return s.([]string)
	}
	s := []string{v}
	if h.n.Load() < maxHeaderValues {
		if _, loaded := h.m.LoadOrStore(v, s); !loaded {
			h.n.Add(1)
		}
	}
	return s
}

// New returns a Handler.
func New(cfg Config) *Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Audit == nil {
		cfg.Audit = audit.Discard{}
	}
	cfg.AuthorityHost = strings.TrimSuffix(cfg.AuthorityHost, "/")
	return &Handler{cfg: cfg}
}

// VaultSuffix is the DNS suffix of the real vault host names.
const VaultSuffix = ".vault.azure.net"

// VaultNameFromHost returns the vault name of a "<name>.vault.azure.net[:port]" host.
func VaultNameFromHost(host string) (string, bool) {
	h := hostOnly(host)
	if !strings.HasSuffix(strings.ToLower(h), VaultSuffix) {
		return "", false
	}
	name := h[:len(h)-len(VaultSuffix)]
	if name == "" || strings.Contains(name, ".") {
		return "", false
	}
	return name, true
}

func hostOnly(host string) string {
	if ap, err := netip.ParseAddrPort(host); err == nil {
		return ap.Addr().String()
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		return host[:i]
	}
	return host
}

// vaultFor resolves the vault a request is for: the one whose own address
// the connection arrived on, else the one its <vault>.vault.azure.net Host
// names (on the main address). A Host naming another vault than the
// address's is refused: a connection reaches one vault only.
func (h *Handler) vaultFor(r *http.Request) (*scopevault.Vault, error) {
	ctx := r.Context()
	name, named := VaultNameFromHost(r.Host)
	o := scopevault.OriginFrom(ctx)
	if o.Via != nil {
		// A private endpoint's or a subnet's listener reaches its one vault.
		if named && !strings.EqualFold(name, o.Via.Vault) {
			return nil, scopevault.Errorf(scopevault.ENOTFOUND, "VaultNotFound",
				"The request names vault %s, but its connection reached the address of another vault.", clipName(name))
		}
		return h.cfg.Engine.Vault(ctx, o.Via.Vault)
	}
	if o.LocalAddr.IsValid() {
		if v, err := h.cfg.Engine.VaultByAddress(ctx, o.LocalAddr.Addr()); err == nil {
			if named && !strings.EqualFold(name, v.Name) {
				return nil, scopevault.Errorf(scopevault.ENOTFOUND, "VaultNotFound",
					"The request names vault %s, but its connection reached the address of another vault.", clipName(name))
			}
			return v, nil
		} else if !named {
			return nil, err
		}
	}
	if named {
		return h.cfg.Engine.Vault(ctx, name)
	}
	return nil, scopevault.Errorf(scopevault.ENOTFOUND, "VaultNotFound", "No vault is served at this address.")
}

// clipName bounds a name quoted in an error.
func clipName(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// queryValue is url.Values.Get of one key without building the map: the
// first value of key in rawQuery, unescaped; "" when absent. A query that
// needs unescaping or that ParseQuery would treat specially (';') takes
// the standard path.
func queryValue(rawQuery, key string) string {
	if strings.ContainsAny(rawQuery, "%+;") {
		v, _ := url.ParseQuery(rawQuery)
		return v.Get(key)
	}
	for rawQuery != "" {
		var part string
		part, rawQuery, _ = strings.Cut(rawQuery, "&")
		k, v, _ := strings.Cut(part, "=")
		if k == key {
			return v
		}
	}
	return ""
}
