package authfile

import (
	"context"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
)

// redteam53aConfig writes body as the only Docker config (no
// DOCKER_AUTH_CONFIG, no Podman auth file, no helper on PATH).
func redteam53aConfig(t *testing.T, body string) {
	t.Helper()
	dir := isolateHome(t)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func redteam53aAuth(userpass string) string {
	return base64.StdEncoding.EncodeToString([]byte(userpass))
}

// A Docker config with no entry under the registry's own key but two
// under legacy keys for its host (https://host and http://host, as old
// docker login wrote them, each with its own login) gives one answer on
// every lookup: the first key in sorted order, as fileEntry takes it
// with a credential helper. Without a helper the lookup was docker/cli's
// file store, which takes whichever its map iteration meets first, so
// that one plan sent one login and the next the other.
func TestRedteam53aLegacyKeysOneAnswer(t *testing.T) {
	redteam53aConfig(t, `{"auths":{
		"https://legacy.example.com":{"auth":"`+redteam53aAuth("https-user:https-pass")+`"},
		"http://legacy.example.com":{"auth":"`+redteam53aAuth("http-user:http-pass")+`"}}}`)
	ref, err := name.NewRepository("legacy.example.com/acme/app")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for range 64 {
		cfg, _, ok, err := DockerLookup(context.Background(), ref, 10*time.Second)
		if err != nil || !ok {
			t.Fatalf("ok %v, err %v: want the legacy entry's login", ok, err)
		}
		seen[cfg.Username]++
	}
	if len(seen) != 1 || seen["http-user"] != 64 {
		t.Fatalf("user names over 64 lookups: %v; want http-user (http://legacy.example.com, first in sorted order) every time", seen)
	}
}

// A credential helper that writes its secret to stderr, as a wrapper's
// debug output may, whether it answers or fails: nothing of it reaches the
// provider's stderr, which Terraform writes to its log (TF_LOG), and a
// failure's error quotes none of it. docker/cli's native store passes a
// helper's stderr on.
func TestRedteam53aHelperStderrNotPassedOn(t *testing.T) {
	const secret = "h3lper-stderr-S3CRET"
	for name, script := range map[string]string{
		"answers": "cat >/dev/null\necho 'debug: secret " + secret + "' >&2\necho '{\"Username\":\"u\",\"Secret\":\"" + secret + "\"}'\n",
		"fails":   "cat >/dev/null\necho 'denied for " + secret + "' >&2\necho 'oops " + secret + "'\nexit 3\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "docker-credential-leaky"), []byte("#!/bin/sh\n"+script), 0o700); err != nil {
				t.Fatal(err)
			}
			t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			saved := os.Stderr
			os.Stderr = w
			ac, herr := helperGet(context.Background(), "leaky", "registry.example.com", 10*time.Second)
			os.Stderr = saved
			_ = w.Close()
			passed, _ := io.ReadAll(r)
			_ = r.Close()
			if strings.Contains(string(passed), secret) {
				t.Errorf("the helper's stderr reached the provider's: %q", passed)
			}
			if name == "answers" && (herr != nil || ac.Password != secret) {
				t.Errorf("got %+v, %v; want the helper's answer", ac, herr)
			}
			if name == "fails" && (herr == nil || strings.Contains(herr.Error(), secret)) {
				t.Errorf("got error %v; want one quoting nothing the helper printed", herr)
			}
		})
	}
}

// Without a credential helper, DockerLookup finds what docker finds
// (go-containerregistry's keychain, docker/cli's file store) for Docker
// Hub and a registry with a port, under every way an auths key is
// written: docker login's https://index.docker.io/v1/, without its
// trailing slash, docker.io, index.docker.io, registry-1.docker.io, with
// a scheme or a path, with :443, and a host with and without its port.
// One key per config, so that docker's answer is not its map's order.
func TestRedteam53aAuthsKeysAsDockerFindsThem(t *testing.T) {
	auth := `{"auth":"` + redteam53aAuth("key-user:key-pass") + `"}`
	for _, key := range []string{
		"https://index.docker.io/v1/", "https://index.docker.io/v1", "index.docker.io", "docker.io",
		"registry-1.docker.io", "https://docker.io", "https://registry-1.docker.io/", "index.docker.io:443",
		"http://index.docker.io/v1/", "https://index.docker.io",
	} {
		for _, repo := range []string{"prefecthq/prefect", "registry-1.docker.io/prefecthq/prefect"} {
			t.Run(key+" "+repo, func(t *testing.T) {
				sameAsKeychain(t, `{"auths":{"`+key+`":`+auth+`}}`, repo)
			})
		}
	}
	for _, key := range []string{"reg.example.test:5000", "https://reg.example.test:5000/", "reg.example.test", "https://reg.example.test:443", "reg.example.test:5000/v2/"} {
		for _, repo := range []string{"reg.example.test:5000/acme/x", "reg.example.test/acme/x"} {
			t.Run(key+" "+repo, func(t *testing.T) {
				sameAsKeychain(t, `{"auths":{"`+key+`":`+auth+`}}`, repo)
			})
		}
	}
}

// A credential helper that starts a process in the background (an agent
// or cache, started when it is not running) which keeps the helper's
// stdout open, then answers and exits 0: its answer is taken, once
// WaitDelay has passed. It was refused as "the credential helper … failed
// (exec: WaitDelay expired before I/O complete)", so that the plan
// failed though the helper had answered.
func TestRedteam53aHelperChildHoldsStdout(t *testing.T) {
	dir := t.TempDir()
	script := "#!/bin/sh\ncat >/dev/null\nsleep 5 &\necho '{\"Username\":\"bg-user\",\"Secret\":\"bg-S3cret\"}'\n"
	if err := os.WriteFile(filepath.Join(dir, "docker-credential-bg"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	ac, err := helperGet(context.Background(), "bg", "registry.example.com", 10*time.Second)
	if err != nil || ac.Username != "bg-user" || ac.Password != "bg-S3cret" {
		t.Fatalf("got %+v, %v; want the helper's answer", ac, err)
	}
}
