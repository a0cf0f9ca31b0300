package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// A Bearer challenge whose realm is an absolute URL without a host
// (https:///token, http:/token) names no token service either: every try
// gets it, and the address the user wrote is not at fault. It said
// net/http's "no Host in request URL" with the advice to check the
// registry address.
func TestRedteam52RealmWithoutHost(t *testing.T) {
	noDockerConfig(t)
	for _, realm := range []string{"https:///token", "http:///token", "https://"} {
		for _, creds := range []bool{false, true} {
			f, err := listChallenged(t, `Bearer realm="`+realm+`",service="fake"`, creds, "hostless-realm-password")
			if err == nil {
				t.Fatalf("%s: listed", realm)
			}
			msg := err.Error()
			for _, want := range []string{"names a token service (realm) with no host, " + realm + ", so no token", "ask the registry's operator"} {
				if !strings.Contains(msg, want) {
					t.Errorf("%s: error %q does not say %q", realm, msg, want)
				}
			}
			if strings.Contains(msg, "Check the registry address") || strings.Contains(msg, "try again later") {
				t.Errorf("%s: error %q advises what cannot mend it", realm, msg)
			}
			if f.count("token") != 0 {
				t.Errorf("%s: %d token requests", realm, f.count("token"))
			}
		}
	}
}

// Once a registry has rate-limited one repository's request, the run's
// requests to its other repositories are not sent: registries limit a
// client, not a repository. Their error names the repository that met the
// limit, where it said only "an earlier request of this run", and users
// looked for the cause in the repository whose pin failed (s52-scale: a
// 44-pin plan over prefecthq/prefect and prefecthq/prefect-client).
func TestRedteam52EarlierRateLimitNamesItsRepository(t *testing.T) {
	const limited, other = "prefecthq/prefect-client", "prefecthq/prefect"
	c, _ := zooClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v2/"+limited+"/") {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"tags": []string{"3.1.15-python3.12"}})
	}), other)
	c.maxRetries = 0
	limitedRef, err := ParseRepository(zooHost + "/" + limited)
	if err != nil {
		t.Fatal(err)
	}
	otherRef, err := ParseRepository(zooHost + "/" + other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListTags(context.Background(), limitedRef); !IsRateLimited(err) {
		t.Fatalf("%v: want a rate limit", err)
	}
	if msg := err2msg(c.Head(context.Background(), limitedRef, "3.1.15-python3.12")); strings.Contains(msg, "to repository") {
		t.Errorf("the limited repository's own request names itself: %s", msg)
	}
	msg := err2msg(c.ListTags(context.Background(), otherRef))
	want := "rate-limited an earlier request of this run (HTTP 429 Too Many Requests) to repository " + zooHost + "/" + limited + ", so this one was not sent"
	if !strings.Contains(msg, want) {
		t.Errorf("error %q does not say %q", msg, want)
	}
}

// listChallenged lists a repository of a registry whose ping and tag list
// answer 401 with challenge, with credentials (password) or without, and
// returns that registry and the error.
func listChallenged(t *testing.T, challenge string, creds bool, password string) (*fake, error) {
	t.Helper()
	var f *fake
	f = newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if k := f.kind(r); k == "ping" || k == "list" {
			w.Header().Set("WWW-Authenticate", challenge)
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
			return true
		}
		return false
	}))
	cfg := Config{MaxRetries: 2}
	if creds {
		cfg.Credentials = []Credential{{Host: f.host, Username: "u", Password: password}}
	}
	_, err := newTestClient(t, cfg).ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	return f, err
}

func err2msg[T any](_ T, err error) string {
	if err == nil {
		return ""
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

// A registry ignoring n and last that pages by cursor, with one empty page
// (a Link and no tag) in the list: its linked pages hold uneven numbers of
// tags, so its short last page proves no end, and asked after its last tag
// it answers its first page again, linking the second. The list cannot be
// proven whole, and the error says that, not that its Links loop (they do
// not; it said "the registry's Link header leads back to a page already
// read" and to ask its operator about the loop). An empty first page is
// read on to the whole list.
func TestRedteam52CursorEmptyPageIgnoringLast(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	order := slices.Clone(sorted)
	for i := range order { // an order of its own
		j := (i*7919 + 13) % len(order)
		order[i], order[j] = order[j], order[i]
	}
	for _, empty := range []int{5, 0} {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, _ := strconv.Atoi(r.URL.Query().Get("c")) // n and last ignored
			off := c * 100
			if c > empty {
				off -= 100
			}
			tags := []string{}
			if c != empty {
				tags = order[min(off, len(order)):min(off+100, len(order))]
			}
			if c == empty || off+100 < len(order) {
				w.Header().Set("Link", fmt.Sprintf(`</v2/prefecthq/prefect/tags/list?c=%d>; rel="next"`, c+1))
			}
			writeJSON(w, http.StatusOK, map[string]any{"tags": tags})
		})
		c, ref := zooClient(t, h, "prefecthq/prefect")
		got, err := c.ListTags(context.Background(), ref)
		if empty == 0 {
			if err != nil || !slices.Equal(got, sorted) {
				t.Errorf("empty first page: %d of %d tags, %v", len(got), len(sorted), err)
			}
			continue
		}
		if err == nil {
			t.Fatalf("empty page %d: listed %d of %d tags", empty, len(got), len(sorted))
		}
		msg := strings.Join(strings.Fields(err.Error()), " ")
		if !errors.As(err, new(*UnreadableListError)) || !strings.Contains(msg, "it ignores last and starts over, so whether any tag follows cannot be told") || strings.Contains(msg, "loop") {
			t.Errorf("empty page %d: error %q does not say the end cannot be told on a registry ignoring last", empty, msg)
		}
	}
}
