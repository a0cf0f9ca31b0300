package registry

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// socksProxy is a minimal SOCKS5 server on 127.0.0.1 (RFC 1928, CONNECT
// only, with RFC 1929's user name and password when user is set): it
// answers every CONNECT with reply (0, success, by default) and tunnels
// it to the address route gives. It records each CONNECT's target, and
// the credentials it was sent.
type socksProxy struct {
	ln         net.Listener
	user, pass string // asked for when user is set
	reply      byte   // the reply to every CONNECT; 0 tunnels it
	route      func(hostport string) string

	mu      sync.Mutex
	targets []string
	creds   []string // user:pass, as sent
}

func newSOCKSProxy(t *testing.T, route func(string) string) *socksProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &socksProxy{ln: ln, route: route}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(conn)
		}
	}()
	return p
}

// url is the proxy's socks5:// URL, with user:pass in it when given.
func (p *socksProxy) url(user, pass string) *url.URL {
	u := &url.URL{Scheme: "socks5", Host: p.ln.Addr().String()}
	if user != "" {
		u.User = url.UserPassword(user, pass)
	}
	return u
}

func (p *socksProxy) seen() (targets, creds []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.targets...), append([]string(nil), p.creds...)
}

func (p *socksProxy) serve(conn net.Conn) {
	defer conn.Close()
	read := func(n int) []byte {
		b := make([]byte, n)
		if _, err := io.ReadFull(conn, b); err != nil {
			return nil
		}
		return b
	}
	hello := read(2)
	if hello == nil || hello[0] != 5 {
		return
	}
	methods := read(int(hello[1]))
	want := byte(0) // no authentication
	if p.user != "" {
		want = 2 // user name and password
	}
	if !strings.ContainsRune(string(methods), rune(want)) {
		_, _ = conn.Write([]byte{5, 0xff})
		return
	}
	_, _ = conn.Write([]byte{5, want})
	if want == 2 {
		h := read(2)
		if h == nil {
			return
		}
		user := read(int(h[1]))
		pl := read(1)
		if user == nil || pl == nil {
			return
		}
		pass := read(int(pl[0]))
		p.mu.Lock()
		p.creds = append(p.creds, string(user)+":"+string(pass))
		p.mu.Unlock()
		if string(user) != p.user || string(pass) != p.pass {
			_, _ = conn.Write([]byte{1, 1})
			return
		}
		_, _ = conn.Write([]byte{1, 0})
	}
	req := read(4) // VER CMD RSV ATYP
	if req == nil || req[1] != 1 {
		return
	}
	var host string
	switch req[3] {
	case 1:
		host = net.IP(read(4)).String()
	case 4:
		host = net.IP(read(16)).String()
	case 3:
		n := read(1)
		if n == nil {
			return
		}
		host = string(read(int(n[0])))
	default:
		return
	}
	port := read(2)
	if port == nil {
		return
	}
	target := net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(port))))
	p.mu.Lock()
	p.targets = append(p.targets, target)
	p.mu.Unlock()
	answer := func(code byte) { _, _ = conn.Write([]byte{5, code, 0, 1, 0, 0, 0, 0, 0, 0}) }
	if p.reply != 0 {
		answer(p.reply)
		return
	}
	up, err := net.Dial("tcp", p.route(target))
	if err != nil {
		answer(5) // connection refused
		return
	}
	defer up.Close()
	answer(0)
	go func() {
		_, _ = io.Copy(up, conn)
		_ = up.Close()
	}()
	_, _ = io.Copy(conn, up)
}

// A SOCKS5 proxy (HTTPS_PROXY=socks5://user:pass@host:1080, which Go's
// ProxyFromEnvironment honours, for HTTPS and plain HTTP alike) tunnels
// every request, an HTTPS registry's TLS, unverified only when the
// registry is listed in insecure_registries, and a listed plain-HTTP
// registry's. Its credentials never reach an error or a log line. A
// refusal (a CONNECT not allowed, wrong or missing credentials) or a
// proxy that cannot be reached is an error that names the proxy and says
// it failed, not the registry: net/http's "socks connect" error read as
// the registry's failure, with the advice to check its address.
func TestSOCKS5Proxy(t *testing.T) {
	noDockerConfig(t)
	const proxyUser, proxyPass = "corp-user", "S0cks-secret-pw"
	for _, tc := range []struct {
		name        string
		tls         bool
		insecure    bool   // the TLS registry is listed, its certificate not trusted
		pass        string // in the proxy URL
		anonymous   bool   // no credentials in the proxy URL
		reply       byte
		unreachable bool
		untrusted   bool // the TLS registry's certificate is not trusted, nor the registry listed
		ok          bool
	}{
		{name: "https", tls: true, pass: proxyPass, ok: true},
		{name: "https, listed insecure", tls: true, insecure: true, pass: proxyPass, ok: true},
		{name: "plain, listed", pass: proxyPass, ok: true},
		{name: "https, untrusted certificate", tls: true, untrusted: true, pass: proxyPass},
		{name: "wrong password", tls: true, pass: "wrong-" + proxyPass},
		{name: "no credentials", tls: true, anonymous: true},
		{name: "not allowed by ruleset", tls: true, pass: proxyPass, reply: 2},
		{name: "plain, not allowed by ruleset", pass: proxyPass, reply: 2},
		{name: "unreachable", tls: true, pass: proxyPass, unreachable: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newProxySetup(t, tc.tls)
			p := newSOCKSProxy(t, routeTo(s.f.srv.Listener.Addr().String()))
			p.user, p.pass, p.reply = proxyUser, proxyPass, tc.reply
			u := p.url(proxyUser, tc.pass)
			if tc.anonymous {
				u = p.url("", "")
			}
			if tc.unreachable {
				_ = p.ln.Close()
			}
			cfg := Config{MaxRetries: 0, Logger: &logRecorder{}}
			if tc.untrusted {
				cfg.CACertPEM = []byte{}
			}
			if tc.insecure {
				cfg.CACertPEM, cfg.InsecureHosts = []byte{}, []string{s.reg}
			}
			c := s.client(t, cfg, viaAlways(u))
			got, err := c.ListTags(context.Background(), repoOf(t, s.reg+"/acme/x"))
			targets, _ := p.seen()
			s.mu.Lock()
			dials := append([]string(nil), s.dials...)
			s.mu.Unlock()
			for _, d := range dials {
				if d != p.ln.Addr().String() {
					t.Errorf("dialled %s, not the proxy", d)
				}
			}
			if !tc.unreachable && len(targets) == 0 && !tc.anonymous && tc.pass == proxyPass {
				t.Fatal("nothing went through the proxy, so the test proves nothing")
			}
			for _, tg := range targets {
				if tg != s.reg {
					t.Errorf("the proxy was asked for %s, want %s", tg, s.reg)
				}
			}
			if tc.ok {
				if err != nil || len(got) != 1 {
					t.Fatalf("got %v, %v; want the tag through the proxy", got, err)
				}
				return
			}
			if err == nil {
				t.Fatal("read through a proxy that refused")
			}
			msg := err.Error()
			if tc.untrusted {
				// The registry's certificate, checked inside the tunnel.
				if e := new(Error); !errors.As(err, &e) || !e.CertificateUnverified() || strings.Contains(msg, "proxy failed") {
					t.Errorf("got %v; want the registry's certificate unverified", err)
				}
				return
			}
			logs := cfg.Logger.(*logRecorder).text()
			secrets := []string{proxyPass, tc.pass, base64.StdEncoding.EncodeToString([]byte(proxyUser + ":" + tc.pass)), proxyTestRegPassword}
			if leaked := hasAny(msg, secrets...); len(leaked) > 0 {
				t.Errorf("the error holds %q: %s", leaked, msg)
			}
			if leaked := hasAny(logs, secrets...); len(leaked) > 0 {
				t.Errorf("the log holds %q:\n%s", leaked, logs)
			}
			if !strings.Contains(msg, "the proxy failed, not the registry") || !strings.Contains(msg, p.ln.Addr().String()) {
				t.Errorf("the error does not say the proxy %s failed: %s", p.ln.Addr(), msg)
			}
			if strings.Contains(msg, "Check the registry address") || IsUnauthorized(err) {
				t.Errorf("the error blames the registry: %s", msg)
			}
		})
	}
}

// A loopback registry is never sent to a SOCKS proxy, and a *.localhost
// name is dialled only at the loopback addresses it resolves to, as
// without a proxy: with socks5:// (not socks5h), Go sends the proxy the
// name, which the proxy would resolve as it liked.
func TestSOCKS5ProxyNeverForLoopbackHosts(t *testing.T) {
	noDockerConfig(t)
	for _, tc := range []struct {
		host  string
		addrs []string
		ok    bool
	}{
		{host: "registry.localhost", addrs: []string{"127.0.0.1"}, ok: true},
		{host: "127.0.0.1", ok: true},
		{host: "registry.localhost", addrs: []string{"192.0.2.10"}},
	} {
		t.Run(tc.host+"="+strings.Join(tc.addrs, ","), func(t *testing.T) {
			f := newFake(t, withBasic("reguser", proxyTestRegPassword))
			f.setTags("acme/x", []string{"a"})
			p := newSOCKSProxy(t, routeTo(f.srv.Listener.Addr().String()))
			_, port, _ := net.SplitHostPort(f.host)
			reg := net.JoinHostPort(tc.host, port)
			for _, scheme := range []string{"socks5", "socks5h"} {
				u := p.url("corp-user", "corp-pass")
				u.Scheme = scheme
				c := proxiedClient(t, Config{MaxRetries: 0, Credentials: []Credential{{Host: reg, Username: "reguser", Password: proxyTestRegPassword}}}, viaAlways(u))
				c.lookup = func(context.Context, string) ([]net.IPAddr, error) {
					var out []net.IPAddr
					for _, a := range tc.addrs {
						out = append(out, net.IPAddr{IP: net.ParseIP(a)})
					}
					return out, nil
				}
				got, err := c.ListTags(context.Background(), repoOf(t, reg+"/acme/x"))
				if targets, creds := p.seen(); len(targets)+len(creds) > 0 {
					t.Errorf("%s: a loopback host went through the proxy: %v", scheme, targets)
				}
				if !tc.ok {
					if e := new(Error); err == nil || !errors.As(err, &e) || !e.PlainHTTP() {
						t.Errorf("%s: got %v, %v; want a plain-HTTP error naming %s", scheme, got, err, reg)
					}
					continue
				}
				if err != nil || len(got) != 1 {
					t.Fatalf("%s: got %v, %v; want the tag", scheme, got, err)
				}
			}
		})
	}
}

// A SOCKS5 proxy's reply that it could not reach the registry (a general
// failure, network or host unreachable, connection refused, TTL expired)
// is retried within max_retries, as an HTTP proxy's CONNECT 502 or 503
// is, and as the registry's own refusal of a direct connection is; a
// connection its rules do not allow, or a command it does not support,
// is not, as a CONNECT 403 is not. Every SOCKS reply was final.
func TestSOCKS5ProxyRetries(t *testing.T) {
	noDockerConfig(t)
	for _, tc := range []struct {
		reply    byte
		attempts int
	}{
		{reply: 1, attempts: 3},
		{reply: 3, attempts: 3},
		{reply: 4, attempts: 3},
		{reply: 5, attempts: 3},
		{reply: 6, attempts: 3},
		{reply: 2, attempts: 1},
		{reply: 7, attempts: 1},
	} {
		t.Run(strconv.Itoa(int(tc.reply)), func(t *testing.T) {
			s := newProxySetup(t, true)
			p := newSOCKSProxy(t, routeTo(s.f.srv.Listener.Addr().String()))
			p.reply = tc.reply
			c := s.client(t, Config{MaxRetries: 2}, viaAlways(p.url("", "")))
			c.sleep = func(context.Context, time.Duration) error { return nil }
			_, err := c.ListTags(context.Background(), repoOf(t, s.reg+"/acme/x"))
			if err == nil || !strings.Contains(err.Error(), "the proxy failed, not the registry") {
				t.Fatalf("got %v; want the proxy's failure", err)
			}
			if targets, _ := p.seen(); len(targets) != tc.attempts {
				t.Errorf("%d CONNECTs, want %d (max_retries 2): %v", len(targets), tc.attempts, err)
			}
		})
	}
}
