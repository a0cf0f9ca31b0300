package resolver

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// Two pins of one plan ask for the same tags; the first one's context is
// cancelled while its listing is held at the registry, and the second,
// whose context is alive, resolves: the listing the client shares runs on
// a context of its own. The registry holds the first page until the first
// caller has given up, so the order is the test's, not the scheduler's.
func TestFirstCallerCancelledOthersStillResolve(t *testing.T) {
	arrived, release := make(chan struct{}, 64), make(chan struct{})
	reg := registrytest.Prefect(t, registrytest.WithMaxPageSize(100), registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if strings.HasSuffix(req.URL.Path, "/tags/list") {
				select {
				case arrived <- struct{}{}:
				default:
				}
				<-release
			}
			next.ServeHTTP(w, req)
		})
	}))
	repo := reg.Host() + "/prefecthq/prefect"
	r := New(newClient(t))
	sel := selector(t, "~> 3.4", "", "") // a multi-page span

	first, cancel := context.WithCancel(context.Background())
	firstDone := make(chan error, 1)
	go func() {
		_, err := r.Resolve(first, Request{Repository: repo, Selector: sel})
		firstDone <- err
	}()
	<-arrived // the first caller's listing is at the registry
	secondDone := make(chan error, 1)
	go func() {
		_, err := r.Resolve(context.Background(), Request{Repository: repo, Selector: sel})
		secondDone <- err
	}()
	cancel()
	err := <-firstDone
	if err == nil || !strings.Contains(err.Error(), "cancel") {
		t.Errorf("the cancelled caller got %v; want its cancellation", err)
	}
	close(release)
	if err := <-secondDone; err != nil {
		t.Fatalf("the second caller, whose context is alive, failed: %v", err)
	}
}
