package resolver

import (
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// A1: the project's own "positional-moved" shape (registrytest.WithOrder(MovedToEnd(50)):
// lexical order but for some tags re-pushed at the end, `last` by position, a `last` that is no
// tag answered from the start), on a repository whose first page already reaches past the
// range: Prefect's python3.12 release tags and the image's sha- tags. The release range starts
// at "/~", below every tag, so the answer "from the start" looks exactly like a lexical answer,
// the first page is strictly increasing and holds the first tag past "9~": the stretch stops
// there, complete, and the re-pushed 3.8.3-python3.12 at the end of the list is never read.
func TestListingPositionalMovedStartAboveAfter(t *testing.T) {
	var tags []string
	for _, tg := range tagcatalog.Prefect() {
		if strings.HasPrefix(tg, "sha-") || (strings.HasPrefix(tg, "3.") && strings.HasSuffix(tg, "-python3.12")) {
			tags = append(tags, tg)
		}
	}
	reg := registrytest.New(t, registrytest.WithOrder(registrytest.MovedToEnd(50)))
	if err := reg.Seed("prefecthq/prefect", tags); err != nil {
		t.Fatal(err)
	}
	picksAsWholeList(t, reg.Host()+"/prefecthq/prefect", tags, []diffSel{{"", "3.12", "", false}, {">= 3.8", "3.12", "", false}, {"", "", "", false}})
}
