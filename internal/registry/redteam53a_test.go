package registry

import (
	"context"
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
