package registry

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// A registry quoting the bearer token in a Link URL: the path of the next
// page, a debug log field, is scrubbed like every other field.
func TestReview4TokenInLinkNotLogged(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withBearer("u", "p"))
	f.setTags("acme/x", []string{"a", "b"})
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		q := r.URL.Query()
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if f.kind(r) != "list" || !ok || q.Has("last") || q.Has("token") {
			return false
		}
		w.Header().Set("Link", fmt.Sprintf(`<%s?n=1000&last=a&token=%s>; rel="next"`, r.URL.Path, tok))
		writeTags(w, []string{"a"})
		return true
	}
	logs := &logRecorder{}
	c := newTestClient(t, Config{Logger: logs, Credentials: []Credential{{Host: f.host, Username: "u", Password: "p"}}})
	if _, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x"))); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.tokens) == 0 {
		t.Fatal("no token was handed out")
	}
	for tok := range f.tokens {
		if strings.Contains(logs.text(), tok) {
			t.Errorf("the bearer token %s is in the log:\n%s", tok, logs.text())
		}
	}
}
