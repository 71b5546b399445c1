package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"

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
)

// profile is what `az login` saves: where the server is and the service
// principal's credential. It holds a client secret, so it is written 0600
// in a 0700 directory; it never holds a token.
type profile struct {
	// ServerURL is scopevault's control plane (SCOPEVAULT_URL); it also
	// serves every vault under its https://{name}.vault.azure.net host.
	ServerURL        string `json:"serverUrl,omitempty"`
	AuthorityHost    string `json:"authorityHost"`
	ARMEndpoint      string `json:"armEndpoint"`
	TenantID         string `json:"tenantId"`
	ClientID         string `json:"clientId"`
	ClientSecret     string `json:"clientSecret"`
	SubscriptionID   string `json:"subscriptionId,omitempty"`
	SubscriptionName string `json:"subscriptionName,omitempty"`
	CAFile           string `json:"caFile,omitempty"`
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
	cred  *client.ClientSecretCredential
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
		if env.caFile != "" {
			s.prof.CAFile = env.caFile
		}
		if s.prof.SubscriptionID == "" {
			s.prof.SubscriptionID = config.Env(envSubscription)
		}
	default:
		s.prof = profile{
			ServerURL: env.server, AuthorityHost: env.authority, ARMEndpoint: env.arm, CAFile: env.caFile,
			TenantID: config.Env(envTenantID), ClientID: config.Env(envClientID), ClientSecret: config.Env(envClientSecret),
			SubscriptionID: config.Env(envSubscription),
		}
		if s.prof.ARMEndpoint == "" || s.prof.TenantID == "" || s.prof.ClientID == "" || s.prof.ClientSecret == "" {
			return nil, errNotLoggedIn
		}
	}
	if s.prof.AuthorityHost == "" {
		s.prof.AuthorityHost = s.prof.ARMEndpoint
	}
	if s.prof.ServerURL == "" {
		s.prof.ServerURL = s.prof.ARMEndpoint
	}
	if s.hc, err = httpClient(s.prof.CAFile); err != nil {
		return nil, err
	}
	if s.cred, err = client.NewClientSecretCredential(s.prof.AuthorityHost, s.prof.TenantID, s.prof.ClientID, s.prof.ClientSecret, s.hc); err != nil {
		return nil, err
	}
	if s.arm, err = client.NewARM(s.prof.ARMEndpoint, s.cred, s.hc); err != nil {
		return nil, err
	}
	if s.graph, err = client.NewGraph(s.prof.ARMEndpoint, s.cred, s.hc); err != nil {
		return nil, err
	}
	return s, nil
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
		return "", fmt.Errorf("No subscriptions found for %s.", s.prof.ClientID)
	}
	return "", fmt.Errorf("Subscription '%s' not found. Check the spelling and casing and try again.", want)
}
