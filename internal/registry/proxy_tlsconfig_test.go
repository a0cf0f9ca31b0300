package registry

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// The TLS dial of the unverified transport (dialTLSUnverified) reads the
// verified transport's TLS config for an HTTPS proxy, while the verified
// transport's first request may be under way. net/http writes that
// config's NextProtos (HTTP/2's ALPN) once, before a transport's first
// request or in Clone, which New calls for the unverified transport: so
// the write is done before any dial, and -race sees no race. Should the
// transports be built otherwise, this test says so under -race.
func TestUnverifiedProxyDialNoRaceWithVerifiedFirstRequest(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := newTestClient(t, Config{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // the verified transport's first request
		defer wg.Done()
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		if resp, err := c.verified.RoundTrip(req); err == nil {
			_ = resp.Body.Close()
		}
	}()
	go func() { // an HTTPS proxy's dial, for a listed registry
		defer wg.Done()
		if conn, err := c.dialTLSUnverified(context.Background(), "tcp", srv.Listener.Addr().String()); err == nil {
			_ = conn.Close()
		}
	}()
	wg.Wait()
}
