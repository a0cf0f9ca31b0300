package resolver

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// headWithoutDigest drops Docker-Content-Digest from an answer.
type headWithoutDigest struct{ http.ResponseWriter }

func (w headWithoutDigest) WriteHeader(code int) {
	w.Header().Del("Docker-Content-Digest")
	w.ResponseWriter.WriteHeader(code)
}

// A tag re-pushed without linux/amd64 right after the first request for it
// (the HEAD, or with no digest in its answer the GET that follows): the
// pin's digest and its platforms come from one index, never the tag's
// digest from one and platform_digest from the other. A guard; it passed.
func TestRedteam2TagMovedBetweenHeadAndGet(t *testing.T) {
	const repo, tag = "prefecthq/prefect", "3.4.2-python3.12"
	for _, headDigest := range []bool{true, false} {
		var reg *registrytest.Registry
		var once sync.Once
		var moved string
		reg = registrytest.New(t, registrytest.WithMiddleware(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				byTag := strings.HasSuffix(r.URL.Path, "/manifests/"+tag)
				if byTag && r.Method == http.MethodHead && !headDigest {
					w = headWithoutDigest{w}
				}
				next.ServeHTTP(w, r)
				if byTag {
					once.Do(func() {
						var err error
						if moved, err = reg.PushPlatforms(repo, tag, "linux/arm64"); err != nil {
							t.Error(err)
						}
					})
				}
			})
		}))
		first, err := reg.PushPlatforms(repo, tag, "linux/amd64", "linux/arm64")
		if err != nil {
			t.Fatal(err)
		}
		firsts, err := reg.PlatformDigests(repo, tag)
		if err != nil {
			t.Fatal(err)
		}
		client, err := registry.New(registry.Config{Keychain: authn.NewMultiKeychain()})
		if err != nil {
			t.Fatal(err)
		}
		pin, err := New(client).Resolve(context.Background(), Request{Repository: reg.Host() + "/" + repo, Tag: tag,
			Platform: "linux/amd64", RequiredPlatforms: []string{"linux/amd64", "linux/arm64"}})
		requests := strings.Join(reg.Requests(), "\n")
		if headDigest {
			// The HEAD named the first index: its platforms, read by digest.
			if err != nil || pin.Digest != first || pin.PlatformDigest != firsts["linux/amd64"] || !maps.Equal(pin.PlatformDigests, firsts) {
				t.Errorf("HEAD with a digest: pin %+v, %v; want %s with %v\n%s", pin, err, first, firsts, requests)
			}
			continue
		}
		// The GET by tag read the re-pushed index, which lacks linux/amd64.
		var missing *MissingPlatformsError
		if !errors.As(err, &missing) || missing.Digest != moved || !slices.Equal(missing.Missing, []string{"linux/amd64"}) {
			t.Errorf("HEAD without a digest: pin %+v, %v; want %s lacking linux/amd64\n%s", pin, err, moved, requests)
		}
	}
}
