package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
)

// schemeHosts serves requests to "scheme://host[:port]" from handlers in
// memory; any other address is refused as a closed port is, so that a
// registry can speak plain HTTP only, or HTTPS only.
type schemeHosts struct {
	mu       sync.Mutex
	handlers map[string]http.Handler // "http://host:port" -> handler
	seen     []string                // "scheme://host path Authorization"
}

func (h *schemeHosts) RoundTrip(req *http.Request) (*http.Response, error) {
	addr := req.URL.Scheme + "://" + req.URL.Host
	h.mu.Lock()
	handler := h.handlers[addr]
	h.seen = append(h.seen, addr+req.URL.Path+" "+req.Header.Get("Authorization"))
	h.mu.Unlock()
	if req.Body != nil {
		defer req.Body.Close()
	}
	if handler == nil {
		return nil, fmt.Errorf("dial tcp %s: connect: connection refused", req.URL.Host)
	}
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// plainRequests is every request sent over plain HTTP to host.
func (h *schemeHosts) plainRequests(host string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, s := range h.seen {
		if strings.HasPrefix(s, "http://"+host+"/") {
			out = append(out, s)
		}
	}
	return out
}

// plainBearerRegistry answers as a registry whose token service is realm:
// 401 with the challenge until a request carries a bearer token, then
// the tag list.
func plainBearerRegistry(realm string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			w.Header().Set("WWW-Authenticate", `Bearer realm="`+realm+`",service="registry"`)
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"name": "acme/x", "tags": []string{"a"}})
	})
}

// Plain HTTP is allowed per host, as unverified TLS is: the registry
// being loopback or listed in InsecureHosts does not let its token
// service (realm) on another host be spoken to in clear. go-containerregistry
// accepts an http realm for a registry its ping reached over plain HTTP,
// and sent the registry's credentials there in clear, to a host that is
// neither loopback nor listed. The realm's host listed, or loopback, it is
// read.
func TestPlainHTTPRealmOnAnotherHostRefused(t *testing.T) {
	noDockerConfig(t)
	const password = "hosts-realm-password"
	for _, tc := range []struct {
		name, registry, realm string
		insecure              []string
		ok                    bool
	}{
		{name: "loopback registry, realm on a host not listed", registry: "localhost:5000", realm: "auth.example.test"},
		{name: "listed registry, realm on a host not listed", registry: "registry.internal:5000", realm: "auth.internal", insecure: []string{"registry.internal:5000"}},
		{name: "listed registry, realm on another port not listed", registry: "registry.internal:5000", realm: "registry.internal:5001", insecure: []string{"registry.internal:5000"}},
		{name: "listed registry, realm on port 80, port 443 listed", registry: "registry.internal:5000", realm: "registry.internal", insecure: []string{"registry.internal:5000", "registry.internal:443"}},
		{name: "loopback registry, realm on another loopback port", registry: "localhost:5000", realm: "localhost:5001", ok: true},
		{name: "listed registry, realm on its host, listed without a port", registry: "registry.internal:5000", realm: "registry.internal", insecure: []string{"registry.internal:5000", "registry.internal"}, ok: true},
		{name: "listed registry, realm listed too", registry: "registry.internal:5000", realm: "auth.internal", insecure: []string{"registry.internal:5000", "auth.internal"}, ok: true},
		{name: "listed registry, realm on its own host and port", registry: "registry.internal:5000", realm: "registry.internal:5000", insecure: []string{"registry.internal:5000"}, ok: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tokens := &tokenService{user: "u", pass: password}
			h := &schemeHosts{handlers: map[string]http.Handler{}}
			realm := "http://" + tc.realm + "/token"
			reg := plainBearerRegistry(realm)
			if tc.realm == tc.registry {
				reg = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/token" {
						tokens.ServeHTTP(w, r)
						return
					}
					plainBearerRegistry(realm).ServeHTTP(w, r)
				})
			} else {
				h.handlers["http://"+tc.realm] = tokens
			}
			h.handlers["http://"+tc.registry] = reg
			c := hostsClient(t, h, Config{MaxRetries: 0, InsecureHosts: tc.insecure, Credentials: []Credential{{Host: tc.registry, Username: "u", Password: password}}})
			got, err := c.ListTags(context.Background(), repoOf(t, tc.registry+"/acme/x"))
			if tc.ok {
				if err != nil || len(got) != 1 {
					t.Fatalf("got %v, %v; want the tag", got, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("read with a token from %s over plain HTTP", realm)
			}
			if sent := h.plainRequests(tc.realm); len(sent) > 0 {
				t.Errorf("plain HTTP sent to %s, neither loopback nor listed:\n%s", tc.realm, strings.Join(sent, "\n"))
			}
			if e := new(Error); !errors.As(err, &e) || !e.PlainHTTP() || e.PlainHTTPHost() != tc.realm || !strings.Contains(err.Error(), tc.realm) {
				t.Errorf("not an error that names %s and says plain HTTP: %v", tc.realm, err)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("error quotes the password: %s", err)
			}
		})
	}
}

// A loopback registry (plain HTTP) whose config blob is redirected to a
// store over plain HTTP on a host that is neither loopback nor listed:
// refused, that store not asked; the store listed, it is read (the blob is
// checked by its digest).
func TestPlainHTTPBlobStoreOnAnotherHostRefused(t *testing.T) {
	noDockerConfig(t)
	const store = "cdn.example.test"
	var asked atomic.Int32
	var f *fake
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		rec := f.direct(http.MethodGet, r.URL.Path, "", nil)
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(cdn.Close)
	f = newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if f.kind(r) != "blob" {
			return false
		}
		http.Redirect(w, r, "http://"+store+r.URL.Path, http.StatusTemporaryRedirect)
		return true
	}))
	_, digest := f.pushImage("acme/x", "a", "linux/amd64")
	for _, insecure := range [][]string{nil, {store}} {
		c := newTestClient(t, Config{MaxRetries: 0, InsecureHosts: insecure})
		dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
			if hostName(addr) == store {
				addr = cdn.Listener.Addr().String()
			}
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}
		for _, tr := range []*http.Transport{c.verified, c.unverified} {
			tr.DialContext, tr.Proxy = dial, nil
		}
		asked.Store(0)
		p, err := c.Platforms(context.Background(), repoOf(t, f.repo("acme/x")), digest)
		if insecure != nil {
			if want := map[string]string{"linux/amd64": digest}; err != nil || !maps.Equal(p.ByPlatform, want) || asked.Load() != 1 {
				t.Errorf("listed: Platforms gave %+v, %v (%d store requests); want %v", p, err, asked.Load(), want)
			}
			continue
		}
		if err == nil || asked.Load() != 0 {
			t.Errorf("the blob was read over plain HTTP from %s, neither loopback nor listed (%d requests): %+v, %v", store, asked.Load(), p, err)
		}
		if e := new(Error); !errors.As(err, &e) || e.PlainHTTPHost() != store {
			t.Errorf("not an error that names %s: %v", store, err)
		}
	}
}

// A registry named as loopback (localhost, *.localhost) speaks plain
// HTTP without being listed only when its name resolves to loopback
// addresses: Go's resolver (netgo, as a provider binary is built) asks
// the network's DNS for *.localhost, and localhost itself when /etc/hosts
// lacks it, so a name that resolves elsewhere had the registry's
// credentials sent there in clear. Docker resolves the name and checks its
// addresses the same way. Only loopback addresses are dialled; none is an
// error that says plain HTTP was not tried. The resolver here answers for
// the names, and every loopback address dialled is the local registry.
func TestLoopbackNameMustResolveToLoopback(t *testing.T) {
	noDockerConfig(t)
	const password = "hosts-loopback-password"
	var n tlsCounter
	f := newFake(t, withBasic("u", password), withHook(n.hook))
	f.setTags("acme/x", []string{"a"})
	_, port, _ := net.SplitHostPort(f.host)
	for _, tc := range []struct {
		host     string
		addrs    []string
		insecure []string
		ok       bool
	}{
		{host: "registry.localhost", addrs: []string{"192.0.2.10"}},
		{host: "registry.localhost", addrs: []string{"192.0.2.10", "2001:db8::10"}},
		{host: "localhost", addrs: []string{"10.0.0.7"}},
		{host: "registry.localhost", addrs: []string{"127.0.0.1"}, ok: true},
		{host: "localhost", addrs: []string{"::1", "127.0.0.1"}, ok: true},
		{host: "registry.localhost", addrs: []string{"192.0.2.10", "127.0.0.1"}, ok: true},                                      // the loopback one only
		{host: "registry.localhost", addrs: []string{"192.0.2.10"}, insecure: []string{"registry.localhost:" + port}, ok: true}, // listed: as the user says
	} {
		t.Run(fmt.Sprintf("%s=%v,insecure=%v", tc.host, tc.addrs, tc.insecure), func(t *testing.T) {
			reg := net.JoinHostPort(tc.host, port)
			c := newTestClient(t, Config{MaxRetries: 0, InsecureHosts: tc.insecure, Credentials: []Credential{{Host: reg, Username: "u", Password: password}}})
			var mu sync.Mutex
			var dialled []string
			c.lookup = func(_ context.Context, host string) ([]net.IPAddr, error) {
				if host != tc.host {
					return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
				}
				var out []net.IPAddr
				for _, a := range tc.addrs {
					out = append(out, net.IPAddr{IP: net.ParseIP(a)})
				}
				return out, nil
			}
			// Any address the client dials, by name or by IP, reaches the
			// registry, so that a non-loopback one would be served.
			c.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
				mu.Lock()
				dialled = append(dialled, addr)
				mu.Unlock()
				if ip := net.ParseIP(hostName(addr)); ip != nil && ip.IsLoopback() && ip.To4() == nil {
					return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED} // the registry listens on IPv4 only
				}
				return (&net.Dialer{}).DialContext(ctx, network, f.srv.Listener.Addr().String())
			}
			before := n.plain.Load()
			got, err := c.ListTags(context.Background(), repoOf(t, reg+"/acme/x"))
			if tc.ok {
				if err != nil || len(got) != 1 {
					t.Fatalf("got %v, %v; want the tag (dialled %v)", got, err, dialled)
				}
				for _, d := range dialled {
					if ip := net.ParseIP(hostName(d)); ip != nil && !ip.IsLoopback() {
						t.Errorf("dialled %s, not loopback", d)
					}
				}
				return
			}
			if n.plain.Load() != before {
				t.Fatalf("%d requests reached %s over plain HTTP, resolved to %v (dialled %v)", n.plain.Load()-before, reg, tc.addrs, dialled)
			}
			if err == nil {
				t.Fatal("no error")
			}
			if e := new(Error); !errors.As(err, &e) || !e.PlainHTTP() || !strings.Contains(err.Error(), tc.addrs[0]) {
				t.Errorf("not an error that says plain HTTP and names the address: %v", err)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("error quotes the password: %s", err)
			}
		})
	}
}

// Which hosts may be spoken to over plain HTTP (plainHTTPAllowed) and
// over unverified TLS (insecureAddr, as credentialWatcher asks it for an
// https URL), host by host and port by port: an insecure_registries entry
// without a port matches the default ports only, in any case; nothing
// that only looks like loopback or like a listed host is either.
func TestPlainHTTPAndUnverifiedTLSHostByHost(t *testing.T) {
	c := newTestClient(t, Config{InsecureHosts: []string{"Registry.Internal", "reg.internal:5000", "[::1]:6000", "10.0.0.1", "[fe80::1]"}})
	for _, tc := range []struct {
		url               string
		plain, unverified bool
	}{
		{url: "http://registry.internal/v2/", plain: true},
		{url: "http://REGISTRY.INTERNAL:80/v2/", plain: true},
		{url: "https://registry.internal/v2/", unverified: true},
		{url: "https://registry.internal:443/v2/", unverified: true},
		{url: "http://registry.internal:5000/v2/"},
		{url: "https://registry.internal:5000/v2/"},
		{url: "http://registry.internal.:80/v2/"}, // another name to the resolver's search list
		{url: "http://sub.registry.internal/v2/"},
		{url: "http://registry.internal.evil.example/v2/"},
		{url: "http://reg.internal:5000/v2/", plain: true},
		{url: "https://reg.internal:5000/v2/", unverified: true},
		{url: "http://reg.internal/v2/"},
		{url: "https://reg.internal/v2/"},
		{url: "http://reg.internal:5001/v2/"},
		{url: "http://[::1]:6000/v2/", plain: true},
		{url: "https://[::1]:6000/v2/", unverified: true},
		{url: "https://[::1]:6001/v2/"}, // loopback: plain HTTP, but TLS verified unless listed
		{url: "http://10.0.0.1/v2/", plain: true},
		{url: "https://10.0.0.1/v2/", unverified: true},
		{url: "http://10.0.0.1:5000/v2/"},
		{url: "http://[::ffff:10.0.0.1]/v2/"}, // the listed address written otherwise: not listed
		{url: "http://10.0.0.2/v2/"},
		{url: "http://192.168.1.2:5000/v2/"},
		// Loopback: plain HTTP without being listed, never unverified TLS.
		{url: "http://127.0.0.1:5000/v2/", plain: true},
		{url: "http://127.9.9.9/v2/", plain: true},
		{url: "http://[::1]:5000/v2/", plain: true},
		{url: "http://[0:0:0:0:0:0:0:1]/v2/", plain: true},
		{url: "http://[::ffff:127.0.0.1]:5000/v2/", plain: true}, // dialled as 127.0.0.1
		{url: "http://localhost:5000/v2/", plain: true},          // dialled at its loopback addresses only
		{url: "http://LocalHost/v2/", plain: true},
		{url: "http://registry.localhost:5000/v2/", plain: true},
		{url: "https://localhost:5000/v2/"},
		{url: "https://127.0.0.1/v2/"},
		// Not loopback, whatever they look like.
		{url: "http://localhost.evil.example/v2/"},
		{url: "http://127.0.0.1.nip.io/v2/"},
		{url: "http://localhostx/v2/"},
		{url: "http://127.1/v2/"},      // not an address Go parses; a name to the resolver
		{url: "http://0x7f.0.0.1/v2/"}, // likewise
		{url: "http://2130706433/v2/"},
		{url: "http://[::2]/v2/"},
		{url: "http://0.0.0.0:5000/v2/"},
		{url: "https://[fe80::1]/v2/", unverified: true},
		// An address normalizeHostPort refuses (an IPv6 zone) is listed by no entry.
		{url: "http://[fe80::1%25en0]/v2/"},
		{url: "https://[fe80::1%25en0]/v2/"},
		{url: "https://[fe80::1%25en0]:6000/v2/"},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		addr := u.Host
		if u.Port() == "" {
			addr = net.JoinHostPort(u.Hostname(), "443") // as credentialWatcher asks
		}
		if got := c.plainHTTPAllowed(u); u.Scheme == "http" && got != tc.plain {
			t.Errorf("%s: plain HTTP allowed %v, want %v", tc.url, got, tc.plain)
		}
		if got := c.insecureAddr(addr); u.Scheme == "https" && got != tc.unverified {
			t.Errorf("%s: unverified TLS %v, want %v", tc.url, got, tc.unverified)
		}
	}
}

// A registry that may speak plain HTTP (loopback, or listed) whose ping
// fails over both schemes, HTTPS because it speaks plain HTTP and plain
// HTTP with a rate limit, a fault or a refusal, fails for what plain HTTP
// answered: the error is not one of plain HTTP (whose advice, to list the
// host in insecure_registries, took the place of the rate limit's). A
// host that may not speak plain HTTP keeps that classification.
func TestPlainHTTPRegistryFailureIsNotAPlainHTTPError(t *testing.T) {
	noDockerConfig(t)
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusForbidden} {
		f := newFake(t, withHook(func(w http.ResponseWriter, _ *http.Request) bool {
			writeRegError(w, status, "FAULT", http.StatusText(status))
			return true
		}))
		for _, insecure := range [][]string{nil, {f.host}} {
			c := newTestClient(t, Config{MaxRetries: 0, InsecureHosts: insecure})
			_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
			e := new(Error)
			if !errors.As(err, &e) || e.StatusCode != status {
				t.Fatalf("%d, insecure %v: got %v; want the registry's %d", status, insecure, err, status)
			}
			if e.PlainHTTP() {
				t.Errorf("%d, insecure %v: classified as plain HTTP: %v", status, insecure, err)
			}
		}
	}
}
