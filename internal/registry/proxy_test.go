package registry

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// forwardProxy is a forward proxy on 127.0.0.1, as in a corporate
// network: it forwards plain HTTP requests (absolute URLs) and tunnels
// CONNECT, sending every target to the address route gives (the test's
// registry doubles, whatever name the client used). It may ask for
// credentials (407 with Proxy-Authenticate), refuse every CONNECT with a
// status, and quote the request's Proxy-Authorization and Authorization
// headers back in the body of every answer of its own. It records what
// it could read of each request.
type forwardProxy struct {
	srv        *httptest.Server
	user, pass string      // asked for when set
	refuse     int         // every CONNECT answered with this status, when set
	echo       bool        // its own answers quote the request's credential headers
	header     http.Header // added to every answer of its own (Retry-After, say)
	route      func(hostport string) string

	mu   sync.Mutex
	seen []proxied
}

// proxied is one request as the proxy could read it.
type proxied struct {
	method, target string // target: "host:port" of a CONNECT, the URL otherwise
	proxyAuth      string // Proxy-Authorization
	auth           string // Authorization, readable only on plain HTTP
}

func newForwardProxy(t *testing.T, route func(hostport string) string) *forwardProxy {
	t.Helper()
	p := &forwardProxy{route: route}
	p.srv = httptest.NewServer(p)
	t.Cleanup(p.srv.Close)
	return p
}

// url is the proxy's URL, with user:pass in it when given.
func (p *forwardProxy) url(user, pass string) *url.URL {
	u, _ := url.Parse(p.srv.URL)
	if user != "" {
		u.User = url.UserPassword(user, pass)
	}
	return u
}

func (p *forwardProxy) requests() []proxied {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]proxied(nil), p.seen...)
}

// answer is an answer of the proxy's own.
func (p *forwardProxy) answer(w http.ResponseWriter, r *http.Request, status int) {
	body := http.StatusText(status)
	if p.echo {
		body += ": you sent Proxy-Authorization: " + r.Header.Get("Proxy-Authorization") + ", Authorization: " + r.Header.Get("Authorization")
	}
	for k, v := range p.header {
		w.Header()[k] = v
	}
	if status == http.StatusProxyAuthRequired {
		w.Header().Set("Proxy-Authenticate", `Basic realm="corp-proxy"`)
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (p *forwardProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := proxied{method: r.Method, target: r.URL.String(), proxyAuth: r.Header.Get("Proxy-Authorization"), auth: r.Header.Get("Authorization")}
	if r.Method == http.MethodConnect {
		rec.target = r.Host
		rec.auth = "" // inside the tunnel, unread
	}
	p.mu.Lock()
	p.seen = append(p.seen, rec)
	p.mu.Unlock()
	if p.user != "" && rec.proxyAuth != "Basic "+base64.StdEncoding.EncodeToString([]byte(p.user+":"+p.pass)) {
		p.answer(w, r, http.StatusProxyAuthRequired)
		return
	}
	if r.Method == http.MethodConnect {
		if p.refuse != 0 {
			p.answer(w, r, p.refuse)
			return
		}
		up, err := net.Dial("tcp", p.route(r.Host))
		if err != nil {
			p.answer(w, r, http.StatusBadGateway)
			return
		}
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			_ = up.Close()
			return
		}
		_, _ = io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
		go func() {
			_, _ = io.Copy(up, brw)
			_ = up.Close()
		}()
		_, _ = io.Copy(conn, up)
		_ = conn.Close()
		return
	}
	if !r.URL.IsAbs() {
		p.answer(w, r, http.StatusBadRequest)
		return
	}
	out := r.Clone(context.Background())
	out.RequestURI = ""
	out.Header.Del("Proxy-Authorization")
	out.URL.Host = p.route(r.URL.Host)
	out.Host = r.Host
	resp, err := (&http.Transport{}).RoundTrip(out)
	if err != nil {
		p.answer(w, r, http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, bufio.NewReader(resp.Body))
}

// proxiedClient is a Client whose requests go through proxy as proxyFor
// (HTTPS_PROXY, HTTP_PROXY and NO_PROXY as Go reads them) would have it.
func proxiedClient(t *testing.T, cfg Config, proxy func(*http.Request) (*url.URL, error)) *Client {
	t.Helper()
	c := newTestClient(t, cfg)
	c.proxy = proxy
	return c
}

// routeTo sends every name to addr.
func routeTo(addr string) func(string) string {
	return func(string) string { return addr }
}

// hasAny reports which of secrets s holds.
func hasAny(s string, secrets ...string) []string {
	var out []string
	for _, x := range secrets {
		if x != "" && strings.Contains(s, x) {
			out = append(out, x)
		}
	}
	return out
}

// proxySetup is a registry double (TLS or plain HTTP, Basic credentials)
// reached by the name registry.example.com (which httptest's certificate
// names) through a forward proxy; direct dials of that name reach it too.
type proxySetup struct {
	f     *fake
	p     *forwardProxy
	reg   string // registry.example.com:port
	dials []string
	mu    sync.Mutex
}

const proxyTestRegPassword = "registry-secret-pw"

func newProxySetup(t *testing.T, tls bool, more ...fakeOption) *proxySetup {
	t.Helper()
	opts := append([]fakeOption{withBasic("reguser", proxyTestRegPassword)}, more...)
	if tls {
		opts = append(opts, withTLS())
	}
	s := &proxySetup{f: newFake(t, opts...)}
	s.f.setTags("acme/x", []string{"a"})
	s.p = newForwardProxy(t, routeTo(s.f.srv.Listener.Addr().String()))
	_, port, _ := net.SplitHostPort(s.f.host)
	s.reg = net.JoinHostPort("registry.example.com", port)
	return s
}

// client is a Client for s.reg whose proxy function is proxy; names are
// dialled at the registry double, addresses as they are.
func (s *proxySetup) client(t *testing.T, cfg Config, proxy func(*http.Request) (*url.URL, error)) *Client {
	t.Helper()
	cfg.Credentials = append(cfg.Credentials, Credential{Host: s.reg, Username: "reguser", Password: proxyTestRegPassword})
	if s.f.srv.TLS != nil && cfg.CACertPEM == nil {
		cfg.CACertPEM = caPEM(s.f)
	}
	if s.f.srv.TLS == nil {
		cfg.InsecureHosts = append(cfg.InsecureHosts, s.reg) // plain HTTP, listed
	}
	c := proxiedClient(t, cfg, proxy)
	c.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		s.mu.Lock()
		s.dials = append(s.dials, addr)
		s.mu.Unlock()
		if net.ParseIP(hostName(addr)) == nil {
			addr = s.f.srv.Listener.Addr().String()
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	return c
}

// viaAlways is a proxy function that proxies every request through u.
func viaAlways(u *url.URL) func(*http.Request) (*url.URL, error) {
	return func(*http.Request) (*url.URL, error) { return u, nil }
}

// The proxy's credentials (user:password in its URL, sent as
// Proxy-Authorization) never reach an error or a log line, whatever the
// proxy answers: 407 to missing or wrong credentials, a refused CONNECT,
// its own 502 page, each quoting the request's Proxy-Authorization and
// Authorization headers back in its body. The registry's credentials
// neither. net/http adds Proxy-Authorization below every round tripper
// of the Client's, so its credential watcher never saw it, and a proxy
// quoting it back in a plain-HTTP answer had it in the error and in the
// TF_LOG lines in full.
func TestProxyCredentialsNeverLoggedOrInErrors(t *testing.T) {
	noDockerConfig(t)
	const proxyUser, proxyPass = "corp-user", "Pr0xy-secret-pw"
	for _, tc := range []struct {
		name      string
		tls       bool
		pass      string // in the proxy URL
		refuse    int
		unrouted  bool // the proxy cannot reach the registry: its own 502
		ok        bool
		wantProxy bool // the error says it was a proxy
	}{
		{name: "https ok", tls: true, pass: proxyPass, ok: true},
		{name: "plain ok", pass: proxyPass, ok: true},
		{name: "https 407 wrong password", tls: true, pass: "wrong-" + proxyPass, wantProxy: true},
		{name: "plain 407 wrong password", pass: "wrong-" + proxyPass, wantProxy: true},
		{name: "https CONNECT 403", tls: true, pass: proxyPass, refuse: http.StatusForbidden, wantProxy: true},
		{name: "https CONNECT 502", tls: true, pass: proxyPass, refuse: http.StatusBadGateway, wantProxy: true},
		{name: "plain, the proxy's own 502", pass: proxyPass, unrouted: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newProxySetup(t, tc.tls)
			s.p.user, s.p.pass, s.p.echo, s.p.refuse = proxyUser, proxyPass, true, tc.refuse
			if tc.unrouted {
				s.p.route = routeTo("127.0.0.1:1")
			}
			logs := &logRecorder{}
			c := s.client(t, Config{MaxRetries: 1, Logger: logs}, viaAlways(s.p.url(proxyUser, tc.pass)))
			got, err := c.ListTags(context.Background(), repoOf(t, s.reg+"/acme/x"))
			if tc.ok != (err == nil) {
				t.Fatalf("got %v, %v; want ok %v", got, err, tc.ok)
			}
			if len(s.p.requests()) == 0 {
				t.Fatal("nothing went through the proxy, so the test proves nothing")
			}
			msg := ""
			if err != nil {
				msg = err.Error()
			}
			var secrets []string
			for _, p := range []string{proxyPass, tc.pass, proxyTestRegPassword} {
				secrets = append(secrets, p, base64.StdEncoding.EncodeToString([]byte(proxyUser+":"+p)), base64.StdEncoding.EncodeToString([]byte("reguser:"+p)))
			}
			if leaked := hasAny(msg, secrets...); len(leaked) > 0 {
				t.Errorf("the error holds %q: %s", leaked, msg)
			}
			if leaked := hasAny(logs.text(), secrets...); len(leaked) > 0 {
				t.Errorf("the log holds %q:\n%s", leaked, logs.text())
			}
			// An HTTPS registry's credentials go inside the tunnel; a
			// plain-HTTP listed one's reach the proxy, as docker and
			// containerd send them (NO_PROXY avoids it).
			readable := false
			for _, r := range s.p.requests() {
				if tc.tls && r.method != http.MethodConnect {
					t.Errorf("an HTTPS request went to the proxy outside a tunnel: %+v", r)
				}
				readable = readable || r.auth != ""
			}
			if tc.ok && readable == tc.tls {
				t.Errorf("the proxy could read the registry's credentials: %v; want %v", readable, !tc.tls)
			}
			if tc.wantProxy && !strings.Contains(msg, "proxy") {
				t.Errorf("the error does not say a proxy failed: %s", msg)
			}
		})
	}
}

// A proxy's refusal (407 to CONNECT or to a plain-HTTP request, a
// CONNECT answered 403 or 5xx) is an error that says the proxy failed, not
// the registry, and names the proxy; it is retried by the rules of a
// registry's answer (407 and 403 never, 502 and 503 within max_retries),
// and is no registry refusal of the credentials. net/http's own error for
// a refused CONNECT is the proxy's reason phrase alone ("Forbidden", "Bad
// Gateway"), which read as the registry's, with the advice to check the
// registry address; a 407 over plain HTTP read "the registry answered
// HTTP 407".
func TestProxyRefusalSaysProxyNotRegistry(t *testing.T) {
	noDockerConfig(t)
	for _, tc := range []struct {
		name     string
		tls      bool
		refuse   int
		auth     bool // the proxy asks for credentials, and none are given
		attempts int
	}{
		{name: "https 407", tls: true, auth: true, attempts: 1},
		{name: "plain 407", auth: true, attempts: 1},
		{name: "https CONNECT 403", tls: true, refuse: http.StatusForbidden, attempts: 1},
		{name: "https CONNECT 502", tls: true, refuse: http.StatusBadGateway, attempts: 3},
		{name: "https CONNECT 503", tls: true, refuse: http.StatusServiceUnavailable, attempts: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newProxySetup(t, tc.tls)
			s.p.refuse = tc.refuse
			if tc.auth {
				s.p.user, s.p.pass = "corp-user", "corp-pass"
			}
			c := s.client(t, Config{MaxRetries: 2}, viaAlways(s.p.url("", "")))
			c.sleep = func(context.Context, time.Duration) error { return nil }
			_, err := c.ListTags(context.Background(), repoOf(t, s.reg+"/acme/x"))
			if err == nil {
				t.Fatal("read through a proxy that refused")
			}
			msg := err.Error()
			if !strings.Contains(msg, "the proxy failed, not the registry") && !strings.Contains(msg, "a proxy answered HTTP 407 Proxy Authentication Required, not the registry") {
				t.Errorf("the error does not say the proxy failed: %s", msg)
			}
			if strings.Contains(msg, "Check the registry address") || strings.Contains(msg, "the registry answered") {
				t.Errorf("the error blames the registry: %s", msg)
			}
			if !strings.Contains(msg, "HTTPS_PROXY") || tc.tls && !strings.Contains(msg, s.p.srv.Listener.Addr().String()) {
				t.Errorf("the error does not name the proxy or its setting: %s", msg)
			}
			if tc.auth && !strings.Contains(msg, "missing or wrong") {
				t.Errorf("a 407 does not say the proxy's credentials are missing or wrong: %s", msg)
			}
			if IsUnauthorized(err) {
				t.Errorf("a proxy's refusal taken for the registry's refusal of the credentials: %s", msg)
			}
			if tc.tls {
				connects := 0
				for _, r := range s.p.requests() {
					if r.method == http.MethodConnect {
						connects++
					}
				}
				if connects != tc.attempts {
					t.Errorf("%d CONNECTs, want %d (max_retries 2): %s", connects, tc.attempts, msg)
				}
			}
		})
	}
}

// A loopback host (localhost, *.localhost, 127.0.0.1, ::1) is never
// proxied, whatever HTTPS_PROXY and HTTP_PROXY say: Go itself never
// proxies localhost and loopback addresses, but it proxied *.localhost, so
// that a plain-HTTP request allowed for registry.localhost as loopback
// went to the proxy, the registry's credentials with it, and the proxy
// resolved the name as it liked, past the check that it resolves to
// loopback (a proxy elsewhere failed with an error naming the proxy's
// address). Dialled directly, the name is checked as without a proxy.
func TestProxyNeverForLoopbackHosts(t *testing.T) {
	noDockerConfig(t)
	for _, tc := range []struct {
		host  string
		addrs []string
		ok    bool
	}{
		{host: "registry.localhost", addrs: []string{"127.0.0.1"}, ok: true},
		{host: "localhost", addrs: []string{"127.0.0.1"}, ok: true},
		{host: "127.0.0.1", ok: true},
		{host: "registry.localhost", addrs: []string{"192.0.2.10"}},
	} {
		t.Run(tc.host+"="+strings.Join(tc.addrs, ","), func(t *testing.T) {
			f := newFake(t, withBasic("reguser", proxyTestRegPassword))
			f.setTags("acme/x", []string{"a"})
			p := newForwardProxy(t, routeTo(f.srv.Listener.Addr().String()))
			_, port, _ := net.SplitHostPort(f.host)
			reg := net.JoinHostPort(tc.host, port)
			c := proxiedClient(t, Config{MaxRetries: 0, Credentials: []Credential{{Host: reg, Username: "reguser", Password: proxyTestRegPassword}}}, viaAlways(p.url("", "")))
			c.lookup = func(context.Context, string) ([]net.IPAddr, error) {
				var out []net.IPAddr
				for _, a := range tc.addrs {
					out = append(out, net.IPAddr{IP: net.ParseIP(a)})
				}
				return out, nil
			}
			got, err := c.ListTags(context.Background(), repoOf(t, reg+"/acme/x"))
			if sent := p.requests(); len(sent) > 0 {
				t.Errorf("a loopback host went through the proxy: %+v", sent)
			}
			if !tc.ok {
				if e := new(Error); err == nil || !errors.As(err, &e) || !e.PlainHTTP() || e.PlainHTTPHost() != reg {
					t.Errorf("got %v, %v; want a plain-HTTP error naming %s", got, err, reg)
				}
				return
			}
			if err != nil || len(got) != 1 {
				t.Fatalf("got %v, %v; want the tag", got, err)
			}
		})
	}
}

// insecure_registries and ca_certificate_pem apply to the registry behind
// an HTTPS proxy's tunnel, not to the proxy itself: the proxy of a request
// to a listed registry is verified as any host not listed. net/http gives
// the handshake with an HTTPS proxy (HTTPS_PROXY=https://…) the
// transport's own TLS config, so a listed registry's proxy went
// unverified, its credentials (Proxy-Authorization) sent to whoever
// answered. Trusted by ca_certificate_pem, or listed itself, it is used.
func TestHTTPSProxyVerifiedForInsecureRegistry(t *testing.T) {
	noDockerConfig(t)
	for _, tc := range []struct {
		name          string
		trustProxy    bool // ca_certificate_pem holds the proxy's CA (httptest's, the registry's too)
		listProxy     bool // the proxy's host:port is listed as insecure
		ok            bool
		registryPlain bool
	}{
		{name: "untrusted proxy"},
		{name: "untrusted proxy, plain-HTTP registry", registryPlain: true},
		{name: "proxy trusted by ca_certificate_pem", trustProxy: true, ok: true},
		{name: "proxy listed as insecure", listProxy: true, ok: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newProxySetup(t, !tc.registryPlain)
			ps := httptest.NewUnstartedServer(s.p)
			ps.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
			ps.StartTLS()
			t.Cleanup(ps.Close)
			u, _ := url.Parse(ps.URL)
			u.User = url.UserPassword("corp-user", "corp-pass")
			cfg := Config{MaxRetries: 0, InsecureHosts: []string{s.reg}, CACertPEM: []byte{}}
			if tc.trustProxy {
				cfg.CACertPEM = caPEM(s.f)
			}
			if tc.listProxy {
				cfg.InsecureHosts = append(cfg.InsecureHosts, u.Host)
			}
			c := s.client(t, cfg, viaAlways(u))
			got, err := c.ListTags(context.Background(), repoOf(t, s.reg+"/acme/x"))
			if tc.ok {
				if err != nil || len(got) != 1 || len(s.p.requests()) == 0 {
					t.Fatalf("got %v, %v (%d requests through the proxy); want the tag through it", got, err, len(s.p.requests()))
				}
				return
			}
			if sent := s.p.requests(); len(sent) > 0 {
				t.Errorf("requests sent to a proxy whose certificate was not verified: %+v", sent)
			}
			if err == nil || !strings.Contains(err.Error(), "the proxy failed, not the registry") || !strings.Contains(err.Error(), "certificate") {
				t.Errorf("got %v, %v; want an error saying the proxy's certificate failed", got, err)
			}
			if e := new(Error); errors.As(err, &e) && e.CertificateUnverified() {
				t.Errorf("the proxy's certificate taken for the registry's: %v", err)
			}
		})
	}
}

// NO_PROXY is matched host by host as Go documents it
// (golang.org/x/net/http/httpproxy, what http.ProxyFromEnvironment runs):
// the registry, its token service on another host and the store its blobs
// are redirected to are each proxied or reached directly by their own
// name and port, and a redirect follows the proxy rules of the host it
// goes to. The three names are one TLS double, which httptest's
// certificate names (*.example.com).
func TestNoProxyPerHost(t *testing.T) {
	noDockerConfig(t)
	var f *fake
	var port string
	tokens := &tokenService{user: "reguser", pass: proxyTestRegPassword}
	f = newFake(t, withTLS(), withHook(func(w http.ResponseWriter, r *http.Request) bool {
		host := hostName(r.Host)
		switch {
		case r.URL.Path == "/token" && host == "auth.example.com":
			tokens.ServeHTTP(w, r)
		case host == "blobs.example.com" && f.kind(r) == "blob":
			rec := f.direct(http.MethodGet, r.URL.Path, "", nil)
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
		case host != "registry.example.com":
			http.NotFound(w, r)
		case !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer "):
			w.Header().Set("WWW-Authenticate", `Bearer realm="https://auth.example.com:`+port+`/token",service="registry"`)
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		case f.kind(r) == "blob":
			http.Redirect(w, r, "https://blobs.example.com:"+port+r.URL.Path, http.StatusTemporaryRedirect)
		default:
			return false
		}
		return true
	}))
	_, port, _ = net.SplitHostPort(f.host)
	_, digest := f.pushImage("acme/x", "a", "linux/amd64")
	const reg, auth, blobs = "registry.example.com", "auth.example.com", "blobs.example.com"
	for _, tc := range []struct {
		noProxy string
		direct  []string // the rest proxied
	}{
		{noProxy: ""},
		{noProxy: "10.0.0.0/8,localhost"},
		{noProxy: auth, direct: []string{auth}},
		{noProxy: reg, direct: []string{reg}},
		{noProxy: blobs + ":" + port, direct: []string{blobs}},
		{noProxy: blobs + ":1"},
		{noProxy: ".example.com", direct: []string{reg, auth, blobs}},
		{noProxy: "example.com", direct: []string{reg, auth, blobs}},
		{noProxy: "*", direct: []string{reg, auth, blobs}},
		{noProxy: "other.example.com, AUTH.example.com ", direct: []string{auth}},
	} {
		t.Run(tc.noProxy, func(t *testing.T) {
			p := newForwardProxy(t, routeTo(f.srv.Listener.Addr().String()))
			env := (&httpproxy.Config{HTTPSProxy: p.srv.URL, HTTPProxy: p.srv.URL, NoProxy: tc.noProxy}).ProxyFunc()
			c := proxiedClient(t, Config{MaxRetries: 0, CACertPEM: caPEM(f), Credentials: []Credential{{Host: reg + ":" + port, Username: "reguser", Password: proxyTestRegPassword}}},
				func(req *http.Request) (*url.URL, error) { return env(req.URL) })
			var mu sync.Mutex
			direct := map[string]bool{}
			c.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
				if net.ParseIP(hostName(addr)) == nil {
					mu.Lock()
					direct[hostName(addr)] = true
					mu.Unlock()
					addr = f.srv.Listener.Addr().String()
				}
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			}
			pl, err := c.Platforms(context.Background(), repoOf(t, reg+":"+port+"/acme/x"), digest)
			if err != nil || pl.ByPlatform["linux/amd64"] != digest {
				t.Fatalf("got %+v, %v", pl, err)
			}
			proxied := map[string]bool{}
			for _, r := range p.requests() {
				if r.method != http.MethodConnect {
					t.Errorf("an HTTPS request went to the proxy outside a tunnel: %+v", r)
				}
				proxied[hostName(r.target)] = true
			}
			for _, h := range []string{reg, auth, blobs} {
				wantDirect := slices.Contains(tc.direct, h)
				if direct[h] != wantDirect || proxied[h] == wantDirect {
					t.Errorf("%s: direct %v, proxied %v; want direct %v", h, direct[h], proxied[h], wantDirect)
				}
			}
		})
	}
}

// A plain-HTTP registry listed as insecure, behind a proxy that refuses
// CONNECT to its port (squid's default allows CONNECT to 443 only): the
// ping's HTTPS attempt is refused by the proxy, its plain-HTTP one reaches
// the registry, whose answers are the registry's: a wrong password is its
// refusal of the credentials, a 503 to the ping its failure, not the
// proxy's.
func TestProxyRefusingConnectToPlainRegistry(t *testing.T) {
	noDockerConfig(t)
	for _, tc := range []struct {
		name   string
		pass   string
		status int // the registry's answer to the ping, when set
	}{
		{name: "ok", pass: proxyTestRegPassword},
		{name: "wrong password", pass: "wrong-" + proxyTestRegPassword},
		{name: "ping 503", pass: proxyTestRegPassword, status: http.StatusServiceUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newProxySetup(t, false, withHook(func(w http.ResponseWriter, r *http.Request) bool {
				if tc.status == 0 || r.URL.Path != "/v2/" {
					return false
				}
				writeRegError(w, tc.status, "UNAVAILABLE", "down for maintenance")
				return true
			}))
			s.p.refuse = http.StatusForbidden
			c := proxiedClient(t, Config{MaxRetries: 0, InsecureHosts: []string{s.reg}, Credentials: []Credential{{Host: s.reg, Username: "reguser", Password: tc.pass}}}, viaAlways(s.p.url("", "")))
			got, err := c.ListTags(context.Background(), repoOf(t, s.reg+"/acme/x"))
			switch {
			case tc.name == "ok":
				if err != nil || len(got) != 1 {
					t.Fatalf("got %v, %v; want the tag over plain HTTP through the proxy", got, err)
				}
			case err == nil || strings.Contains(err.Error(), "not the registry"):
				t.Errorf("got %v; want the registry's answer, not the proxy's failure", err)
			case tc.status == 0 && !IsUnauthorized(err):
				t.Errorf("got %v; want the registry's refusal of the credentials", err)
			case tc.status != 0 && statusOf(err) != tc.status:
				t.Errorf("got %v; want the registry's %d", err, tc.status)
			}
		})
	}
}
