package resolver

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// These tests run the resolver on the registry client against the
// in-process registry: selectors list only the spans of tag names they can
// pick, and pick what a selection over every tag picks.

func newClient(t *testing.T) *registry.Client {
	t.Helper()
	c, err := registry.New(registry.Config{Keychain: authn.NewMultiKeychain(), MaxRetries: registry.UseDefaultRetries})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestResolveSpansPickWhatTheWholeCatalogPicks(t *testing.T) {
	// Prefect's tags and a few it never published: minors of three digits
	// and a major of two, which only the spans' digit cases reach.
	tags := append(tagcatalog.Prefect(), "2.150.0-python3.11", "2.105.1-python3.11-conda", "3.100.0-python3.12", "10.0.0-python3.12")
	reg := registrytest.New(t)
	if err := reg.Seed("prefecthq/prefect", tags); err != nil {
		t.Fatal(err)
	}
	repo := reg.Host() + "/prefecthq/prefect"
	whole := prefecttag.NewCatalog(tags)
	r := New(newClient(t))
	for _, tc := range []struct{ versions, python, flavor string }{
		{"~> 3.8.0", "3.12", ""}, {"~> 3.8.0", "3.14", "kubernetes"}, {"~> 3.8.0", "3.10", "conda"},
		{"3.7.8", "3.12", ""}, {"3.7.8", "3.11", "conda"},
		{"~> 2.20", "3.11", ""}, {"~> 2.20", "3.11", "conda"}, {"~> 2.20", "3.12", ""},
		{"~> 2.5", "3.10", ""}, {"==2.*", "3.9", ""}, {"~> 3.4", "3.12", ""}, {">= 3.1, < 3.5", "3.11", "conda"},
		{"~> 3.1", "", ""}, {"", "3.12", ""}, {"~=3.6.0", "3.13", "conda"}, {"~> 3.6", ">= 3.12", "kubernetes"},
	} {
		sel := selector(t, tc.versions, tc.python, prefecttag.Flavor(tc.flavor))
		want, err := whole.Select(sel)
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		pin, err := r.Resolve(context.Background(), Request{Repository: repo, Selector: sel})
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		if pin.Tag != want.Name {
			t.Errorf("%+v: picked %s, the whole catalog %s", tc, pin.Tag, want.Name)
		}
	}
}

// The fleet's selectors list 3.8 (one page) and 2.20 and later 2.x (eleven
// spans of one page each), all at once.
func TestResolveSpansRequests(t *testing.T) {
	reg := registrytest.Prefect(t)
	repo := reg.Host() + "/prefecthq/prefect"
	r := New(newClient(t))
	for _, tc := range []struct {
		versions, python string
		pages            int
	}{
		{"~> 3.8.0", "3.12", 3}, // and the proof that the registry takes last lexically: the first page, and one between two of its tags
		{"~> 3.8.0", "3.10", 0},
		{"~> 2.20", "3.11", 11},
		{"3.7.8", "3.12", 0}, // an existing exact tag: HEAD only
	} {
		reg.ResetCounts()
		if _, err := r.Resolve(context.Background(), Request{Repository: repo, Selector: selector(t, tc.versions, tc.python, "")}); err != nil {
			t.Fatal(err)
		}
		if c := reg.Counts(); c.ListPage != tc.pages || c.Head != 1 {
			t.Errorf("%s on %s: %+v, want %d list pages and one HEAD", tc.versions, tc.python, c, tc.pages)
		}
	}
}

// A selector with nothing in its spans lists every release tag, so that the
// error shows what the repository has.
func TestResolveSpansNoMatchShowsTheRepository(t *testing.T) {
	reg := registrytest.Prefect(t)
	repo := reg.Host() + "/prefecthq/prefect"
	_, err := New(newClient(t)).Resolve(context.Background(), Request{Repository: repo, Selector: selector(t, "~> 3.9.0", "3.12", "")})
	var noMatch *NoMatchError
	if !errors.As(err, &noMatch) {
		t.Fatalf("err = %v, want a *NoMatchError", err)
	}
	if !slices.ContainsFunc(noMatch.Cause.Newest, func(v prefecttag.Version) bool { return strings.HasPrefix(v.String(), "3.8.") }) {
		t.Errorf("the error shows %v, want the newest 3.8 releases", noMatch.Cause.Newest)
	}
}

// releaseRange splits a span past its prefix at each next digit, 1 to 9,
// and the listing of every release tag where Prefect's names branch.
func TestReleaseRangeSplits(t *testing.T) {
	for _, tc := range []struct {
		span prefecttag.TagSpan
		want []string
	}{
		{prefecttag.TagSpan{After: "3.7~", Before: "3.8~", Prefix: "3.8"}, []string{"3.8.1", "3.8.2", "3.8.3", "3.8.4", "3.8.5", "3.8.6", "3.8.7", "3.8.8", "3.8.9"}},
		{prefecttag.TagSpan{After: "2-~", Before: "2.~", Prefix: "2."}, []string{"2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9"}},
		{releaseTags, fullSplits},
	} {
		r := releaseRange(tc.span)
		if r.After != tc.span.After || r.Before != tc.span.Before || !slices.Equal(r.Splits, tc.want) {
			t.Errorf("releaseRange(%+v) = %+v, want splits %q", tc.span, r, tc.want)
		}
	}
}
