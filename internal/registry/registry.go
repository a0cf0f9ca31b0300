// Package registry reads tag lists and manifests from OCI / Docker
// registries on go-containerregistry. It imports nothing from Terraform.
//
// A Client keeps its transports for its life and, per repository, one
// authenticated round tripper (a token exchange per repository, a ping per
// host). Tag lists, digests and platform lists are memoized for its life,
// concurrent callers sharing one request. Failures are not cached, but for
// spent retries and rate limits (Client.retry).
package registry

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/memo"
)

const (
	// DefaultRequestTimeout is the time one attempt of one request may take,
	// body included, when Config.RequestTimeout is zero.
	DefaultRequestTimeout = 30 * time.Second

	// DefaultMaxRetries is the number of retries used when Config.MaxRetries
	// is negative (see UseDefaultRetries).
	DefaultMaxRetries = 3

	// UseDefaultRetries, as Config.MaxRetries, asks for DefaultMaxRetries.
	UseDefaultRetries = -1

	// DefaultUserAgent is sent when Config.UserAgent is empty.
	DefaultUserAgent = "terraform-provider-prefectimage"

	tagPageSize = 1000
	maxBodySize = 16 << 20
	retryBase   = 200 * time.Millisecond
)

// Credential is a username and password for one registry host, as written in
// a provider registry_auth block. The three Docker Hub names (docker.io,
// index.docker.io, registry-1.docker.io) are one host.
type Credential struct {
	Host     string
	Username string
	Password string
}

// Logger receives the Client's debug lines. The provider passes tflog.
// Fields never hold credentials, tokens or Authorization headers.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
}

// Config configures a Client. The zero value is usable, except that a zero
// MaxRetries means no retries (use UseDefaultRetries for the default).
type Config struct {
	// UserAgent is sent on every request, followed by go-containerregistry's
	// own product token. Default DefaultUserAgent.
	UserAgent string

	// Credentials are tried first; the first whose Host matches the
	// registry wins.
	Credentials []Credential

	// Keychain is used when no Credential matches; nil means
	// authn.DefaultKeychain (DOCKER_CONFIG, ~/.docker/config.json,
	// credential helpers), read on the first request to each repository,
	// never in New. The Client reads it itself, running credential helpers
	// within RequestTimeout (package authfile), and without a Docker config
	// file reads DOCKER_AUTH_CONFIG and Podman's auth file. Else anonymous.
	Keychain authn.Keychain

	// InsecureHosts lists "host[:port]" entries for which plain HTTP and
	// unverified TLS are allowed. An entry without a port matches the host on
	// the default port only. Every other host keeps full TLS verification.
	// Loopback hosts (127.0.0.0/8, localhost, ::1) may always fall back to
	// plain HTTP, but HTTPS is tried first and stays verified.
	InsecureHosts []string

	// CACertPEM holds extra trusted CA certificates, added to the system
	// pool.
	CACertPEM []byte

	// RequestTimeout bounds one attempt of one request, reading the body
	// included. Zero or negative means DefaultRequestTimeout. One request
	// with all its retries and waits never takes longer than
	// RequestTimeout × (MaxRetries+1).
	RequestTimeout time.Duration

	// ListingTimeout bounds one repository's whole tag listing: every page,
	// piece, fallback and retry of it, from its first request. Zero or
	// negative means DefaultListingTimeout.
	ListingTimeout time.Duration

	// MaxRetries is the number of retries after the first attempt, on 408,
	// 429, 500, 502, 503, 504 and on network errors. Zero means no retries;
	// negative (UseDefaultRetries) means DefaultMaxRetries.
	MaxRetries int

	// Logger receives debug lines; nil discards them.
	Logger Logger
}

// Client talks to registries. It is safe for concurrent use. Create it with
// New.
type Client struct {
	creds      []Credential
	keychain   authn.Keychain
	insecure   map[string]bool // normalized "host" / "host:port"
	timeout    time.Duration
	maxRetries int
	logger     Logger

	// secrets are scrubbed from any text the Client produces, in case a
	// registry quotes them back: configured and sent credentials, tokens.
	secretsMu      sync.RWMutex
	secrets        []string
	escapedSecrets []*regexp.Regexp

	base http.RoundTripper // under every repository's transport, with the user agent
	// verified checks TLS against the system pool plus CACertPEM;
	// unverified, used only for hosts listed in InsecureHosts, does not.
	verified, unverified *http.Transport
	dial                 func(ctx context.Context, network, addr string) (net.Conn, error)
	lookup               func(ctx context.Context, host string) ([]net.IPAddr, error)
	// proxy is http.ProxyFromEnvironment, which reads the environment once
	// per process, so tests replace it here.
	proxy func(*http.Request) (*url.URL, error)

	pageSize       int
	listingTimeout time.Duration
	sleep          func(ctx context.Context, d time.Duration) error // between retries

	sources     sync.Map // repository key -> where its credentials came from
	auths       memo.Cache[*repoTransport]
	pings       memo.Cache[pingAnswer] // by scheme, host (normalizeHostPort) and path: the ping's answers (pingHop)
	listings    sync.Map               // repository key -> *listing
	rangeReads  memo.Cache[rangeRead]
	orders      memo.Cache[order]
	headPages   memo.Cache[listedPage]
	pages       memo.Cache[listedPage] // by repository key and pageKey: each page read once (getPage)
	wholeLists  memo.Cache[[]string]
	heads       memo.Cache[Descriptor]
	platforms   memo.Cache[Platforms]
	spent       sync.Map // request key -> *retryError: failed after its retries (see retry)
	rateLimited sync.Map // registry host -> *retryError: a rate limit that spent a request's retries
	paced       sync.Map // rate limit scope (limitScope) -> chan struct{} (one turn): the scope was answered 429 (see retryOnce)

	// registryTokens: repository key -> true when its credentials are a
	// Docker config's registrytoken, sent as the bearer token itself.
	registryTokens sync.Map
	noRegistryAPI  sync.Map // repository key -> noAPIStatus or noAPIPage
}

// New builds a Client: its HTTP transports (TLS trust, per-host insecure
// handling) and empty caches. It does no network I/O, reads no Docker
// config, and reads the system's CA roots only when CACertPEM is set; it
// fails only for a CACertPEM holding no certificate, or an InsecureHosts
// entry that is not a host.
func New(cfg Config) (*Client, error) {
	c := &Client{
		creds:      append([]Credential(nil), cfg.Credentials...),
		keychain:   cmp.Or[authn.Keychain](cfg.Keychain, authn.DefaultKeychain),
		insecure:   map[string]bool{},
		timeout:    cfg.RequestTimeout,
		maxRetries: cfg.MaxRetries,
		logger:     cfg.Logger,
		pageSize:   tagPageSize,

		listingTimeout: cfg.ListingTimeout,
		sleep:          sleepFor,
	}
	if c.listingTimeout <= 0 {
		c.listingTimeout = DefaultListingTimeout
	}
	if c.timeout <= 0 {
		c.timeout = DefaultRequestTimeout
	}
	if c.maxRetries < 0 {
		c.maxRetries = DefaultMaxRetries
	}
	for _, cr := range c.creds {
		c.addLogin(cr.Username, cr.Password)
	}
	for _, h := range cfg.InsecureHosts {
		k, err := normalizeHostPort(h)
		if err != nil {
			return nil, fmt.Errorf("insecure registry %q: %w", h, err)
		}
		c.insecure[k] = true
	}

	// Without extra CAs, RootCAs stays nil: crypto/x509 then reads the
	// system's roots on the first verified handshake, so a Client that never
	// speaks TLS (a plan without pins, a loopback registry) never pays the
	// ~20 ms of reading them. Extra CAs need the system's roots plus them.
	var pool *x509.CertPool
	if len(strings.TrimSpace(string(cfg.CACertPEM))) > 0 {
		var err error
		pool, err = x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(cfg.CACertPEM) {
			return nil, errors.New("the CA certificate PEM holds no certificate that can be parsed; give one or more PEM blocks of type CERTIFICATE")
		}
	}
	c.dial = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext // as http.DefaultTransport's
	c.lookup = net.DefaultResolver.LookupIPAddr
	c.proxy = http.ProxyFromEnvironment
	c.verified = http.DefaultTransport.(*http.Transport).Clone()
	c.verified.DialContext = c.dialContext
	c.verified.Proxy = c.proxyFor
	c.verified.OnProxyConnectResponse = proxyConnectResponse
	c.verified.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	c.verified.MaxIdleConnsPerHost = 16
	c.verified.TLSHandshakeTimeout = c.timeout // as long as the attempt may take
	c.unverified = c.verified.Clone()
	c.unverified.TLSClientConfig.InsecureSkipVerify = true // #nosec G402 -- only for hosts the user listed as insecure
	c.unverified.DialTLSContext = c.dialTLSUnverified
	// The verified transport's TLS dial, of its first hop (the host the request
	// is sent to, or its HTTPS proxy); set after Clone, which set NextProtos for HTTP/2.
	c.verified.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return c.dialTLS(ctx, network, addr, c.verified.TLSClientConfig)
	}
	c.base = transport.NewUserAgent(credentialWatcher{c: c}, cmp.Or(strings.TrimSpace(cfg.UserAgent), DefaultUserAgent))
	return c, nil
}

// CloseIdleConnections closes the connections the Client keeps open
// between requests. The Client stays usable.
func (c *Client) CloseIdleConnections() {
	c.verified.CloseIdleConnections()
	c.unverified.CloseIdleConnections()
}

// dialTLSUnverified is the unverified transport's TLS dial of its first
// hop: a listed host, unverified, or an HTTPS proxy, verified: net/http
// gives a proxy's handshake the transport's own TLS config, which would
// send Proxy-Authorization to whoever answered.
func (c *Client) dialTLSUnverified(ctx context.Context, network, addr string) (net.Conn, error) {
	if c.insecureAddr(addr) {
		return c.dialTLS(ctx, network, addr, c.unverified.TLSClientConfig)
	}
	return c.dialTLS(ctx, network, addr, c.verified.TLSClientConfig)
}

// viaHTTPSProxy marks a request whose proxy is an HTTPS one: dialTLS's
// first hop for it is the proxy's.
type viaHTTPSProxy struct{}

// dialTLS dials addr and makes a TLS handshake with a clone of base. An
// HTTPS proxy is offered HTTP/1.1 alone: net/http writes its CONNECT in
// HTTP/1.1 whatever the TLS chose, and a proxy speaking HTTP/2 (Envoy,
// Caddy) read it as garbage ("malformed HTTP response"). The registry is
// offered both. net/http leaves the handshake's timeout to this dial.
func (c *Client) dialTLS(ctx context.Context, network, addr string, base *tls.Config) (net.Conn, error) {
	cfg := base.Clone()
	if ctx.Value(viaHTTPSProxy{}) != nil {
		cfg.NextProtos = nil
	}
	cfg.ServerName = hostName(addr)
	conn, err := c.unverified.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	hctx, cancel := context.WithTimeout(ctx, c.verified.TLSHandshakeTimeout)
	defer cancel()
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(hctx); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return tc, nil
}

// insecureAddr reports whether a request's "host:port" is listed as insecure.
func (c *Client) insecureAddr(addr string) bool {
	k, _ := normalizeHostPort(addr) // "" for an address it refuses: never listed
	if c.insecure[k] {
		return true
	}
	host, port, err := net.SplitHostPort(k)
	return err == nil && (port == "443" || port == "80") && c.insecure[host]
}

// plainHTTPAllowed reports whether a request to u may go over plain HTTP.
// The registry's own listing says nothing of another host or port, its
// token service's or a blob store's.
func (c *Client) plainHTTPAllowed(u *url.URL) bool {
	return isLoopback(u.Host) || c.plainHTTPListed(u)
}

func (c *Client) plainHTTPListed(u *url.URL) bool {
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	return c.insecureAddr(addr)
}

// proxyFor is the transports' Proxy: proxyOf's answer, whose
// credentials are noted to scrub, in case the proxy quotes its
// Proxy-Authorization header back.
func (c *Client) proxyFor(req *http.Request) (*url.URL, error) {
	u, err := c.proxyOf(req)
	if u != nil && u.User != nil {
		// net/http sends Proxy-Authorization for any user name, an empty
		// password too (an API key as the user, http://KEY:@proxy), which
		// addLogin would not note.
		password, _ := u.User.Password()
		c.addSecret(password)
		c.addBasic(u.User.Username() + ":" + password)
	}
	return u, err
}

// proxyOf is req's proxy, as Client.proxy says (HTTPS_PROXY, HTTP_PROXY,
// NO_PROXY), but never for a loopback host. Go does not proxy localhost and
// loopback addresses, but a *.localhost name is this machine too (RFC 6761):
// proxied, a plain-HTTP request allowed as loopback would go, credentials
// included, wherever the proxy resolves it, past dialContext's check.
func (c *Client) proxyOf(req *http.Request) (*url.URL, error) {
	if isLoopback(req.URL.Host) {
		return nil, nil
	}
	return c.proxy(req)
}

// proxyError is a proxy's refusal to open a tunnel (CONNECT) to the host
// of an HTTPS request: net/http's own error for it is the proxy's reason
// phrase alone ("Forbidden"), which reads as the registry's answer.
type proxyError struct {
	proxy, target string // host:port
	status        int
	retryAfter    time.Duration // its Retry-After (a 429's, a 503's)
}

func (e *proxyError) Error() string {
	return fmt.Sprintf("the proxy %s answered HTTP %d %s to a request to open a connection to %s", e.proxy, e.status, http.StatusText(e.status), e.target)
}

func proxyConnectResponse(_ context.Context, proxy *url.URL, connect *http.Request, resp *http.Response) error {
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	retryAfter, _ := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	return &proxyError{proxy: proxy.Host, target: connect.Host, status: resp.StatusCode, retryAfter: retryAfter}
}

// proxyScope is the rate limit scope (see limitScope) of the proxy an
// HTTPS request to the registry host goes through, "" for none: a proxy
// that answered a CONNECT 429 limits every request through it, to any
// registry, and none that goes without it.
func (c *Client) proxyScope(host string) string {
	u, err := c.proxyOf(&http.Request{Method: http.MethodGet, URL: &url.URL{Scheme: "https", Host: host, Path: "/v2/"}, Header: http.Header{}})
	if err != nil || u == nil {
		return ""
	}
	return "proxy " + u.Host
}

// loopbackOnly marks a plain-HTTP request allowed only because its host
// is a loopback name (dialContext).
type loopbackOnly struct{}

// dialContext dials addr, but for a request marked loopbackOnly only the
// loopback addresses the name resolves to, in turn, failing when there is
// none. Go's resolver asks /etc/hosts and then DNS for localhost and
// *.localhost, so a DNS answer could send a plain-HTTP request with the
// registry's credentials to another machine in clear; docker checks such a
// name's addresses too. The addresses checked are the ones dialled.
func (c *Client) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if ctx.Value(loopbackOnly{}) == nil {
		return c.dial(ctx, network, addr)
	}
	host, port, _ := net.SplitHostPort(addr) // net/http dials host:port
	addrs, err := c.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, a := range addrs {
		if a.IP.IsLoopback() {
			conn, err := c.dial(ctx, network, net.JoinHostPort(a.IP.String(), port))
			if err == nil {
				return conn, nil
			}
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	found := make([]string, len(addrs))
	for i, a := range addrs {
		found[i] = a.IP.String()
	}
	return nil, &plainHTTPRefusedError{host: addr, why: fmt.Sprintf("%s resolves to %s, no loopback address, and is not listed as insecure", host, strings.Join(found, ", "))}
}

// insecureRegistry reports whether the registry, a Repository's host
// (which normalizeHostPort takes), is listed.
func (c *Client) insecureRegistry(registry string) bool {
	k, _ := normalizeHostPort(registry)
	return c.insecure[k]
}

// debug logs when a Logger is configured, every string field scrubbed (a
// path can carry what a registry quoted in a Link). fields is debug's own.
func (c *Client) debug(ctx context.Context, msg string, fields map[string]any) {
	if c.logger == nil {
		return
	}
	for k, v := range fields {
		if s, ok := v.(string); ok {
			fields[k] = c.scrub(s)
		}
	}
	c.logger.Debug(ctx, msg, fields)
}

func (c *Client) scrub(s string) string {
	c.secretsMu.RLock()
	defer c.secretsMu.RUnlock()
	for _, p := range c.secrets {
		s = strings.ReplaceAll(s, p, "[redacted]")
	}
	// A registry may quote a secret escaped: in a JSON body (shown as it came
	// without an errors array), as any encoder escapes (Go's \u003c, Gson's
	// \u003d, PHP's \/, Python's \u00e9); in a URL (a Link, a redirect),
	// percent-encoded in either case of hex; in HTML or XML text (&amp;,
	// &#34;, html/template's &#43;), which a registry's message may be
	// escaped for.
	if strings.ContainsAny(s, `\%+&`) {
		for _, re := range c.escapedSecrets {
			s = re.ReplaceAllString(s, "[redacted]")
		}
	}
	return s
}

// escapedSecret matches secret with any of its characters escaped as a
// JSON string may escape it (\uXXXX, a surrogate pair, \" and the like),
// as a URL may (its UTF-8 bytes percent-encoded, a space as +), or as HTML
// and XML may (a character reference, &#38; or &#x26;, or one of XML's
// five entities, &amp; &lt; &gt; &quot; &apos;), hex digits in either case.
func escapedSecret(secret string) *regexp.Regexp {
	var b strings.Builder
	for i := 0; i < len(secret); {
		r, n := utf8.DecodeRuneInString(secret[i:])
		b.WriteString(`(?:`)
		if r == utf8.RuneError && n == 1 {
			// How regexp reads an invalid byte, and how a JSON encoder
			// writes one.
			b.WriteString(`\x{FFFD}|\\u(?i:fffd)`)
		} else {
			b.WriteString(regexp.QuoteMeta(string(r)))
			if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
				fmt.Fprintf(&b, `|\\u(?i:%04x)\\u(?i:%04x)`, r1, r2)
			} else if r <= 0xFFFF {
				fmt.Fprintf(&b, `|\\u(?i:%04x)`, r)
			}
		}
		if r != utf8.RuneError || n > 1 {
			fmt.Fprintf(&b, `|&#0*%d;|&#[xX]0*(?i:%x);`, r, r)
			if e, ok := xmlEntities[r]; ok {
				b.WriteString(`|&(?i:` + e + `);`)
			}
		}
		if c := strings.IndexRune("\"\\/\b\f\n\r\t", r); c >= 0 {
			b.WriteString(`|\\` + regexp.QuoteMeta(`"\/bfnrt`[c:c+1]))
		}
		if r == ' ' {
			b.WriteString(`|\+`)
		}
		b.WriteString(`|(?i:`)
		for _, c := range []byte(secret[i : i+n]) {
			fmt.Fprintf(&b, "%%%02x", c)
		}
		b.WriteString(`))`)
		i += n
	}
	return regexp.MustCompile(b.String())
}

// xmlEntities are XML's predefined entities, which HTML has too.
var xmlEntities = map[rune]string{'&': "amp", '<': "lt", '>': "gt", '"': "quot", '\'': "apos"}

// addLogin records a password, and the basic credentials it makes with its
// user name, to scrub.
func (c *Client) addLogin(username, password string) {
	if password != "" {
		c.addSecret(password)
		c.addBasic(username + ":" + password)
	}
}

// addBasic records the basic credentials of userpass ("user:password") as
// sent, and as a registry may quote them otherwise: without base64's
// padding, or in its URL alphabet (- and _ for + and /), with or without.
func (c *Client) addBasic(userpass string) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		c.addSecret(enc.EncodeToString([]byte(userpass)))
	}
}

// addSecret records a string to scrub. Strings shorter than 3 bytes are
// not: scrubbing them would mangle every message.
func (c *Client) addSecret(secret string) {
	if len(secret) < 3 {
		return
	}
	// Every request sends a credential this client has almost always seen.
	c.secretsMu.RLock()
	known := slices.Contains(c.secrets, secret)
	c.secretsMu.RUnlock()
	if known {
		return
	}
	// Compiled before the lock: a long token's pattern takes seconds, and
	// every scrub waits on the lock.
	escaped := escapedSecret(secret)
	c.secretsMu.Lock()
	defer c.secretsMu.Unlock()
	if slices.Contains(c.secrets, secret) { // added meanwhile
		return
	}
	c.secrets = append(c.secrets, secret)
	c.escapedSecrets = append(c.escapedSecrets, escaped)
	// Longest first, so that no secret is left half scrubbed by a shorter
	// one inside it.
	slices.SortStableFunc(c.secrets, func(a, b string) int { return len(b) - len(a) })
	slices.SortStableFunc(c.escapedSecrets, func(a, b *regexp.Regexp) int { return len(b.String()) - len(a.String()) })
}

// credentialWatcher sits under go-containerregistry's basic and bearer
// transports and notes every credential they send, to scrub.
type credentialWatcher struct {
	c *Client
}

func (w credentialWatcher) RoundTrip(req *http.Request) (*http.Response, error) {
	w.noteAuthorization(req)
	// The transport is chosen per request, by the host it goes to, so that
	// a token realm or blob store on another host stays verified.
	inner, addr := w.c.verified, req.URL.Host
	if req.URL.Port() == "" {
		addr = net.JoinHostPort(req.URL.Hostname(), "443") // only HTTPS uses TLS
	}
	if w.c.insecureAddr(addr) {
		inner = w.c.unverified
	}
	if req.URL.Scheme == "http" && net.ParseIP(req.URL.Hostname()) == nil && isLoopback(req.URL.Host) && !w.c.plainHTTPListed(req.URL) {
		req = req.WithContext(context.WithValue(req.Context(), loopbackOnly{}, true))
	}
	if p, err := w.c.proxyOf(req); err == nil && p != nil && p.Scheme == "https" {
		req = req.WithContext(context.WithValue(req.Context(), viaHTTPSProxy{}, true))
	}
	resp, err := inner.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusSwitchingProtocols {
		// No request here asks to switch protocols. net/http hands over a
		// 101's connection as its body, which neither the request's
		// timeout nor its context closes: reading it (an error body, a
		// token answer) would wait for as long as the server holds it.
		_ = resp.Body.Close()
		return nil, &answerError{status: resp.StatusCode, msg: fmt.Sprintf("the answer switches protocols (to %q), which no request here asks for", resp.Header.Get("Upgrade"))}
	}
	if err == nil && !ownPath(req.URL.Path) {
		// A token endpoint (Quay's and GCR's live under /v2/): note the
		// tokens it hands out before go-containerregistry reads them, or
		// quotes them in an error.
		w.noteTokens(resp)
	}
	return resp, err
}

// ownPath reports whether p is the path of the ping, a tag list, manifest
// or blob.
func ownPath(p string) bool { return p == "/v2/" || repositoryPath.MatchString(p) }

// noteTokens records the token, access_token and refresh_token of a token
// answer as secrets, leaving its body readable.
func (w credentialWatcher) noteTokens(resp *http.Response) {
	body, err := peekBody(resp, maxErrorBody)
	if err != nil {
		return
	}
	var tokens struct {
		Token        string `json:"token"`
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if json.Unmarshal(body, &tokens) == nil {
		w.c.addSecret(tokens.Token)
		w.c.addSecret(tokens.AccessToken)
		w.c.addSecret(tokens.RefreshToken)
	}
}

func (w credentialWatcher) noteAuthorization(req *http.Request) {
	if h := req.Header.Get("Authorization"); h != "" {
		scheme, cred, ok := strings.Cut(h, " ")
		if !ok {
			cred = h
		}
		cred = strings.TrimSpace(cred)
		w.c.addSecret(cred)
		if strings.EqualFold(scheme, "Basic") {
			if b, err := base64.StdEncoding.DecodeString(cred); err == nil {
				if _, password, ok := strings.Cut(string(b), ":"); ok {
					w.c.addSecret(password)
					w.c.addBasic(string(b))
				}
			}
		}
	}
}
