package resolver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

func releaseFilter(t *testing.T, versions, python, flavor string, pre bool) prefecttag.ReleaseFilter {
	t.Helper()
	f, err := prefecttag.ParseReleaseFilter(versions, python, flavor, pre)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// seeded starts a registry holding tags as prefecthq/prefect and returns
// it with the repository's name on it.
func seeded(t *testing.T, tags []string) (*registrytest.Registry, string) {
	t.Helper()
	reg := registrytest.New(t)
	if err := reg.Seed("prefecthq/prefect", tags); err != nil {
		t.Fatal(err)
	}
	return reg, reg.Host() + "/prefecthq/prefect"
}

// describe renders releases as "version: tag tag …; version: …".
func describe(rels []prefecttag.Release) string {
	var b strings.Builder
	for i, r := range rels {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(r.Version.String() + ":")
		for _, img := range r.Images {
			b.WriteString(" " + img.Name)
		}
	}
	return b.String()
}

// Releases read through the spans hold what the whole catalog holds for
// the same filter, minors of unusual widths included, and read tag lists
// only: no HEAD, no GET.
func TestReleasesSpansHoldWhatTheWholeCatalogHolds(t *testing.T) {
	tags := append(tagcatalog.Prefect(), "2.150.0-python3.11", "2.105.1-python3.11-conda", "3.100.0-python3.12", "10.0.0-python3.12")
	reg, repo := seeded(t, tags)
	whole := prefecttag.NewCatalog(tags)
	for _, tc := range []struct {
		versions, python, flavor string
		pre                      bool
	}{
		{"", "", "", false}, {"", "3.12", "conda", true}, {"~> 3.8.0", "", "", true}, {"3.7.8", "", "", false},
		{"~> 2.20", "", "", false}, {"~> 2.5", "3.10", "", false}, {"==2.*", "", "kubernetes", false},
		{"~> 3.4", ">= 3.12", "", true}, {">= 3.1, < 3.5", "", "conda", false}, {"3.0.0rc14", "", "", false},
		{"~> 9.0", "", "", true},
	} {
		f := releaseFilter(t, tc.versions, tc.python, tc.flavor, tc.pre)
		reg.ResetCounts()
		got, err := New(newClient(t)).Releases(context.Background(), repo, f)
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		if g, w := describe(got), describe(whole.Releases(f)); g != w {
			t.Errorf("%+v: through the spans\n%s\nthe whole catalog\n%s", tc, g, w)
		}
		if c := reg.Counts(); c.Head != 0 || c.Get != 0 || c.ListPage == 0 {
			t.Errorf("%+v: requests %+v, want tag lists only", tc, c)
		}
	}
}

// A constraint that fixes a minor lists that minor's span alone, as a pin's
// selector does: a fraction of the pages of every release tag, and tag lists
// only. No constraint lists every release tag, never a sha- tag.
func TestReleasesNarrowTheListing(t *testing.T) {
	reg := registrytest.Prefect(t)
	repo := reg.Host() + "/prefecthq/prefect"
	pages := func(f prefecttag.ReleaseFilter) int {
		t.Helper()
		reg.ResetCounts()
		if _, err := New(newClient(t)).Releases(context.Background(), repo, f); err != nil {
			t.Fatal(err)
		}
		c := reg.Counts()
		if c.ListPage == 0 || c.Total() != c.ListPage+c.Ping+c.Token {
			t.Errorf("%+v: %+v, want tag lists only", f, c)
		}
		return c.ListPage
	}
	every := pages(prefecttag.ReleaseFilter{})
	for _, line := range reg.Requests() {
		if strings.Contains(line, "/tags/list") && strings.Contains(line, "last=sha") {
			t.Errorf("every release tag read the sha- tags: %s", line)
		}
	}
	for _, vs := range []string{"~> 3.8.0", "==2.20.*", "3.1.9"} {
		if n := pages(releaseFilter(t, vs, "", "", true)); 3*n > every {
			t.Errorf("%s read %d list pages, every release tag %d: want the minor's span alone", vs, n, every)
		}
	}
}

// A pin and a release listing of the same repository on one resolver, at
// once and one after another, read each tag list page once.
func TestReleasesShareTheListingWithPins(t *testing.T) {
	reg := registrytest.Prefect(t)
	repo := reg.Host() + "/prefecthq/prefect"
	r := New(newClient(t))
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			if i%2 == 0 {
				if _, err := r.Resolve(context.Background(), Request{Repository: repo, Selector: selector(t, "~> 3.4", "", "")}); err != nil {
					t.Error(err)
				}
				return
			}
			if _, err := r.Releases(context.Background(), repo, releaseFilter(t, "~> 3.4", "", "", false)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// Narrower and equal ranges afterwards are served from what was read.
	for _, vs := range []string{"~> 3.4", "~> 3.7.0", "3.8.3"} {
		if _, err := r.Releases(context.Background(), repo, releaseFilter(t, vs, "", "", true)); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for _, line := range reg.Requests() {
		if !strings.Contains(line, "/tags/list") {
			continue
		}
		if seen[line] {
			t.Errorf("page read twice: %s", line)
		}
		seen[line] = true
	}
	if len(seen) == 0 {
		t.Error("no tag list was read")
	}
	// The pins' HEADs (the client may share them); the releases make none.
	if c := reg.Counts(); c.Get != 0 || c.Head < 1 || c.Head > 2 {
		t.Errorf("%+v, want the pins' HEADs and no GET", c)
	}
}

// failingLister is a registry without ranges whose listing fails.
type failingLister struct {
	fakeRegistry
	err error
}

func (f *failingLister) ListTags(context.Context, registry.Repository) ([]string, error) {
	return nil, f.err
}

func TestReleasesWithoutRanges(t *testing.T) {
	f := newFake()
	got, err := New(f).Releases(context.Background(), "prefecthq/prefect", prefecttag.ReleaseFilter{AllowPrereleases: true})
	if err != nil {
		t.Fatal(err)
	}
	want := "3.2.1.dev1: 3.2.1.dev1-python3.12; 3.2.0: 3.2.0-python3.12 3.2.0-python3.12-conda; 3.1.15: 3.1.15-python3.11 3.1.15-python3.12"
	if describe(got) != want || f.lists != 1 || len(f.heads) != 0 {
		t.Errorf("Releases = %q (lists %d, heads %v), want %q from one listing and no HEAD", describe(got), f.lists, f.heads, want)
	}
	got, err = New(f).Releases(context.Background(), "prefecthq/prefect", releaseFilter(t, "~> 4.0", "", "", false))
	if err != nil || len(got) != 0 {
		t.Errorf("nothing matching: %v, %v; want no release and no error", got, err)
	}
}

func TestReleasesErrors(t *testing.T) {
	cause := &registry.Error{Registry: "fake", Repository: "prefecthq/prefect", Action: "list tags", StatusCode: http.StatusTooManyRequests}
	_, err := New(&failingLister{err: cause}).Releases(context.Background(), "prefecthq/prefect", prefecttag.ReleaseFilter{})
	if !errors.Is(err, cause) || !registry.IsRateLimited(err) {
		t.Errorf("err = %v, want the registry's error", err)
	}

	reg := registrytest.New(t, registrytest.WithMiddleware(func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, `{"errors":[{"code":"DENIED","message":"no"}]}`, http.StatusForbidden)
		})
	}))
	_, err = New(newClient(t)).Releases(context.Background(), reg.Host()+"/prefecthq/prefect", prefecttag.ReleaseFilter{})
	if !registry.IsUnauthorized(err) || !strings.Contains(err.Error(), reg.Host()) {
		t.Errorf("err = %v, want a 403 naming the registry", err)
	}
	if c := reg.Counts(); c.Head != 0 || c.Get != 0 {
		t.Errorf("%+v, want no manifest request", c)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = New(newClient(t)).Releases(ctx, reg.Host()+"/prefecthq/prefect", prefecttag.ReleaseFilter{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", fmt.Sprint(err))
	}
}

// Versions off the shipped catalogs' beaten track, through the spans: the
// two-number 2.0 alphas and betas and 1.0rc1 (in the "2.0" and "1."
// spans), a .post release, and a nightly series with no stable. The wants
// are what Python's packaging (PEP 440) keeps of the same versions, with a
// prerelease named by "==" admitted as SPEC says.
func TestReleasesOffTrackVersions(t *testing.T) {
	var tags []string
	for _, v := range []string{"2.0b8", "2.0b16", "2.0a5", "2.0.0", "1.0rc1", "1.0.0", "2.6.9", "2.6.9.post1", "3.1.16.dev1", "3.1.16.dev7", "3.2.0"} {
		tags = append(tags, v+"-python3.9", v+"-python3.10-conda")
	}
	_, repo := seeded(t, append(tags, "2.0-python3.9", "1-latest", "sha-1da1544-python3.9"))
	for _, tc := range []struct {
		versions string
		pre      bool
		want     string
	}{
		{"==2.0.*", true, "2.0.0 2.0b16 2.0b8 2.0a5"},
		{"==2.0.*", false, "2.0.0"},
		{"~> 1.0", true, "1.0.0"},
		{"> 2.6.9", false, "3.2.0"},
		{">= 2.6.9, < 3", false, "2.6.9.post1 2.6.9"},
		{"==3.1.16.*", true, "3.1.16.dev7 3.1.16.dev1"},
		{"~> 3.1.16", true, ""},
		{"2.0b8", false, "2.0b8"},
		{"< 2.0.0", true, "1.0.0 1.0rc1"},
	} {
		got, err := New(newClient(t)).Releases(context.Background(), repo, releaseFilter(t, tc.versions, "", "", tc.pre))
		if err != nil {
			t.Fatal(err)
		}
		var versions []string
		for _, r := range got {
			versions = append(versions, r.Version.String())
			if len(r.Images) != 2 || r.Images[0].Name != r.Version.String()+"-python3.9" {
				t.Errorf("%s: images %v, want its two tags", r.Version, r.Images)
			}
		}
		if g := strings.Join(versions, " "); g != tc.want {
			t.Errorf("%q (prereleases %v): %q, want %q", tc.versions, tc.pre, g, tc.want)
		}
	}
}
