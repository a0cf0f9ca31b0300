package registry

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// A host that serves no registry API, an ordinary web server, answers
// the registry API's base, GET /v2/, with 404 (or with a web page, 200
// text/html), and the repository's tag list with 404: the error says that
// the host does not answer the registry API, and is no 404 of a registry
// (IsNotFound), which the provider titles "Repository Not Found" or
// "Image Tag Not Found". It said "the registry answered HTTP 404 Not
// Found: the repository does not exist there", sending a user who typed
// the wrong host to check the repository's path. A registry's own 404 for
// a repository, after its /v2/ answered 200 or 401, still says "does not
// exist there".
func TestHostWithoutRegistryAPI(t *testing.T) {
	const host = "www.zoo.test"
	page := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(status)
			fmt.Fprint(w, "<html><body>Acme Corp</body></html>")
		}
	}
	for name, tc := range map[string]struct {
		web  http.HandlerFunc
		want string
	}{
		"404 everywhere": {page(http.StatusNotFound),
			"www.zoo.test answered GET /v2/, the registry API's base, with HTTP 404 Not Found, and the repository's tag list too: it does not answer the registry API (/v2/)"},
		"a web page at /v2/, 404 elsewhere": {func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v2/" {
				page(http.StatusOK)(w, r)
				return
			}
			page(http.StatusNotFound)(w, r)
		}, "www.zoo.test answered GET /v2/, the registry API's base, with a web page (HTML), and this request with HTTP 404 Not Found: it does not answer the registry API (/v2/)"},
	} {
		t.Run(name, func(t *testing.T) {
			h := &hosts{handlers: map[string]http.Handler{host: tc.web}}
			c := hostsClient(t, h, Config{MaxRetries: 0})
			repo := repoOf(t, host+"/acme/prefect")
			_, listErr := c.ListTags(context.Background(), repo)
			_, headErr := c.Head(context.Background(), repo, "3-latest")
			for _, err := range []error{listErr, headErr} {
				if err == nil {
					t.Fatal("no error")
				}
				if IsNotFound(err) {
					t.Errorf("IsNotFound(%v): a web server's 404 is no registry's", err)
				}
				if msg := err.Error(); !strings.Contains(msg, tc.want) || strings.Contains(msg, "does not exist there") {
					t.Errorf("error %q\nwant it to say %q, and not that the repository does not exist", msg, tc.want)
				}
			}
		})
	}

	for name, opts := range map[string][]fakeOption{"anonymous": nil, "bearer": {withBearer("u", "p")}} {
		t.Run("a registry's 404, "+name, func(t *testing.T) {
			f := newFake(t, opts...)
			c := newTestClient(t, Config{MaxRetries: 0, Credentials: []Credential{{Host: f.host, Username: "u", Password: "p"}}})
			_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/nosuch")))
			if !IsNotFound(err) || !strings.Contains(err.Error(), "the repository does not exist there") {
				t.Errorf("got %v, want a 404 saying the repository does not exist", err)
			}
		})
	}
}
