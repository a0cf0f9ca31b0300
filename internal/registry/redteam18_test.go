package registry

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// Links whose target, resolved against the page (RFC 3986), is no path of
// the repository's own tag list: a relative path without a leading slash
// (tags/list?… resolves to …/tags/tags/list) and a query alone. Each is
// followed as the query it carries on the repository's own tag list; the
// other paths answer with tags of their own, which must not join the list.
// (Absolute paths to another repository or its manifests, dot segments and
// a fragment are TestRedteam15LinkShapes'.)
func TestRedteam18RelativeLinkShapes(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	other := []string{"0.0.1-python3.12", "9.9.9-python3.12", "zzz"}
	for name, link := range map[string]string{
		"path-without-slash": `<tags/list?%s>; rel="next"`,
		"query-alone":        `<?%s>; rel="next"`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runZoo(t, lexicalLinked(sorted, other, func(last string, n int) string {
				return fmt.Sprintf(link, "last="+url.QueryEscape(last)+"&n="+strconv.Itoa(n))
			}), "prefecthq/prefect", sorted, true)
		})
	}
}
