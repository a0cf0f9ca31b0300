package bench

import (
	"context"
	"maps"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// The benchmark measures every shape of registrytest.Shapes and the S3
// shape, each once.
func TestShapes(t *testing.T) {
	names := map[string]bool{}
	for _, s := range Shapes() {
		if names[s.Name] {
			t.Errorf("shape %q twice", s.Name)
		}
		names[s.Name] = true
	}
	for _, s := range append(registrytest.Shapes(), registrytest.ObjectStorageShape()) {
		if !names[s.Name] {
			t.Errorf("the benchmark does not measure shape %q", s.Name)
		}
	}
}

// On the S3 shape the fleet, resolved in process as a plan does, picks
// the tags it picks on Docker Hub's shape, with one ping, one token, a
// HEAD per pin (and those that show the answer without n ends the list:
// registry.keyAfterEnd) and no GET, and reads no more list pages than a
// full listing alone and the one page that probes the order: what the
// BENCHMARKS.md row of the shape shows with latency. Measured: 18 list
// pages against 17, 23 HEADs, 43 requests.
func TestObjectStorageShapeFleet(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 13,512 tags twice")
	}
	ctx := context.Background()
	pins := Fleet()
	hub, err := StartRegistry(0)
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Close()
	want, err := ResolveShared(ctx, hub.RepositoryRef(), pins)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := StartRegistry(0, registrytest.ObjectStorageShape().Opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	var got map[string]Resolved
	plan, err := reg.Measure(ctx, func(ctx context.Context) (err error) {
		got, err = ResolveShared(ctx, reg.RepositoryRef(), pins)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !maps.EqualFunc(got, want, func(a, b Resolved) bool { return a.Tag == b.Tag }) {
		t.Errorf("on the S3 shape the fleet resolved\n%v\nwhere on Docker Hub's\n%v", got, want)
	}
	full, err := reg.Measure(ctx, func(ctx context.Context) error { return ListWhole(ctx, reg.RepositoryRef()) })
	if err != nil {
		t.Fatal(err)
	}
	c := plan.Counts
	t.Logf("S3 shape: plan %+v (%d requests, round trips %s); full listing alone: %d list requests, %d HEADs", c, c.Total(), ChainString(plan.Chain), full.Counts.ListPage, full.Counts.Head)
	if c.Ping != 1 || c.Token != 1 || c.Head < len(pins) || c.Get != 0 {
		t.Errorf("plan sent %+v: want one ping, one token, a HEAD per pin (%d) and more only to show the list whole, no GET", c, len(pins))
	}
	if c.ListPage > full.Counts.ListPage+1 {
		t.Errorf("plan read %d list pages; a full listing alone reads %d: want at most one more", c.ListPage, full.Counts.ListPage)
	}
}
