package authfile

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// sameAsKeychain runs DockerLookup and go-containerregistry's default
// keychain (docker/cli's configfile.GetAuthConfig, whose credential
// helpers docker's native store runs) on the Docker config body, with
// docker-credential-nf (holds no login) and docker-credential-ans
// (answers ans-user for a registry, not a repository) on PATH, and fails unless both find the same
// credentials for repo.
func sameAsKeychain(t *testing.T, body, repo string) {
	t.Helper()
	dir := isolateHome(t)
	for file, script := range map[string]string{
		"docker-credential-nf":  "cat >/dev/null\necho 'credentials not found in native keychain'\nexit 1\n",
		"docker-credential-ans": "read url\ncase $url in */*) echo 'credentials not found in native keychain'; exit 1;; esac\necho '{\"ServerURL\":\"'$url'\",\"Username\":\"ans-user\",\"Secret\":\"ans-pass\"}'\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, file), []byte("#!/bin/sh\n"+script), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	ref, err := name.NewRepository(repo)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	auth, err := authn.DefaultKeychain.Resolve(ref)
	if err != nil {
		t.Fatal(err)
	}
	want, err := authn.Authorization(ctx, auth)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, ok, err := DockerLookup(ctx, ref, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	got := &authn.AuthConfig{}
	if ok {
		if got, err = authn.Authorization(ctx, authn.FromConfig(cfg)); err != nil {
			t.Fatal(err)
		}
	}
	if *got != *want {
		t.Errorf("config %s, repository %s:\nDockerLookup finds %+v\nthe keychain (docker) finds %+v", body, repo, *got, *want)
	}
}

// An auths entry under a legacy key (https://host, http://host,
// https://host/v1/, as old docker login wrote it) is the registry's for
// docker whether or not a credential helper is configured: with one,
// docker's native store starts from that entry (configfile's file store
// matches it through ConvertToHostname) and overwrites only the user
// name, password and identity token with the helper's answer, so its
// registrytoken is kept. DockerLookup read the exact key alone when a
// helper was configured, so the registry token was never sent.
func TestDockerLookupLegacyKeyWithHelper(t *testing.T) {
	const host = "registry.example.test:5000"
	basic := base64.StdEncoding.EncodeToString([]byte("file-user:file-pass"))
	for _, key := range []string{"https://HOST", "http://HOST", "https://HOST/v1/", "HOST/v2/", "HOST"} {
		for _, store := range []string{"nf", "ans"} {
			for _, entry := range []string{
				`{"registrytoken":"reg-tok"}`,
				`{"auth":"` + basic + `","registrytoken":"reg-tok"}`,
				`{"auth":"` + basic + `"}`,
				`{"identitytoken":"id-tok"}`,
			} {
				body := `{"credsStore":"` + store + `","auths":{"` + strings.ReplaceAll(key, "HOST", host) + `":` + entry + `}}`
				t.Run(body, func(t *testing.T) {
					sameAsKeychain(t, body, host+"/acme/x")
				})
			}
		}
	}
}
