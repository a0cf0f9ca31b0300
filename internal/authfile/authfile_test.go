package authfile

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
)

// Where XDG_RUNTIME_DIR is not set (root under sudo, a systemd service, a
// CI job), podman login writes, and podman and skopeo read first,
// /run/containers/<uid>/auth.json (containers-auth.json(5), containers/image's
// getPathToAuthWithOS), on Linux. go-containerregistry's keychain never
// reads it, so credentials there went unused and the registry was asked
// anonymously. When XDG_RUNTIME_DIR is set, podman reads its file instead.
func TestPodmanPerUIDAuthFile(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("podman reads /run/containers/<uid>/auth.json on Linux only")
	}
	isolateHome(t)
	run := t.TempDir()
	old := perUIDAuthFile
	perUIDAuthFile = filepath.Join(run, "containers", "%d", "auth.json")
	t.Cleanup(func() { perUIDAuthFile = old })
	file := fmt.Sprintf(perUIDAuthFile, os.Getuid())
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		t.Fatal(err)
	}
	const password = "per-uid-s3cr3t"
	body := `{"auths":{"quay.io":{"auth":"` + base64.StdEncoding.EncodeToString([]byte("root:"+password)) + `"}}}`
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	repo, err := name.NewRepository("quay.io/acme/prefect")
	if err != nil {
		t.Fatal(err)
	}
	cfg, source, _, ok, err := Lookup(context.Background(), repo, time.Second)
	if err != nil || !ok || cfg.Username != "root" || source != "Podman's auth file "+file {
		t.Fatalf("got %q from %q (ok %v, %v); want root from Podman's auth file %s", cfg.Username, source, ok, err, file)
	}
	if strings.Contains(source, password) {
		t.Errorf("the source quotes the password: %s", source)
	}

	// A broken one is named, and its credentials are not quoted.
	if err := os.WriteFile(file, []byte(strings.Replace(body, `"auths"`, `"auths":`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, f, _, err := Lookup(context.Background(), repo, time.Second); err == nil || f != file || strings.Contains(err.Error(), password) {
		t.Errorf("a broken file: error %v naming %q; want an error naming %s", err, f, file)
	}

	// With XDG_RUNTIME_DIR set, podman reads the file there, not this one.
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	if _, _, _, ok, err := Lookup(context.Background(), repo, time.Second); ok || err != nil {
		t.Errorf("with XDG_RUNTIME_DIR set: ok %v, %v; want no credentials", ok, err)
	}
}

// isolateHome makes a fresh directory HOME, DOCKER_CONFIG and
// XDG_CONFIG_HOME, with no DOCKER_AUTH_CONFIG, REGISTRY_AUTH_FILE or
// XDG_RUNTIME_DIR, so that no credentials of the machine are read, and
// returns it.
func isolateHome(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("DOCKER_CONFIG", dir)
	t.Setenv("DOCKER_AUTH_CONFIG", "")
	t.Setenv("REGISTRY_AUTH_FILE", "")
	t.Setenv("XDG_RUNTIME_DIR", "")
	t.Setenv("XDG_CONFIG_HOME", dir)
	return dir
}
