package resolver

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// settleTags are tags whose list's first page (1000 tags, all 2.0.x) ends
// before the span of ~> 3.8.0, so that the registry's order is still to be
// checked when that span has been read; the span's first tag is the newest
// release, 3.8.10 (it sorts before 3.8.9).
func settleTags() []string {
	tags := []string{"3.8.10-python3.12", "3.8.9-python3.12"}
	for i := range 1200 {
		tags = append(tags, fmt.Sprintf("2.0.%d-python3.11", i))
	}
	return tags
}

// On distribution v3.0.0, which answers a last that is no tag from the
// second tag past it, the span of ~> 3.8.0 reads without 3.8.10, and
// those tags select 3.8.9. The pin must be 3.8.10, with its own digest:
// the tags are settled (the order check fails, the whole list is read)
// before the HEAD begun on 3.8.9 is trusted.
func TestResolveSettlesBeforeTrustingTheEarlyHead(t *testing.T) {
	pinOnSkippingRegistry(t, settleTags(), "~> 3.8.0", "3.8.10-python3.12")
}

// pinOnSkippingRegistry resolves versions on Python 3.12 against
// distribution v3.0.0 holding tags, and checks the pin: want, with its
// own digest.
func pinOnSkippingRegistry(t *testing.T, tags []string, versions, want string) {
	t.Helper()
	reg := registrytest.New(t, registrytest.WithSkipPastUnknownLast())
	if err := reg.Seed("prefecthq/prefect", tags); err != nil {
		t.Fatal(err)
	}
	digest, err := reg.Digest("prefecthq/prefect", want)
	if err != nil {
		t.Fatal(err)
	}
	pin, err := New(newClient(t)).Resolve(context.Background(), Request{
		Repository: reg.Host() + "/prefecthq/prefect",
		Selector:   selector(t, versions, "3.12", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	if pin.Tag != want || pin.Digest != digest {
		t.Errorf("pinned %s@%s, want %s@%s", pin.Tag, pin.Digest, want, digest)
	}
}

// On a lexical registry whose order is still to be checked, the HEAD of
// the selected tag is sent while the check runs, not after it: the check
// (the n=10 page between two first-page tags) is held until a HEAD has
// arrived. Without the early HEAD it is released only by the guard, and
// the test fails.
func TestResolveHeadsWhileTheOrderIsChecked(t *testing.T) {
	var headed atomic.Bool
	headSeen := make(chan struct{})
	var heldOK atomic.Bool
	hold := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodHead && strings.Contains(r.URL.Path, "/manifests/") && headed.CompareAndSwap(false, true) {
				close(headSeen)
			}
			if strings.HasSuffix(r.URL.Path, "/tags/list") && r.URL.Query().Get("n") == "10" {
				select {
				case <-headSeen:
					heldOK.Store(true)
				case <-time.After(10 * time.Second): // a guard against a hang, not a measure
				case <-r.Context().Done():
				}
			}
			next.ServeHTTP(w, r)
		})
	}
	reg := registrytest.New(t, registrytest.WithMiddleware(hold))
	if err := reg.Seed("prefecthq/prefect", settleTags()); err != nil {
		t.Fatal(err)
	}
	pin, err := New(newClient(t)).Resolve(context.Background(), Request{
		Repository: reg.Host() + "/prefecthq/prefect",
		Selector:   selector(t, "~> 3.8.0", "3.12", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	if pin.Tag != "3.8.10-python3.12" {
		t.Errorf("pinned %s, want 3.8.10-python3.12", pin.Tag)
	}
	if !heldOK.Load() {
		t.Error("the order check was answered before any HEAD was sent: the HEAD waited for the check")
	}
	if c := reg.Counts(); c.Head != 1 {
		t.Errorf("%d HEADs, want 1", c.Head)
	}
}

// On distribution v3.0.0 the span of ~> 3.8.0 reads without 3.8.10, and
// what it holds (3.8.9 for Python 3.11 alone) matches nothing for Python
// 3.12: no error may be told from those tags before they are settled.
func TestResolveSettlesBeforeTellingNoMatch(t *testing.T) {
	tags := settleTags()
	tags[1] = "3.8.9-python3.11"
	pinOnSkippingRegistry(t, tags, "~> 3.8.0", "3.8.10-python3.12")
}

// Every span of a selector is settled, not only the first: ~> 3.20 reads
// the span of the minors 3.20 to 3.99 and that of 3.100 to 3.109, among
// others; on distribution v3.0.0 the latter reads without 3.100.0, the
// newest release, and the former without 3.20.0.
func TestResolveSettlesEverySpan(t *testing.T) {
	tags := append(settleTags()[2:], "3.20.0-python3.12", "3.20.1-python3.12", "3.100.0-python3.12")
	pinOnSkippingRegistry(t, tags, "~> 3.20", "3.100.0-python3.12")
}
