package resolver

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// fakeRegistry answers from a map of tag to digest and counts calls.
type fakeRegistry struct {
	mu        sync.Mutex
	tags      map[string]string
	platforms map[string]string
	lists     int
	heads     []string
}

func (f *fakeRegistry) ListTags(context.Context, registry.Repository) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	var out []string
	for t := range f.tags {
		out = append(out, t)
	}
	return out, nil
}

func (f *fakeRegistry) Head(_ context.Context, repo registry.Repository, tag string) (registry.Descriptor, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.heads = append(f.heads, tag)
	d, ok := f.tags[tag]
	if !ok {
		return registry.Descriptor{}, &registry.Error{Registry: "fake", Repository: repo.String(), Action: "read tag " + tag, StatusCode: 404}
	}
	return registry.Descriptor{Digest: d}, nil
}

func (f *fakeRegistry) Platforms(context.Context, registry.Repository, string) (registry.Platforms, error) {
	return registry.Platforms{ByPlatform: f.platforms}, nil
}

func selector(t *testing.T, versions, python string, flavor prefecttag.Flavor) prefecttag.Selector {
	t.Helper()
	c, err := prefecttag.ParseConstraint(versions)
	if err != nil {
		t.Fatal(err)
	}
	p, err := prefecttag.ParsePythonConstraint(python)
	if err != nil {
		t.Fatal(err)
	}
	return prefecttag.Selector{Versions: c, Python: p, Flavor: flavor}
}

func newFake() *fakeRegistry {
	return &fakeRegistry{tags: map[string]string{
		"3.1.15-python3.12":        "sha256:a",
		"3.1.15-python3.11":        "sha256:b",
		"3.2.0-python3.12":         "sha256:c",
		"3.2.0-python3.12-conda":   "sha256:d",
		"3.2.1.dev1-python3.12":    "sha256:e",
		"3-latest":                 "sha256:f",
		"0.7.5-python3.12-prefect": "sha256:g",
	}}
}

func TestResolveExactSelectorNeedsNoListing(t *testing.T) {
	f := newFake()
	r := New(f)
	pin, err := r.Resolve(context.Background(), Request{Repository: "prefecthq/prefect", Selector: selector(t, "3.1.15", "3.12", "")})
	if err != nil {
		t.Fatal(err)
	}
	if f.lists != 0 {
		t.Errorf("an exact version with Python listed the repository %d times", f.lists)
	}
	want := Pin{Tag: "3.1.15-python3.12", Digest: "sha256:a", Ref: "prefecthq/prefect@sha256:a",
		TaggedRef: "prefecthq/prefect:3.1.15-python3.12@sha256:a", PrefectVersion: "3.1.15", PythonVersion: "3.12", Flavor: "standard"}
	if pin.Tag != want.Tag || pin.Ref != want.Ref || pin.TaggedRef != want.TaggedRef || pin.PrefectVersion != want.PrefectVersion || pin.PythonVersion != want.PythonVersion || pin.Flavor != want.Flavor {
		t.Errorf("pin = %+v, want %+v", pin, want)
	}
}

func TestResolveMissingExactTagListsToExplain(t *testing.T) {
	f := newFake()
	r := New(f)
	_, err := r.Resolve(context.Background(), Request{Repository: "prefecthq/prefect", Selector: selector(t, "3.1.16", "3.12", "")})
	var noMatch *NoMatchError
	if !errors.As(err, &noMatch) {
		t.Fatalf("err = %v, want a *NoMatchError", err)
	}
	if f.lists != 1 || !strings.Contains(err.Error(), "In prefecthq/prefect: ") || !strings.Contains(err.Error(), "3.2.0") {
		t.Errorf("lists = %d, err = %v", f.lists, err)
	}
}

// The registry client keeps each listing: four pins of one repository, at
// once, read each tag list page once.
func TestResolveListsOncePerRepository(t *testing.T) {
	reg := registrytest.Prefect(t)
	repo := reg.Host() + "/prefecthq/prefect"
	r := New(newClient(t))
	var wg sync.WaitGroup
	for _, flavor := range []prefecttag.Flavor{"standard", "conda", "standard", "conda"} {
		wg.Go(func() {
			pin, err := r.Resolve(context.Background(), Request{Repository: repo, Selector: selector(t, "~> 3.7.0", "", flavor)})
			if err != nil || !strings.HasPrefix(pin.Tag, "3.7.8-python3.") {
				t.Errorf("%s: pin %+v, err %v", flavor, pin, err)
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, line := range reg.Requests() {
		if strings.Contains(line, "/tags/list") {
			if seen[line] {
				t.Errorf("page read twice: %s", line)
			}
			seen[line] = true
		}
	}
	if len(seen) == 0 {
		t.Error("no tag list was read")
	}
}

func TestResolveTagOfAnyScheme(t *testing.T) {
	r := New(newFake())
	for tag, want := range map[string]Pin{
		"3-latest":                 {Flavor: "standard"},
		"0.7.5-python3.12-prefect": {},
	} {
		pin, err := r.Resolve(context.Background(), Request{Repository: "ghcr.io/acme/prefect", Tag: tag})
		if err != nil {
			t.Fatal(err)
		}
		if pin.PrefectVersion != "" || pin.PythonVersion != want.PythonVersion || pin.Flavor != want.Flavor || pin.Tag != tag {
			t.Errorf("%s: %+v", tag, pin)
		}
	}
}

func TestMatchPlatform(t *testing.T) {
	platforms := map[string]string{"linux/amd64": "sha256:1", "linux/arm64/v8": "sha256:2", "linux/arm/v6": "sha256:3", "linux/arm/v7": "sha256:4"}
	cases := map[string]string{
		"linux/amd64":    "sha256:1",
		"linux/arm64":    "sha256:2", // published with a variant
		"linux/arm64/v8": "sha256:2",
		"linux/arm":      "sha256:4", // v7, as docker pull --platform linux/arm takes it
		"linux/arm/v7":   "sha256:4",
		"linux/arm/7":    "sha256:4",
		"linux/arm/v6":   "sha256:3",
		"windows/amd64":  "",
	}
	for want, digest := range cases {
		got, ok := MatchPlatform(platforms, want)
		if got != digest || ok != (digest != "") {
			t.Errorf("MatchPlatform(%q) = %q, %v; want %q", want, got, ok, digest)
		}
	}
	// containerd's normalization: arm64's v8 and amd64's v1 are the
	// default variant, written without one by docker buildx (Prefect's
	// index), with one by Docker's official images; either spelling asks
	// for the same platform, and is preferred over a wider match.
	buildx := map[string]string{"linux/amd64": "sha256:1", "linux/arm64": "sha256:2"}
	armVariants := map[string]string{"linux/arm64/v8": "sha256:8", "linux/arm64/v9": "sha256:9"}
	for _, c := range []struct {
		platforms    map[string]string
		want, digest string
	}{
		{buildx, "linux/arm64/v8", "sha256:2"},
		{buildx, "linux/arm64/8", "sha256:2"},
		{buildx, "linux/amd64/v1", "sha256:1"},
		{buildx, "linux/arm64/v9", ""},
		{buildx, "linux/amd64/v2", ""},
		{armVariants, "linux/arm64", "sha256:8"}, // v8 is what linux/arm64 means, not ambiguous
		{armVariants, "linux/arm64/v9", "sha256:9"},
		{map[string]string{"linux/arm64": "sha256:2", "linux/arm64/v8": "sha256:3"}, "linux/arm64/v8", ""},         // two that differ, one exactly
		{map[string]string{"linux/arm64": "sha256:2", "linux/arm64/v8": "sha256:3"}, "linux/arm64", ""},            // the other way
		{map[string]string{"linux/arm64": "sha256:2", "linux/arm64/v8": "sha256:2"}, "linux/arm64/v8", "sha256:2"}, // one image, listed twice
		{map[string]string{"linux/arm64/v8": "sha256:2", "linux/arm64/8": "sha256:3"}, "linux/arm64", ""},          // two that differ
		// A bare platform takes no newer variant alone, which docker pull
		// --platform refuses and its CPUs may not run; an older arm one
		// it pulls, it does.
		{map[string]string{"linux/amd64/v3": "sha256:3", "linux/arm64": "sha256:2"}, "linux/amd64", ""},
		{map[string]string{"linux/arm64/v9": "sha256:9"}, "linux/arm64", ""},
		{map[string]string{"linux/arm/v8": "sha256:8"}, "linux/arm", ""},
		{map[string]string{"linux/arm/v6": "sha256:6"}, "linux/arm", "sha256:6"},
	} {
		got, ok := MatchPlatform(c.platforms, c.want)
		if got != c.digest || ok != (c.digest != "") {
			t.Errorf("MatchPlatform(%v, %q) = %q, %v; want %q", c.platforms, c.want, got, ok, c.digest)
		}
		if ok && !Provides(c.platforms, c.want) {
			t.Errorf("%q resolves in %v but is not provided", c.want, c.platforms)
		}
	}
}

func TestResolvePlatformError(t *testing.T) {
	f := newFake()
	f.platforms = map[string]string{"linux/amd64": "sha256:1"}
	_, err := New(f).Resolve(context.Background(), Request{Repository: "prefecthq/prefect", Tag: "3-latest", Platform: "linux/arm64"})
	var pe *PlatformError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), `has no image for platform "linux/arm64"; it has linux/amd64`) {
		t.Errorf("err = %v", err)
	}
}

// An index listing linux/arm64 and linux/arm64/v8 with different images
// (manifests of two builders merged by hand): Docker and containerd pull,
// for either platform, the image listed first, which the platforms read do
// not say. Asked for either, an error naming both; linux/arm64/v8 pinned
// its own entry, the image no pull of the index gave when listed second.
func TestResolvePlatformListedTwiceWithDifferentImages(t *testing.T) {
	f := newFake()
	f.platforms = map[string]string{"linux/amd64": "sha256:1", "linux/arm64": "sha256:2", "linux/arm64/v8": "sha256:3"}
	for _, want := range []string{"linux/arm64", "linux/arm64/v8", "linux/arm64/8"} {
		pin, err := New(f).Resolve(context.Background(), Request{Repository: "prefecthq/prefect", Tag: "3-latest", Platform: want})
		var pe *PlatformError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), "lists linux/arm64 and linux/arm64/v8 with different images") {
			t.Errorf("%s: pin %+v, %v; want an error naming both", want, pin, err)
		}
	}
	pin, err := New(f).Resolve(context.Background(), Request{Repository: "prefecthq/prefect", Tag: "3-latest", Platform: "linux/amd64"})
	if err != nil || pin.PlatformDigest != "sha256:1" {
		t.Errorf("linux/amd64: pin %+v, %v", pin, err)
	}
}

func TestPinOfDigestOnly(t *testing.T) {
	pin := PinOf("prefecthq/prefect", "", "sha256:x")
	if pin.Ref != "prefecthq/prefect@sha256:x" || pin.TaggedRef != "" || pin.Tag != "" {
		t.Errorf("%+v", pin)
	}
}

// listsMore lists a tag whose manifest it does not hold, as a pull-through
// cache does when its upstream lists the tag but refuses the manifest.
type listsMore struct {
	*fakeRegistry
	extra string
}

func (l listsMore) ListTags(ctx context.Context, repo registry.Repository) ([]string, error) {
	tags, err := l.fakeRegistry.ListTags(ctx, repo)
	return append(tags, l.extra), err
}

// A tag chosen from the tag list whose manifest is then not found says
// that it was listed, and what answers so: "does not exist there" alone
// contradicts the list the user can read. A tag named in the
// configuration, never listed, says nothing more.
func TestResolveListedTagNotFound(t *testing.T) {
	reg := listsMore{newFake(), "3.2.2-python3.12"}
	_, err := New(reg).Resolve(context.Background(), Request{Repository: "prefecthq/prefect", Selector: selector(t, "~> 3.2", "3.12", "")})
	want := `The tag 3.2.2-python3.12 is in the repository's tag list, read in this run`
	if !registry.IsNotFound(err) || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v; want a 404 that says %q", err, want)
	}
	_, err = New(reg).Resolve(context.Background(), Request{Repository: "prefecthq/prefect", Tag: "3.2.9-python3.12"})
	if !registry.IsNotFound(err) || strings.Contains(err.Error(), "tag list") {
		t.Errorf("a tag named, not listed: %v; want the 404 alone", err)
	}
}

// settleNotFound lists ranges whose tags are still to be settled, and
// whose settling (the whole list read after the order check) is answered
// 404, as for a repository deleted meanwhile.
type settleNotFound struct{ *fakeRegistry }

func (s settleNotFound) ListTagRange(ctx context.Context, repo registry.Repository, _ registry.TagRange) ([]string, error) {
	return s.ListTags(ctx, repo)
}

func (s settleNotFound) ListTagRangeSoon(ctx context.Context, repo registry.Repository, _ registry.TagRange) ([]string, func(context.Context) ([]string, error), error) {
	tags, err := s.ListTags(ctx, repo)
	return tags, func(context.Context) ([]string, error) {
		return nil, &registry.Error{Registry: "fake", Repository: repo.String(), Action: "list tags", StatusCode: 404}
	}, err
}

// A 404 to the listing itself, met while its tags are settled, is not a
// listed tag's manifest answered 404: it names no tag "in the tag list".
func TestResolveSettleNotFoundIsNoListedTag(t *testing.T) {
	_, err := New(settleNotFound{newFake()}).Resolve(context.Background(), Request{Repository: "prefecthq/prefect", Selector: selector(t, "~> 3.2", "3.12", "")})
	if !registry.IsNotFound(err) || errors.As(err, new(*ListedTagNotFoundError)) {
		t.Errorf("got %v; want the listing's 404 alone", err)
	}
}

// headFails answers every HEAD with a server error.
type headFails struct{ *fakeRegistry }

func (f headFails) Head(_ context.Context, repo registry.Repository, tag string) (registry.Descriptor, error) {
	return registry.Descriptor{}, &registry.Error{Registry: "fake", Repository: repo.String(), Action: "read tag " + tag, StatusCode: 500}
}

// Only a tag that is not there sends an exact selector to the listing (to
// explain what is): any other failure of its HEAD is the error, at once.
func TestResolveExactTagHeadFailsWithoutListing(t *testing.T) {
	f := newFake()
	r := New(headFails{f})
	_, err := r.Resolve(context.Background(), Request{Repository: "prefecthq/prefect", Selector: selector(t, "3.1.15", "3.12", "")})
	var regErr *registry.Error
	if !errors.As(err, &regErr) || regErr.StatusCode != 500 {
		t.Fatalf("err = %v, want the HEAD's HTTP 500", err)
	}
	if f.lists != 0 {
		t.Errorf("a failed HEAD (not a missing tag) listed the repository %d times", f.lists)
	}
}
