package registry

import (
	"context"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// A Docker config with no entry under the registry's own key but one
// under each of two legacy keys for its host (https://host and
// http://host, each with its own login, as old docker login wrote them):
// every Client sends the same login, the first key's in sorted order, so
// that a plan does not succeed or fail as Go's map order falls. Here the
// registry takes only that login: each of 64 Clients lists the tags.
func TestRedteam53aDockerConfigLegacyKeysOneLogin(t *testing.T) {
	r := faultRegistry(t, nil, registrytest.WithBasicAuth("http-user", "http-pass"))
	dockerConfig(t, map[string]string{
		"https://" + r.Host(): "https-user:https-pass",
		"http://" + r.Host():  "http-user:http-pass",
	})
	failed := 0
	for range 64 {
		c := newTestClient(t, Config{MaxRetries: 0})
		if _, err := c.ListTags(context.Background(), repoOf(t, r.Host()+"/"+faultRepo)); err != nil {
			failed++
			if failed == 1 {
				t.Errorf("first failure: %v", err)
			}
		}
	}
	if failed > 0 {
		t.Errorf("%d of 64 Clients failed; want each to send http://%s's login", failed, r.Host())
	}
}

// The token service's host comes from the registry's challenge: a
// registry that names it after a configured password (it can quote what
// it was sent) does not get that password into the error, which names
// the token service.
func TestRedteam53TokenServiceHostScrubbed(t *testing.T) {
	const password = "zq7secretpw"
	_, err := listChallenged(t, `Bearer realm="https://`+password+`.invalid:1/token",service="x"`, true, password)
	if err == nil {
		t.Fatal("the listing succeeded; want the token service's failure")
	}
	msg := err.Error()
	if strings.Contains(msg, password) {
		t.Errorf("the error quotes the password:\n%s", msg)
	}
	if !strings.Contains(msg, "token service") {
		t.Errorf("the error does not name the token service:\n%s", msg)
	}
}
