// Package ociservertest runs CUE's OCI registry for tests: the ociserver
// HTTP server of cuelabs.dev/go/oci/ociregistry over its in-memory ocimem
// backend, in process, on 127.0.0.1 over plain HTTP. It is an
// implementation of the distribution spec that none of this project's
// doubles copies: its own paging (every tag without n, n uncapped, or a
// 400 UNSUPPORTED for an n above Options.MaxListPageSize, a last compared
// with strings.Compare, "tags": null past the end), its own error bodies
// and headers. The provider itself never imports this package.
package ociservertest

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"testing"

	"cuelabs.dev/go/oci/ociregistry/ocimem"
	"cuelabs.dev/go/oci/ociregistry/ociserver"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// Server is a running ociserver, stopped when the test that started it
// ends.
type Server struct {
	// Host is "127.0.0.1:PORT", the registry part of an image reference.
	Host string

	mem *ocimem.Registry
	// src makes the images pushed: registrytest's multi-platform
	// indexes, copied here through the server's API.
	src *registrytest.Registry
}

// Start serves an empty registry with opts (MaxListPageSize,
// OmitLinkHeaderFromResponses, OmitDigestFromTagGetResponse, …).
func Start(t testing.TB, opts ociserver.Options) *Server {
	t.Helper()
	mem := ocimem.New()
	srv := httptest.NewServer(ociserver.New(mem, &opts))
	t.Cleanup(srv.Close)
	return &Server{Host: srv.Listener.Addr().String(), mem: mem, src: registrytest.New(t)}
}

// Repository is the reference of the repository at path on this server.
func (s *Server) Repository(path string) string { return s.Host + "/" + path }

// Push pushes repo:tag through the server's API as an OCI index of
// linux/amd64 and linux/arm64 images (with its attestation manifests, as
// registrytest's Push makes it) and returns its digest. Every push has a
// new digest, so pushing a tag again moves it.
func (s *Server) Push(repo, tag string) (string, error) {
	if _, err := s.src.Push(repo, tag); err != nil {
		return "", err
	}
	from, err := name.NewTag(s.src.Host() + "/" + repo + ":" + tag)
	if err != nil {
		return "", err
	}
	to, err := name.NewTag(s.Repository(repo)+":"+tag, name.Insecure)
	if err != nil {
		return "", err
	}
	idx, err := remote.Index(from)
	if err != nil {
		return "", err
	}
	if err := remote.WriteIndex(to, idx); err != nil {
		return "", fmt.Errorf("pushing %s: %w", to, err)
	}
	d, err := idx.Digest()
	if err != nil {
		return "", err
	}
	return d.String(), nil
}

// SeedAlike puts tags in repo, all at one index, and returns its digest:
// tags[0] is pushed through the API (Push), and every other tag is put in
// the backend under the same manifest, as a manifest PUT by tag would,
// which is quick for Prefect's 13,512 tags.
func (s *Server) SeedAlike(repo string, tags []string) (string, error) {
	if len(tags) == 0 {
		return "", fmt.Errorf("ociservertest: SeedAlike needs a tag")
	}
	d, err := s.Push(repo, tags[0])
	if err != nil {
		return "", err
	}
	ctx := context.Background()
	m, err := s.mem.GetTag(ctx, repo, tags[0])
	if err != nil {
		return "", err
	}
	defer m.Close()
	body, err := io.ReadAll(m)
	if err != nil {
		return "", err
	}
	for _, tag := range tags[1:] {
		if _, err := s.mem.PushManifest(ctx, repo, tag, body, m.Descriptor().MediaType); err != nil {
			return "", fmt.Errorf("tagging %s:%s: %w", repo, tag, err)
		}
	}
	return d, nil
}

// Paging is one way of setting up the server's tag lists.
type Paging struct {
	Name string
	Opts ociserver.Options
}

// Pagings are the ways ociserver pages tag lists, each a test must read
// alike: as it comes (every tag without n, any n honoured, a Link while
// tags remain); refusing an n above MaxListPageSize with 400 UNSUPPORTED
// (as Amazon ECR refuses one above 1000) at 100, at 999 (one below the
// 1000 the provider asks for) and at 1000; and without Link headers, with
// and without that refusal.
func Pagings() []Paging {
	return []Paging{
		{"as-it-comes", ociserver.Options{}},
		{"max-100", ociserver.Options{MaxListPageSize: 100}},
		{"max-999", ociserver.Options{MaxListPageSize: 999}},
		{"max-1000", ociserver.Options{MaxListPageSize: 1000}},
		{"no-link", ociserver.Options{OmitLinkHeaderFromResponses: true}},
		{"no-link-max-100", ociserver.Options{OmitLinkHeaderFromResponses: true, MaxListPageSize: 100}},
	}
}
