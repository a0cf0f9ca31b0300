package resolver

import (
	"context"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
)

// Releases lists what repository publishes that f keeps: its releases,
// newest first in PEP 440 order, each with its images by Python, then
// flavor (prefecttag.Catalog.Releases). Nothing matching is an empty
// result, not an error.
//
// It reads tag lists only, never a manifest, through the same registry
// client as Resolve, so that it shares the client's listing of the
// repository with every pin of the same provider; like a selector it lists
// only the spans of tag names f's version constraint allows (every release
// tag when it allows more than one major version), and is bounded as every
// listing is.
func (r *Resolver) Releases(ctx context.Context, repository string, f prefecttag.ReleaseFilter) ([]prefecttag.Release, error) {
	repo, err := registry.ParseRepository(repository)
	if err != nil {
		return nil, err
	}
	var spans []prefecttag.TagSpan // nil: every release tag
	if r.narrows() {
		spans = f.ReleaseSpans()
	}
	catalog, err := r.catalog(ctx, repo, spans)
	if err != nil {
		return nil, err
	}
	return catalog.Releases(f), nil
}
