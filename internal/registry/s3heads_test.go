package registry

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// keyAfterEnd's manifest HEADs (one per '-' or '.' of the last key of an
// answer taken without n on object storage) go out together: each HEAD
// waits here until every one is in flight. Asked one after another, as
// before, the first waits alone until the test's patience runs out, and
// a short list on S3 costs a round trip per '-' or '.' of its last tag.
func TestKeyAfterEndAsksTogether(t *testing.T) {
	all := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	want := all[:57]
	keys := keyOrder54r(want)
	end := keys[len(keys)-1]
	var cut []string
	for i := range len(end) {
		if (end[i] == '-' || end[i] == '.') && validTag(end[:i]) {
			cut = append(cut, end[:i])
		}
	}
	if len(cut) < 2 {
		t.Fatalf("the last key %q extends %d tags: pick a list whose last key has two or more", end, len(cut))
	}
	var mu sync.Mutex
	inFlight, most := 0, 0
	together := make(chan struct{})
	s3 := distributionS3(want)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead && strings.Contains(r.URL.Path, "/manifests/") {
			mu.Lock()
			inFlight++
			most = max(most, inFlight)
			if inFlight == len(cut) {
				close(together)
			}
			mu.Unlock()
			select {
			case <-together:
			case <-time.After(5 * time.Second): // patience, not an ordering: the HEADs never met
			}
			mu.Lock()
			inFlight--
			mu.Unlock()
		}
		s3(w, r)
	})
	c, ref := zooClient(t, h, "prefecthq/prefect")
	got, err := c.ListTags(context.Background(), ref)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("ListTags: %d tags, %v; want the %d tags", len(got), err, len(want))
	}
	if most != len(cut) {
		t.Fatalf("at most %d of the %d HEADs for %q were in flight at once; want all %d together", most, len(cut), cut, len(cut))
	}
}
