package registry

import (
	"context"
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

func caPEM(f *fake) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.srv.Certificate().Raw})
}

// tlsCounter counts requests that came over TLS and over HTTP/2.
type tlsCounter struct{ tls, plain, h2 atomic.Int32 }

func (c *tlsCounter) hook(_ http.ResponseWriter, r *http.Request) bool {
	if r.TLS != nil {
		c.tls.Add(1)
	} else {
		c.plain.Add(1)
	}
	if r.ProtoMajor == 2 {
		c.h2.Add(1)
	}
	return false
}

// HTTPS on a loopback host with the CA in CACertPEM: HTTPS is tried first
// and kept, bearer tokens included (as with the real Distribution registry
// run with TLS on 127.0.0.1).
func TestLoopbackHTTPSWithCA(t *testing.T) {
	noDockerConfig(t)
	var n tlsCounter
	f := newFake(t, withTLS(), withBearer("u", "p"), withHook(n.hook))
	f.setTags("acme/x", []string{"a", "b"})
	digest, _ := f.pushIndex("acme/x", "a")
	c := newTestClient(t, Config{CACertPEM: caPEM(f), Credentials: []Credential{{Host: f.host, Username: "u", Password: "p"}}})
	if got, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x"))); err != nil || len(got) != 2 {
		t.Fatalf("got %v, %v", got, err)
	}
	if d, err := c.Head(context.Background(), repoOf(t, f.repo("acme/x")), "a"); err != nil || d.Digest != digest {
		t.Fatalf("Head: %+v, %v", d, err)
	}
	if n.plain.Load() != 0 || n.tls.Load() < 4 {
		t.Errorf("%d TLS and %d plain requests; want all over TLS", n.tls.Load(), n.plain.Load())
	}
}

// The same server without the CA: verification fails, and the message says
// why; nothing is retried forever.
func TestLoopbackHTTPSWithoutCAFails(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withTLS())
	f.setTags("acme/x", []string{"a"})
	c := newTestClient(t, Config{MaxRetries: 3})
	_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), "TLS certificate could not be verified") || e.StatusCode != 0 {
		t.Errorf("message does not explain the certificate: %s (status %d)", err, e.StatusCode)
	}
	if f.count("list") != 0 {
		t.Error("a tag list was read over an unverified connection")
	}
}

// InsecureHosts allows an untrusted certificate for exactly that host.
func TestInsecureHostSkipsVerification(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withTLS())
	f.setTags("acme/x", []string{"a"})
	c := newTestClient(t, Config{InsecureHosts: []string{f.host}})
	if got, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x"))); err != nil || len(got) != 1 {
		t.Fatalf("got %v, %v", got, err)
	}
}

// A non-loopback host with an untrusted certificate fails unless listed;
// listing another host does not help it. With its CA it is trusted. The
// dialer sends every name to the local test server.
func TestNonLoopbackTLSVerification(t *testing.T) {
	noDockerConfig(t)
	var n tlsCounter
	f := newFake(t, withTLS(), withHook(n.hook))
	f.setTags("acme/x", []string{"a"})
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, f.srv.Listener.Addr().String())
	}
	client := func(cfg Config) *Client {
		cfg.MaxRetries = 1
		c, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range []*http.Transport{c.verified, c.unverified} {
			tr.DialContext, tr.Proxy = dial, nil // every connection goes to the test server
		}
		return c
	}
	ctx := context.Background()

	_, err := client(Config{InsecureHosts: []string{"other.example:443"}}).ListTags(ctx, repoOf(t, "registry.example.test/acme/x"))
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusted, unlisted host: got %v, want a certificate error", err)
	}
	if f.count("list") != 0 || n.plain.Load() != 0 {
		t.Fatal("an unlisted host was read without verification or over plain HTTP")
	}

	for _, listed := range []string{"registry.example.test", "registry.example.test:443", "REGISTRY.example.test"} {
		got, err := client(Config{InsecureHosts: []string{listed}}).ListTags(ctx, repoOf(t, "registry.example.test/acme/x"))
		if err != nil || len(got) != 1 {
			t.Fatalf("listed as %q: got %v, %v", listed, got, err)
		}
	}
	if _, err := client(Config{InsecureHosts: []string{"registry.example.test:5000"}}).ListTags(ctx, repoOf(t, "registry.example.test/acme/x")); err == nil {
		t.Fatal("a listing for another port allowed port 443")
	}

	// httptest's certificate names example.com.
	got, err := client(Config{CACertPEM: caPEM(f)}).ListTags(ctx, repoOf(t, "example.com/acme/x"))
	if err != nil || len(got) != 1 {
		t.Fatalf("trusted by CACertPEM: got %v, %v", got, err)
	}
}

// The verified transport speaks HTTP/2 where the server offers it.
func TestHTTP2(t *testing.T) {
	noDockerConfig(t)
	var n tlsCounter
	f := newFake(t, withTLS(), withHTTP2(), withHook(n.hook))
	f.setTags("acme/x", []string{"a"})
	c := newTestClient(t, Config{CACertPEM: caPEM(f)})
	if _, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x"))); err != nil {
		t.Fatal(err)
	}
	if n.h2.Load() == 0 {
		t.Error("no request used HTTP/2")
	}
}

// The unverified transport, whose TLS dial is the Client's own
// (dialTLSUnverified), speaks HTTP/2 too where a listed host offers it.
func TestHTTP2Unverified(t *testing.T) {
	noDockerConfig(t)
	var n tlsCounter
	f := newFake(t, withTLS(), withHTTP2(), withHook(n.hook))
	f.setTags("acme/x", []string{"a"})
	c := newTestClient(t, Config{InsecureHosts: []string{f.host}})
	if _, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x"))); err != nil {
		t.Fatal(err)
	}
	if n.h2.Load() == 0 || n.plain.Load() != 0 {
		t.Errorf("%d requests over HTTP/2, %d over plain HTTP; want HTTP/2", n.h2.Load(), n.plain.Load())
	}
}

// A registry at a private address (RFC 1918) that is not in InsecureHosts
// is spoken to over HTTPS only, as any other host is. go-containerregistry
// falls back to plain HTTP for such addresses when HTTPS fails, and would
// then send the registry's credentials and read its digests in clear;
// docker trusts only loopback without --insecure-registry. A registry that
// speaks plain HTTP fails with a clear error until it is listed. The dialer
// sends every address to the local plain-HTTP test server; a DNS name
// never fell back, and says the same.
func TestPrivateAddressNeverPlainHTTP(t *testing.T) {
	noDockerConfig(t)
	var n tlsCounter
	f := newFake(t, withBasic("u", "s3cret-pass"), withHook(n.hook))
	f.setTags("acme/x", []string{"a"})
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, f.srv.Listener.Addr().String())
	}
	client := func(host string, insecure ...string) *Client {
		c := newTestClient(t, Config{MaxRetries: 1, InsecureHosts: insecure, Credentials: []Credential{{Host: host, Username: "u", Password: "s3cret-pass"}}})
		for _, tr := range []*http.Transport{c.verified, c.unverified} {
			tr.DialContext, tr.Proxy = dial, nil
		}
		return c
	}
	ctx := context.Background()
	for _, host := range []string{"10.9.8.7:5000", "172.16.0.9:5000", "192.168.1.2", "192.168.1.2:443", "registry.example.test:5000"} {
		t.Run(host, func(t *testing.T) {
			_, err := client(host).ListTags(ctx, repoOf(t, host+"/acme/x"))
			if err == nil {
				t.Fatal("a private registry not listed as insecure was read over plain HTTP")
			}
			if e := new(Error); !errors.As(err, &e) || !e.PlainHTTP() {
				t.Errorf("not classified as plain HTTP: %v", err)
			}
			if n.plain.Load() != 0 {
				t.Fatalf("%d requests reached the registry over plain HTTP (credentials seen: %d)", n.plain.Load(), len(f.auths))
			}
			for _, want := range []string{"plain http", "insecure"} {
				if !strings.Contains(strings.ToLower(err.Error()), want) {
					t.Errorf("error does not mention %q: %s", want, err)
				}
			}
			if strings.Contains(err.Error(), "s3cret-pass") {
				t.Errorf("error quotes the password: %s", err)
			}
		})
	}
	// A private registry that is down is not taken for a plain-HTTP one.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := closed.Addr().String()
	_ = closed.Close()
	c := newTestClient(t, Config{MaxRetries: 0})
	for _, tr := range []*http.Transport{c.verified, c.unverified} {
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, down)
		}
	}
	_, err = c.ListTags(ctx, repoOf(t, "10.9.8.7:5000/acme/x"))
	if e := new(Error); !errors.As(err, &e) || e.PlainHTTP() || !strings.Contains(err.Error(), "Check the registry address and the network") {
		t.Errorf("a private registry that refuses connections: %v", err)
	}

	// Listed, it may speak plain HTTP.
	got, err := client("10.9.8.7:5000", "10.9.8.7:5000").ListTags(ctx, repoOf(t, "10.9.8.7:5000/acme/x"))
	if err != nil || len(got) != 1 || n.plain.Load() == 0 {
		t.Fatalf("listed as insecure: got %v, %v (%d plain requests)", got, err, n.plain.Load())
	}
}
