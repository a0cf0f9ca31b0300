package authfile

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-containerregistry/pkg/name"
)

// authFileShapes are Docker config / Podman auth file contents, well
// formed and not, around a user name u and a password p (JSON-encoded
// where the shape says so; raw where it is cut or broken).
var authFileShapes = []func(u, p string) string{
	func(u, p string) string {
		return `{"auths":{"ghcr.io":{"username":` + js(u) + `,"password":` + js(p) + `}}}`
	},
	func(u, p string) string { return `{"auths":{"ghcr.io":{"auth":` + js(b64(u+":"+p)) + `}}}` },
	func(_, p string) string { return `{"auths":{"ghcr.io":{"auth":` + js(p) + `}}}` },      // not base64
	func(_, p string) string { return `{"auths":{"ghcr.io":{"auth":` + js(b64(p)) + `}}}` }, // no ':'
	func(_, p string) string { return `{"auths":{"ghcr.io":{"identitytoken":` + js(p) + `}}}` },
	func(_, p string) string { return `{"auths":{"ghcr.io":{"registrytoken":` + js(p) + `}}}` },
	func(_, p string) string { return `{"auths":{"ghcr.io":{"password":"` + p + `"}}}` },       // unescaped
	func(u, p string) string { return `{"auths":{"ghcr.io":{"auth":"` + b64(u+":"+p) + `"}}` }, // cut short
	func(u, p string) string {
		return `{"auths":{"ghcr.io":{"username":` + js(u) + `,"password":` + js(p) + `}},"credHelpers":{"ghcr.io":"nosuch-prefectimage-fuzz"}}`
	},
	func(u, p string) string {
		return `{"auths":{"ghcr.io":{"auth":` + js(b64(u+":"+p)) + `,"password":` + js(p) + `,"identitytoken":` + js(p) + `}},"credsStore":` + js(u) + `}`
	},
	func(_, p string) string { return `{"auths":{"ghcr.io":{"password":` + p + `}}}` }, // a bare JSON value
	func(u, p string) string { return `{"auths":{` + js(u) + `:{"auth":` + js(b64(p)) + `}}}` },
}

func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// FuzzAuthFileErrorsHoldNoSecret: whatever a Docker config, a Podman auth
// file or DOCKER_AUTH_CONFIG holds, an error from reading it
// (DockerLookup, podmanFileLookup, envAuthConfig) never quotes a password,
// an auth, an identity or registry token from it, as written or as the
// base64 of an auth. Those errors reach the Registry Credentials
// Unreadable diagnostic. A secret is taken to be one when it is 8
// characters or more, with a letter and a digit, so that it cannot be a
// word of an error message.
func FuzzAuthFileErrorsHoldNoSecret(f *testing.F) {
	for i := range authFileShapes {
		f.Add(uint8(i), "ci-user", "s3cr3t-pa55word")
	}
	f.Add(uint8(6), "u", `pa55"word\q`)
	f.Add(uint8(10), "u", "12345678901x")
	dir := f.TempDir()
	f.Setenv("DOCKER_CONFIG", dir)
	repo, err := name.NewRepository("ghcr.io/acme/prefect")
	if err != nil {
		f.Fatal(err)
	}
	file := filepath.Join(dir, "config.json")
	f.Fuzz(func(t *testing.T, shape uint8, user, password string) {
		content := authFileShapes[int(shape)%len(authFileShapes)](user, password)
		var secrets []string
		for _, s := range []string{password, b64(user + ":" + password), b64(password)} {
			// A secret inside the user name is no secret an error may not
			// quote: some shapes put the name where an error names it
			// (credsStore's helper, a registry key).
			if secretLike(s) && !strings.Contains(dir, s) && !strings.Contains(user, s) {
				secrets = append(secrets, s)
			}
		}
		if len(secrets) == 0 {
			return
		}
		if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		var errs []error
		_, err := podmanFileLookup(context.Background(), file, repo, time.Second)
		errs = append(errs, err)
		_, _, _, err = DockerLookup(context.Background(), repo, time.Second)
		errs = append(errs, err)
		if !strings.ContainsRune(content, 0) { // no environment variable holds a NUL
			t.Setenv("DOCKER_AUTH_CONFIG", content)
			_, _, err = envAuthConfig("ghcr.io")
			errs = append(errs, err)
		}
		for _, err := range errs {
			if err == nil {
				continue
			}
			for _, s := range secrets {
				if strings.Contains(err.Error(), s) {
					t.Fatalf("reading %q: the error quotes the secret %q: %v", content, s, err)
				}
			}
		}
	})
}

// secretLike reports whether s is long and mixed enough that an error
// message holding it quotes it.
func secretLike(s string) bool {
	return len(s) >= 8 && strings.ContainsFunc(s, unicode.IsLetter) && strings.ContainsFunc(s, unicode.IsDigit)
}
