package resolver

import (
	"context"
	"testing"
	"time"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// Two pins of one plan ask for the same catalog; the first one's context is
// cancelled while the second, whose context is alive, waits for the shared
// listing. The second still resolves: the shared listing runs on a context
// of its own, cancelled only when every caller has gone.
func TestFirstCallerCancelledOthersStillResolve(t *testing.T) {
	reg := registrytest.New(t, registrytest.WithLatency(40*time.Millisecond), registrytest.WithMaxPageSize(100))
	if err := reg.Seed("prefecthq/prefect", tagcatalog.Prefect()); err != nil {
		t.Fatal(err)
	}
	repo := reg.Host() + "/prefecthq/prefect"
	r := New(newClient(t))
	sel := selector(t, "~> 3.4", "", "") // a multi-page span

	first, cancel := context.WithCancel(context.Background())
	firstDone := make(chan error, 1)
	go func() {
		_, err := r.Resolve(first, Request{Repository: repo, Selector: sel})
		firstDone <- err
	}()
	time.Sleep(120 * time.Millisecond) // the first caller is listing
	secondDone := make(chan error, 1)
	go func() {
		_, err := r.Resolve(context.Background(), Request{Repository: repo, Selector: sel})
		secondDone <- err
	}()
	time.Sleep(60 * time.Millisecond) // the second caller waits for the same listing
	cancel()
	if err := <-firstDone; err == nil {
		t.Error("the cancelled caller resolved; want its cancellation")
	}
	if err := <-secondDone; err != nil {
		t.Fatalf("the second caller, whose context is alive, failed: %v", err)
	}
}
