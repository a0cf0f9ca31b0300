package registry

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
)

// configHelper names a helper exactly when go-containerregistry's
// keychain asked it: a recording helper that holds no login is named in
// the Docker config under each key a user may write, and the helper named
// must be the one the keychain ran. For Docker Hub, Docker's config looks
// its credHelpers up under https://index.docker.io/v1/, not a hostname.
func TestConfigHelperIsTheOneAsked(t *testing.T) {
	for _, tc := range []struct{ repo, config string }{
		{"prefecthq/prefect", `{"credHelpers":{"https://index.docker.io/v1/":"rec"}}`},
		{"prefecthq/prefect", `{"credHelpers":{"index.docker.io":"rec"}}`},
		{"prefecthq/prefect", `{"credHelpers":{"docker.io":"rec"}}`},
		{"prefecthq/prefect", `{"credsStore":"rec"}`},
		{"ghcr.io/prefecthq/prefect", `{"credHelpers":{"ghcr.io":"rec"}}`},
		{"ghcr.io/prefecthq/prefect", `{"credHelpers":{"https://ghcr.io":"rec"}}`},
		{"registry.zoo.test:5050/group/prefect", `{"credHelpers":{"registry.zoo.test:5050":"rec"}}`},
		// An empty helper keeps the registry's key out of credsStore, but
		// the keychain asks credsStore under the repository's name first.
		{"ghcr.io/prefecthq/prefect", `{"credsStore":"rec","credHelpers":{"ghcr.io":""}}`},
	} {
		t.Run(tc.repo+" "+tc.config, func(t *testing.T) {
			noDockerConfig(t)
			dir := os.Getenv("DOCKER_CONFIG")
			asked := filepath.Join(dir, "asked")
			script := fmt.Sprintf("#!/bin/sh\ncat >/dev/null\ntouch %s\necho 'credentials not found in native keychain'\nexit 1\n", asked)
			if err := os.WriteFile(filepath.Join(dir, "docker-credential-rec"), []byte(script), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(tc.config), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
			ref := repoOf(t, tc.repo)
			auth, err := authn.Resolve(context.Background(), authn.DefaultKeychain, ref.name)
			if err != nil || auth != authn.Anonymous {
				t.Fatalf("keychain: %v, %v; want anonymous", auth, err)
			}
			_, err = os.Stat(asked)
			ran := err == nil
			if named := configHelper(ref) == "rec"; named != ran {
				t.Errorf("the keychain ran the helper: %v; configHelper names it: %v", ran, named)
			}
		})
	}
}
