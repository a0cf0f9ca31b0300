package registry

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// lexicalLinked is a registry that lists tags in lexical order, honours n
// (capped at 1,000) and last, and links each page but the last by the Link
// header that link writes for the page after last with n. Any other path
// than the repository's own tag list answers with other's tags.
func lexicalLinked(sorted, other []string, link func(last string, n int) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tags := sorted
		if r.URL.Path != "/v2/prefecthq/prefect/tags/list" {
			tags = other
		}
		q := r.URL.Query()
		n := 1000
		if v, err := strconv.Atoi(q.Get("n")); err == nil && v > 0 && v < n {
			n = v
		}
		i, _ := slices.BinarySearch(tags, q.Get("last"))
		if i < len(tags) && tags[i] == q.Get("last") {
			i++
		}
		j := min(i+n, len(tags))
		if j < len(tags) && j > i {
			w.Header().Set("Link", link(tags[j-1], n))
		}
		writeJSON(w, http.StatusOK, map[string]any{"name": "prefecthq/prefect", "tags": tags[i:j]})
	}
}

// Links that stay on the registry's host but name another path: another
// repository by dot segments or by a percent-encoded name, the
// repository's manifests, the host spelled scheme-relative, a fragment;
// and a rel of two types. Each is followed as the query it carries on the
// repository's own tag list, and every range reads exactly its tags,
// never the other path's (which answers with tags of its own).
func TestRedteam15LinkShapes(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	other := []string{"0.0.1-python3.12", "9.9.9-python3.12", "zzz"}
	for name, link := range map[string]string{
		"dot-segments":    `<../../other/tags/list?%s>; rel="next"`,
		"percent-encoded": `</v2/acme%%2Fother/tags/list?%s>; rel="next"`,
		"manifests":       `</v2/prefecthq/prefect/manifests/3-latest?%s>; rel="next"`,
		"scheme-relative": `<//` + zooHost + `/v2/acme/other/tags/list?%s>; rel="next"`,
		"fragment":        `</v2/prefecthq/prefect/tags/list?%s#other>; rel="next"`,
		"two-rel-types":   `</v2/prefecthq/prefect/tags/list?%s>; rel="next last"`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runZoo(t, lexicalLinked(sorted, other, func(last string, n int) string {
				return fmt.Sprintf(link, "last="+url.QueryEscape(last)+"&n="+strconv.Itoa(n))
			}), "prefecthq/prefect", sorted, true)
		})
	}
}

// A token service whose 200 holds a token and an expires_in that is no
// Go int (a fraction, a string, a number past int's range), in the
// handshake or when a token that expired mid-listing is asked for again.
// Before the fix the error was go-containerregistry's bare "json: cannot
// unmarshal number 300.0 into Go struct field Token.expires_in of type
// int", naming neither the token service nor what to make of it; now it
// names both, without asking again for the same answer. The expires_in
// and issued_at values go-containerregistry does not read (negative, in
// the future, not a time) stay accepted.
func TestRedteam15TokenExpiresIn(t *testing.T) {
	for _, tc := range []struct {
		name  string
		field string // the token answer's fields after "token"
		bad   bool
	}{
		{"fraction", `"expires_in":300.0`, true},
		{"string", `"expires_in":"300"`, true},
		{"past-int", `"expires_in":99999999999999999999`, true},
		{"negative", `"expires_in":-1`, false},
		{"issued-in-the-future", `"expires_in":300,"issued_at":"2099-01-01T00:00:00Z"`, false},
		{"issued-at-no-time", `"expires_in":300,"issued_at":"yesterday"`, false},
	} {
		for _, from := range []int64{1, 2} { // the handshake's token, or the one asked for mid-listing
			t.Run(fmt.Sprintf("%s/token-%d", tc.name, from), func(t *testing.T) {
				tags := expiringTags()
				store, _, _ := zooIndexStore()
				reg := &expiringRegistry{life: 4, tags: tags, store: store}
				ts := &issuer{fail: func(n int64, w http.ResponseWriter, _ *http.Request) bool {
					if n < from {
						return false
					}
					w.Header().Set("Content-Type", "application/json")
					_, _ = fmt.Fprintf(w, `{"token":"tok-%d",%s}`, n, tc.field)
					return true
				}}
				c, _, _ := expiryClient(t, reg, ts, stallingHosts{}, 10*time.Second)
				got, err := c.ListTags(t.Context(), repoOf(t, expHost+"/"+zooRepo))
				if !tc.bad {
					if err != nil || !slices.Equal(got, tags) {
						t.Fatalf("got %d tags, %v; want the 30 tags", len(got), err)
					}
					return
				}
				if err == nil || !strings.Contains(err.Error(), "expires_in") || !strings.Contains(err.Error(), expAuth) || strings.Contains(err.Error(), "unmarshal") {
					t.Fatalf("got %d tags, %v; want an error naming the token service %s and its expires_in", len(got), err, expAuth)
				}
				if n := ts.n.Load(); n != from {
					t.Errorf("%d token requests; want %d: the same answer was asked for again", n, from)
				}
			})
		}
	}
}
