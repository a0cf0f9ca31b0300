package registry_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
)

// A redirect the rules refuse (a tag list or manifest request sent to
// another host or repository, the ping sent to another host) is the same
// answer on every try: the error says the rule, not "Check that the
// address names a container registry, or try again later", which it
// said; RedirectRefused tells the provider so. A 3xx without a Location,
// which is no redirect followed or refused, keeps its words.
func TestRedirectRefusedSaysTheRule(t *testing.T) {
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	for _, tc := range []struct {
		name   string
		serve  func(w http.ResponseWriter, r *http.Request)
		byTag  bool // a manifest HEAD by tag, else the tag list
		refuse bool
	}{
		{"tag list to another host", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://localhost:1"+r.URL.RequestURI(), http.StatusMovedPermanently)
		}, false, true},
		{"manifest to another host", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://registry.example.test"+r.URL.RequestURI(), http.StatusTemporaryRedirect)
		}, true, true},
		{"tag list to another repository", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/v2/acme/other/tags/list", http.StatusFound)
		}, false, true},
		{"ping to another host", nil, false, true},
		{"3xx without Location", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusFound)
		}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case tc.serve == nil:
					http.Redirect(w, r, "http://localhost:1"+r.URL.RequestURI(), http.StatusMovedPermanently)
				case r.URL.Path != "/v2/":
					tc.serve(w, r)
				}
			}))
			defer srv.Close()
			c, err := registry.New(registry.Config{Keychain: authn.NewMultiKeychain(), MaxRetries: 0})
			if err != nil {
				t.Fatal(err)
			}
			repo, err := registry.ParseRepository(strings.TrimPrefix(srv.URL, "http://") + "/prefecthq/prefect")
			if err != nil {
				t.Fatal(err)
			}
			if tc.byTag {
				_, err = c.Head(context.Background(), repo, "3.8.3-python3.12")
			} else {
				_, err = c.ListTags(context.Background(), repo)
			}
			var e *registry.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want a *registry.Error", err)
			}
			rule := "a redirect is followed only on the registry's own host and within the repository"
			switch {
			case e.RedirectRefused() != tc.refuse:
				t.Errorf("RedirectRefused() = %v, want %v: %v", e.RedirectRefused(), tc.refuse, err)
			case tc.refuse && (!strings.Contains(err.Error(), rule) || strings.Contains(err.Error(), "try again later") || strings.Contains(err.Error(), "names a container registry")):
				t.Errorf("the error does not say the redirect rule, or sends the user to retry or to check the address: %v", err)
			case !tc.refuse && strings.Contains(err.Error(), rule):
				t.Errorf("no redirect was refused, yet the error says the rule: %v", err)
			}
		})
	}
}
