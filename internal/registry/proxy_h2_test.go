package registry

import (
	"context"
	"io"
	"log"
	"net/http/httptest"
	"net/url"
	"testing"
)

// An HTTPS proxy that speaks HTTP/2 too (its TLS offers h2 by ALPN, as
// Envoy's or Caddy's may) is offered HTTP/1.1 alone, in which net/http
// writes the CONNECT that opens the tunnel, whichever transport carries
// the request: the verified one (the registry not listed) or the
// unverified one (the registry listed in insecure_registries; the proxy
// verified all the same, or listed itself). The verified transport's
// handshake with the proxy, net/http's own, offered h2, the proxy chose
// it, and every request failed with "malformed HTTP response", blamed on
// the registry. The registry inside the tunnel is still spoken to over
// HTTP/2 where it offers it.
func TestHTTPSProxyOfferingHTTP2(t *testing.T) {
	noDockerConfig(t)
	for _, tc := range []struct {
		name                    string
		listRegistry, listProxy bool
	}{
		{name: "registry verified"},
		{name: "registry listed", listRegistry: true},
		{name: "registry and proxy listed", listRegistry: true, listProxy: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n tlsCounter
			s := newProxySetup(t, false, withTLS(), withHTTP2(), withHook(n.hook)) // HTTPS: withHTTP2 after withTLS
			ps := httptest.NewUnstartedServer(s.p)
			ps.EnableHTTP2 = true
			ps.Config.ErrorLog = log.New(io.Discard, "", 0)
			ps.StartTLS()
			t.Cleanup(ps.Close)
			u, _ := url.Parse(ps.URL)
			cfg := Config{MaxRetries: 0, CACertPEM: caPEM(s.f)}
			if tc.listRegistry {
				cfg.InsecureHosts = append(cfg.InsecureHosts, s.reg)
			}
			if tc.listProxy {
				cfg.InsecureHosts = append(cfg.InsecureHosts, u.Host)
			}
			c := s.client(t, cfg, viaAlways(u))
			got, err := c.ListTags(context.Background(), repoOf(t, s.reg+"/acme/x"))
			if err != nil || len(got) != 1 || s.p.connects() == 0 {
				t.Fatalf("got %v, %v (%d CONNECTs); want the tag through the proxy", got, err, s.p.connects())
			}
			if n.h2.Load() == 0 {
				t.Error("no request to the registry inside the tunnel used HTTP/2")
			}
		})
	}
}
