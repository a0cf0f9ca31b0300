package registry

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// A request_timeout long enough to mean "no timeout" (a century) works:
// RequestTimeout × (MaxRetries+1) overflowed time.Duration, so the budget
// of every request was negative and each failed at once.
func TestHugeRequestTimeout(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t)
	f.setTags("acme/x", []string{"a", "b"})
	for _, d := range []time.Duration{876000 * time.Hour, time.Duration(1<<63 - 1)} {
		c := newTestClient(t, Config{RequestTimeout: d, ListingTimeout: d, MaxRetries: 10})
		if got, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x"))); err != nil || len(got) != 2 {
			t.Errorf("request timeout %s: %v, %v", d, got, err)
		}
	}
}

// A listing whose timeout runs out in the handshake (here GitLab's token
// endpoint does not answer) says that its listing timeout ran out. It said
// "the caller's deadline passed before the registry answered", a deadline
// the user never set.
func TestListingTimeoutInHandshake(t *testing.T) {
	const reg, web = "registry.gitlab.zoo.test", "gitlab.zoo.test"
	for _, r := range []TagRange{{}, {After: "3.8.0", Before: "3.9"}} {
		synctest.Test(t, func(t *testing.T) {
			g := &gitlab{public: map[string]bool{"acme/public": true}}
			h := &hosts{handlers: map[string]http.Handler{
				reg: http.HandlerFunc(g.registry),
				web: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }),
			}}
			c := hostsClient(t, h, Config{MaxRetries: 1, RequestTimeout: time.Minute, ListingTimeout: 30 * time.Second})
			_, err := c.ListTagRange(context.Background(), repoOf(t, reg+"/acme/public"), r)
			want := "the tag list was not read within the listing timeout of 30s ("
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("range %+v: %v\nwant %q", r, err, want)
			}
		})
	}
}
