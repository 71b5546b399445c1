package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Environment variables of the Databricks CLIs and SDKs.
const (
	DatabricksHostEnv       = "DATABRICKS_HOST"
	DatabricksTokenEnv      = "DATABRICKS_TOKEN"
	DatabricksConfigFileEnv = "DATABRICKS_CONFIG_FILE"
	DatabricksProfileEnv    = "DATABRICKS_CONFIG_PROFILE"
	DatabricksAADTokenEnv   = "DATABRICKS_AAD_TOKEN"
	SSLCertFileEnv          = "SSL_CERT_FILE"
)

// DefaultDatabricksProfile is the section read when no profile is named.
const DefaultDatabricksProfile = "DEFAULT"

// Databricks is a resolved workspace connection. Token is a secret: never
// print or log it.
type Databricks struct {
	Host, Token string
	// CAPEM is the PEM bundle named by SSL_CERT_FILE (nil if unset), to be
	// trusted in addition to the system roots.
	CAPEM []byte
	// Source says where host and token came from ("environment" or
	// "~/.databrickscfg profile DEFAULT"), for messages.
	Source string
}

// ErrNoDatabricksConfig is returned when neither the environment nor a
// profile names a host and a token.
var ErrNoDatabricksConfig = errors.New("no Databricks host and token: set DATABRICKS_HOST and DATABRICKS_TOKEN, or run 'databricks configure --token'")

// DatabricksConfigPath is $DATABRICKS_CONFIG_FILE, else ~/.databrickscfg.
func DatabricksConfigPath(getenv func(string) string) (string, error) {
	if p := getenv(DatabricksConfigFileEnv); p != "" {
		return p, nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", errors.New("cannot find ~/.databrickscfg: set HOME or DATABRICKS_CONFIG_FILE")
		}
		home = h
	}
	return filepath.Join(home, ".databrickscfg"), nil
}

// ResolveDatabricks finds the workspace and token the way the Databricks
// CLIs do. An explicit profile (the --profile flag) reads only that section
// of the config file. Otherwise DATABRICKS_HOST and DATABRICKS_TOKEN win,
// and what they leave unset comes from the profile named by
// DATABRICKS_CONFIG_PROFILE, else [DEFAULT] (a missing file or DEFAULT
// section is then no error). The file is $DATABRICKS_CONFIG_FILE or
// ~/.databrickscfg. getenv is os.Getenv outside tests.
func ResolveDatabricks(getenv func(string) string, profile string) (*Databricks, error) {
	d := &Databricks{}
	explicit := profile != ""
	if !explicit {
		d.Host, d.Token = strings.TrimSpace(getenv(DatabricksHostEnv)), strings.TrimSpace(getenv(DatabricksTokenEnv))
		d.Source = "environment"
		profile = getenv(DatabricksProfileEnv)
		explicit = profile != ""
	}
	if d.Host == "" || d.Token == "" {
		path, err := DatabricksConfigPath(getenv)
		if err != nil {
			return nil, err
		}
		raw, err := os.ReadFile(path)
		if err != nil && !(errors.Is(err, fs.ErrNotExist) && !explicit) {
			if explicit {
				return nil, fmt.Errorf("profile %s: %w", profile, err)
			}
			return nil, err
		}
		sections := ParseINI(raw)
		if profile == "" {
			profile = sections["__settings__"]["default_profile"]
		}
		if profile == "" {
			profile = DefaultDatabricksProfile
		}
		sec, ok := sections[profile]
		if !ok && explicit {
			return nil, fmt.Errorf("profile %s does not exist in %s", profile, path)
		}
		if d.Host == "" {
			d.Host = sec["host"]
		}
		if d.Token == "" {
			d.Token = sec["token"]
		}
		if ok {
			d.Source = path + " profile " + profile
		}
	}
	if d.Host == "" || d.Token == "" {
		return nil, ErrNoDatabricksConfig
	}
	if !strings.Contains(d.Host, "://") {
		d.Host = "https://" + d.Host // as the SDKs do for a bare host name
	}
	d.Host = strings.TrimSuffix(d.Host, "/")
	if ca := getenv(SSLCertFileEnv); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("SSL_CERT_FILE: %w", err)
		}
		d.CAPEM = pem
	}
	return d, nil
}

// ParseINI reads a .databrickscfg: [SECTION] headers and key = value (or
// key: value) lines; # and ; start comments; keys are lower-cased, values
// trimmed. Lines before the first section and malformed lines are ignored,
// as Python's configparser would reject them only loudly.
func ParseINI(raw []byte) map[string]map[string]string {
	out := map[string]map[string]string{}
	var cur map[string]string
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[' && strings.HasSuffix(line, "]"):
			name := strings.TrimSpace(line[1 : len(line)-1])
			if out[name] == nil {
				out[name] = map[string]string{}
			}
			cur = out[name]
		case cur != nil:
			i := strings.IndexAny(line, "=:")
			if i <= 0 {
				continue
			}
			cur[strings.ToLower(strings.TrimSpace(line[:i]))] = strings.TrimSpace(line[i+1:])
		}
	}
	return out
}

// WriteDatabricksProfile sets host and token in section profile of the
// config file at path, keeping every other line, and leaves the file 0600
// (the token is a secret).
func WriteDatabricksProfile(path, profile, host, token string) error {
	raw, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	out := SetINISection(string(raw), profile, [][2]string{{"host", host}, {"token", token}})
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	}
	return WriteFileAtomic(path, []byte(out), 0o600)
}

// SetINISection returns raw with section's keys replaced by kv (in order),
// the section's other keys and every other section kept; a missing section
// is appended.
func SetINISection(raw, section string, kv [][2]string) string {
	var out []string
	lines := strings.Split(strings.TrimRight(raw, "\n"), "\n")
	if raw == "" {
		lines = nil
	}
	found, in := false, false
	body := func() {
		for _, p := range kv {
			out = append(out, p[0]+" = "+p[1])
		}
	}
	for _, line := range lines {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			in = strings.TrimSpace(t[1:len(t)-1]) == section
			out = append(out, line)
			if in {
				found = true
				body()
			}
			continue
		}
		if in {
			if i := strings.IndexAny(t, "=:"); i > 0 {
				k := strings.ToLower(strings.TrimSpace(t[:i]))
				if replaced(k, kv) {
					continue
				}
			}
		}
		out = append(out, line)
	}
	if !found {
		if len(out) > 0 && strings.TrimSpace(out[len(out)-1]) != "" {
			out = append(out, "")
		}
		out = append(out, "["+section+"]")
		body()
	}
	return strings.Join(out, "\n") + "\n"
}

func replaced(k string, kv [][2]string) bool {
	for _, p := range kv {
		if p[0] == k {
			return true
		}
	}
	return false
}

// Environ is the process environment, for a child process that inherits it.
func Environ() []string { return os.Environ() }
