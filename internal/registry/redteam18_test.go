package registry

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

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
			for _, wrong := range []string{"does not exist", "did not accept", "requires some", "do not grant", "tok-"} {
				if strings.Contains(err.Error(), wrong) {
					t.Errorf("err = %v; says %q", err, wrong)
				}
			}
		})
	}
}
