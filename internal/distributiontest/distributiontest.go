// Package distributiontest runs a real registry server for tests: Debian's
// docker-registry binary (CNCF distribution 2.8), or CNCF distribution v3's
// registry built from the Go module proxy (StartV3), on 127.0.0.1 with TLS
// from a certificate authority generated per server and htpasswd basic
// authentication. It complements internal/registrytest, the in-process
// registry, with the behaviour of the registry most private mirrors run:
// its own paging, error bodies, TLS stack and authentication.
//
// Start skips the calling test when the binary is not installed, with a
// message that says how to install it (apt-get install docker-registry;
// for StartV3, .ci/tool registry VERSION),
// unless the environment variable PREFECTIMAGE_REQUIRE_REAL_REGISTRY is set
// to 1, as CI (.ci/run) does: then a missing binary fails the test.
//
// Each Server owns a temporary storage directory, configuration, htpasswd
// file and key pair, and is stopped when the test ends. The provider itself
// never imports this package.
package distributiontest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/sync/errgroup"
)

const (
	// Binary is the name of the registry binary looked up on PATH.
	Binary = "docker-registry"

	// RequireEnv, set to 1, turns a missing Binary from a skip into a test
	// failure. .ci/run sets it.
	RequireEnv = "PREFECTIMAGE_REQUIRE_REAL_REGISTRY"

	// Username is the user in every Server's htpasswd file.
	Username = "prefect-ci"

	startTimeout = 20 * time.Second
	stopTimeout  = 5 * time.Second
)

// InstallHint says how to get the binary; skip and failure messages carry it.
const InstallHint = "install it with: apt-get update && apt-get install -y docker-registry (Debian's CNCF distribution 2.8)"

// Server is a running docker-registry.
type Server struct {
	// Host is "127.0.0.1:PORT", the registry part of an image reference.
	Host string
	// Username and Password are the only credentials the server accepts.
	Username, Password string
	// CACertPEM is the PEM certificate of the CA that signed the server's
	// certificate (valid for 127.0.0.1, ::1 and localhost). It is trusted by
	// nothing else.
	CACertPEM string

	name      string // for String: "docker-registry", "distribution v3.0.0"
	dir       string
	driver    string // the storage driver's configuration lines ("": a filesystem in dir)
	cmd       *exec.Cmd
	exited    chan struct{}
	logFile   string
	transport *http.Transport
	gen       atomic.Uint64

	baseOnce sync.Once
	base     v1.ImageIndex
	baseErr  error
}

// BinaryPath returns the path of docker-registry, or an error saying how to
// install it.
func BinaryPath() (string, error) {
	p, err := exec.LookPath(Binary)
	if err != nil {
		return "", fmt.Errorf("%s is not on PATH; %s", Binary, InstallHint)
	}
	return p, nil
}

// Required reports whether RequireEnv asks for the real registry.
func Required() bool { return os.Getenv(RequireEnv) == "1" }

// Start starts a docker-registry on 127.0.0.1 with TLS and basic auth and
// stops it when the test ends. Without the binary it skips the test, or
// fails it when Required. It fails the test when the server does not answer
// within 20 seconds.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWithCertificate(t, Certificate{})
}

// Certificate shapes the certificate a Server presents, for tests of how
// clients refuse one. The zero value is Start's: valid now, for
// 127.0.0.1, ::1 and localhost.
type Certificate struct {
	// Names, when set, are the only DNS names and IP addresses the
	// certificate is issued for, such as "localhost" alone.
	Names []string
	// Expired makes it a certificate that expired an hour ago.
	Expired bool
}

// StartWithCertificate is Start with a server certificate shaped by cert,
// signed by the server's CA (CACertPEM) all the same.
func StartWithCertificate(t testing.TB, cert Certificate) *Server {
	t.Helper()
	s, err := start(t, binaryOrSkip(t, BinaryPath), "", cert, "")
	if err != nil {
		t.Fatalf("distributiontest: %v", err)
	}
	return s
}

// Upstream is what a proxy-mode Server (StartProxy) pulls through from.
type Upstream struct {
	// URL is the upstream registry's base URL, such as
	// "http://127.0.0.1:5001" or "https://registry-1.docker.io"
	// (distribution's proxy.remoteurl).
	URL string
	// Username and Password, when set, are the credentials the proxy
	// presents upstream (proxy.username and proxy.password); clients of the
	// proxy never see them.
	Username, Password string
}

// StartProxy starts a docker-registry in proxy mode, a pull-through cache of
// upstream, with the same TLS and htpasswd authentication for its clients as
// Start, and stops it when the test ends. It skips or fails like Start when
// the binary is missing.
//
// What distribution 2.8 does in this mode, read from its source
// (registry/proxy) and measured in internal/mirrors: a tag list is
// fetched upstream on every request, page by page following Link headers,
// and answered whole; a manifest by tag asks upstream which digest the tag
// has now (HEAD) on every request and fetches the manifest by digest (GET)
// only when it has not stored it yet; when upstream cannot be reached, it
// answers from what it has stored. Pushes are refused.
func StartProxy(t testing.TB, upstream Upstream) *Server {
	t.Helper()
	bin := binaryOrSkip(t, BinaryPath)
	if upstream.URL == "" {
		t.Fatalf("distributiontest: StartProxy needs the upstream URL")
	}
	// YAML double-quoted scalars: JSON string syntax is a subset.
	quote := func(v string) string { b, _ := json.Marshal(v); return string(b) }
	proxy := "proxy:\n  remoteurl: " + quote(upstream.URL) + "\n"
	if upstream.Username != "" {
		proxy += "  username: " + quote(upstream.Username) + "\n  password: " + quote(upstream.Password) + "\n"
	}
	s, err := start(t, bin, proxy, Certificate{}, "")
	if err != nil {
		t.Fatalf("distributiontest: %v", err)
	}
	return s
}

// V3Versions are the CNCF distribution v3 releases StartV3 runs in the
// tests: the first (v3.0.0) and the newest (v3.1.2; v3.1.0 is not on the
// Go module proxy, v3.1.1 lists tags as v3.1.2 does but for an empty page,
// which it answers "tags": null).
var V3Versions = []string{"3.0.0", "3.1.2"}

// ToolsCacheEnv names the folder .ci/tool builds tools into; unset, it is
// $XDG_CACHE_HOME/terraform-provider-prefectimage, else
// ~/.cache/terraform-provider-prefectimage.
const ToolsCacheEnv = "PREFECTIMAGE_TOOLS_CACHE"

// toolsCache is .ci/tool's default cache folder, found when the package
// loads: tests that isolate HOME and XDG_CACHE_HOME (from Docker config
// files) do so later.
var toolsCache, toolsCacheErr = func() (string, error) {
	dir, err := os.UserCacheDir()
	return filepath.Join(dir, "terraform-provider-prefectimage"), err
}()

// V3BinaryPath returns the path of distribution v<version>'s registry
// binary where .ci/tool builds it (`.ci/tool registry VERSION`: go install
// github.com/distribution/distribution/v3/cmd/registry from the Go module
// proxy), or an error saying how to build it.
func V3BinaryPath(version string) (string, error) {
	cache := os.Getenv(ToolsCacheEnv)
	if cache == "" {
		if toolsCacheErr != nil {
			return "", fmt.Errorf("distribution v%s's registry: no cache folder to look in (%w); build it with: %s=DIR .ci/tool registry %s", version, toolsCacheErr, ToolsCacheEnv, version)
		}
		cache = toolsCache
	}
	p := filepath.Join(cache, "registry-"+version, "registry")
	if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
		return "", fmt.Errorf("distribution v%s's registry is not built at %s; build it with: .ci/tool registry %s (go install from the Go module proxy, once)", version, p, version)
	}
	return p, nil
}

// StartV3 starts CNCF distribution v<version>'s registry (built by
// .ci/tool, see V3BinaryPath) as Start starts docker-registry: on
// 127.0.0.1 with TLS and basic auth, with extraConfig (top level YAML
// sections, such as "tags:\n  maxtags: 50\n") appended to the same
// configuration, and stops it when the test ends. Without the binary it
// skips the test, or fails it when Required.
func StartV3(t testing.TB, version, extraConfig string) *Server {
	t.Helper()
	s, err := start(t, binaryOrSkip(t, func() (string, error) { return V3BinaryPath(version) }), extraConfig, Certificate{}, "")
	if err != nil {
		t.Fatalf("distributiontest: %v", err)
	}
	s.name = "distribution v" + version
	return s
}

// StartV3OnS3 is StartV3 with the registry's storage on S3: an in-memory
// S3 service (gofakes3) on 127.0.0.1, started here and stopped after the
// registry when the test ends. Distribution's S3 driver lists a
// repository's tags by walking its storage keys, as it does on Amazon S3
// or MinIO, not as it does on a filesystem; blobs are served by the
// registry itself (redirect disabled). Seed with Push and TagMany
// (SeedAlike writes to a filesystem).
func StartV3OnS3(t testing.TB, version string) *Server {
	t.Helper()
	bin := binaryOrSkip(t, func() (string, error) { return V3BinaryPath(version) })
	backend := s3mem.New()
	if err := backend.CreateBucket("registry"); err != nil {
		t.Fatalf("distributiontest: %v", err)
	}
	store := httptest.NewServer(gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	t.Cleanup(store.Close)
	driver := fmt.Sprintf(`  s3:
    region: us-east-1
    regionendpoint: %s
    bucket: registry
    accesskey: distributiontest
    secretkey: distributiontest
    secure: false
    forcepathstyle: true
  redirect:
    disable: true
`, store.URL)
	s, err := start(t, bin, "", Certificate{}, driver)
	if err != nil {
		t.Fatalf("distributiontest: %v", err)
	}
	s.name = "distribution v" + version + " on S3"
	return s
}

// binaryOrSkip returns the path of the binary find finds, or skips the
// test (fails it when Required) with find's message, which says how to
// install it.
func binaryOrSkip(t testing.TB, find func() (string, error)) string {
	t.Helper()
	bin, err := find()
	if err != nil {
		if Required() {
			t.Fatalf("the real-registry tests must run (%s=1), but %v", RequireEnv, err)
		}
		t.Skipf("skipping the real-registry test: %v", err)
	}
	return bin
}

// start starts bin as launch does; driver is the storage section's driver
// lines ("" for a filesystem in the server's directory).
func start(t testing.TB, bin, extraConfig string, cert Certificate, driver string) (*Server, error) {
	dir := t.TempDir()
	if shm := memoryDir(); shm != "" {
		// In memory when there is room (memoryDir), removed when the test
		// ends, after the server (cleanups run last added first).
		d, err := os.MkdirTemp(shm, "distributiontest-") //nolint:usetesting // t.TempDir is on disk; this is tmpfs, removed below
		if err != nil {
			return nil, err
		}
		t.Cleanup(func() { _ = os.RemoveAll(d) })
		dir = d
	}
	pw := make([]byte, 12)
	if _, err := rand.Read(pw); err != nil {
		return nil, err
	}
	s := &Server{Username: Username, Password: "pw-" + hex.EncodeToString(pw), dir: dir, name: Binary, driver: driver}

	caPEM, certPEM, keyPEM, err := newCertificates(cert)
	if err != nil {
		return nil, fmt.Errorf("generating certificates: %w", err)
	}
	s.CACertPEM = string(caPEM)
	hash, err := bcrypt.GenerateFromPassword([]byte(s.Password), bcrypt.MinCost)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{
		"ca.pem":   caPEM,
		"cert.pem": certPEM,
		"key.pem":  keyPEM,
		"htpasswd": []byte(s.Username + ":" + string(hash) + "\n"),
	}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o600); err != nil {
			return nil, err
		}
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	tlsConfig := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	if cert.Names != nil || cert.Expired {
		// A certificate made to be refused: the helper's own requests
		// (readiness, Push) check only that the CA signed it.
		block, _ := pem.Decode(caPEM)
		ca, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		tlsConfig.InsecureSkipVerify = true // #nosec G402 -- the CA's signature is checked below
		tlsConfig.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("distributiontest: the server sent no certificate")
			}
			return cs.PeerCertificates[0].CheckSignatureFrom(ca)
		}
	}
	s.transport = &http.Transport{Proxy: nil, TLSClientConfig: tlsConfig, MaxIdleConnsPerHost: 8}

	// A free port can be taken between probing and binding: try a few.
	var lastErr error
	for range 3 {
		if lastErr = s.launch(t, bin, extraConfig); lastErr == nil {
			return s, nil
		}
	}
	return nil, lastErr
}

// launch writes the configuration for a free port, with extraConfig (top
// level YAML sections) appended, starts the binary and waits until it
// answers.
func (s *Server) launch(t testing.TB, bin, extraConfig string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	s.Host = fmt.Sprintf("127.0.0.1:%d", port)
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	cfg := fmt.Sprintf(`version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
%[5]s  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: %[2]s
  secret: %[3]s
  tls:
    certificate: %[1]s/cert.pem
    key: %[1]s/key.pem
auth:
  htpasswd:
    realm: distributiontest
    path: %[1]s/htpasswd
%[4]s`, s.dir, s.Host, hex.EncodeToString(secret), extraConfig, s.storageDriver())
	cfgPath := filepath.Join(s.dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return err
	}
	s.logFile = filepath.Join(s.dir, fmt.Sprintf("registry-%d.log", port))
	logf, err := os.Create(s.logFile)
	if err != nil {
		return err
	}
	defer func() { _ = logf.Close() }() // the child holds its own descriptors

	cmd := exec.Command(bin, "serve", cfgPath)
	// Only what the binary needs: no REGISTRY_* overrides from the caller.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + s.dir}
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	s.cmd, s.exited = cmd, exited
	t.Cleanup(s.stop)

	if err := s.waitReady(); err != nil {
		s.stop()
		return fmt.Errorf("%s on %s: %w; its log:\n%s", bin, s.Host, err, s.Log())
	}
	return nil
}

// storageDriver is the storage section's driver lines.
func (s *Server) storageDriver() string {
	if s.driver != "" {
		return s.driver
	}
	return fmt.Sprintf("  filesystem:\n    rootdirectory: %s/storage\n", s.dir)
}

// waitReady polls GET /v2/ until the server answers 401 (it wants the
// credentials) or 200.
func (s *Server) waitReady() error {
	client := &http.Client{Transport: s.transport, Timeout: 2 * time.Second}
	deadline := time.Now().Add(startTimeout)
	var lastErr error
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return errors.New("the server exited")
		default:
		}
		resp, err := client.Get("https://" + s.Host + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusOK {
				return nil
			}
			lastErr = fmt.Errorf("GET /v2/ answered %s", resp.Status)
		} else {
			lastErr = err
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no answer within %s: %w", startTimeout, lastErr)
}

// stop terminates the server, killing it when it does not exit in time.
func (s *Server) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(stopTimeout):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// Stop stops the server now (it is stopped at the end of the test anyway),
// so a test can see how clients behave when the registry is gone.
func (s *Server) Stop() { s.stop() }

// Log returns what the server wrote to its standard output and error.
func (s *Server) Log() string {
	b, _ := os.ReadFile(s.logFile)
	return string(b)
}

// Repository returns "127.0.0.1:PORT/<path>".
func (s *Server) Repository(path string) string { return s.Host + "/" + path }

// Transport returns an HTTP transport that trusts the server's CA (for a
// server started with a Certificate made to be refused, any certificate
// the CA signed).
func (s *Server) Transport() *http.Transport { return s.transport }

func (s *Server) remoteOptions() []remote.Option {
	return []remote.Option{
		remote.WithAuth(&authn.Basic{Username: s.Username, Password: s.Password}),
		remote.WithTransport(s.transport),
		remote.WithContext(context.Background()),
	}
}

// baseIndex is one small linux/amd64 + linux/arm64 index, made once per
// server; Push annotates it so that every push has its own digest while the
// images and their blobs are uploaded only once.
func (s *Server) baseIndex() (v1.ImageIndex, error) {
	s.baseOnce.Do(func() {
		var adds []mutate.IndexAddendum
		for _, arch := range []string{"amd64", "arm64"} {
			img, err := random.Image(256, 1)
			if err != nil {
				s.baseErr = err
				return
			}
			cf, err := img.ConfigFile()
			if err != nil {
				s.baseErr = err
				return
			}
			cf = cf.DeepCopy()
			cf.OS, cf.Architecture = "linux", arch
			img, err = mutate.ConfigFile(img, cf)
			if err != nil {
				s.baseErr = err
				return
			}
			adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
				Platform: &v1.Platform{OS: "linux", Architecture: arch},
			}})
		}
		s.base = mutate.AppendManifests(empty.Index, adds...)
	})
	return s.base, s.baseErr
}

// Push pushes repo:tag over HTTPS with the server's credentials, as a
// multi-platform OCI index of linux/amd64 and linux/arm64 images, and
// returns its digest. Every push has a new digest, so pushing a tag again
// moves it.
func (s *Server) Push(repo, tag string) (string, error) {
	ref, err := name.NewTag(s.Repository(repo) + ":" + tag)
	if err != nil {
		return "", err
	}
	base, err := s.baseIndex()
	if err != nil {
		return "", err
	}
	idx := mutate.Annotations(base, map[string]string{
		"org.opencontainers.image.ref.name": tag,
		"dev.prefectimage.test.generation":  fmt.Sprint(s.gen.Add(1)),
	}).(v1.ImageIndex)
	if err := remote.WriteIndex(ref, idx, s.remoteOptions()...); err != nil {
		return "", fmt.Errorf("pushing %s: %w", ref, err)
	}
	d, err := idx.Digest()
	if err != nil {
		return "", err
	}
	return d.String(), nil
}

// Seed pushes every tag to repo and returns their digests by tag.
func (s *Server) Seed(repo string, tags []string) (map[string]string, error) {
	out := make(map[string]string, len(tags))
	for _, tag := range tags {
		d, err := s.Push(repo, tag)
		if err != nil {
			return nil, err
		}
		out[tag] = d
	}
	return out, nil
}

// Digest asks the server, with a manifest HEAD, what repo:tag points at.
func (s *Server) Digest(repo, tag string) (string, error) {
	ref, err := name.NewTag(s.Repository(repo) + ":" + tag)
	if err != nil {
		return "", err
	}
	d, err := remote.Head(ref, s.remoteOptions()...)
	if err != nil {
		return "", err
	}
	return d.Digest.String(), nil
}

// Tags lists repo's tags with the server's credentials, as the server
// lists them, page after page by its Link (distribution v3 sends one past
// its page size). Not remote.List: go-containerregistry takes a loopback
// registry for plain HTTP (name.Registry.Scheme) and refuses the https
// Link of the server's second page as another scheme ("pagination URL
// scheme "https" does not match registry scheme "http"").
func (s *Server) Tags(repo string) ([]string, error) {
	r, err := name.NewRepository(s.Repository(repo))
	if err != nil {
		return nil, err
	}
	client := &http.Client{Transport: s.transport, Timeout: time.Minute}
	next := &url.URL{Scheme: "https", Host: s.Host, Path: "/v2/" + r.RepositoryStr() + "/tags/list"}
	var tags []string
	for pages := 0; next != nil; pages++ {
		if pages == maxTagPages {
			return nil, fmt.Errorf("distributiontest: the tag list of %s did not end within %d pages", r, maxTagPages)
		}
		req, err := http.NewRequest(http.MethodGet, next.String(), nil)
		if err != nil {
			return nil, err
		}
		req.SetBasicAuth(s.Username, s.Password)
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		var page struct {
			Tags []string `json:"tags"`
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		resp.Body.Close()
		switch {
		case err != nil:
			return nil, err
		case resp.StatusCode != http.StatusOK:
			return nil, fmt.Errorf("distributiontest: GET %s: %s: %s", next, resp.Status, bytes.TrimSpace(body))
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return nil, fmt.Errorf("distributiontest: GET %s: %w", next, err)
		}
		tags = append(tags, page.Tags...)
		if next, err = nextPage(next, resp.Header.Get("Link")); err != nil {
			return nil, err
		}
	}
	return tags, nil
}

// maxTagPages bounds Tags' paging.
const maxTagPages = 1000

// nextPage is the target of a Link header's rel="next" (RFC 8288), resolved
// against the page's URL, or nil without one. The target must be on the
// page's host.
func nextPage(page *url.URL, link string) (*url.URL, error) {
	for _, v := range strings.Split(link, ",") {
		target, params, ok := strings.Cut(v, ";")
		target = strings.TrimSpace(target)
		if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
			continue
		}
		for _, p := range strings.Split(params, ";") {
			if k, v, _ := strings.Cut(strings.TrimSpace(p), "="); strings.EqualFold(k, "rel") && strings.Trim(v, `"`) == "next" {
				u, err := page.Parse(target[1 : len(target)-1])
				if err != nil {
					return nil, fmt.Errorf("distributiontest: Link %q: %w", link, err)
				}
				if u.Host != page.Host {
					return nil, fmt.Errorf("distributiontest: Link %q leaves %s", link, page.Host)
				}
				return u, nil
			}
		}
	}
	return nil, nil
}

// Copy copies src, an image or index on another registry ("host/repo:tag"
// or "host/repo@sha256:…", read anonymously, over plain HTTP for a
// loopback host), to repo:tag, digests kept, and returns its digest: how
// a test puts shapes made elsewhere (an index with attestations, a Docker
// manifest list) on the real server.
func (s *Server) Copy(src, repo, tag string) (string, error) {
	from, err := name.ParseReference(src, name.Insecure)
	if err != nil {
		return "", err
	}
	to, err := name.NewTag(s.Repository(repo) + ":" + tag)
	if err != nil {
		return "", err
	}
	desc, err := remote.Get(from)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", from, err)
	}
	var written error
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return "", err
		}
		written = remote.WriteIndex(to, idx, s.remoteOptions()...)
	} else {
		img, err := desc.Image()
		if err != nil {
			return "", err
		}
		written = remote.Write(to, img, s.remoteOptions()...)
	}
	if written != nil {
		return "", fmt.Errorf("pushing %s: %w", to, written)
	}
	return desc.Digest.String(), nil
}

// TagMany tags what repo:from points at under each of tags as well, by
// PUTting its manifest as it is stored under each tag, eight at a time
// on one keep-alive client.
func (s *Server) TagMany(repo, from string, tags []string) error {
	src, err := name.NewTag(s.Repository(repo) + ":" + from)
	if err != nil {
		return err
	}
	desc, err := remote.Get(src, s.remoteOptions()...)
	if err != nil {
		return err
	}
	var g errgroup.Group
	g.SetLimit(8)
	for _, tag := range tags {
		g.Go(func() error {
			return s.manifestRequest(http.MethodPut, repo, tag, desc.Manifest, string(desc.MediaType), http.StatusCreated)
		})
	}
	return g.Wait()
}

// DeleteManifest deletes the manifest digest from repo (storage.delete
// is enabled): distribution untags every tag that points at it, and
// answers 404 for it by digest and by those tags.
func (s *Server) DeleteManifest(repo, digest string) error {
	return s.manifestRequest(http.MethodDelete, repo, digest, nil, "", http.StatusAccepted)
}

// manifestRequest sends method to repo's manifest reference with the
// server's credentials, on its keep-alive transport, with body (of
// contentType) when not nil, and fails unless the server answers want.
func (s *Server) manifestRequest(method, repo, reference string, body []byte, contentType string, want int) error {
	req, err := http.NewRequest(method, "https://"+s.Host+"/v2/"+repo+"/manifests/"+reference, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.SetBasicAuth(s.Username, s.Password)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := (&http.Client{Transport: s.transport, Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s/manifests/%s answered %s", method, repo, reference, resp.Status)
	}
	return nil
}

// DeleteRepository removes repo from the server's storage, as an
// operator does by deleting its directory (distribution 2.8 has no API
// for it): its tag list and manifests then answer 404 NAME_UNKNOWN.
func (s *Server) DeleteRepository(repo string) error {
	if _, err := name.NewRepository(s.Repository(repo)); err != nil {
		return err
	}
	dir := filepath.Join(s.dir, "storage", "docker", "registry", "v2", "repositories", filepath.FromSlash(repo))
	if _, err := os.Stat(dir); err != nil {
		return err
	}
	return os.RemoveAll(dir)
}

// freePort asks the kernel for a free TCP port on 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, err
	}
	return port, nil
}

// newCertificates makes a CA and a server certificate it signs, valid for
// 127.0.0.1, ::1 and localhost for one day (or as cert says), all PEM
// encoded.
func newCertificates(cert Certificate) (caPEM, certPEM, keyPEM []byte, err error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "prefectimage distributiontest CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, nil, nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.IPv6loopback},
		DNSNames:     []string{"localhost"},
	}
	if cert.Names != nil {
		leafTmpl.IPAddresses, leafTmpl.DNSNames = nil, nil
		for _, n := range cert.Names {
			if ip := net.ParseIP(n); ip != nil {
				leafTmpl.IPAddresses = append(leafTmpl.IPAddresses, ip)
			} else {
				leafTmpl.DNSNames = append(leafTmpl.DNSNames, n)
			}
		}
		leafTmpl.Subject.CommonName = cert.Names[0]
	}
	if cert.Expired {
		leafTmpl.NotBefore, leafTmpl.NotAfter = now.Add(-48*time.Hour), now.Add(-time.Hour)
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, nil, err
	}
	enc := func(typ string, der []byte) []byte {
		var b bytes.Buffer
		_ = pem.Encode(&b, &pem.Block{Type: typ, Bytes: der})
		return b.Bytes()
	}
	return enc("CERTIFICATE", caDER), enc("CERTIFICATE", leafDER), enc("EC PRIVATE KEY", keyDER), nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	return n
}

// String describes the server for test messages.
func (s *Server) String() string {
	return strings.Join([]string{s.name + " on https://" + s.Host, "user " + s.Username}, ", ")
}

// SeedAlike puts tags in repo, all at one index, quickly, and returns the
// index's digest: tags[0] is pushed and tags[1] tagged (a manifest PUT)
// through the API, and every other tag is tagged as the server tagged
// tags[1], by writing the same files under _manifests/tags/<tag> in its
// storage (current/link and index/sha256/<hex>/link, each holding the
// digest), which is all a tag is there and all its tag list and a
// manifest by tag read. Prefect's 13,512 tags take seconds this way, a
// minute or more through the API.
func (s *Server) SeedAlike(repo string, tags []string) (string, error) {
	if len(tags) == 0 {
		return "", errors.New("distributiontest: SeedAlike needs a tag")
	}
	d, err := s.Push(repo, tags[0])
	if err != nil || len(tags) == 1 {
		return d, err
	}
	if err := s.TagMany(repo, tags[0], tags[1:2]); err != nil {
		return "", err
	}
	root := filepath.Join(s.dir, "storage", "docker", "registry", "v2", "repositories", filepath.FromSlash(repo), "_manifests", "tags")
	files := map[string][]byte{}
	model := filepath.Join(root, tags[1])
	err = filepath.WalkDir(model, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, err := filepath.Rel(model, p)
		if err != nil {
			return err
		}
		files[rel], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("reading how the server stored tag %s: %w", tags[1], err)
	}
	if string(files[filepath.Join("current", "link")]) != d {
		return "", fmt.Errorf("the server stored tag %s as %q, not as a link to %s", tags[1], files[filepath.Join("current", "link")], d)
	}
	for _, tag := range tags[2:] {
		if _, err := name.NewTag(s.Repository(repo) + ":" + tag); err != nil {
			return "", err
		}
		for rel, b := range files {
			p := filepath.Join(root, tag, rel)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return "", err
			}
			if err := os.WriteFile(p, b, 0o644); err != nil { // #nosec G306 -- as the server writes it
				return "", err
			}
		}
	}
	return d, nil
}
