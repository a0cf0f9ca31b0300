package bench

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
)

// Resolved is what a pin came to: a tag and its digest.
type Resolved struct {
	Tag    string
	Digest string
}

// Baseline resolves pins the straightforward way, as a shell loop over
// crane would: `crane ls` (remote.List with go-containerregistry's
// defaults: n=1000, pages read one after another), the tag picked with
// prefecttag as the provider does, then one
// `crane digest` per pin (remote.Head, each call on its own transport as
// each crane process is: ping, token, HEAD), one after another.
//
// repository is "host/path"; loopback hosts are reached over plain HTTP.
func Baseline(ctx context.Context, repository string, pins []Pin) (map[string]Resolved, error) {
	repo, err := name.NewRepository(repository, name.Insecure)
	if err != nil {
		return nil, err
	}
	tags, err := remote.List(repo, remote.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("baseline: list %s: %w", repository, err)
	}
	catalog := prefecttag.NewCatalog(tags)
	out := make(map[string]Resolved, len(pins))
	for _, p := range pins {
		tag := p.Tag
		if tag == "" {
			s, err := p.Selector()
			if err != nil {
				return nil, err
			}
			t, err := catalog.Select(s)
			if err != nil {
				return nil, fmt.Errorf("baseline: pin %s: %w", p.Name, err)
			}
			tag = t.Name
		}
		ref, err := name.NewTag(repository+":"+tag, name.Insecure)
		if err != nil {
			return nil, err
		}
		desc, err := remote.Head(ref, remote.WithContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("baseline: pin %s: digest of %s: %w", p.Name, tag, err)
		}
		out[p.Name] = Resolved{Tag: tag, Digest: desc.Digest.String()}
	}
	return out, nil
}
