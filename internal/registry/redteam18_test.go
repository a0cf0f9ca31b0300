package registry

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// Links whose target, resolved against the page (RFC 3986), is no path of
// the repository's own tag list: a relative path without a leading slash
// (tags/list?… resolves to …/tags/tags/list) and a query alone. Each is
// followed as the query it carries on the repository's own tag list; the
// other paths answer with tags of their own, which must not join the list.
// (Absolute paths to another repository or its manifests, dot segments and
// a fragment are TestRedteam15LinkShapes'.)
func TestRedteam18RelativeLinkShapes(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	other := []string{"0.0.1-python3.12", "9.9.9-python3.12", "zzz"}
	for name, link := range map[string]string{
		"path-without-slash": `<tags/list?%s>; rel="next"`,
		"query-alone":        `<?%s>; rel="next"`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runZoo(t, lexicalLinked(sorted, other, func(last string, n int) string {
				return fmt.Sprintf(link, "last="+url.QueryEscape(last)+"&n="+strconv.Itoa(n))
			}), "prefecthq/prefect", sorted, true)
		})
	}
}

// A later page of a tag list refused 401 or 403 for good, its pages
// before answered with the same credentials (or none), or with the token
// the registry's token service issued: the error names that page. Before,
// it was worded for a first page: "it did not accept the credentials, or
// it requires some", "the credentials do not grant pull access to this
// repository", or, to an issued token, "the repository does not exist
// there", each under "Registry Refused the Credentials" or "Registry
// Denied Access to the Repository".
func TestRedteam18LaterTagListPageRefused(t *testing.T) {
	noDockerConfig(t)
	refuse := func(status int) func(w http.ResponseWriter, r *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			if !strings.HasSuffix(r.URL.Path, "/tags/list") || r.URL.Query().Get("last") == "" {
				return false
			}
			if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
				w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="http://%s/token",service="fake",error="insufficient_scope"`, r.Host))
			}
			writeRegError(w, status, "DENIED", "requested access to the resource is denied")
			return true
		}
	}
	for _, tc := range []struct {
		name   string
		status int
		bearer bool
	}{
		{"401 anonymous", http.StatusUnauthorized, false},
		{"403 anonymous", http.StatusForbidden, false},
		{"401 to an issued token", http.StatusUnauthorized, true},
		{"403 to an issued token", http.StatusForbidden, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := []fakeOption{withPageCap(2), withHook(refuse(tc.status))}
			var creds []Credential
			if tc.bearer {
				opts = append(opts, withBearer("u", "p"))
				creds = []Credential{{Username: "u", Password: "p"}}
			}
			f := newFake(t, opts...)
			for i := range creds {
				creds[i].Host = f.host
			}
			f.setTags("prefecthq/prefect", []string{"3.0.0", "3.0.1", "3.0.2", "3.0.3"})
			_, err := newTestClient(t, Config{Credentials: creds}).ListTags(context.Background(), repoOf(t, f.repo("prefecthq/prefect")))
			want := fmt.Sprintf("the registry answered %d %s for page 2 of the tag list", tc.status, http.StatusText(tc.status))
			if err == nil || !strings.Contains(err.Error(), want) || IsUnauthorized(err) {
				t.Fatalf("err = %v; want an error saying %q, not a refusal of the credentials", err, want)
			}
			source := "This request used anonymous access"
			if tc.bearer {
				source = "This request used configured credentials for " + f.host
			}
			if !strings.Contains(err.Error(), source) {
				t.Errorf("err = %v; want it to say where the credentials came from: %q", err, source)
			}
			for _, wrong := range []string{"does not exist", "did not accept", "requires some", "do not grant", "tok-"} {
				if strings.Contains(err.Error(), wrong) {
					t.Errorf("err = %v; says %q", err, wrong)
				}
			}
		})
	}
}

// A token service (the challenge's realm) that redirects its token request
// elsewhere: to another host, to a subdomain of its own, or from HTTPS to
// plain HTTP, with 302 or 307, asked with a password (Basic, by GET) or an
// identity token (OAuth, by POST; 302 turns it into a GET without its
// body, 307 keeps it). Neither credential goes anywhere but the realm's own
// host over HTTPS: go-containerregistry sets Basic only for the realm's
// host (Go would keep it for a subdomain), the POST's redirect to another
// host is refused (TestRedteam10TokenPostRedirectToAnotherHostRefused),
// and plain HTTP is refused. A token another host issues anonymously is
// only ever sent to the registry. A guard: it passed.
func TestRedteam18TokenRedirectKeepsCredentials(t *testing.T) {
	noDockerConfig(t)
	const reg, realm, password, identity = "registry.rt18.test", "auth.rt18.test", "rt18-password", "rt18-identity"
	for _, to := range []string{"https://other.rt18.test/token", "https://x.auth.rt18.test/token", "http://auth.rt18.test/token"} {
		for _, code := range []int{http.StatusFound, http.StatusTemporaryRedirect} {
			for _, oauth := range []bool{false, true} {
				var mu sync.Mutex
				var leaked []string
				tokens := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					var body []byte
					if r.Body != nil { // a client's request, served in memory
						body, _ = io.ReadAll(r.Body)
					}
					if r.URL.Host != realm || r.URL.Scheme != "https" {
						if seen := r.Header.Get("Authorization") + " " + string(body); strings.Contains(seen, base64.StdEncoding.EncodeToString([]byte("u:"+password))) || strings.Contains(seen, identity) {
							mu.Lock()
							leaked = append(leaked, r.Method+" "+r.URL.String()+" "+seen)
							mu.Unlock()
						}
						writeJSON(w, http.StatusOK, map[string]any{"token": "rt18-token"})
						return
					}
					http.Redirect(w, r, to+"?"+r.URL.RawQuery, code)
				})
				h := &hosts{handlers: map[string]http.Handler{
					reg: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						if r.Header.Get("Authorization") != "Bearer rt18-token" {
							w.Header().Set("WWW-Authenticate", `Bearer realm="https://`+realm+`/token",service="reg"`)
							writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
							return
						}
						writeJSON(w, http.StatusOK, map[string]any{"name": "acme/x", "tags": []string{"a"}})
					}),
					realm: tokens, "other.rt18.test": tokens, "x.auth.rt18.test": tokens,
				}}
				cfg := Config{MaxRetries: 0, Credentials: []Credential{{Host: reg, Username: "u", Password: password}}}
				if oauth {
					cfg = Config{MaxRetries: 0, Keychain: keychainFunc(func(authn.Resource) (authn.Authenticator, error) {
						return authn.FromConfig(authn.AuthConfig{IdentityToken: identity}), nil
					})}
				}
				_, err := hostsClient(t, h, cfg).ListTags(context.Background(), repoOf(t, reg+"/acme/x"))
				if len(leaked) > 0 || err != nil && (strings.Contains(err.Error(), password) || strings.Contains(err.Error(), identity)) {
					t.Errorf("%s, %d, oauth %v: %v\n%s", to, code, oauth, err, strings.Join(leaked, "\n"))
				}
			}
		}
	}
}
