package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

// A guard (it passed): a token service whose expires_in is 1, 0, negative,
// null or huge costs one token request for a 14-page listing, not one a
// page: a token is asked for again only when the registry refuses it (401),
// never by its expires_in.
func TestShortTokenExpiryCostsOneTokenPerListing(t *testing.T) {
	noDockerConfig(t)
	var tags []string
	for i := range 140 {
		tags = append(tags, fmt.Sprintf("3.%03d", i))
	}
	for _, exp := range []string{"1", "0", "-5", "null", "9999999999"} {
		t.Run("expires_in "+exp, func(t *testing.T) {
			var f *fake
			f = newFake(t, withBearer("u", "p"), withPageCap(10), withHook(func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/token" {
					return false
				}
				tok := fmt.Sprintf("tok-%d", f.count("token"))
				f.mu.Lock()
				f.tokens[tok] = true
				f.mu.Unlock()
				b, _ := json.Marshal(tok)
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"token":%s,"expires_in":%s}`, b, exp)
				return true
			}))
			f.setTags("prefecthq/prefect", tags)
			c := newTestClient(t, Config{MaxRetries: 1, Credentials: []Credential{{Host: f.host, Username: "u", Password: "p"}}})
			c.pageSize = 10
			got, err := c.ListTags(context.Background(), repoOf(t, f.repo("prefecthq/prefect")))
			if err != nil || len(got) != len(tags) {
				t.Fatalf("got %d tags, %v; want %d", len(got), err, len(tags))
			}
			if lists, tokens := f.count("list"), f.count("token"); lists < 14 || tokens != 1 {
				t.Errorf("%d tag list requests cost %d token requests; want 14 or more for 1", lists, tokens)
			}
		})
	}
}
