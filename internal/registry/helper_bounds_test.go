package registry

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
)

// helperScript installs docker-credential-NAME, running body, on PATH.
func helperScript(t *testing.T, name, body string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "docker-credential-"+name), []byte("#!/bin/sh\n"+body), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// writeDockerConfig writes config.json under DOCKER_CONFIG.
func writeDockerConfig(t *testing.T, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(os.Getenv("DOCKER_CONFIG"), "config.json"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// A credential helper that never answers (a keyring waiting for an
// unlock prompt nobody sees, a cloud CLI stuck on the network) hung the
// plan for ever: the keychain runs it without a deadline, holding a lock
// every other repository's lookup waits on. It is given request_timeout,
// then killed, and the error names it.
func TestHangingCredentialHelperBounded(t *testing.T) {
	for _, tc := range []struct{ name, config string }{
		{"Docker config credsStore", `{"credsStore":"hang"}`},
		{"Docker config credHelpers", `{"credHelpers":{"HOST":"hang"}}`},
		{"Podman auth file credHelpers", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, withBasic("me", secret))
			f.setTags("acme/x", []string{"a"})
			if tc.config == "" {
				podmanAuth(t, `{"credHelpers":{"`+f.host+`":"hang"}}`)
			} else {
				noDockerConfig(t)
				writeDockerConfig(t, strings.ReplaceAll(tc.config, "HOST", f.host))
			}
			helperScript(t, "hang", "exec sleep 600\n")
			c := newTestClient(t, Config{MaxRetries: 0, RequestTimeout: 300 * time.Millisecond})
			done := make(chan error, 1)
			go func() {
				_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("ListTags still waits for the credential helper after 20s")
			}
			var e *Error
			if !errors.As(err, &e) || !e.CredentialsUnreadable() {
				t.Fatalf("got %v; want unreadable credentials", err)
			}
			for _, want := range []string{"docker-credential-hang", "300ms"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the message lacks %q: %v", want, err)
				}
			}
		})
	}
}

// A credential helper that fails printing what it holds (a wrapper
// script that echoes the JSON it could not pipe on, a debug print) had
// its output quoted in the error: docker-credential-helpers' client puts
// the helper's whole stdout in its error. Nothing it printed reaches the
// error; its name and exit status do.
func TestFailingCredentialHelperOutputNotQuoted(t *testing.T) {
	f := newFake(t, withBasic("me", secret))
	f.setTags("acme/x", []string{"a"})
	noDockerConfig(t)
	writeDockerConfig(t, `{"credHelpers":{"`+f.host+`":"leaky"}}`)
	helperScript(t, "leaky", "cat >/dev/null\necho '{\"Username\":\"me\",\"Secret\":\""+secret+"\"}'\necho '"+secret+"' >&2\nexit 3\n")
	logs := &logRecorder{}
	c := newTestClient(t, Config{MaxRetries: 0, Logger: logs})
	_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	var e *Error
	if !errors.As(err, &e) || !e.CredentialsUnreadable() {
		t.Fatalf("got %v; want unreadable credentials", err)
	}
	msg := err.Error()
	if strings.Contains(msg, secret) {
		t.Errorf("the error quotes the helper's secret: %s", msg)
	}
	for _, want := range []string{"docker-credential-leaky", "exit status 3"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the message lacks %q: %s", want, msg)
		}
	}
	for _, l := range logs.lines {
		if strings.Contains(l, secret) {
			t.Errorf("a log line quotes the helper's secret: %s", l)
		}
	}
}

// A credential helper's identity token (Username "<token>", as
// docker-credential-acr-env and az's helpers answer) is used as the
// refresh token, as docker uses it, now that helpers are run here
// rather than by docker/cli's native store; nothing covered a helper's.
func TestCredentialHelperIdentityToken(t *testing.T) {
	const host = "prefectmirror.azurecr.io"
	const refresh = "eyJacr-refresh-" + secret
	noDockerConfig(t)
	writeDockerConfig(t, `{"credHelpers":{"`+host+`":"acr"}}`)
	helperScript(t, "acr", "read url\n[ \"$url\" = "+host+" ] || exit 9\necho '{\"ServerURL\":\""+host+"\",\"Username\":\"<token>\",\"Secret\":\""+refresh+"\"}'\n")
	h := &hosts{handlers: map[string]http.Handler{host: acrAuth(host, refresh, false)}}
	logs := &logRecorder{}
	c := hostsClient(t, h, Config{Keychain: authn.DefaultKeychain, Logger: logs, MaxRetries: 0})
	got, err := c.ListTags(context.Background(), repoOf(t, host+"/prefecthq/prefect"))
	if err != nil || len(got) != 2 {
		t.Fatalf("got %v, %v; want the two tags", got, err)
	}
	if strings.Contains(logs.text(), refresh) {
		t.Errorf("the token leaked:\n%s", logs.text())
	}
}
