package bench

import (
	"context"
	"fmt"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/resolver"
)

// Parallelism is Terraform's default -parallelism: how many pins a plan
// resolves at once.
const Parallelism = 10

// ResolveShared resolves pins as the provider does, without Terraform: one
// registry client and one resolver for all pins, at most Parallelism at
// once.
func ResolveShared(ctx context.Context, repository string, pins []Pin) (map[string]Resolved, error) {
	c, err := newClient()
	if err != nil {
		return nil, err
	}
	r := resolver.New(c)
	return resolveAll(ctx, repository, pins, func() (*resolver.Resolver, error) { return r, nil })
}

// ResolvePerPin resolves each pin with a registry client and resolver of its
// own: nothing shared, as if every pin were a provider of its own. It shows
// what the shared transport and the memoized listing and HEADs save.
func ResolvePerPin(ctx context.Context, repository string, pins []Pin) (map[string]Resolved, error) {
	return resolveAll(ctx, repository, pins, func() (*resolver.Resolver, error) {
		c, err := newClient()
		if err != nil {
			return nil, err
		}
		return resolver.New(c), nil
	})
}

func newClient() (*registry.Client, error) {
	return registry.New(registry.Config{
		UserAgent:  "prefectimage-bench",
		Keychain:   authn.NewMultiKeychain(), // anonymous, never the Docker config
		MaxRetries: registry.UseDefaultRetries,
	})
}

func resolveAll(ctx context.Context, repository string, pins []Pin, resolverFor func() (*resolver.Resolver, error)) (map[string]Resolved, error) {
	out := make(map[string]Resolved, len(pins))
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, Parallelism)
	var wg sync.WaitGroup
	for _, p := range pins {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			var pin resolver.Pin
			req, err := p.Request(repository)
			if err == nil {
				var r *resolver.Resolver
				if r, err = resolverFor(); err == nil {
					pin, err = r.Resolve(ctx, req)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("pin %s: %w", p.Name, err)
				}
				return
			}
			out[p.Name] = Resolved{Tag: pin.Tag, Digest: pin.Digest}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

// ListWhole reads the repository's whole tag list once, page after page, as
// a client that trusts no order must.
func ListWhole(ctx context.Context, repository string) error {
	c, err := newClient()
	if err != nil {
		return err
	}
	repo, err := registry.ParseRepository(repository)
	if err != nil {
		return err
	}
	_, err = c.ListTags(ctx, repo)
	return err
}
