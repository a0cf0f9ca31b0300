package registry

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
)

// b64 is user:pass as an auths entry's auth holds it.
func b64(userPass string) string { return base64.StdEncoding.EncodeToString([]byte(userPass)) }

// podmanAuth writes Podman's auth file (containers/auth.json under
// XDG_CONFIG_HOME) and no Docker config, and returns its path.
func podmanAuth(t *testing.T, body string) string {
	t.Helper()
	noDockerConfig(t)
	t.Setenv("DOCKER_AUTH_CONFIG", "")
	file := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "containers", "auth.json")
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// userFor is the user name of the credentials the Client picks for repo,
// "" for anonymous access, and where they came from.
func userFor(t *testing.T, repo string) (user, source string) {
	t.Helper()
	c := newTestClient(t, Config{})
	auth, source, err := c.authenticator(context.Background(), repoOf(t, repo))
	if err != nil {
		t.Fatalf("%s: %v", repo, err)
	}
	if auth == authn.Anonymous {
		return "", source
	}
	cfg, err := authn.Authorization(context.Background(), auth)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Username, source
}

// Podman's auth file, read when there is no Docker config, is read as
// podman reads it (containers-auth.json(5), containers/image's
// findCredentialsInFile): podman login docker.io writes Docker Hub under
// docker.io, which go-containerregistry looked up only under
// https://index.docker.io/v1/, so that prefecthq/prefect went anonymous;
// a namespace's key (podman login quay.io/org-b) holds credentials for
// that namespace only, the most specific one first, where
// go-containerregistry used any namespace's for the whole registry,
// picking among several at random.
func TestPodmanAuthFileReadAsPodmanDoes(t *testing.T) {
	for _, tc := range []struct {
		name, auths, repo, want string
	}{
		{"docker.io", `"docker.io":{"auth":"` + b64("hub:p") + `"}`, "prefecthq/prefect", "hub"},
		{"registry-1.docker.io", `"registry-1.docker.io":{"auth":"` + b64("hub:p") + `"}`, "prefecthq/prefect", "hub"},
		{"index.docker.io", `"index.docker.io":{"auth":"` + b64("hub:p") + `"}`, "docker.io/prefecthq/prefect", "hub"},
		{"docker's key", `"https://index.docker.io/v1/":{"auth":"` + b64("hub:p") + `"}`, "prefecthq/prefect", "hub"},
		{"docker.io namespace", `"docker.io":{"auth":"` + b64("hub:p") + `"},"docker.io/prefecthq":{"auth":"` + b64("org:p") + `"}`, "prefecthq/prefect", "org"},
		{"hub login not for a mirror", `"docker.io":{"auth":"` + b64("hub:p") + `"}`, "127.0.0.1:5000/prefecthq/prefect", ""},
		{"two namespaces", `"quay.io/org-a":{"auth":"` + b64("a:p") + `"},"quay.io/org-b":{"auth":"` + b64("b:p") + `"}`, "quay.io/org-b/prefect", "b"},
		{"namespace before host", `"quay.io":{"auth":"` + b64("h:p") + `"},"quay.io/org-b":{"auth":"` + b64("b:p") + `"}`, "quay.io/org-b/prefect", "b"},
		{"repository before namespace", `"quay.io/org-b":{"auth":"` + b64("b:p") + `"},"quay.io/org-b/prefect":{"auth":"` + b64("r:p") + `"}`, "quay.io/org-b/prefect", "r"},
		{"host for another namespace", `"quay.io":{"auth":"` + b64("h:p") + `"},"quay.io/org-b":{"auth":"` + b64("b:p") + `"}`, "quay.io/org-c/prefect", "h"},
		{"another namespace only", `"quay.io/org-a":{"auth":"` + b64("a:p") + `"}`, "quay.io/org-b/prefect", ""},
		{"URL key", `"https://ghcr.io/v2/":{"auth":"` + b64("g:p") + `"}`, "ghcr.io/acme/prefect", "g"},
		{"port is part of the host", `"registry.test":{"auth":"` + b64("r:p") + `"}`, "registry.test:5000/acme/prefect", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := podmanAuth(t, `{"auths":{`+tc.auths+`}}`)
			for range 20 { // map order: one answer every time
				user, source := userFor(t, tc.repo)
				if user != tc.want {
					t.Fatalf("%s: user %q, want %q", tc.repo, user, tc.want)
				}
				if user != "" && source != "Podman's auth file "+file {
					t.Fatalf("source %q, want Podman's auth file %s", source, file)
				}
			}
		})
	}
}

// DOCKER_AUTH_CONFIG, which docker reads with or without a config file,
// gave credentials only when a config file existed: go-containerregistry
// reads none without one. It is read either way, and named as the source.
func TestDockerAuthConfigWithoutFile(t *testing.T) {
	for _, tc := range []struct {
		name, env, repo, want, source string
		file                          bool
	}{
		{"ghcr.io", `{"auths":{"ghcr.io":{"auth":"` + b64("g:p") + `"}}}`, "ghcr.io/acme/prefect", "g", "the DOCKER_AUTH_CONFIG environment variable", false},
		{"Docker Hub", `{"auths":{"https://index.docker.io/v1/":{"auth":"` + b64("hub:p") + `"}}}`, "prefecthq/prefect", "hub", "the DOCKER_AUTH_CONFIG environment variable", false},
		{"Docker Hub's login not for a mirror", `{"auths":{"https://index.docker.io/v1/":{"auth":"` + b64("hub:p") + `"}}}`, "127.0.0.1:5000/prefecthq/prefect", "", "", false},
		{"with a config file", `{"auths":{"ghcr.io":{"auth":"` + b64("g:p") + `"}}}`, "ghcr.io/acme/prefect", "g", "the DOCKER_AUTH_CONFIG environment variable", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			noDockerConfig(t)
			t.Setenv("DOCKER_AUTH_CONFIG", tc.env)
			if tc.file {
				if err := os.WriteFile(filepath.Join(os.Getenv("DOCKER_CONFIG"), "config.json"), []byte(`{}`), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			user, source := userFor(t, tc.repo)
			if user != tc.want || (user != "" && source != tc.source) {
				t.Errorf("%s: user %q from %q, want %q from %q", tc.repo, user, source, tc.want, tc.source)
			}
		})
	}
}

// DOCKER_AUTH_CONFIG comes before Podman's auth file, as it came before
// it when go-containerregistry read that file as a Docker config.
func TestDockerAuthConfigBeforePodmanAuthFile(t *testing.T) {
	podmanAuth(t, `{"auths":{"ghcr.io":{"auth":"`+b64("podman:p")+`"}}}`)
	t.Setenv("DOCKER_AUTH_CONFIG", `{"auths":{"ghcr.io":{"auth":"`+b64("env:p")+`"}}}`)
	if user, _ := userFor(t, "ghcr.io/acme/prefect"); user != "env" {
		t.Errorf("user %q, want env", user)
	}
}

// A Podman auth file that cannot be read is named in the error, with
// what to fix: it said "the Docker config" and named no file, though
// there was none.
func TestBrokenPodmanAuthFileNamed(t *testing.T) {
	f := newFake(t, withBasic("me", secret))
	f.setTags("acme/x", []string{"a"})
	file := podmanAuth(t, `{"auths":{"`+f.host+`":{"auth":"!!!"}}}`)
	c := newTestClient(t, Config{MaxRetries: 0})
	_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	var e *Error
	if !errors.As(err, &e) || !e.CredentialsUnreadable() {
		t.Fatalf("got %v; want unreadable credentials", err)
	}
	msg := err.Error()
	for _, want := range []string{"Podman's auth file " + file, "Fix or remove that auth file"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the message lacks %q: %s", want, msg)
		}
	}
	if strings.Contains(msg, "from the Docker config") || strings.Contains(msg, "that Docker config") {
		t.Errorf("the message blames a Docker config: %s", msg)
	}
}

// A refusal of credentials from Podman's auth file says they came from
// it, as one of the Docker config's says "the Docker config", and never
// quotes them.
func TestPodmanAuthFileNamedOnRefusal(t *testing.T) {
	f := newFake(t, withBasic("me", secret))
	f.setTags("acme/x", []string{"a"})
	file := podmanAuth(t, `{"auths":{"`+f.host+`":{"auth":"`+b64("me:wrong-"+secret)+`"}}}`)
	c := newTestClient(t, Config{MaxRetries: 0})
	_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	if !IsUnauthorized(err) {
		t.Fatalf("got %v; want a refusal", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "This request used Podman's auth file "+file) || strings.Contains(msg, "wrong-"+secret) {
		t.Errorf("message: %s", msg)
	}
	podmanAuth(t, `{"auths":{"`+f.host+`":{"auth":"`+b64("me:"+secret)+`"}}}`)
	if _, err := newTestClient(t, Config{}).ListTags(context.Background(), repoOf(t, f.repo("acme/x"))); err != nil {
		t.Errorf("with the right password: %v", err)
	}
}

// A credHelpers entry in Podman's auth file is asked for the registry as
// podman names it: docker.io for Docker Hub, where go-containerregistry
// asked none (it looks Docker Hub's helper up under
// https://index.docker.io/v1/).
func TestPodmanAuthFileCredHelper(t *testing.T) {
	podmanAuth(t, `{"credHelpers":{"docker.io":"rec"}}`)
	dir := t.TempDir()
	script := "#!/bin/sh\nread url\nif [ \"$url\" = docker.io ]; then echo '{\"ServerURL\":\"docker.io\",\"Username\":\"hub\",\"Secret\":\"p\"}'; exit 0; fi\necho 'credentials not found in native keychain'\nexit 1\n"
	if err := os.WriteFile(filepath.Join(dir, "docker-credential-rec"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	if user, _ := userFor(t, "prefecthq/prefect"); user != "hub" {
		t.Errorf("user %q, want hub from the helper", user)
	}
	if user, _ := userFor(t, "ghcr.io/acme/prefect"); user != "" {
		t.Errorf("user %q for ghcr.io, which has no helper nor entry; want anonymous", user)
	}
}

// Podman reads its auth files in turn, $XDG_RUNTIME_DIR/containers/auth.json
// (where podman login writes) and then ~/.config/containers/auth.json
// (XDG_CONFIG_HOME's), and takes the first that holds credentials for the
// repository (containers-auth.json(5), containers/image's
// getAuthFilePaths). Only the first file that existed was read, as
// go-containerregistry reads one, so a registry logged in to in the second
// went anonymous whenever the first existed, for another registry.
func TestPodmanAuthFilesReadInTurn(t *testing.T) {
	f := newFake(t, withBasic("me", secret))
	f.setTags("acme/x", []string{"a"})
	config := podmanAuth(t, `{"auths":{"`+f.host+`":{"auth":"`+b64("me:wrong-"+secret)+`"},"quay.io":{"auth":"`+b64("config:p")+`"}}}`)
	runtimeDir := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", runtimeDir)
	runtime := filepath.Join(runtimeDir, "containers", "auth.json")
	if err := os.MkdirAll(filepath.Dir(runtime), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(runtime, []byte(`{"auths":{"ghcr.io":{"auth":"`+b64("runtime:p")+`"},"quay.io/org-b":{"auth":"`+b64("runtime-b:p")+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ repo, user, file string }{
		{"ghcr.io/acme/prefect", "runtime", runtime},
		{"quay.io/org-b/prefect", "runtime-b", runtime}, // the first file's, though the second has the host's
		{"quay.io/org-c/prefect", "config", config},
		{"registry.test/acme/prefect", "", ""},
	} {
		user, source := userFor(t, tc.repo)
		if user != tc.user || user != "" && source != "Podman's auth file "+tc.file {
			t.Errorf("%s: user %q from %q; want %q from %s", tc.repo, user, source, tc.user, tc.file)
		}
	}

	// A refusal names the file the credentials came from, and neither it
	// nor the log quotes them.
	logs := &logRecorder{}
	_, err := newTestClient(t, Config{MaxRetries: 0, Logger: logs}).ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	if !IsUnauthorized(err) || !strings.Contains(err.Error(), "This request used Podman's auth file "+config) {
		t.Errorf("got %v; want a refusal of the credentials of %s", err, config)
	}
	if err != nil && strings.Contains(err.Error(), secret) || strings.Contains(logs.text(), secret) {
		t.Errorf("a credential was quoted:\n%v\n%s", err, logs.text())
	}

	// A broken first file is an error naming it, as for podman, not
	// passed over.
	if err := os.WriteFile(runtime, []byte(`{"auths":{"`+f.host+`":{"auth":"!!!"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = newTestClient(t, Config{MaxRetries: 0}).ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	var e *Error
	if !errors.As(err, &e) || !e.CredentialsUnreadable() || !strings.Contains(err.Error(), "Podman's auth file "+runtime) {
		t.Errorf("got %v; want unreadable credentials naming %s", err, runtime)
	}
}
