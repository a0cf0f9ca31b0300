package bench

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"
)

func TestCriticalPath(t *testing.T) {
	t0 := time.Now()
	span := func(kind string, start, end int) Span {
		return Span{Kind: kind, Start: t0.Add(time.Duration(start) * time.Millisecond), End: t0.Add(time.Duration(end) * time.Millisecond)}
	}
	for _, tc := range []struct {
		name  string
		spans []Span
		want  string
	}{
		{"empty", nil, ""},
		{"sequential", []Span{span("ping", 0, 30), span("token", 30, 60), span("list", 60, 90), span("list", 90, 120)}, "ping → token → list ×2"},
		{"concurrent pages count once", []Span{
			span("ping", 0, 30), span("token", 31, 61),
			span("list", 62, 92), span("list", 62, 93), span("list", 63, 92),
			span("head", 94, 124), span("head", 95, 125),
		}, "ping → token → list → head"},
		{"overlap is not a chain", []Span{span("head", 0, 30), span("head", 29, 59)}, "head"},
		{"the longest chain wins over the earliest", []Span{
			span("list", 0, 100),
			span("head", 1, 31), span("head", 32, 62), span("head", 63, 93),
		}, "head ×3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chain := CriticalPath(tc.spans)
			if got := ChainString(chain); got != tc.want {
				t.Errorf("CriticalPath = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFleet(t *testing.T) {
	pins := Fleet()
	if len(pins) != 20 {
		t.Fatalf("fleet has %d pins, want 20", len(pins))
	}
	names := map[string]bool{}
	selectors := 0
	for _, p := range pins {
		if names[p.Name] {
			t.Errorf("pin name %s twice", p.Name)
		}
		names[p.Name] = true
		if _, err := p.Request(Repository); err != nil {
			t.Errorf("pin %s: %v", p.Name, err)
		}
		if p.Tag == "" {
			selectors++
		}
	}
	if selectors != 18 {
		t.Errorf("%d selector pins, want 18", selectors)
	}
	cfg := FleetConfig(pins)
	if n := strings.Count(cfg, `resource "prefectimage_pin"`); n != 20 {
		t.Errorf("config holds %d pins, want 20:\n%s", n, cfg)
	}
	for _, want := range []string{`prefect_version = "~> 3.8.0"`, `tag             = "3-latest"`, `flavor          = "conda"`} {
		if !strings.Contains(cfg, want) {
			t.Errorf("config lacks %s:\n%s", want, cfg)
		}
	}
}

// TestWaysAgree runs every in-process way of resolving the fleet against the
// benchmark registry, without latency, and checks that they agree, and that
// the shared client stays within the request target.
func TestWaysAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 13,512 tags")
	}
	reg, err := StartRegistry(0)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	ctx := context.Background()
	pins := Fleet()
	repo := reg.RepositoryRef()

	base, err := Baseline(ctx, repo, pins)
	if err != nil {
		t.Fatal(err)
	}
	s, err := reg.Measure(ctx, func(ctx context.Context) error {
		shared, err := ResolveShared(ctx, repo, pins)
		if err == nil && !maps.Equal(shared, base) {
			t.Errorf("shared client and baseline disagree:\n%v\n%v", shared, base)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.Counts.Total() > TargetRequests || s.Counts.Ping != 1 || s.Counts.Token != 1 || s.Counts.Head != 20 || s.Counts.Get != 0 {
		t.Errorf("shared client sent %+v; want one ping, one token, 20 HEADs, no GET, at most %d in all", s.Counts, TargetRequests)
	}
	perPin, err := ResolvePerPin(ctx, repo, pins)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(perPin, base) {
		t.Errorf("client per pin and baseline disagree:\n%v\n%v", perPin, base)
	}
	if got := base["p220_py311"].Tag; got != "2.20.25-python3.11" {
		t.Errorf("~> 2.20 on 3.11 chose %s", got)
	}
}
