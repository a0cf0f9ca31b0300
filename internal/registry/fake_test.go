package registry

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// fake is a small in-process registry for these tests: go-containerregistry's
// pkg/registry for manifests and blobs, with our own tag listing (page size,
// Link headers), optional Basic or Bearer auth, request counting and a hook
// for injecting failures.
type fake struct {
	t     *testing.T
	srv   *httptest.Server
	inner http.Handler
	host  string

	mu       sync.Mutex
	counts   map[string]int // ping, token, list, head, get, blob, other
	agents   map[string]bool
	listURLs []string
	auths    []string // Authorization headers seen on /v2/ (for leak checks)

	user, pass string
	basic      bool
	bearer     bool
	tokens     map[string]bool

	tags    map[string][]string // repository -> tags served by our list handler
	pageCap int                 // largest page served; 0 honours n
	noLink  bool                // never send Link headers
	hook    func(w http.ResponseWriter, r *http.Request) bool
}

type fakeOption func(*fake)

func withBasic(user, pass string) fakeOption {
	return func(f *fake) { f.user, f.pass, f.basic = user, pass, true }
}

func withBearer(user, pass string) fakeOption {
	return func(f *fake) { f.user, f.pass, f.bearer = user, pass, true }
}

// withPageCap makes the list handler serve at most n tags a page.
func withPageCap(n int) fakeOption { return func(f *fake) { f.pageCap = n } }

// withoutLink makes the list handler never send Link headers.
func withoutLink() fakeOption { return func(f *fake) { f.noLink = true } }

// withHook runs h before the registry; h returns true when it answered.
func withHook(h func(w http.ResponseWriter, r *http.Request) bool) fakeOption {
	return func(f *fake) { f.hook = h }
}

// withHTTP2 offers HTTP/2 (with withTLS, given after it).
func withHTTP2() fakeOption { return func(f *fake) { f.srv.EnableHTTP2 = true } }

// withTLS serves HTTPS with httptest's self-signed certificate.
func withTLS() fakeOption { return func(f *fake) { f.srv = httptest.NewUnstartedServer(nil) } }

func newFake(t *testing.T, opts ...fakeOption) *fake {
	t.Helper()
	f := &fake{
		t:      t,
		inner:  ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))),
		counts: map[string]int{},
		agents: map[string]bool{},
		tokens: map[string]bool{},
		tags:   map[string][]string{},
	}
	for _, o := range opts {
		o(f)
	}
	if f.srv != nil {
		f.srv.Config.Handler = http.HandlerFunc(f.serve)
		f.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		f.srv.StartTLS()
	} else {
		f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
		f.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		f.srv.Start()
	}
	t.Cleanup(f.srv.Close)
	u, _ := url.Parse(f.srv.URL)
	f.host = u.Host
	return f
}

// repo is the repository string a user would write for path on this fake.
func (f *fake) repo(path string) string { return f.host + "/" + path }

func (f *fake) count(kind string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[kind]
}

func (f *fake) resetCounts() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.counts = map[string]int{}
	f.listURLs = nil
}

func (f *fake) kind(r *http.Request) string {
	p := r.URL.Path
	switch {
	case p == "/v2/" || p == "/v2":
		return "ping"
	case p == "/token":
		return "token"
	case strings.HasSuffix(p, "/tags/list"):
		return "list"
	case strings.Contains(p, "/manifests/") && r.Method == http.MethodHead:
		return "head"
	case strings.Contains(p, "/manifests/") && r.Method == http.MethodGet:
		return "get"
	case strings.Contains(p, "/blobs/"):
		return "blob"
	}
	return "other"
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	kind := f.kind(r)
	f.mu.Lock()
	f.counts[kind]++
	f.agents[r.UserAgent()] = true
	if kind == "list" {
		f.listURLs = append(f.listURLs, r.URL.RequestURI())
	}
	if a := r.Header.Get("Authorization"); a != "" {
		f.auths = append(f.auths, a)
	}
	f.mu.Unlock()

	if f.hook != nil && f.hook(w, r) {
		return
	}
	if kind == "token" {
		f.serveToken(w, r)
		return
	}
	if !f.authorized(w, r) {
		return
	}
	if kind == "list" {
		repo := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v2/"), "/tags/list")
		f.mu.Lock()
		tags, ok := f.tags[repo]
		f.mu.Unlock()
		if ok {
			f.serveTags(w, r, tags)
			return
		}
	}
	f.inner.ServeHTTP(w, r)
}

func (f *fake) authorized(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case f.basic:
		u, p, ok := r.BasicAuth()
		if ok && u == f.user && p == f.pass {
			return true
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="fake"`)
		writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		return false
	case f.bearer:
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		f.mu.Lock()
		valid := ok && f.tokens[tok]
		f.mu.Unlock()
		if valid {
			return true
		}
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="%s://%s/token",service="fake"`, scheme, r.Host))
		writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		return false
	}
	return true
}

func (f *fake) serveToken(w http.ResponseWriter, r *http.Request) {
	u, p, ok := r.BasicAuth()
	if !ok || u != f.user || p != f.pass {
		writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "incorrect username or password")
		return
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := "tok-" + hex.EncodeToString(b)
	f.mu.Lock()
	f.tokens[tok] = true
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"token": tok, "expires_in": 300})
}

// serveTags pages through sorted tags: n is honoured up to pageCap; the
// default page is pageCap (or everything); Link headers unless noLink.
func (f *fake) serveTags(w http.ResponseWriter, r *http.Request, tags []string) {
	q := r.URL.Query()
	n := len(tags)
	if f.pageCap > 0 {
		n = f.pageCap
	}
	if s := q.Get("n"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 {
			writeRegError(w, http.StatusBadRequest, "PAGINATION_NUMBER_INVALID", "bad n")
			return
		}
		if f.pageCap == 0 || v < f.pageCap {
			n = v
		}
	}
	start := 0
	if last := q.Get("last"); last != "" {
		start, _ = slices.BinarySearch(tags, last)
		if start < len(tags) && tags[start] == last {
			start++
		}
	}
	end := min(start+n, len(tags))
	page := tags[start:end]
	if end < len(tags) && !f.noLink {
		next := url.Values{"n": {strconv.Itoa(n)}, "last": {page[len(page)-1]}}
		w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, next.Encode()))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"name": strings.TrimPrefix(r.URL.Path, "/v2/"), "tags": page})
}

func writeRegError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": code, "message": msg}}})
}

// setTags makes the list handler serve these tags (sorted) for repo.
func (f *fake) setTags(repo string, tags []string) {
	s := slices.Clone(tags)
	slices.Sort(s)
	s = slices.Compact(s)
	f.mu.Lock()
	f.tags[repo] = s
	f.mu.Unlock()
}

// direct sends a request straight to the inner registry, past auth and
// counting.
func (f *fake) direct(method, path, contentType string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	f.inner.ServeHTTP(rec, req)
	return rec
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

func (f *fake) putBlob(repo string, b []byte) string {
	d := sha(b)
	rec := f.direct(http.MethodPost, "/v2/"+repo+"/blobs/uploads/?digest="+d, "application/octet-stream", b)
	if rec.Code != http.StatusCreated {
		f.t.Fatalf("blob upload: %d %s", rec.Code, rec.Body)
	}
	return d
}

func (f *fake) putManifest(repo, ref string, mt types.MediaType, b []byte) string {
	rec := f.direct(http.MethodPut, "/v2/"+repo+"/manifests/"+ref, string(mt), b)
	if rec.Code != http.StatusCreated {
		f.t.Fatalf("manifest put %s:%s: %d %s", repo, ref, rec.Code, rec.Body)
	}
	return sha(b)
}

// pushImage pushes a single Docker v2 manifest for os/arch[/variant] and
// returns its body and digest. An empty tag pushes by digest only.
func (f *fake) pushImage(repo, tag, platform string) ([]byte, string) {
	parts := strings.Split(platform, "/")
	cfg := map[string]any{"os": parts[0], "architecture": parts[1], "rootfs": map[string]any{"type": "layers", "diff_ids": []string{}}, "config": map[string]any{}}
	if len(parts) == 3 {
		cfg["variant"] = parts[2]
	}
	cfgBytes, _ := json.Marshal(cfg)
	cfgDigest := f.putBlob(repo, cfgBytes)
	layer := []byte("layer of " + platform + " " + tag)
	layerDigest := f.putBlob(repo, layer)
	man := map[string]any{
		"schemaVersion": 2,
		"mediaType":     types.DockerManifestSchema2,
		"config":        map[string]any{"mediaType": types.DockerConfigJSON, "size": len(cfgBytes), "digest": cfgDigest},
		"layers":        []map[string]any{{"mediaType": types.DockerLayer, "size": len(layer), "digest": layerDigest}},
	}
	b, _ := json.Marshal(man)
	ref := sha(b)
	if tag != "" {
		ref = tag
	}
	return b, f.putManifest(repo, ref, types.DockerManifestSchema2, b)
}

// pushIndex pushes an OCI index of linux/amd64, linux/arm64/v8 and an
// unknown/unknown attestation manifest, tagged tag. It returns the index
// digest and the platform digests (attestation excluded).
func (f *fake) pushIndex(repo, tag string) (string, map[string]string) {
	want := map[string]string{}
	var descs []map[string]any
	for _, p := range []string{"linux/amd64", "linux/arm64/v8", "unknown/unknown"} {
		b, d := f.pushImage(repo, "", p)
		parts := strings.Split(p, "/")
		plat := map[string]any{"os": parts[0], "architecture": parts[1]}
		if len(parts) == 3 {
			plat["variant"] = parts[2]
		}
		descs = append(descs, map[string]any{"mediaType": types.DockerManifestSchema2, "size": len(b), "digest": d, "platform": plat})
		if p != "unknown/unknown" {
			want[p] = d
		}
	}
	idx, _ := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": types.OCIImageIndex, "manifests": descs})
	return f.putManifest(repo, tag, types.OCIImageIndex, idx), want
}

// dockerConfig points HOME and DOCKER_CONFIG at a temp dir holding a
// config.json with these auths (host -> user:pass).
func dockerConfig(t *testing.T, auths map[string]string) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("DOCKER_CONFIG", dir)
	t.Setenv("REGISTRY_AUTH_FILE", "")
	t.Setenv("XDG_RUNTIME_DIR", "")
	t.Setenv("XDG_CONFIG_HOME", dir)
	a := map[string]any{}
	for h, up := range auths {
		a[h] = map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte(up))}
	}
	b, _ := json.Marshal(map[string]any{"auths": a})
	if err := os.WriteFile(dir+"/config.json", b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// noDockerConfig points HOME and DOCKER_CONFIG at an empty temp dir, and
// Podman's auth files there too: XDG_RUNTIME_DIR is set, so that the
// machine's /run/containers/<uid>/auth.json is not read.
func noDockerConfig(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("DOCKER_CONFIG", dir)
	t.Setenv("REGISTRY_AUTH_FILE", "")
	t.Setenv("XDG_RUNTIME_DIR", dir)
	t.Setenv("XDG_CONFIG_HOME", dir)
}

// logRecorder is a Logger that keeps every line.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (l *logRecorder) Debug(_ context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %v", msg, fields))
}

func (l *logRecorder) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// newTestClient builds a Client with short timeouts for tests.
// memoryClient is a Client (newTestClient) that reaches f in memory
// (handlerTransport: the ping answered 200, anonymous), for tests in a
// synctest bubble, whose clock then times every wait: f is made outside
// the bubble, the Client inside it.
func (f *fake) memoryClient(t *testing.T, cfg Config) *Client {
	c := newTestClient(t, cfg)
	c.base = handlerTransport{http.HandlerFunc(f.serve)}
	return c
}

// slowBodyTimeout is the request timeout of tests whose answers inflate to
// megabytes over the real transport: they test a size bound, and a busy
// machine (the race detector, CI's parallel packages) must not fail them on
// the 5 s of newTestClient first.
const slowBodyTimeout = time.Minute

func newTestClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 5 * time.Second
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "terraform-provider-prefectimage/test"
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
