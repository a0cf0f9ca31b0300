// Package registrytest runs an in-process OCI registry, seeded with Prefect
// image tags, for the registry client's tests, the provider's acceptance
// tests, the benchmark harness and the demo.
//
// The registry is go-containerregistry's pkg/registry (its logger silenced)
// behind a handler of this package that adds what the tests need and
// pkg/registry lacks: Distribution-spec tag paging with Link headers, basic
// and Docker Hub style bearer authentication, latency, fault injection,
// request counting and a request log.
//
// # Tag listing
//
// GET /v2/<repo>/tags/list?n=<n>&last=<last> answers
// {"name": "<repo>", "tags": [...]}: the repository's tags in lexical (byte)
// order, only those strictly greater than last (which need not be a tag), at
// most min(n, WithMaxPageSize) of them, WithDefaultPageSize when n is absent
// or empty. While tags remain after the page, the response carries
//
//	Link: </v2/<repo>/tags/list?last=<last tag of the page, URL-encoded>&n=<page size>>; rel="next"
//
// where the page size is the n actually used (defaulted and capped). n=0
// gives an empty list without Link; a negative or non-numeric n gives 400
// PAGINATION_NUMBER_INVALID; an unknown repository 404 NAME_UNKNOWN. See
// WithIgnoreLast and WithCursorPaging for registries that page differently.
//
// # Seeded content
//
// Seed and Push give each tag its own OCI image index of linux/amd64,
// linux/arm64 and an unknown/unknown attestation manifest; PushSingle a
// Docker schema 2 image; PushManifestList a Docker manifest list;
// PushPlatforms an index of the platforms a test chooses, and
// RepushPlatform a fresh image for one platform of an index. Manifests
// answer HEAD and GET by tag and by digest, with Docker-Content-Digest,
// Content-Type and Content-Length. Seeding talks to the inner registry in
// process, so it is not counted and needs no credentials: the 13,512-tag
// Prefect catalog seeds in about 0.6 s of CPU and holds about 38 MiB.
//
// Nothing here needs a *testing.T: Start and Close run a long-lived server for
// plain main packages; New ties one to a test. Share serves a registry's
// content under other options, and Prefect the catalog seeded once per test
// binary, so that tests of many shapes do not seed it for each. All methods are safe for
// concurrent use. The provider itself never imports this package.
package registrytest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// ErrNotFound is returned (wrapped) by Digest, PlatformDigests and Delete
// when the repository or tag does not exist.
var ErrNotFound = errors.New("not found")

// TB is the part of testing.TB that New needs; *testing.T and *testing.B
// satisfy it.
type TB interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// Counts is how many requests of each kind reached the server since it
// started or since the last ResetCounts.
type Counts struct {
	Ping     int // GET or HEAD /v2/
	Token    int // any request to /token
	ListPage int // GET /v2/<repo>/tags/list
	Head     int // HEAD /v2/<repo>/manifests/<ref>
	Get      int // GET /v2/<repo>/manifests/<ref>
	Blob     int // any request under /v2/<repo>/blobs/
	Other    int // everything else (manifest PUT and DELETE, _catalog, unknown paths, ...)
}

// Total returns the sum of all counts.
func (c Counts) Total() int {
	return c.Ping + c.Token + c.ListPage + c.Head + c.Get + c.Blob + c.Other
}

// Registry is a running in-process registry. Create it with Start, New or
// Share.
type Registry struct {
	*store // shared with the registries Share starts
	cfg    config
	server *httptest.Server
	token  string

	countMu  sync.Mutex
	counts   Counts
	requests []string

	closeOnce sync.Once
}

// store is what a registry holds: repositories, manifests and blobs.
type store struct {
	inner http.Handler  // go-containerregistry's registry, unauthenticated
	gen   atomic.Uint64 // makes every pushed manifest distinct

	// mut serialises changes to manifests (Seed, Push, Delete and manifest
	// PUT/DELETE arriving over HTTP) so that the tag index below always
	// agrees with the inner registry.
	mut sync.Mutex

	tagsMu sync.RWMutex
	repos  map[string]*repoTags

	blobsMu sync.Mutex
	blobs   map[string]bool // digest -> uploaded (pkg/registry shares blobs across repositories)
}

// Start starts a registry listening on 127.0.0.1 on a free port. It holds no
// repositories until Seed or a push. Call Close when done.
func Start(opts ...Option) (*Registry, error) {
	return start(&store{
		inner: ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))),
		repos: map[string]*repoTags{},
		blobs: map[string]bool{},
	}, opts)
}

func start(st *store, opts []Option) (*Registry, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	tok := make([]byte, 24)
	if _, err := rand.Read(tok); err != nil {
		return nil, fmt.Errorf("registrytest: generating token: %w", err)
	}
	r := &Registry{
		store: st,
		cfg:   cfg,
		token: "registrytest-" + hex.EncodeToString(tok),
	}
	r.server = httptest.NewUnstartedServer(r.handler())
	r.server.Config.ErrorLog = log.New(io.Discard, "", 0) // TLS handshake noise from scheme probing
	if cfg.tls {
		r.server.StartTLS()
	} else {
		r.server.Start()
	}
	return r, nil
}

// New starts a registry like Start and closes it when the test ends. It
// calls t.Fatalf when the registry cannot start.
func New(t TB, opts ...Option) *Registry {
	t.Helper()
	r, err := Start(opts...)
	if err != nil {
		t.Fatalf("registrytest: %v", err)
		return nil
	}
	t.Cleanup(r.Close)
	return r
}

// Share starts another registry over r's repositories, manifests and blobs,
// seeded once, under opts: its own server, address, token, counts and
// request log, and tag lists in its own shape. A change through either
// registry shows in both. It is closed when the test ends.
func (r *Registry) Share(t TB, opts ...Option) *Registry {
	t.Helper()
	s, err := start(r.store, opts)
	if err != nil {
		t.Fatalf("registrytest: %v", err)
		return nil
	}
	t.Cleanup(s.Close)
	return s
}

var prefect = sync.OnceValues(func() (*Registry, error) {
	r, err := Start()
	if err != nil {
		return nil, err
	}
	return r, r.Seed("prefecthq/prefect", tagcatalog.Prefect())
})

// Prefect serves prefecthq/prefect holding the whole Prefect catalog
// (tagcatalog.Prefect) under opts, as Share does, from one seeding per test
// binary: seeding it takes seconds, ten times that under -race. The test
// must not change it: other tests read it, some at the same time.
func Prefect(t TB, opts ...Option) *Registry {
	t.Helper()
	base, err := prefect()
	if err != nil {
		t.Fatalf("registrytest: %v", err)
		return nil
	}
	return base.Share(t, opts...)
}

// Close stops the server, cancelling requests in flight (their latency sleeps
// end) and waiting for them. It may be called more than once.
func (r *Registry) Close() {
	r.closeOnce.Do(func() {
		r.server.CloseClientConnections()
		r.server.Close()
		r.tagsMu.Lock()
		defer r.tagsMu.Unlock()
		for _, rt := range r.repos {
			delete(rt.ordered, r)
		}
	})
}

// Host returns "127.0.0.1:PORT", the registry part of an image reference.
func (r *Registry) Host() string { return r.server.Listener.Addr().String() }

// URL returns "http://127.0.0.1:PORT", or "https://..." under WithTLS.
func (r *Registry) URL() string { return r.server.URL }

// Token returns the bearer token that /token hands out under
// WithBearerAuth: a random value per registry, so tests can assert it never
// shows up in logs, diagnostics or state. It is set (and unused) without
// WithBearerAuth too.
func (r *Registry) Token() string { return r.token }

// CACertPEM returns the PEM-encoded self-signed certificate served under
// WithTLS, to be trusted as a CA; "" without WithTLS.
func (r *Registry) CACertPEM() string {
	c := r.server.Certificate()
	if c == nil {
		return ""
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
}

// Client returns an http.Client whose transport talks to this registry,
// trusting its certificate under WithTLS.
func (r *Registry) Client() *http.Client { return r.server.Client() }

// Handler returns the handler the server runs (latency, middleware,
// authentication, counting and the registry), for a test that reaches the
// registry in memory: in a testing/synctest bubble, whose clock times its
// timeouts, where requests over the loopback network would keep the clock
// from advancing. Answers it gives name the server's address (URL), as the
// server's do.
func (r *Registry) Handler() http.Handler { return r.server.Config.Handler }

// Counts returns the request counts by kind.
func (r *Registry) Counts() Counts {
	r.countMu.Lock()
	defer r.countMu.Unlock()
	return r.counts
}

// ResetCounts sets all counts to zero and empties the request log.
func (r *Registry) ResetCounts() {
	r.countMu.Lock()
	defer r.countMu.Unlock()
	r.counts = Counts{}
	r.requests = nil
}

// Requests returns the log of requests that reached the server since it
// started or since the last ResetCounts, in arrival order, each as
// "METHOD /path" or "METHOD /path?rawquery", for instance
// "GET /v2/prefecthq/prefect/tags/list?last=2.0.0-python3.7&n=100". Headers,
// and so credentials and tokens, are never logged. A long-running server
// should call ResetCounts now and then: the log is not bounded.
func (r *Registry) Requests() []string {
	r.countMu.Lock()
	defer r.countMu.Unlock()
	return append([]string(nil), r.requests...)
}
