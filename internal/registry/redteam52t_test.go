package registry

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// A release pushed while a registry that ignores last and sends no Link
// (n honoured, uncapped) is read: asked for every tag at once, it sent the
// 720 tags; asked again after the highest of them, to show nothing
// follows, it sent them with the release's three (sorting below it), a
// page ending at that same tag. The listing fails rather than ask the same
// page again, and it said only that paging stopped "to avoid a loop", as
// if the registry's paging went round: it says too that the list may have
// changed while it was read, and that a plan run again may read it whole.
func TestRedteam52tPushedWhileAskedWholeSaysSo(t *testing.T) {
	noDockerConfig(t)
	before := sixMinors()
	release := []string{"3.5.40-python3.10", "3.5.40-python3.11", "3.5.40-python3.12"}
	var mu sync.Mutex
	tags, reqs := slices.Clone(before), 0
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/tags/list") {
			w.WriteHeader(http.StatusOK)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if reqs++; reqs == 4 { // after the answer with every tag
			tags = slices.Sorted(slices.Values(append(tags, release...)))
		}
		n := 100
		if s := r.URL.Query().Get("n"); s != "" {
			n, _ = strconv.Atoi(s)
		}
		writeTags(w, tags[:min(len(tags), max(n, 1))]) // last ignored, no Link
	})
	c, ref := zooClient(t, h, "prefecthq/prefect")
	c.pageSize = 50
	got, err := c.ListTags(context.Background(), ref)
	after := slices.Sorted(slices.Values(append(slices.Clone(before), release...)))
	switch {
	case err == nil && !slices.Equal(got, before) && !slices.Equal(got, after):
		t.Errorf("WRONG SET: %d tags, want %d or %d", len(got), len(before), len(after))
	case err != nil && !strings.Contains(err.Error(), "changed while it was read"):
		t.Errorf("the error does not say the list may have changed while it was read: %v", err)
	}
}
