package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestParseINI(t *testing.T) {
	got := ParseINI([]byte("stray = 1\n[DEFAULT]\nhost = https://a\r\n; comment\n# comment\nToken: dapi1\n[other]\nhost=https://b\nbroken\n"))
	if got["DEFAULT"]["host"] != "https://a" || got["DEFAULT"]["token"] != "dapi1" || got["other"]["host"] != "https://b" {
		t.Errorf("got %v", got)
	}
	if len(got) != 2 {
		t.Errorf("got sections %v, want DEFAULT and other", got)
	}
}

func TestResolveDatabricks(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "cfg")
	if err := os.WriteFile(cfg, []byte("[DEFAULT]\nhost = https://default\ntoken = dapi-default\n[dev]\nhost = dev.example\ntoken = dapi-dev\n[__settings__]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		env        map[string]string
		profile    string
		host, tok  string
		wantErr    bool
		wantNoConf bool
	}{
		{name: "ok/env-wins", env: map[string]string{"DATABRICKS_HOST": "https://env/", "DATABRICKS_TOKEN": "dapi-env", "DATABRICKS_CONFIG_FILE": cfg}, host: "https://env", tok: "dapi-env"},
		{name: "ok/env-token-profile-host", env: map[string]string{"DATABRICKS_TOKEN": "dapi-env", "DATABRICKS_CONFIG_FILE": cfg}, host: "https://default", tok: "dapi-env"},
		{name: "ok/default-profile", env: map[string]string{"DATABRICKS_CONFIG_FILE": cfg}, host: "https://default", tok: "dapi-default"},
		{name: "ok/profile-flag-ignores-env", env: map[string]string{"DATABRICKS_HOST": "https://env", "DATABRICKS_TOKEN": "dapi-env", "DATABRICKS_CONFIG_FILE": cfg}, profile: "dev", host: "https://dev.example", tok: "dapi-dev"},
		{name: "ok/profile-env", env: map[string]string{"DATABRICKS_CONFIG_PROFILE": "dev", "DATABRICKS_CONFIG_FILE": cfg}, host: "https://dev.example", tok: "dapi-dev"},
		{name: "ok/home", env: map[string]string{"HOME": dir, "DATABRICKS_HOST": "https://env", "DATABRICKS_TOKEN": "t"}, host: "https://env", tok: "t"},
		{name: "fail/missing-profile", env: map[string]string{"DATABRICKS_CONFIG_FILE": cfg}, profile: "nope", wantErr: true},
		{name: "fail/nothing", env: map[string]string{"HOME": dir}, wantErr: true, wantNoConf: true},
		{name: "fail/missing-file-named-profile", env: map[string]string{"HOME": dir}, profile: "dev", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ResolveDatabricks(func(k string) string { return tc.env[k] }, tc.profile)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("got %+v, want an error", d)
				}
				if tc.wantNoConf && !errors.Is(err, ErrNoDatabricksConfig) {
					t.Errorf("got %v, want ErrNoDatabricksConfig", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Host != tc.host || d.Token != tc.tok {
				t.Errorf("got %s %s, want %s %s", d.Host, d.Token, tc.host, tc.tok)
			}
		})
	}
}

func TestWriteDatabricksProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", ".databrickscfg")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("[DEFAULT]\nhost = https://old\ntoken = old\njobs-api-version = 2.1\n\n[dev]\nhost = https://dev\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteDatabricksProfile(path, "DEFAULT", "https://new", "dapi-new"); err != nil {
		t.Fatal(err)
	}
	if err := WriteDatabricksProfile(path, "prod", "https://prod", "dapi-prod"); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	got, want := string(raw), "[DEFAULT]\nhost = https://new\ntoken = dapi-new\njobs-api-version = 2.1\n\n[dev]\nhost = https://dev\n\n[prod]\nhost = https://prod\ntoken = dapi-prod\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
}
