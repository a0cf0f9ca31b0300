package registry

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"

	"cuelabs.dev/go/oci/ociregistry/ociserver"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/ociservertest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// These tests run the client against CUE's OCI registry
// (cuelabs.dev/go/oci/ociregistry's ociserver over ocimem, in process:
// internal/ociservertest), an implementation of the distribution spec
// that no double here copies, in each of its pagings, seeded with
// Prefect's whole tag catalog.

// On CUE's registry, each paging of ociservertest.Pagings: the whole list
// is the catalog; ranges one after another, and a plan's twelve ranges at
// once, give exactly the tags inside them; and the plan costs no more
// list requests than a full listing where n is honoured, and a full
// listing and one page more where n is refused (the probe, asked with the
// n the registry refuses, before the listing knows to send none).
func TestCUERegistryRangesAsWholeList(t *testing.T) {
	noDockerConfig(t)
	for _, paging := range ociservertest.Pagings() {
		t.Run(paging.Name, func(t *testing.T) {
			s := ociservertest.Start(t, paging.Opts)
			if _, err := s.SeedAlike("prefecthq/prefect", tagcatalog.Prefect()); err != nil {
				t.Fatal(err)
			}
			count := &registrytest.ListRequests{}
			full, used := rangesAsWholeList(t, repoOf(t, s.Repository("prefecthq/prefect")), count, func() *Client {
				return newTestClient(t, Config{MaxRetries: 1, Logger: count})
			})
			limit := full
			if m := paging.Opts.MaxListPageSize; m > 0 && m < tagPageSize {
				limit = full + 1
			}
			if used > limit {
				t.Errorf("a plan's ranges sent %d list requests, want at most %d (a full listing: %d)", used, limit, full)
			}
		})
	}
}

// On CUE's registry, which sends Docker-Content-Digest on every manifest
// answer, or (OmitDigestFromTagGetResponse, as Amazon ECR) none on a GET
// by tag nor on a HEAD by digest: a HEAD by tag or by digest gives the
// index pushed, Platforms by tag and by digest its platforms as
// go-containerregistry reads them, and a tag, digest or repository that
// is not there is an error naming it, the 404 and what the registry said.
func TestCUERegistryManifests(t *testing.T) {
	noDockerConfig(t)
	for _, omit := range []bool{false, true} {
		t.Run(fmt.Sprintf("omit-digest-%v", omit), func(t *testing.T) {
			s := ociservertest.Start(t, ociserver.Options{OmitDigestFromTagGetResponse: omit})
			digest, err := s.SeedAlike("prefecthq/prefect", []string{"3.8.3-python3.12", "3.8.3-python3.13"})
			if err != nil {
				t.Fatal(err)
			}
			pushed, err := name.NewDigest(s.Repository("prefecthq/prefect") + "@" + digest)
			if err != nil {
				t.Fatal(err)
			}
			idx, err := remote.Index(pushed)
			if err != nil {
				t.Fatal(err)
			}
			im, err := idx.IndexManifest()
			if err != nil {
				t.Fatal(err)
			}
			platforms := map[string]string{}
			for _, m := range im.Manifests {
				if p := m.Platform; p != nil && p.OS != "unknown" {
					platforms[p.OS+"/"+p.Architecture] = m.Digest.String()
				}
			}
			if len(platforms) != 2 {
				t.Fatalf("the index pushed has platforms %v, want linux/amd64 and linux/arm64", platforms)
			}

			c, ctx := newTestClient(t, Config{MaxRetries: 1}), context.Background()
			ref := repoOf(t, s.Repository("prefecthq/prefect"))
			for _, reference := range []string{"3.8.3-python3.13", digest} {
				d, err := c.Head(ctx, ref, reference)
				if err != nil || d.Digest != digest || d.MediaType != "application/vnd.oci.image.index.v1+json" {
					t.Errorf("Head %s: %+v, %v; want %s, an OCI index", reference, d, err, digest)
				}
				p, err := c.Platforms(ctx, ref, reference)
				if err != nil || p.Digest != digest || !maps.Equal(p.ByPlatform, platforms) {
					t.Errorf("Platforms %s: %+v, %v; want %s with %v", reference, p, err, digest, platforms)
				}
			}

			missing := "sha256:" + strings.Repeat("0", 64)
			for _, tc := range []struct {
				repo, reference string
				said            string
			}{
				{"prefecthq/prefect", "3.8.3-python3.14", "MANIFEST_UNKNOWN: manifest unknown to registry"},
				{"prefecthq/prefect", missing, "MANIFEST_UNKNOWN: manifest unknown to registry"},
				{"prefecthq/nope", "3.8.3-python3.12", "NAME_UNKNOWN: repository name not known to registry"},
			} {
				ref := repoOf(t, s.Repository(tc.repo))
				_, headErr := c.Head(ctx, ref, tc.reference)
				_, getErr := c.Platforms(ctx, ref, tc.reference)
				for _, err := range []error{headErr, getErr} {
					if err == nil || !strings.Contains(err.Error(), tc.reference) || !strings.Contains(err.Error(), ref.written) ||
						!strings.Contains(err.Error(), "404 Not Found") || !strings.Contains(err.Error(), tc.said) {
						t.Errorf("%s:%s: %v; want an error naming both, the 404 and %q", tc.repo, tc.reference, err, tc.said)
					}
				}
			}
		})
	}
}
