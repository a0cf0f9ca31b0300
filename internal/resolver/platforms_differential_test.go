package resolver

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// The platform guard (required_platforms) on every tag list shape checks
// the image that selection over the full catalog picks, and that one
// alone: a selector whose pick lacks a platform fails with the pick's tag
// and digest and what it lacks (an index of attestations alone lacks
// both), never falling back to another release; any other selector pins
// its pick with the image's own platforms. Each selector resolves with a
// client of its own.
func TestRequiredPlatformsAsFullCatalogOnEveryShape(t *testing.T) {
	tags := tagcatalog.Prefect()
	whole := prefecttag.NewCatalog(tags)
	required := []string{"linux/amd64", "linux/arm64"}
	// The picks of some fleet selectors, re-pushed without arm64, or
	// with attestations only.
	lacking := map[string][]string{
		"3.8.3-python3.12":       {"linux/arm64"},
		"3.8.3-python3.11-conda": {"linux/arm64"},
		"2.20.25-python3.11":     {"linux/amd64", "linux/arm64"},
	}
	sels := append(slices.Clone(fleetSelectors), diffSel{"", "", "", false}, diffSel{"3.0.0rc14", "3.11", "conda", false}, diffSel{"~> 9.0", "", "", false})
	seeded := registrytest.New(t)
	if err := seeded.Seed("prefecthq/prefect", tags); err != nil {
		t.Fatal(err)
	}
	for tag, missing := range lacking {
		var has []string
		for _, p := range required {
			if !slices.Contains(missing, p) {
				has = append(has, p)
			}
		}
		if _, err := seeded.PushPlatforms("prefecthq/prefect", tag, has...); err != nil {
			t.Fatal(err)
		}
	}
	for _, sh := range registrytest.Shapes() {
		t.Run(sh.Name, func(t *testing.T) {
			reg := seeded.Share(t, sh.Opts...)
			repo := reg.Host() + "/prefecthq/prefect"
			for _, s := range sels {
				sel := diffSelector(t, s)
				want := diffWant(whole, sel)
				c := newClient(t)
				pin, err := New(c).Resolve(context.Background(), Request{Repository: repo, Selector: sel, RequiredPlatforms: required})
				c.CloseIdleConnections()
				var missing *MissingPlatformsError
				var noMatch *NoMatchError
				switch {
				case want == "ERR":
					if !errors.As(err, &noMatch) {
						t.Errorf("%+v: %v (pin %q), want no match", s, err, pin.Tag)
					}
				case lacking[want] != nil:
					digest, _ := reg.Digest("prefecthq/prefect", want)
					if !errors.As(err, &missing) || missing.Tag != want || missing.Digest != digest || !slices.Equal(missing.Missing, lacking[want]) {
						t.Errorf("%+v: %v (pin %q), want %s@%s lacking %v", s, err, pin.Tag, want, digest, lacking[want])
					}
				case err != nil:
					t.Errorf("%+v: %v, want %s", s, err, want)
				default:
					platforms, _ := reg.PlatformDigests("prefecthq/prefect", want)
					if pin.Tag != want || !maps.Equal(pin.PlatformDigests, platforms) {
						t.Errorf("%+v: pinned %s with %v, want %s with %v", s, pin.Tag, pin.PlatformDigests, want, platforms)
					}
				}
			}
		})
	}
}
