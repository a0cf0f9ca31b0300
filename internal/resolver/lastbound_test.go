package resolver

import (
	"context"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// On a registry that takes last as a lexical bound over an order of its
// own (registrytest.WithLastAsBoundOverOrder), whose Links skip tags, every
// selector of the fleet and of the 45-selector set picks what selection
// over the whole catalog picks, or fails saying the list cannot be read
// whole: never another pin. Before, `~> 3.8.0` and the others that list
// picked from the few hundred tags its Links led to.
func TestLastAsBoundOverOrderNeverPicksAnotherPin(t *testing.T) {
	whole := prefecttag.NewCatalog(tagcatalog.Prefect())
	for name, opts := range map[string][]registrytest.Option{
		"pages of 100":  {registrytest.WithOrder(registrytest.Shuffled(7)), registrytest.WithMaxPageSize(100)},
		"pages of 1000": {registrytest.WithOrder(registrytest.Shuffled(11))},
	} {
		t.Run(name, func(t *testing.T) {
			reg := registrytest.Prefect(t, append(opts, registrytest.WithLastAsBoundOverOrder())...)
			repo := reg.Host() + "/prefecthq/prefect"
			failed := 0
			for _, s := range append(append([]diffSel{}, diffSelectors...), fleetSelectors...) {
				sel := diffSelector(t, s)
				pin, err := New(newClient(t)).Resolve(context.Background(), Request{Repository: repo, Selector: sel})
				switch want := diffWant(whole, sel); {
				case err != nil && strings.Contains(err.Error(), "takes last as a lexical bound over an order of its own"):
					failed++
				case err != nil && want != "ERR":
					t.Errorf("%+v: %v; want %q or the listing's error", s, err, want)
				case err == nil && pin.Tag != want:
					t.Errorf("%+v: picked %q, selection over the whole list picks %q", s, pin.Tag, want)
				}
			}
			if failed == 0 {
				t.Error("no selector failed on the listing: the hostile shape was read as complete")
			}
		})
	}
}
