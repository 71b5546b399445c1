package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/scopevault/scopevault/client"
	"github.com/scopevault/scopevault/internal/config"
)

// Environment variables the az commands read (through internal/config).
const (
	envURL          = "SCOPEVAULT_URL"
	envARMEndpoint  = "SCOPEVAULT_ARM_ENDPOINT"
	envConfigDir    = "SCOPEVAULT_CONFIG_DIR"
	envAuthority    = "AZURE_AUTHORITY_HOST"
	envTenantID     = "AZURE_TENANT_ID"
	envClientID     = "AZURE_CLIENT_ID"
	envClientSecret = "AZURE_CLIENT_SECRET"
	envSubscription = "AZURE_SUBSCRIPTION_ID"
	envCAFile       = "SSL_CERT_FILE"
	// The App Service managed identity protocol's variables.
	envIdentityEndpoint = "IDENTITY_ENDPOINT"
	envIdentityHeader   = "IDENTITY_HEADER"
)

// Sign-in kinds a profile records.
const (
	kindServicePrincipal = "servicePrincipal"
	kindUser             = "user"
	kindManagedIdentity  = "managedIdentity"
)

// profile is what `az login` saves: where the server is and how to sign in
// again — a service principal's client secret, a user's password, or, for a
// managed identity, only which identity (its header secret stays in the
// environment). It may hold a secret, so it is written 0600 in a 0700
// directory; it never holds a token.
type profile struct {
	// ServerURL is scopevault's control plane (SCOPEVAULT_URL); it also
	// serves every vault under its https://{name}.vault.azure.net host.
	ServerURL     string `json:"serverUrl,omitempty"`
	AuthorityHost string `json:"authorityHost"`
	ARMEndpoint   string `json:"armEndpoint"`
	// Kind is kindServicePrincipal (also when empty), kindUser or kindManagedIdentity.
	Kind         string `json:"kind,omitempty"`
	TenantID     string `json:"tenantId"`
	ClientID     string `json:"clientId,omitempty"`
	ClientSecret string `json:"clientSecret,omitempty"`
	Username     string `json:"username,omitempty"`
	Password     string `json:"password,omitempty"`
	// Identity names a user-assigned managed identity (all empty: the
	// environment's own identity).
	IdentityClientID   string `json:"identityClientId,omitempty"`
	IdentityObjectID   string `json:"identityObjectId,omitempty"`
	IdentityResourceID string `json:"identityResourceId,omitempty"`
	SubscriptionID     string `json:"subscriptionId,omitempty"`
	SubscriptionName   string `json:"subscriptionName,omitempty"`
	CAFile             string `json:"caFile,omitempty"`
}

const profileFile = "az-profile.json"

// configDir is $SCOPEVAULT_CONFIG_DIR, else the user's config directory
// ($XDG_CONFIG_HOME or ~/.config) + /scopevault.
func configDir() (string, error) {
	if d := config.Env(envConfigDir); d != "" {
		return d, nil
	}
	if d := config.Env("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "scopevault"), nil
	}
	if h := config.Env("HOME"); h != "" {
		return filepath.Join(h, ".config", "scopevault"), nil
	}
	return "", errors.New("cannot find a config directory: set SCOPEVAULT_CONFIG_DIR or HOME")
}

func loadProfile() (*profile, error) {
	dir, err := configDir()
	if err != nil {
		return nil, nil
	}
	raw, err := os.ReadFile(filepath.Join(dir, profileFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the az login profile: %w", err)
	}
	var p profile
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("the az login profile %s is damaged; run 'az login' again", filepath.Join(dir, profileFile))
	}
	return &p, nil
}

func saveProfile(p *profile) error {
	dir, err := configDir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return config.WriteFileAtomic(filepath.Join(dir, profileFile), append(raw, '\n'), 0o600)
}

func removeProfile() (bool, error) {
	dir, err := configDir()
	if err != nil {
		return false, err
	}
	err = os.Remove(filepath.Join(dir, profileFile))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// endpoints are where the server is, from the environment.
type endpoints struct {
	server, arm, authority, caFile string
}

func envEndpoints() endpoints {
	e := endpoints{server: config.Env(envURL), arm: config.Env(envARMEndpoint), authority: config.Env(envAuthority), caFile: config.Env(envCAFile)}
	if e.arm == "" {
		e.arm = e.server
	}
	if e.server == "" {
		e.server = e.arm
	}
	if e.authority == "" {
		e.authority = config.Env(envURL)
	}
	return e
}

// session is one command's connection to scopevault.
type session struct {
	prof  profile // the effective settings, from the profile or the environment
	hc    *http.Client
	cred  client.TokenCredential
	arm   *client.ARM
	graph *client.Graph
	// fromProfile says the credential came from `az login`.
	fromProfile bool
}

// errNotLoggedIn is az's message when there is no account.
var errNotLoggedIn = errors.New("Please run 'az login' to setup account, or source .scopevault/scopevault.env.")

// newSession resolves the server and the credential: what `az login` saved,
// unless the environment points at another server, else the environment.
func newSession() (*session, error) {
	env := envEndpoints()
	saved, err := loadProfile()
	if err != nil {
		return nil, err
	}
	s := &session{}
	switch {
	case saved != nil && (env.arm == "" || sameURL(env.arm, saved.ARMEndpoint)):
		s.prof, s.fromProfile = *saved, true
		if id := config.Env(envClientID); id != "" && (saved.ClientID != id || saved.Kind == kindUser || saved.Kind == kindManagedIdentity) {
			u := saved.user()
			sessionNotice("using the account 'az login' saved (%s %s on %s), not %s=%s from the environment; 'az logout' returns to the environment's account",
				u.Type, u.Name, saved.ARMEndpoint, envClientID, id)
		}
		if env.caFile != "" {
			s.prof.CAFile = env.caFile
		}
		if s.prof.SubscriptionID == "" {
			s.prof.SubscriptionID = config.Env(envSubscription)
		}
	default:
		if saved != nil {
			sessionNotice("using the server the environment names (%s=%s), not %s where 'az login' signed in; 'az logout' forgets that sign-in",
				envARMEndpoint, env.arm, saved.ARMEndpoint)
		}
		s.prof = profile{
			ServerURL: env.server, AuthorityHost: env.authority, ARMEndpoint: env.arm, CAFile: env.caFile,
			Kind: kindServicePrincipal, TenantID: config.Env(envTenantID), ClientID: config.Env(envClientID), ClientSecret: config.Env(envClientSecret),
			SubscriptionID: config.Env(envSubscription),
		}
		if s.prof.ARMEndpoint == "" || s.prof.TenantID == "" || s.prof.ClientID == "" || s.prof.ClientSecret == "" {
			return nil, errNotLoggedIn
		}
	}
	if err := s.connect(); err != nil {
		return nil, err
	}
	return s, nil
}

// sessionNotices is where newSession says, once per run, which account and
// server a command uses when that would surprise: a saved 'az login' that
// wins over the environment's account, or an environment that overrides a
// saved sign-in to another server. az itself says nothing here, so nothing
// is said otherwise; stdout stays the command's output alone. Main sets it
// to stderr (unless --only-show-errors) for one run.
var sessionNotices atomic.Pointer[noticeSink]

type noticeSink struct {
	w    io.Writer
	once sync.Once
}

func sessionNotice(format string, args ...any) {
	if n := sessionNotices.Load(); n != nil {
		n.once.Do(func() { fmt.Fprintf(n.w, "WARNING: "+format+"\n", args...) })
	}
}

// connect builds the HTTP client, the credential and the service clients
// from s.prof.
func (s *session) connect() error {
	if s.prof.AuthorityHost == "" {
		s.prof.AuthorityHost = s.prof.ARMEndpoint
	}
	if s.prof.ServerURL == "" {
		s.prof.ServerURL = s.prof.ARMEndpoint
	}
	var err error
	if s.hc, err = httpClient(s.prof.CAFile); err != nil {
		return err
	}
	if err := reachAzureNames(s.hc, s.prof.ServerURL); err != nil {
		return err
	}
	if s.cred, err = newCredential(&s.prof, s.hc); err != nil {
		return err
	}
	if s.arm, err = client.NewARM(s.prof.ARMEndpoint, s.cred, s.hc); err != nil {
		return err
	}
	if s.graph, err = client.NewGraph(s.prof.ARMEndpoint, s.cred, s.hc); err != nil {
		return err
	}
	return nil
}

// newCredential is the credential a profile signs in with.
func newCredential(p *profile, hc *http.Client) (client.TokenCredential, error) {
	switch p.Kind {
	case kindUser:
		return client.NewUsernamePasswordCredential(p.AuthorityHost, p.TenantID, client.AzureCLIClientID, p.Username, p.Password, hc)
	case kindManagedIdentity:
		endpoint, header := config.Env(envIdentityEndpoint), config.Env(envIdentityHeader)
		if endpoint == "" || header == "" {
			return nil, fmt.Errorf("the managed identity is not available here: %s and %s must be set (run 'az login --identity' where they are)", envIdentityEndpoint, envIdentityHeader)
		}
		return client.NewManagedIdentityCredential(endpoint, header,
			client.ManagedIdentityID{ClientID: p.IdentityClientID, ObjectID: p.IdentityObjectID, ResourceID: p.IdentityResourceID}, hc)
	case "", kindServicePrincipal:
		return client.NewClientSecretCredential(p.AuthorityHost, p.TenantID, p.ClientID, p.ClientSecret, hc)
	}
	return nil, fmt.Errorf("the az login profile names an unknown sign-in kind %q; run 'az login' again", p.Kind)
}

// tenantID is the signed-in account's tenant.
func (s *session) tenantID() string { return s.prof.TenantID }

// accountUser is the "user" of az's account output.
type accountUser struct {
	AssignedIdentityInfo string `json:"assignedIdentityInfo,omitempty"`
	Name                 string `json:"name"`
	Type                 string `json:"type"`
}

// user is who the account signs in as, the way az shows it.
func (p *profile) user() accountUser {
	switch p.Kind {
	case kindUser:
		return accountUser{Name: p.Username, Type: "user"}
	case kindManagedIdentity:
		u := accountUser{Name: "userAssignedIdentity", Type: "servicePrincipal"}
		switch {
		case p.IdentityClientID != "":
			u.AssignedIdentityInfo = "MSIClient-" + p.IdentityClientID
		case p.IdentityObjectID != "":
			u.AssignedIdentityInfo = "MSIObject-" + p.IdentityObjectID
		case p.IdentityResourceID != "":
			u.AssignedIdentityInfo = "MSIResource-" + p.IdentityResourceID
		default:
			u.Name, u.AssignedIdentityInfo = "systemAssignedIdentity", "MSI"
		}
		return u
	}
	return accountUser{Name: p.ClientID, Type: "servicePrincipal"}
}

// callerClaims are the tenant and object id the signed-in account's ARM
// token was issued for: az reads them the same way to name "me".
func (s *session) callerClaims(ctx context.Context) (client.Claims, error) {
	tok, err := s.cred.Token(ctx, "", client.ScopeARM)
	if err != nil {
		return client.Claims{}, err
	}
	return client.ReadClaims(tok.Token)
}

// httpClient trusts the system roots plus the CA bundle at caFile (read on
// every run, so a new server's CA is picked up without restarting anything).
func httpClient(caFile string) (*http.Client, error) {
	var pem []byte
	if caFile != "" {
		var err error
		if pem, err = os.ReadFile(caFile); err != nil {
			return nil, fmt.Errorf("read the CA bundle %s: %w", caFile, err)
		}
	}
	return client.NewHTTPClient(pem)
}

// reachAzureNames sends the CLI's requests for Azure's names (a vaultUri of
// https://<vault>.vault.azure.net/ with up --azure-names) to the server's
// control plane, which answers every name, so the CLI needs no hosts lines.
// A program placed in a subnet (run --subnet) keeps the name resolution it
// was placed with: there a vault's name means the listener the subnet reaches.
func reachAzureNames(hc *http.Client, serverURL string) error {
	if !routesAzureNames(serverURL) {
		return nil
	}
	return client.DialAzureNamesAt(hc, serverURL)
}

// routesAzureNames says whether the CLI sends Azure's names to serverURL:
// not when placed in a subnet, nor when the server is itself named by an
// Azure name (that name resolves already).
func routesAzureNames(serverURL string) bool {
	if serverURL == "" || config.Env(envPlacedSubnet) != "" {
		return false
	}
	u, err := url.Parse(serverURL)
	return err == nil && u.Scheme == "https" && u.Host != "" && !client.IsAzureName(u.Hostname())
}

func sameURL(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "/"), strings.TrimSuffix(b, "/"))
}

// subscriptionID is --subscription (id or display name), else the session's
// default, else the first subscription the caller can see.
func (s *session) subscriptionID(ctx context.Context, flag string) (string, error) {
	want := flag
	if want == "" {
		want = s.prof.SubscriptionID
	}
	if want != "" && flag == "" {
		return want, nil
	}
	subs, err := s.arm.Subscriptions(ctx)
	if err != nil {
		return "", err
	}
	for _, sub := range subs {
		if want == "" || strings.EqualFold(sub.SubscriptionID, want) || sub.DisplayName == want {
			return sub.SubscriptionID, nil
		}
	}
	if want == "" {
		return "", fmt.Errorf("No subscriptions found for %s.", s.prof.user().Name)
	}
	return "", fmt.Errorf("Subscription '%s' not found. Check the spelling and casing and try again.", want)
}
