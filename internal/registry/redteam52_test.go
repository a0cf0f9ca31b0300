package registry

import (
	"context"
	"net/http"
	"strings"
	"testing"
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
			var f *fake
			f = newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
				if k := f.kind(r); k == "ping" || k == "list" {
					w.Header().Set("WWW-Authenticate", `Bearer realm="`+realm+`",service="fake"`)
					writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
					return true
				}
				return false
			}))
			cfg := Config{MaxRetries: 2}
			if creds {
				cfg.Credentials = []Credential{{Host: f.host, Username: "u", Password: "hostless-realm-password"}}
			}
			c := newTestClient(t, cfg)
			_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
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

func err2msg[T any](_ T, err error) string {
	if err == nil {
		return ""
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}
