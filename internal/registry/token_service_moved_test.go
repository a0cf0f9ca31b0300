package registry_test

import (
	"context"
	"slices"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// A registry that moves to another token service in the middle of a plan
// (its 401s name a new realm; tokens of the old one are refused) is
// followed there, as containerd takes each 401's challenge: every pin of
// the plan is right, and a listing that starts after the move is whole.
// The old token service still issues tokens, or refuses every request
// (retired). Before, go-containerregistry renewed the refused token from
// the realm of the first handshake, and the plan failed: "the registry
// answered HTTP 401 Unauthorized: it did not accept the credentials, or it
// requires some", or that the registry refused a token its token service
// had just issued.
func TestTokenServiceMovedMidPlan(t *testing.T) {
	cat := tagcatalog.Prefect()
	for _, retire := range []bool{false, true} {
		for _, after := range []int{1, 5, 40} {
			o := &specDouble{repo: "prefecthq/prefect", tags: slices.Sorted(slices.Values(cat)), pageSize: 100, maxN: 100, retire: retire}
			o.realm = func(o *specDouble) string {
				if o.lists >= after {
					return "http://" + o.host + "/token/moved"
				}
				return "http://" + o.host + "/token"
			}
			serveSpecDouble(t, o)
			specDoublePicks(t, o, cat)
			c, err := registry.New(registry.Config{MaxRetries: 1})
			if err != nil {
				t.Fatal(err)
			}
			repo, err := registry.ParseRepository(o.host + "/" + o.repo)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.ListTags(context.Background(), repo)
			if err != nil || len(got) != len(cat) {
				t.Errorf("old token service retired %v, moved after %d tag list requests: a whole listing read %d of %d tags: %v", retire, after, len(got), len(cat), err)
			}
			if t.Failed() {
				t.Fatalf("old token service retired %v, moved after %d tag list requests (%d token requests)", retire, after, o.tokenRequests)
			}
		}
	}
}
