package registry

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/docker/cli/cli/config"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"golang.org/x/net/http/httpguts"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/authfile"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/memo"
)

const (
	sourceBlock     = "configured credentials"
	sourceKeychain  = "the Docker config"
	sourceAnonymous = "anonymous access"
)

// repoTransport is one repository's authenticated round tripper, made once
// per Client by transport.NewWithContext (ping, then token exchange), and
// again from a request's own Bearer challenge (rechallenge): at most once
// where the ping named no token service, and once per other token service
// the registry's 401s name.
type repoTransport struct {
	session atomic.Pointer[session] // the latest handshake's
	auth    authn.Authenticator
	source  string
	again   memo.Cache[*http.Client] // rechallenge's
}

// session is one handshake's client and what its transport saw of token
// services: the realm its challenge named, and the Bearer challenge of a
// 401 from the registry to one of its bearer requests that named another
// realm (the registry moved to another token service mid-plan, or a load
// balancer sends requests to registries with token services of their own),
// whose tokens go-containerregistry's renewal, asking the first realm,
// cannot get.
type session struct {
	client *http.Client
	pinged atomic.Pointer[string] // the realm the handshake's ping named
	moved  atomic.Pointer[[]string]
}

// note keeps the realm of challenge, a ping's answer (after ownRealms):
// the handshake's token service. The latest ping's: a handshake asked again
// (a retry, or the ping asked afresh) takes its own ping's answer.
func (r *session) note(challenge []string) {
	if realm := bearerRealm(challenge); realm != "" {
		r.pinged.Store(&realm)
	}
}

// noteRefusal keeps the Bearer challenge of resp, the registry's 401 to a
// bearer request of this transport, when it names another realm than the
// handshake's.
func (r *session) noteRefusal(req *http.Request, resp *http.Response, registry string) {
	pinged := r.pinged.Load()
	if pinged == nil || resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(req.Header.Get("Authorization"), "Bearer ") {
		return
	}
	challenge := ownRealms(challenges(resp.Header.Values("WWW-Authenticate")), registry)
	if realm := bearerRealm(challenge); realm != "" && realm != *pinged {
		r.moved.Store(&challenge)
	}
}

// movedTo is the challenge naming another realm that a 401 to one of the
// transport's requests sent, and its realm; nil when none did.
func (r *session) movedTo() ([]string, string) {
	moved := r.moved.Load()
	if moved == nil {
		return nil, ""
	}
	return *moved, bearerRealm(*moved)
}

// realmParam is a challenge's realm parameter, quoted or a token.
var realmParam = regexp.MustCompile(`(?i)(?:^|,)\s*realm\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))`)

// bearerRealm is the realm of the first Bearer challenge among values that
// names one, as go-containerregistry takes it, or "".
func bearerRealm(values []string) string {
	for _, v := range challenges(values) {
		scheme, params, _ := strings.Cut(v, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			continue
		}
		if m := realmParam.FindStringSubmatch(params); m != nil {
			return m[1] + m[2]
		}
	}
	return ""
}

// transportFor returns the repository's authenticated transport, doing the
// handshake on first use; a failed one is tried again by the next caller.
func (c *Client) transportFor(ctx context.Context, ref Repository) (*repoTransport, error) {
	return c.auths.Get(ctx, ref.key, func(ctx context.Context) (*repoTransport, error) {
		auth, source, err := c.authenticator(ctx, ref)
		if err != nil {
			if ke := new(keychainError); !errors.As(err, &ke) {
				err = &keychainError{cause: err}
			}
			return nil, err
		}
		c.sources.Store(ref.key, source)
		s, err := c.handshake(ctx, ref, auth, source, nil)
		if err != nil {
			return nil, err
		}
		rt := &repoTransport{auth: auth, source: source}
		rt.session.Store(s)
		return rt, nil
	})
}

// rechallenge makes the repository's handshake again, once per Client,
// taking challenge (the Bearer challenge of a 401 to one of its requests
// that carried no bearer token) for the ping's answer, and returns the
// client later requests use. Some pings mislead: GET /v2/ answered 200 or
// Basic by a proxy in front of a bearer registry, or by Nexus or
// Artifactory with an anonymous /v2/ and a repository that is not, and
// every request was refused 401. containerd takes each 401's challenge
// (remotes/docker/authorizer.go, AddResponses); go-containerregistry takes
// the ping's word. The realm is checked as the ping's.
//
// A 401 to a bearer request whose challenge names another realm than the
// handshake's (session.movedTo) is answered the same way, once per realm:
// go-containerregistry renews a refused token from the realm of its first
// challenge, which the registry no longer takes; containerd takes the
// realm of each 401.
func (c *Client) rechallenge(ctx context.Context, ref Repository, rt *repoTransport, challenge []string, key string) (*http.Client, error) {
	return rt.again.Get(ctx, key, func(ctx context.Context) (*http.Client, error) {
		msg := "registry repository answered a Bearer challenge the ping did not send; authenticating again"
		if key != "bearer" {
			msg = "registry refused a token with a Bearer challenge naming another token service than the handshake's; authenticating there"
		}
		c.debug(ctx, msg, map[string]any{
			"registry": ref.registry, "repository": ref.written, "credentials": rt.source,
		})
		s, err := c.handshake(ctx, ref, rt.auth, rt.source, challenge)
		if err != nil {
			return nil, err
		}
		rt.session.Store(s)
		return s.client, nil
	})
}

// handshake runs go-containerregistry's handshake with retries; challenge,
// when not nil, is taken for the ping's answer (rechallenge).
func (c *Client) handshake(ctx context.Context, ref Repository, auth authn.Authenticator, source string, challenge []string) (*session, error) {
	scopes := []string{ref.name.Scope(transport.PullScope)}
	fields := map[string]any{"registry": ref.registry, "repository": ref.written, "credentials": source}
	reg := ref.name.Registry
	plainHTTP := isLoopback(ref.name.RegistryStr()) || c.insecureRegistry(ref.name.RegistryStr())
	if plainHTTP {
		// go-containerregistry's ping then falls back to plain HTTP after
		// HTTPS. ParseRepository checked the host: this cannot fail.
		reg, _ = name.NewRegistry(ref.name.RegistryStr(), name.Insecure)
	}
	key := "auth " + ref.key
	if challenge != nil {
		key += " again"
	}
	seen := &session{}
	base := repositoryPing{c: c, registry: ref.name.RegistryStr(), path: "/v2/" + ref.name.RepositoryStr() + "/tags/list", retryAfter: new(atomic.Int64), noAPI: new(atomic.Int32), challenge: challenge, session: seen,
		earlierPing: new(atomic.Pointer[url.URL]), tokenRefused: new(atomic.Bool), fresh: new(atomic.Bool)}
	err := c.retry(ctx, ref, key, fields, func(actx context.Context) error {
		start := time.Now()
		t, err := transport.NewWithContext(actx, reg, auth, base, scopes)
		if err != nil && base.realmMoved(actx) {
			c.debug(ctx, "registry token service named by the host's ping, as it answered earlier in this run, refused a token, and the ping asked again names another; authenticating there", with(fields, nil))
			t, err = transport.NewWithContext(actx, reg, auth, base, scopes)
		}
		if err != nil {
			c.debug(ctx, "registry authentication failed", with(fields, map[string]any{
				"elapsed_ms": time.Since(start).Milliseconds(), "error": err.Error(),
			}))
			// go-containerregistry's error holds no headers: the
			// Retry-After of the refusal (GitLab's token endpoint
			// sends one) is the one base saw last.
			if noHost := new(realmRefusedError); errors.As(err, &noHost) {
				return noHost
			}
			if msg := err.Error(); strings.Contains(msg, "invalid realm in www-authenticate") || strings.Contains(msg, "refusing token-server redirect") || strings.Contains(msg, "malformed www-authenticate, missing realm") {
				return &realmRefusedError{cause: err}
			}
			// net/http's error has no type of its own. A host that may
			// fall back to plain HTTP answered there or failed there.
			if !plainHTTP && strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") {
				return &plainHTTPError{cause: err}
			}
			if base.noAPI.Load() == noAPIStatus {
				c.noRegistryAPI.Store(ref.key, noAPIStatus)
			}
			var te *transport.Error
			if d := time.Duration(base.retryAfter.Load()); d > 0 && errors.As(err, &te) {
				return &answerError{status: te.StatusCode, cause: err, retryAfter: d, said: saidOf(te, nil)}
			}
			return err
		}
		c.debug(ctx, "registry authenticated", with(fields, map[string]any{
			"elapsed_ms": time.Since(start).Milliseconds(),
		}))
		if base.noAPI.Load() == noAPIPage {
			c.noRegistryAPI.Store(ref.key, noAPIPage)
		} else {
			c.noRegistryAPI.Delete(ref.key)
		}
		seen.client = &http.Client{Transport: t, CheckRedirect: sameHostRedirect}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return seen, nil
}

// repositoryPing sits under go-containerregistry's transports of one
// repository:
//   - A ping (GET /v2/) refused with a 4xx but 401, 408 and 429 (a proxy in
//     front of Sonatype Nexus routing only repository paths answers 404:
//     containers/skopeo#1000, #1253), or answered with an HTML page
//     (htmlPage), asks the repository's tag list the same, unauthenticated,
//     and a 200 or 401 there answers the handshake instead, as containerd
//     reads challenges from the request itself.
//   - Given a challenge (rechallenge), it answers the ping with it, but for
//     a redirect or a fault (5xx, 408, 429), which the handshake follows or
//     retries.
//   - It notes each answer's Retry-After, which go-containerregistry's
//     handshake errors lack. A token request's failure, but a refusal of
//     the credentials, is a tokenServiceError; a 200 without a token is a
//     fault asked again (tokenAnswer).
//   - It refuses the handshake's redirects from HTTPS to plain HTTP (a ping
//     so redirected made every later request plain HTTP), and drops an
//     error body beyond maxErrorBody (go-containerregistry failed with "body
//     exceeds 65536 byte limit" and lost the status).
//   - It sends plain HTTP only where Client.plainHTTPAllowed allows:
//     go-containerregistry lets a private address fall back to plain HTTP
//     when HTTPS fails or is slow, sending credentials in clear, and takes
//     an http realm for such a registry.
type repositoryPing struct {
	c          *Client
	path       string        // /v2/<name>/tags/list
	retryAfter *atomic.Int64 // of the latest answer
	noAPI      *atomic.Int32 // noAPIStatus, noAPIPage or 0
	challenge  []string      // a repository request's WWW-Authenticate, or nil
	registry   string
	session    *session // the handshake's, noting the token services seen
	// earlierPing: the URL of a ping answered as the host answered it
	// earlier in the run (pingHop); tokenRefused: a token request was
	// refused 401 or 403; fresh: pings go to the host, not to pingHop
	// (realmMoved).
	earlierPing  *atomic.Pointer[url.URL]
	tokenRefused *atomic.Bool
	fresh        *atomic.Bool
}

// realmMoved reports, once per handshake, whether a token service that
// refused a token was named by the host's ping as answered earlier in the
// run, and the ping, asked again, names another: the registry moved to
// another token service, the old one retired, after another repository's
// handshake. The handshake's later pings then go to the host. A refusal of
// the credentials costs that one ping, and no token request more.
func (p repositoryPing) realmMoved(ctx context.Context) bool {
	u, pinged := p.earlierPing.Load(), p.session.pinged.Load()
	if p.challenge != nil || u == nil || pinged == nil || !p.tokenRefused.Load() || !p.fresh.CompareAndSwap(false, true) {
		return false
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return false
	}
	resp, err := p.c.base.RoundTrip(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // so that its connection can be reused
	realm := bearerRealm(ownRealms(resp.Header.Values("WWW-Authenticate"), p.registry))
	return resp.StatusCode == http.StatusUnauthorized && realm != "" && realm != *pinged
}

// What a host that does not answer the registry API answered: an
// ordinary web server, a registry's web interface, a mistyped host. Its
// 404s are no registry's, for a repository that does not exist.
const (
	// noAPIStatus: GET /v2/ answered 404, and the repository's tag list
	// 404 too; the handshake fails, its 404 said to be the host's.
	noAPIStatus int32 = 1 + iota
	// noAPIPage: GET /v2/ answered 200 with a web page (htmlPage), and
	// the repository's tag list 404; the handshake goes on, anonymous,
	// and the repository's 404s are said so (Client.noRegistryAPI).
	noAPIPage
)

// plainHTTPError is a registry that is neither loopback nor listed as
// insecure answering HTTPS with plain HTTP.
type plainHTTPError struct{ cause error }

func (e *plainHTTPError) Error() string { return e.cause.Error() }
func (e *plainHTTPError) Unwrap() error { return e.cause }

// plainHTTPRefusedError is a plain-HTTP request that was not sent, and so
// failed: to a token service or blob store on a host that may not speak
// plain HTTP (repositoryPing), or to a loopback name that resolves to no
// loopback address (dialContext). The ping's own fallback is not one.
type plainHTTPRefusedError struct {
	host string
	why  string // or "": neither loopback nor listed as insecure
}

func (e *plainHTTPRefusedError) Error() string {
	if e.why != "" {
		return "plain HTTP not tried for " + e.host + ": " + e.why
	}
	return "plain HTTP not tried for " + e.host
}

func (p repositoryPing) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := p.roundTrip(req)
	if err == nil && resp.StatusCode == http.StatusUnauthorized && isPing(req) && len(resp.Header.Values("WWW-Authenticate")) > 0 {
		resp.Header["Www-Authenticate"] = ownRealms(resp.Header.Values("WWW-Authenticate"), p.registry) // a new slice: p.challenge stays
		p.session.note(resp.Header.Values("WWW-Authenticate"))
	}
	if err == nil && !isPing(req) && ownPath(firstRequest(req).URL.Path) && sameHost(req.URL.Host, req.URL.Scheme, p.registry, req.URL.Scheme) {
		p.session.noteRefusal(req, resp, p.registry)
	}
	return resp, err
}

// realmHost is the scheme and host of a challenge's realm.
var realmHost = regexp.MustCompile(`(?i)(\brealm\s*=\s*"(https?)://)([^/?#"]*)`)

// ownRealms respells each realm on the registry's own host and port as the
// registry is (ownSpelling): go-containerregistry takes a token service at
// a private address only so, and Artifactory writes its realm's default
// port (https://host:443/…, containerd/nerdctl#4244).
func ownRealms(challenges []string, registry string) []string {
	out := make([]string, len(challenges))
	for i, v := range challenges {
		out[i] = realmHost.ReplaceAllStringFunc(v, func(m string) string {
			sub := realmHost.FindStringSubmatch(m)
			u := &url.URL{Scheme: strings.ToLower(sub[2]), Host: sub[3]}
			ownSpelling(u, registry)
			return sub[1] + u.Host
		})
	}
	return out
}

// ownSpelling sets u's host to registry, as the Client addresses it, when u
// names that host and port spelled otherwise (case, its scheme's default
// port), as a Link, redirect or realm may: go-containerregistry sends the
// registry's credentials only to its own spelling, else the request goes
// without them, refused 401.
func ownSpelling(u *url.URL, registry string) {
	if strings.EqualFold(u.Hostname(), hostName(registry)) && sameHost(u.Host, u.Scheme, registry, u.Scheme) {
		u.Host = registry
	}
}

func (p repositoryPing) roundTrip(req *http.Request) (*http.Response, error) {
	// A request of the handshake, or redirected from one: the ping (GET
	// /v2/) or a token request (none of the Client's own paths).
	firstPath := firstRequest(req).URL.Path
	handshake := firstPath == "/v2/" || !ownPath(firstPath)
	if handshake && req.Response != nil && req.Response.Request != nil {
		from := req.Response.Request.URL
		if from.Scheme == "https" && req.URL.Scheme == "http" {
			return nil, &answerError{status: req.Response.StatusCode, msg: fmt.Sprintf("the registry redirected from HTTPS to plain HTTP (%s), which is refused", req.URL.Host)}
		}
		// go-containerregistry takes the challenge of the ping's last
		// answer, so another host's would get the registry's credentials;
		// docker applies a challenge only to its host. A token request keeps
		// its body (an identity token, a password) through a 307 or 308.
		if (isPing(req) || req.Method == http.MethodPost) && !sameHost(from.Host, from.Scheme, req.URL.Host, req.URL.Scheme) {
			return nil, &answerError{status: req.Response.StatusCode, msg: fmt.Sprintf("the registry's handshake redirected from %s to another host, %s, which is refused: the registry's credentials would go to it", from.Host, req.URL.Host)}
		}
	}
	if handshake && req.URL.Host == "" { // a realm such as https:///token: only a token request can lack one
		realm := req.URL.Scheme + "://" + req.URL.EscapedPath()
		if pinged := p.session.pinged.Load(); pinged != nil {
			if u, err := url.Parse(*pinged); err == nil && u.Host == "" {
				realm = *pinged // as the challenge spelled it
			}
		}
		return nil, &realmRefusedError{noHost: realm}
	}
	if req.URL.Scheme == "http" && !p.c.plainHTTPAllowed(req.URL) {
		if isPing(req) {
			// go-containerregistry's fallback after HTTPS, which
			// reports this after the HTTPS attempt's error: that error
			// decides whether the ping is retried, and what failed.
			return nil, fmt.Errorf("plain HTTP not tried for %s", req.URL.Host)
		}
		return nil, &plainHTTPRefusedError{host: req.URL.Host}
	}
	token := handshake && !isPing(req)
	if token {
		if l, ok := p.c.rateLimited.Load(tokenScope(p.registry)); ok {
			return nil, l.(*retryError) // ends the request at once (retryOnce)
		}
	}
	var resp *http.Response
	var err error
	switch {
	case isPing(req) && p.fresh.Load():
		resp, err = p.c.base.RoundTrip(req)
	case isPing(req):
		var earlier bool
		resp, earlier, err = p.c.pingHop(req)
		if earlier {
			p.earlierPing.Store(req.URL)
		}
	default:
		resp, err = p.c.base.RoundTrip(req)
	}
	if err != nil && token {
		return nil, &tokenServiceError{host: req.URL.Host, cause: err}
	}
	if err == nil && handshake {
		if err := endlessRedirect(req, resp, token); err != nil {
			drainClose(resp.Body)
			return nil, err
		}
	}
	if err == nil {
		d, _ := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		p.retryAfter.Store(int64(d))
		if handshake && resp.StatusCode >= 400 {
			body, rerr := readErrorBody(resp.Body)
			_ = resp.Body.Close()
			if rerr != nil && notGzip(resp, rerr) {
				body, rerr = nil, nil // the status classifies it, as statusErrorOf does
			}
			if rerr != nil {
				if token {
					rerr = &tokenServiceError{host: req.URL.Host, cause: rerr}
				}
				return nil, rerr
			}
			resp.Body = io.NopCloser(bytes.NewReader(body))
			if token && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
				p.tokenRefused.Store(true)
			}
			if token && resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
				return nil, &tokenServiceError{host: req.URL.Host, retryAfter: d, grant: grantRefused(resp.StatusCode, body), cause: transport.CheckError(resp, http.StatusOK)}
			}
		}
		if token && resp.StatusCode == http.StatusOK {
			if err := tokenAnswer(resp, req.URL.Host); err != nil {
				if !errors.As(err, new(*answerError)) { // its body cut or stalled
					err = &tokenServiceError{host: req.URL.Host, cause: err}
				}
				return nil, err
			}
		}
	}
	if err == nil && p.challenge != nil && isPing(req) &&
		(resp.StatusCode < 300 || resp.StatusCode == http.StatusUnauthorized || refusedPing(resp.StatusCode)) {
		drainClose(resp.Body)
		return &http.Response{
			Status: "401 Unauthorized", StatusCode: http.StatusUnauthorized,
			Proto: resp.Proto, ProtoMajor: resp.ProtoMajor, ProtoMinor: resp.ProtoMinor,
			Header: http.Header{"Www-Authenticate": p.challenge}, Body: http.NoBody, Request: req,
		}, nil
	}
	if err != nil || req.Method != http.MethodGet || req.URL.Path != "/v2/" || !refusedPing(resp.StatusCode) && !htmlPage(resp) {
		return resp, err
	}
	probe := req.Clone(req.Context())
	probe.URL.Path, probe.URL.RawPath, probe.URL.RawQuery = p.path, "", "n=1"
	alt, err := p.c.base.RoundTrip(probe)
	if err != nil {
		return resp, nil
	}
	if alt.StatusCode != http.StatusOK && alt.StatusCode != http.StatusUnauthorized {
		if alt.StatusCode == http.StatusNotFound && resp.StatusCode == http.StatusNotFound {
			p.noAPI.Store(noAPIStatus)
		} else if alt.StatusCode == http.StatusNotFound {
			p.noAPI.Store(noAPIPage)
		}
		drainClose(alt.Body)
		return resp, nil
	}
	drainClose(resp.Body)
	return alt, nil
}

// pingHop sends req, a request of the ping (GET /v2/ or its redirect), or
// answers it with the host's answer earlier in the Client's life: the ping
// names no repository and carries no credentials, so the repositories of
// one host ping it once. Only the host's answers are kept; others (a fault,
// a refusal or HTML page, which send each repository to its own tag list)
// and failures go to the callers that waited. A host that answered over
// plain HTTP and never HTTPS has a later HTTPS attempt fail at once, so its
// plain HTTP answer is taken. earlier reports an answer kept earlier in
// the Client's life.
func (c *Client) pingHop(req *http.Request) (resp *http.Response, earlier bool, err error) {
	host, err := normalizeHostPort(req.URL.Host)
	if err != nil {
		resp, err = c.base.RoundTrip(req) // a request's host always is one
		return resp, false, err
	}
	key := func(scheme string) string { return scheme + "://" + host + req.URL.RequestURI() }
	if req.URL.Scheme == "https" && req.Response == nil {
		_, plain := c.pings.Cached(key("http"))
		if _, ok := c.pings.Cached(key("https")); plain && !ok {
			return nil, false, fmt.Errorf("HTTPS not tried for %s: it answered the ping over plain HTTP earlier in this run", req.URL.Host)
		}
	}
	if a, ok := c.pings.Cached(key(req.URL.Scheme)); ok {
		c.debug(req.Context(), "registry ping answered as the host answered it earlier in this run", map[string]any{
			"url": key(req.URL.Scheme), "status": a.status,
		})
		return a.response(req), true, nil
	}
	a, err := c.pings.Get(req.Context(), key(req.URL.Scheme), func(ctx context.Context) (pingAnswer, error) {
		// One attempt's time from its start, whoever waits: joiners'
		// attempts would otherwise wait on a request that gets no answer
		// instead of sending another.
		ctx, cancel := context.WithTimeout(ctx, c.timeout)
		defer cancel()
		resp, err := c.base.RoundTrip(req.Clone(ctx))
		if err != nil {
			return pingAnswer{}, err
		}
		a := pingAnswer{status: resp.StatusCode, statusLine: resp.Status, proto: resp.Proto, protoMajor: resp.ProtoMajor, protoMinor: resp.ProtoMinor, header: resp.Header}
		if resp.StatusCode >= 400 {
			body, err := readErrorBody(resp.Body)
			_ = resp.Body.Close()
			if err != nil && !notGzip(resp, err) {
				return pingAnswer{}, err
			}
			if err == nil { // one labelled gzip that is not is dropped, as statusErrorOf drops it
				a.body = body
			}
		} else {
			drainClose(resp.Body)
		}
		// The host's answer, taken by the handshake as it is: 200 (but an
		// HTML page), a redirect, 401.
		if resp.StatusCode != http.StatusUnauthorized && (resp.StatusCode >= 400 || htmlPage(resp)) {
			return pingAnswer{}, &unsharedPingError{answer: a}
		}
		return a, nil
	})
	if ue := new(unsharedPingError); errors.As(err, &ue) {
		a, err = ue.answer, nil
	}
	if err != nil {
		return nil, false, err
	}
	return a.response(req), false, nil
}

// pingAnswer is an answer to the ping, with an error answer's body only:
// the handshake reads no other.
type pingAnswer struct {
	status                 int
	statusLine, proto      string
	protoMajor, protoMinor int
	header                 http.Header
	body                   []byte
}

func (a pingAnswer) response(req *http.Request) *http.Response {
	return &http.Response{
		Status: a.statusLine, StatusCode: a.status,
		Proto: a.proto, ProtoMajor: a.protoMajor, ProtoMinor: a.protoMinor,
		Header: a.header.Clone(), Body: io.NopCloser(bytes.NewReader(a.body)), ContentLength: int64(len(a.body)),
		Request: req,
	}
}

// unsharedPingError carries an answer of the ping that is not kept as
// the host's (pingHop) to the callers that waited for it.
type unsharedPingError struct{ answer pingAnswer }

func (e *unsharedPingError) Error() string { return "the ping answered " + e.answer.statusLine }

// tokenAnswer reads a token service's 200 from host, leaving its body
// readable, and returns an error when it holds no token (a body cut inside
// its JSON, a proxy's HTML page, JSON without token or access_token): a
// fault asked again within max_retries (answerError.again), in the
// handshake or a mid-listing refresh, where go-containerregistry fails with
// the bare json error. An answer over 64 KiB, which go-containerregistry
// refuses with an error naming no request ("body exceeds 65536 byte
// limit"), is refused here naming the token service, and not asked again.
func tokenAnswer(resp *http.Response, host string) error {
	body, err := peekBody(resp, maxErrorBody+1)
	if err != nil {
		_ = resp.Body.Close()
		if notGzip(resp, err) {
			return &answerError{status: http.StatusOK, again: true, cause: err, msg: fmt.Sprintf("the answer of the registry's token service (%s) came with Content-Encoding gzip, but does not decompress as gzip", host)}
		}
		return err // a connection cut or stalled mid-body: retryable as such (a tokenServiceError)
	}
	if len(body) > maxErrorBody {
		_ = resp.Body.Close()
		return &answerError{status: http.StatusOK, msg: fmt.Sprintf("the answer of the registry's token service (%s) is larger than %d KiB, more than any token answer and more than is read of one", host, maxErrorBody>>10)}
	}
	var tok struct {
		Token       string          `json:"token"`
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	what, again := "", true
	switch {
	case json.Unmarshal(body, &tok) != nil:
		what = "is not JSON holding a token (cut short, or not the token service's)"
	case tok.Token == "" && tok.AccessToken == "":
		what = "holds no token"
	case !httpguts.ValidHeaderFieldValue(cmp.Or(tok.AccessToken, tok.Token)):
		// net/http refuses to send it, which read as an invalid header
		// field value for Authorization, blamed on the network. The token
		// sent is access_token when there is one, as go-containerregistry,
		// Docker and containerd take it: a token field beside it is unused.
		what, again = "holds a token with control characters (a line break, say), which no HTTP header can carry", false
	case tok.ExpiresIn != nil && json.Unmarshal(tok.ExpiresIn, new(int)) != nil:
		// go-containerregistry, like Docker and containerd, reads
		// expires_in as an int and failed with the bare json error; asked
		// again, the token service would answer the same.
		what, again = "gives expires_in as no whole number of seconds (a string, a fraction, or too large), which Docker and containerd cannot read either", false
	default:
		return nil
	}
	_ = resp.Body.Close()
	return &answerError{status: http.StatusOK, msg: fmt.Sprintf("the answer of the registry's token service (%s) %s", host, what), again: again}
}

// tokenServiceError is a request to the registry's token service (its
// Bearer realm, often another host: auth.docker.io) that got no answer, or
// an error answer but 401 or 403, in the handshake or when an expired token
// (Docker Hub's after expires_in, 300 s) is renewed mid-request. It keeps
// the Retry-After, which go-containerregistry's error of a refresh's 429
// lacks (it would retry after the 0.2 s backoff).
type tokenServiceError struct {
	host       string
	retryAfter time.Duration
	grant      string // grantRefused's error code: the answer refused the credentials
	cause      error  // the *transport.Error of an error answer, else the network's error
}

// grantRefused returns "invalid_grant" for a token service's 400 whose
// OAuth 2.0 error (RFC 6749 §5.2) says the grant itself was refused: a
// Docker config's identitytoken, sent as the refresh token, expired or
// revoked, or a password refused. Such a 400 is the token service's 401 in
// OAuth's words, not a fault of the registry's address or of the network.
// Any other answer gives "": invalid_client and unauthorized_client are
// about the client (go-containerregistry's client_id), which logging in
// again does not mend.
func grantRefused(status int, body []byte) string {
	var answer struct {
		Error string `json:"error"`
	}
	if status != http.StatusBadRequest || json.Unmarshal(body, &answer) != nil || answer.Error != "invalid_grant" {
		return ""
	}
	return answer.Error
}

// Error is the cause's, without the method and URL a *transport.Error
// starts with: net/http's error around it names them.
func (e *tokenServiceError) Error() string {
	msg := e.cause.Error()
	if te := new(transport.Error); errors.As(e.cause, &te) && te.Request != nil {
		if _, rest, ok := strings.Cut(msg, ": "); ok {
			msg = rest
		}
	}
	return msg
}

func (e *tokenServiceError) Unwrap() error { return e.cause }

func isPing(req *http.Request) bool {
	req = firstRequest(req)
	return req.Method == http.MethodGet && req.URL.Path == "/v2/"
}

func firstRequest(req *http.Request) *http.Request {
	for req.Response != nil && req.Response.Request != nil {
		req = req.Response.Request
	}
	return req
}

// refusedPing reports whether a ping's status is a client error that says
// nothing of the registry's state: not 401 (a challenge), nor 408 or 429
// (retried, as 5xx are). Redirects are the ping's client's to follow.
func refusedPing(status int) bool {
	return status >= 400 && status < 500 && status != http.StatusUnauthorized &&
		status != http.StatusRequestTimeout && status != http.StatusTooManyRequests
}

// htmlPage reports whether a ping's answer is a 200 HTML page: a proxy's
// (a captive portal, a cache's error page) or a web interface /v2/ is
// routed to, never a registry's API. Taken for a registry's 200, it would
// settle the handshake on no authentication, and every request of a bearer
// registry be refused 401; the tag list is asked instead (repositoryPing).
func htmlPage(resp *http.Response) bool {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return resp.StatusCode == http.StatusOK && mt == "text/html"
}

// drainClose reads a little of an unused body, so that its connection
// can be reused.
func drainClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	_ = body.Close()
}

// realmRefusedError is go-containerregistry refusing a Bearer challenge
// that names no token service (realm), or the token service a
// challenge names (its realm), or a redirect of its token request, at a
// private, loopback or link-local IP other than the registry's host and
// port, or over plain HTTP for a registry reached over HTTPS, so that a
// registry cannot point credentials at internal services
// (google/go-containerregistry#2243, #2258). Docker's client sends them; an
// on-premises GitLab by IP (registry on 5050, token service on 443) meets it.
type realmRefusedError struct {
	cause  error
	noHost string // or the realm, an absolute URL with no host, which the Client refused itself
}

func (e *realmRefusedError) Error() string {
	if e.noHost != "" {
		return fmt.Sprintf("the registry's Bearer challenge names a token service (realm) with no host, %s, so no token can be asked for, with credentials or without: ask the registry's operator to fix its token service's configuration", e.noHost)
	}
	why := strings.TrimPrefix(e.cause.Error(), "invalid realm in www-authenticate: ")
	if ue := new(url.Error); errors.As(e.cause, &ue) {
		why = strings.TrimPrefix(ue.Err.Error(), "refusing token-server ") // a redirect of the token request, without Get "…"
	}
	// What to do comes before why, which quotes the realm and may be cut.
	const refused = "go-containerregistry, the provider's registry client, refused the token service the registry's challenge names"
	switch {
	case strings.Contains(why, "malformed www-authenticate, missing realm"):
		// Every try gets the same challenge, and no credentials mend it:
		// it said to check the address and the network, or try again.
		return fmt.Sprintf("the registry's Bearer challenge names no token service (no realm), so no token can be asked for, with credentials or without: ask the registry's operator to fix its token service's configuration (%s)", why)
	case strings.Contains(why, "private or link-local"):
		return fmt.Sprintf("%s: it sends credentials to no such address but the registry's own host and port. Give the token service a DNS name (GitLab: its external_url), or serve it on the registry's host and port (%s)", refused, why)
	case strings.Contains(why, "not allowed for a secure registry"):
		return fmt.Sprintf("%s: it sends no credentials over plain HTTP for a registry reached over HTTPS. Serve the token service over HTTPS (GitLab: an https external_url) (%s)", refused, why)
	}
	return fmt.Sprintf("%s: it takes only an absolute https URL as a challenge's realm. Fix the registry's token service (realm) address (%s)", refused, why)
}

func (e *realmRefusedError) Unwrap() error { return e.cause }

// keychainError is a Docker config (or credential helper) that could not
// be read: as for crane, an error, never anonymous access (docker warns
// and pulls anonymously).
type keychainError struct {
	cause error
	file  string // Podman's auth file, read for want of a Docker config; "" for the Docker config
}

func (e *keychainError) Error() string {
	if e.file != "" {
		return fmt.Sprintf("the credentials could not be read from Podman's auth file %s (read because there is no Docker config): %s", e.file, e.cause)
	}
	return "the credentials could not be read from the Docker config: " + e.cause.Error()
}

func (e *keychainError) advice() string {
	if e.file != "" {
		return "Fix or remove that auth file (REGISTRY_AUTH_FILE, or containers/auth.json under XDG_RUNTIME_DIR, /run/containers/<uid> or ~/.config) or its credential helper."
	}
	return "Fix or remove that Docker config (DOCKER_CONFIG or ~/.docker/config.json) or its credential helper."
}

func (e *keychainError) Unwrap() error { return e.cause }

func (c *Client) authenticator(ctx context.Context, ref Repository) (authn.Authenticator, string, error) {
	host, err := normalizeHostPort(ref.name.RegistryStr())
	if err == nil {
		for _, cr := range c.creds {
			if k, err := normalizeHostPort(cr.Host); err == nil && k == host {
				return authn.FromConfig(authn.AuthConfig{Username: cr.Username, Password: cr.Password}),
					fmt.Sprintf("%s for %s", sourceBlock, cr.Host), nil
			}
		}
	}
	// The default keychain is read here, as go-containerregistry reads it,
	// but with each credential helper run within the request timeout and
	// kept out of errors and logs (authfile's helperGet).
	auth, source := authn.Authenticator(nil), sourceKeychain
	switch {
	case c.keychain != authn.DefaultKeychain:
		if auth, err = authn.Resolve(ctx, c.keychain, ref.name); err != nil {
			return nil, "", err
		}
	case authfile.DockerConfigFound():
		cfg, from, ok, err := authfile.DockerLookup(ctx, ref.name, c.timeout)
		if err != nil {
			return nil, "", err
		}
		if ok {
			auth = authn.FromConfig(cfg)
		}
		if from != "" {
			source = from
		}
	default:
		cfg, from, file, ok, err := authfile.Lookup(ctx, ref.name, c.timeout)
		if err != nil {
			return nil, "", &keychainError{cause: err, file: file}
		}
		if ok {
			auth, source = authn.FromConfig(cfg), from
		}
	}
	if auth == authn.Anonymous || auth == nil {
		// The Docker config is read only for a keychain that read it.
		if c.keychain == authn.DefaultKeychain {
			if helper := configHelper(ref); helper != "" {
				return authn.Anonymous, anonymousAfterHelper(helper), nil
			}
		}
		if near := c.credsForAnotherPort(host); near != "" {
			if canonicalHost(near, "https") == canonicalHost(host, "https") {
				// The same port, written once and left out once: as
				// docker login's keys, addresses are matched as written.
				return authn.Anonymous, fmt.Sprintf("%s: the configured credentials for %s and the repository's host, %s, differ only in the default port 443, written in one and not the other, and a host's credentials are matched as written: write registry_auth's address as %s", sourceAnonymous, near, ref.name.RegistryStr(), ref.name.RegistryStr()), nil
			}
			return authn.Anonymous, fmt.Sprintf("%s: the configured credentials for %s are for another port of that host, and a host's credentials are matched with its port", sourceAnonymous, near), nil
		}
		return authn.Anonymous, sourceAnonymous, nil
	}
	// Every credential a Docker config entry can hold is scrubbed from
	// what the Client says, whether or not it is ever sent in a header
	// (an identity token goes in an OAuth form body).
	if cfg, err := authn.Authorization(ctx, auth); err == nil {
		c.addLogin(cfg.Username, cfg.Password)
		for _, secret := range []string{cfg.Auth, cfg.IdentityToken, cfg.RegistryToken} {
			c.addSecret(secret)
		}
		if cfg.RegistryToken != "" {
			c.registryTokens.Store(ref.key, true)
		}
	}
	return auth, source, nil
}

// credsForAnotherPort is the address of configured credentials for host's
// name on another port ("registry.internal" for "registry.internal:5000"),
// or "": the near miss that left a request anonymous.
func (c *Client) credsForAnotherPort(host string) string {
	name := hostName(host)
	for _, cr := range c.creds {
		k, err := normalizeHostPort(cr.Host)
		if err == nil && hostName(k) == name && k != host {
			return cr.Host
		}
	}
	return ""
}

// configHelper names the credential helper the Docker config names for the
// repository's registry, "" when none or unreadable. It looks as
// go-containerregistry's keychain does: under the repository's name, then
// the registry's key (Docker Hub's is https://index.docker.io/v1/); per key,
// credHelpers' entry, an empty one included, else credsStore. The
// registry's helper wins when both name one.
func configHelper(ref Repository) string {
	cf, err := config.Load(os.Getenv("DOCKER_CONFIG"))
	if err != nil {
		return ""
	}
	helper := func(key string) string {
		if h, ok := cf.CredentialHelpers[key]; ok {
			return h
		}
		return cf.CredentialsStore
	}
	key := ref.name.RegistryStr()
	if key == name.DefaultRegistry {
		key = authn.DefaultAuthKey
	}
	return cmp.Or(helper(key), helper(ref.name.String()))
}

// anonymousAfterHelper is the source of anonymous access after the Docker
// config's credential helper returned none, so that the error shows a
// helper was asked: it returns none for a login it does not hold, and
// ecr-login for any failure of its AWS call, throttling included
// (awslabs/amazon-ecr-credential-helper, ecr-login/ecr.go Get).
func anonymousAfterHelper(helper string) string {
	why := ""
	if helper == "ecr-login" {
		why = " (it returns none when its AWS call fails or is throttled, too)"
	}
	return fmt.Sprintf("%s: the Docker config names the credential helper docker-credential-%s for this registry, and it returned no credentials%s", sourceAnonymous, helper, why)
}

// blobPath is checked whole: a repository may have a component named blobs.
var blobPath = regexp.MustCompile(`^/v2/.+/blobs/sha(256|512):[0-9a-f]+$`)

var repositoryPath = regexp.MustCompile(`^/v2/(.+)/(tags/list|manifests/[^/]+|blobs/[^/]+)$`)

// dockerHubLibrary is name as Docker Hub writes an official image's,
// library/ before a name with no namespace: a Harbor proxy cache of Docker
// Hub (v2.10 on, manifests; main, tag lists) redirects <project>/<name> to
// <project>/library/<name>, the same repository. "" for a deeper name.
func dockerHubLibrary(name string) string {
	switch project, image, found := strings.Cut(name, "/"); {
	case !found:
		return "library/" + name
	case !strings.Contains(image, "/"):
		return project + "/library/" + image
	}
	return ""
}

// errEndlessRedirects ends a request redirected 10 times, as net/http's
// own limit would.
var errEndlessRedirects = errors.New("its redirects do not end, so the request stopped")

// endlessRedirect refuses resp, the answer to the tenth request of a
// handshake's redirects (the ping's, a token request's), when it redirects
// again, as sameHostRedirect refuses the tenth of a tag list or manifest
// request: net/http's own limit said only `Get "/path": stopped after 10
// redirects`, naming the address as the registry wrote it, and the advice
// was to check the address and the network, which had answered.
func endlessRedirect(req *http.Request, resp *http.Response, token bool) error {
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return nil
	}
	loc := resp.Header.Get("Location")
	depth := 1
	for r := req; r.Response != nil && r.Response.Request != nil; r = r.Response.Request {
		depth++
	}
	if loc == "" || depth < 10 {
		return nil
	}
	to, err := req.URL.Parse(loc)
	if err != nil {
		return nil // net/http fails on it, naming it
	}
	who := "the registry"
	if token {
		who = fmt.Sprintf("the registry's token service (%s)", firstRequest(req).URL.Host)
	}
	return redirectsWithoutEnd(resp.StatusCode, who, depth, to)
}

// redirectsWithoutEnd is the error of a request who (the registry, its
// token service) redirected the tenth time, to to, for endlessRedirect
// and sameHostRedirect alike.
func redirectsWithoutEnd(status int, who string, times int, to *url.URL) error {
	return &answerError{status: status, msg: fmt.Sprintf("%s redirected the request %d times, the last time to %s", who, times, to.Redacted()), cause: errEndlessRedirects}
}

// sameHostRedirect follows redirects of tag list and manifest requests only
// on the same host, never HTTPS to plain HTTP (another host could name
// another digest), and never to another repository, whose tags and digests
// a pin of this one would name. Blobs may move to a CDN: their digest
// checks them.
func sameHostRedirect(req *http.Request, via []*http.Request) error {
	status := http.StatusFound
	if req.Response != nil { // the redirect answered, as it was (301, 302, 303, 307 or 308)
		status = req.Response.StatusCode
	}
	if len(via) >= 10 {
		// net/http names the Location as written (often a path alone).
		return redirectsWithoutEnd(status, "the registry", len(via), req.URL)
	}
	from := via[len(via)-1].URL
	if blobPath.MatchString(via[0].URL.Path) {
		return nil
	}
	if from.Scheme == "https" && req.URL.Scheme == "http" {
		return &answerError{status: status, msg: fmt.Sprintf("the registry redirected from HTTPS to plain HTTP (%s), which is refused", req.URL.Host)}
	}
	if !sameHost(from.Host, from.Scheme, req.URL.Host, req.URL.Scheme) {
		return &answerError{status: status, msg: fmt.Sprintf("the registry %s redirected the request to another host, %s, which is refused", from.Host, req.URL.Host)}
	}
	if asked := repositoryPath.FindStringSubmatch(via[0].URL.Path); asked != nil {
		if to := repositoryPath.FindStringSubmatch(req.URL.Path); to != nil && to[1] != asked[1] && to[1] != dockerHubLibrary(asked[1]) {
			return &answerError{status: status, msg: fmt.Sprintf("the registry %s redirected a request of repository %s to another repository, %s, which is refused", from.Host, asked[1], to[1])}
		}
	}
	ownSpelling(req.URL, via[0].URL.Host)
	return nil
}
