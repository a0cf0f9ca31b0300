package registry

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
)

// A token service on another host whose certificate fails is named as
// the host whose certificate failed, not the registry, whose own
// certificate was trusted: listing the registry in insecure_registries,
// or trusting its CA again, mends nothing there.
func TestTokenServiceCertificateNamesItsHost(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withTLS(), withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Host == "auth.example.net" || r.Header.Get("Authorization") != "" {
			return false
		}
		// httptest's certificate names example.com, not auth.example.net.
		w.Header().Set("WWW-Authenticate", `Bearer realm="https://auth.example.net/token",service="fake"`)
		writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		return true
	}))
	f.setTags("acme/x", []string{"a"})
	c := clientDialingOnlyTo(t, f)
	_, err := c.ListTags(context.Background(), repoOf(t, "example.com/acme/x"))
	var e *Error
	if !errors.As(err, &e) || !e.CertificateUnverified() {
		t.Fatalf("got %v, want a certificate error", err)
	}
	if got := e.CertificateHost(); got != "auth.example.net" {
		t.Errorf("CertificateHost() = %q, want the token service's host auth.example.net", got)
	}
	if msg := err.Error(); !strings.Contains(msg, "the TLS certificate of the registry's token service (auth.example.net) could not be verified") {
		t.Errorf("the error does not name the token service as the host whose certificate failed:\n%s", msg)
	}
	if host, _, ok := e.CertificateNotForHost(); !ok || host != "auth.example.net" {
		t.Errorf("CertificateNotForHost() = %q, %v; want auth.example.net, true", host, ok)
	}

	// The registry's own certificate failing still names the registry.
	_, err = c.ListTags(context.Background(), repoOf(t, "registry.example.test/acme/x"))
	if !errors.As(err, &e) || !e.CertificateUnverified() {
		t.Fatalf("got %v, want a certificate error", err)
	}
	if got := e.CertificateHost(); got != "registry.example.test" {
		t.Errorf("CertificateHost() = %q, want the registry registry.example.test", got)
	}
	if msg := err.Error(); !strings.Contains(msg, "the registry's TLS certificate could not be verified") {
		t.Errorf("the registry's own certificate error changed:\n%s", msg)
	}
}

// A store on another host that the registry redirects a blob request to
// (a manifest's config, on a CDN), whose certificate fails, is named as
// the host whose certificate failed, a host the registry redirected to:
// neither the registry, whose own certificate was trusted, nor a token
// service.
func TestRedirectedBlobStoreCertificateNamesItsHost(t *testing.T) {
	noDockerConfig(t)
	var f *fake
	f = newFake(t, withTLS(), withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Host == "cdn.example.net" || f.kind(r) != "blob" {
			return false
		}
		// httptest's certificate names example.com, not cdn.example.net.
		http.Redirect(w, r, "https://cdn.example.net"+r.URL.Path, http.StatusTemporaryRedirect)
		return true
	}))
	_, digest := f.pushImage("acme/x", "t", "linux/amd64")
	c := clientDialingOnlyTo(t, f)
	_, err := c.Platforms(context.Background(), repoOf(t, "example.com/acme/x"), digest)
	var e *Error
	if !errors.As(err, &e) || !e.CertificateUnverified() {
		t.Fatalf("got %v, want a certificate error", err)
	}
	if got := e.CertificateHost(); got != "cdn.example.net" {
		t.Errorf("CertificateHost() = %q, want the store's host cdn.example.net", got)
	}
	if msg := err.Error(); !strings.Contains(msg, "the TLS certificate of cdn.example.net, to which the registry redirected a request, could not be verified") {
		t.Errorf("the error does not name the store the registry redirected to as the host whose certificate failed:\n%s", msg)
	}
}

// clientDialingOnlyTo is a client that trusts f's CA and dials f's server
// whatever host a request names, so that other hosts' names (a token
// service, a blob store) reach f and meet its certificate, which names
// example.com alone.
func clientDialingOnlyTo(t *testing.T, f *fake) *Client {
	t.Helper()
	c, err := New(Config{CACertPEM: caPEM(f), MaxRetries: 0})
	if err != nil {
		t.Fatal(err)
	}
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, f.srv.Listener.Addr().String())
	}
	for _, tr := range []*http.Transport{c.verified, c.unverified} {
		tr.DialContext, tr.Proxy = dial, nil
	}
	return c
}
