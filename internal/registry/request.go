package registry

import (
	"bytes"
	"cmp"
	"compress/flate"
	"compress/gzip"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// answerError is an answer that cannot be used: an error status (cause is
// the *transport.Error that go-containerregistry's CheckError made of it,
// retryAfter its Retry-After), or a usable status with a broken body, a
// Link to another host, a paging loop.
type answerError struct {
	status       int
	msg          string
	cause        error
	retryAfter   time.Duration
	bearer       bool // the refused request carried a bearer token for this repository
	invalidToken bool // that token was refused 401 with error="invalid_token"
	said         string
	// again: a 200 unusable as it came (a body that is no JSON, cut short or
	// a proxy's page; a token answer without a token): retryable.
	again bool
	// challenge: the Bearer challenges of a 401 from the registry's host to
	// a request without a bearer token (bearerChallenge); else nil.
	challenge []string
}

func (e *answerError) Error() string {
	if e.msg == "" && e.cause != nil {
		return e.cause.Error()
	}
	if e.cause != nil {
		return e.msg + ": " + e.cause.Error()
	}
	return e.msg
}
func (e *answerError) Unwrap() error { return e.cause }

// retryError records how a retried request ended.
type retryError struct {
	err             error
	attempts        int
	waitAsked, left time.Duration // a Retry-After that did not fit in the time left
	// bound: what that time was left of; of, the listing timeout.
	// afterTurn: it was measured once the request had waited its turn.
	bound     waitBound
	of        time.Duration
	afterTurn bool
	// outOfTime: the time allowed ran out; waitedTurn: while it waited its
	// turn to be sent again (see retryOnce).
	outOfTime, waitedTurn bool
	// earlier: the request to this registry whose rate limit, spent earlier
	// in the run, kept this one from being sent (again); err is its.
	earlier *retryError
	// repository: of the request, once its rate limit is remembered, so
	// that a request to another repository it stops can name it.
	repository string
}

// waitBound is the bound a Retry-After did not fit in: the request's own
// time, RequestTimeout × (MaxRetries+1), or its listing's timeout when that
// ends first.
type waitBound int

const (
	boundRetries waitBound = iota
	boundListing
)

// listingKey is the context key of the listing a tag list request counts
// against (fetchOn): its deadline is not the context's, since pages are
// read on a context of their own, shared by every reading that asks.
type listingKey struct{}

// timeLeft is the time left to a request whose own time ends at deadline:
// to its listing's deadline when that comes first, with the listing
// timeout; else to deadline.
func timeLeft(ctx context.Context, deadline time.Time) (time.Duration, waitBound, time.Duration) {
	if l, ok := ctx.Value(listingKey{}).(*listing); ok {
		l.mu.Lock()
		end, running, timeout := l.deadline, l.running, l.timeout
		l.mu.Unlock()
		if running > 0 && end.Before(deadline) {
			return time.Until(end), boundListing, timeout
		}
	}
	return time.Until(deadline), boundRetries, 0
}

func (e *retryError) Error() string { return e.err.Error() }
func (e *retryError) Unwrap() error { return e.err }

type response struct {
	status int
	header http.Header
	body   []byte
	url    *url.URL // the URL that answered, after redirects, with the scheme used
}

func (c *Client) budget() time.Duration {
	n := time.Duration(c.maxRetries + 1)
	if c.timeout > math.MaxInt64/n { // a request_timeout meaning "none"
		return math.MaxInt64
	}
	return c.timeout * n
}

// retry runs op up to MaxRetries+1 times, each attempt under its own
// RequestTimeout, all within RequestTimeout × (MaxRetries+1), retrying
// retryable errors after an exponential backoff or the Retry-After, and
// stops when ctx is done. key names the request (method and URL).
//
// A request that spent its retries on 429, a Retry-After past its time, or
// timeouts is not sent again for the Client's life (one Terraform run). A
// 429 so spent stops later requests in its scope (limitScope) too:
// registries limit a client (Docker Hub an IP or account), not a URL, and
// a fleet of pins would otherwise resend each request MaxRetries+1 times,
// or wait a whole budget per pin on a registry that does not answer. 5xx
// is not remembered: a later caller may find it mended.
func (c *Client) retry(ctx context.Context, ref Repository, key string, fields map[string]any, op func(ctx context.Context) error) error {
	if spent, ok := c.spent.Load(key); ok {
		c.debug(ctx, "registry request not sent again: its retries were spent earlier in this run", with(fields, nil))
		return spent.(*retryError)
	}
	host := ref.name.RegistryStr()
	if limited := c.limited(host, key); limited != nil {
		c.debug(ctx, "registry request not sent: the registry, or the proxy to it, rate-limited an earlier request of this run", with(fields, nil))
		return &retryError{err: limited.err, earlier: limited}
	}
	return c.retryOnce(ctx, ref.written, key, host, fields, op)
}

// pullsOnly is the scope of Docker Hub's pull limit ("You have reached your
// pull rate limit"), which counts manifest GETs only and lets HEADs and tag
// lists through: host's manifest GETs for such a key, else host (a tag
// list's path may have a component named manifests).
func pullsOnly(host, key string) string {
	if i := strings.LastIndex(key, "/manifests/"); strings.HasPrefix(key, http.MethodGet+" ") && i >= 0 && !strings.Contains(key[i+len("/manifests/"):], "/") {
		return host + " manifest GETs"
	}
	return host
}

// limitScope is the scope of the rate limit that answered key to host with
// err: a proxy's (proxyScope), the token service's (tokenScope), Docker
// Hub's pull limit (pullsOnly), else every request to host.
func limitScope(host, key string, err error) string {
	var ae *answerError
	if pe := new(proxyError); errors.As(err, &pe) {
		return "proxy " + pe.proxy // a proxy's 429 to a CONNECT (proxyScope)
	}
	if errors.As(err, new(*tokenServiceError)) {
		return tokenScope(host)
	}
	if errors.As(err, &ae) && strings.Contains(ae.said, "pull rate limit") {
		return pullsOnly(host, key)
	}
	return host
}

// tokenScope is the scope of a rate limit of host's token service (its
// challenge's realm, often another host: auth.docker.io): it stops and
// paces later handshakes with host and token requests on expiry
// (repositoryPing), while requests that hold a token go on.
func tokenScope(host string) string { return host + " token service" }

// inScope loads from m, keyed by limitScope, the entry of any scope that
// applies to key to host.
func (c *Client) inScope(m *sync.Map, host, key string) (any, bool) {
	scopes := []string{host, pullsOnly(host, key)}
	if strings.HasPrefix(key, "auth ") { // a handshake's (Client.handshake)
		scopes = append(scopes, tokenScope(host))
	}
	for _, scope := range scopes {
		if v, ok := m.Load(scope); ok {
			return v, true
		}
	}
	if scope := c.proxyScope(host); scope != "" {
		return m.Load(scope)
	}
	return nil, false
}

func (c *Client) limited(host, key string) *retryError {
	if l, ok := c.inScope(&c.rateLimited, host, key); ok {
		return l.(*retryError)
	}
	return nil
}

// notAgain reports whether a request that ended so is not to be sent again
// in this run (see retry): the registry rate-limited it or asked to wait
// longer than the time allowed, or its attempts timed out.
func (e *retryError) notAgain() bool {
	if e.waitAsked > 0 && e.bound != boundRetries {
		// Past its listing's deadline, not its own time: a request with
		// its own time (a listing read again at apply) may wait for it.
		return false
	}
	if e.waitAsked > 0 || tooMany(e.err) {
		return true
	}
	var ne net.Error
	return errors.Is(e.err, context.DeadlineExceeded) || (errors.As(e.err, &ne) && ne.Timeout())
}

// tooMany reports whether an attempt was answered 429: by the registry
// (an *answerError's cause, or the handshake's own *transport.Error), or
// by a proxy, to its CONNECT.
func tooMany(err error) bool {
	var te *transport.Error
	var pe *proxyError
	return errors.As(err, &te) && te.StatusCode == http.StatusTooManyRequests ||
		errors.As(err, &pe) && pe.status == http.StatusTooManyRequests
}

// retryAfterOf is the Retry-After of an attempt's error answer, the
// registry's, its token service's or a proxy's; 0 for none.
func retryAfterOf(err error) time.Duration {
	var ae *answerError
	var pe *proxyError
	var tse *tokenServiceError
	switch {
	case errors.As(err, &ae):
		return ae.retryAfter
	case errors.As(err, &tse):
		return tse.retryAfter
	case errors.As(err, &pe):
		return pe.retryAfter
	}
	return 0
}

// retryOnce runs op with its retries and remembers how it ended (retry).
// Once host has answered 429, its requests in that scope (limitScope) go
// one at a time, each holding its turn through its waits and retries:
// concurrent pieces would otherwise keep spending a limit that lets few
// through (Quay's nginx: 3 tag list requests, then 5 a second). The wait
// for a turn counts in the request's own time, so a registry silent after
// a 429 holds the run for about one request's time, not one per request in
// line; a rate limit, or this key, spent meanwhile ends the request.
func (c *Client) retryOnce(ctx context.Context, repository, key, host string, fields map[string]any, op func(ctx context.Context) error) (ended error) {
	var turn chan struct{}
	defer func() {
		var re *retryError
		if errors.As(ended, &re) && re.notAgain() {
			c.spent.Store(key, re)
			if tooMany(re.err) {
				re.repository = repository // before any other request can load it
				c.rateLimited.LoadOrStore(limitScope(host, key, re.err), re)
			}
		}
		if turn != nil {
			<-turn // after the above, which the next in turn sees
		}
	}()
	deadline := time.Now().Add(c.budget())
	var err error          // the latest attempt's
	var wait time.Duration // before this attempt, taken in its turn
	var asked bool         // wait is a Retry-After
	// tooLong is the end of a request whose wait before its next attempt
	// cannot end in time: it is not waited for. A backoff is measured
	// against the request's own time alone (past its listing's deadline, it
	// ends as the listing's time bound); a Retry-After against its
	// listing's deadline too.
	tooLong := func(attempts int, afterTurn bool) *retryError {
		own := time.Until(deadline)
		left, bound, of := timeLeft(ctx, deadline)
		switch {
		case asked && wait >= own:
			return &retryError{err: err, attempts: attempts, waitAsked: wait, left: leftOf(own, c.budget()), afterTurn: afterTurn}
		case asked && wait >= left:
			return &retryError{err: err, attempts: attempts, waitAsked: wait, left: leftOf(left, cmp.Or(of, c.budget())), bound: bound, of: of, afterTurn: afterTurn}
		case wait >= own:
			return &retryError{err: err, attempts: attempts, outOfTime: true, waitedTurn: afterTurn}
		}
		return nil
	}
	for attempt := 1; ; attempt++ {
		if g, ok := c.inScope(&c.paced, host, key); ok && turn == nil {
			asking := time.Now()
			timer := time.NewTimer(time.Until(deadline))
			select {
			case g.(chan struct{}) <- struct{}{}:
				turn = g.(chan struct{})
			case <-timer.C:
			case <-ctx.Done():
			}
			timer.Stop()
			if turn == nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return &retryError{err: cmp.Or(err, errWaitedTurn), attempts: attempt - 1, outOfTime: true, waitedTurn: err != nil}
			}
			if spent, ok := c.spent.Load(key); ok { // by another caller, while this one waited
				return spent.(*retryError)
			}
			if limited := c.limited(host, key); limited != nil { // spent while this one waited
				return &retryError{err: limited.err, attempts: attempt - 1, earlier: limited}
			}
			if waited := time.Since(asking) > 0; wait > 0 && waited {
				if re := tooLong(attempt-1, true); re != nil { // less is left after the wait for the turn
					return re
				}
			}
		}
		if wait > 0 {
			if err := c.sleep(ctx, wait); err != nil {
				return err
			}
		}
		actx, cancelAttempt := context.WithTimeout(ctx, min(c.timeout, time.Until(deadline)))
		err = op(actx)
		cancelAttempt()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if earlier := new(retryError); errors.As(err, &earlier) {
			// A token request not sent: its token service's rate limit was
			// spent earlier in this run (repositoryPing, tokenScope).
			return &retryError{err: earlier.err, attempts: attempt - 1, earlier: earlier}
		}
		if tooMany(err) {
			c.paced.LoadOrStore(limitScope(host, key, err), make(chan struct{}, 1))
		}
		if !retryable(err) || attempt > c.maxRetries {
			return &retryError{err: err, attempts: attempt}
		}
		wait = backoff(attempt)
		// A Retry-After shorter than the backoff (0, say) waits the
		// backoff: it must not turn the retries into a burst.
		retryAfter := retryAfterOf(err)
		asked = retryAfter > wait
		if asked {
			wait = retryAfter
		}
		if re := tooLong(attempt, false); re != nil {
			return re
		}
		c.debug(ctx, "registry request failed; retrying", with(fields, map[string]any{
			"attempt": attempt, "wait_ms": wait.Milliseconds(), "error": err.Error(),
		}))
	}
}

var errWaitedTurn = errors.New("the registry answered an earlier request of this run 429, so its requests go one at a time, and this one waited its turn for all the time it was allowed")

func sleepFor(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// backoff is the wait before retry number attempt: 200ms doubling, with up
// to 25% jitter either way.
func backoff(attempt int) time.Duration {
	d := retryBase << (attempt - 1)
	j := time.Duration(rand.Int64N(int64(d)/2+1)) - d/4
	return d + j
}

// retryable reports whether an attempt's error is worth another attempt:
// 408, 429, 500, 502, 503, 504 answers, timeouts of one attempt, and
// connection-level network errors. Certificate errors are final.
func retryable(err error) bool {
	var rhe tls.RecordHeaderError
	if isCertError(err) || errors.As(err, &rhe) {
		return false
	}
	var te *transport.Error
	if errors.As(err, &te) {
		return retryableStatus(te.StatusCode)
	}
	var pe *proxyError // a proxy's refusal, by the same rules
	if errors.As(err, &pe) {
		return retryableStatus(pe.status)
	}
	var ae *answerError
	if errors.As(err, &ae) {
		return ae.again
	}
	var oe *net.OpError
	if errors.As(err, &oe) && strings.HasPrefix(oe.Op, "socks ") && oe.Err != nil {
		// A SOCKS5 proxy that could not reach the registry (RFC 1928 replies
		// 1, 3, 4, 5, 6, as net/http words them) counts as a CONNECT 502 or
		// 503; its refusal (2) and the rest are final, as a 403 is.
		for _, reply := range []string{"general SOCKS server failure", "network unreachable", "host unreachable", "connection refused", "TTL expired"} {
			if oe.Err.Error() == "unknown error "+reply {
				return true
			}
		}
	}

	if errors.Is(err, context.DeadlineExceeded) {
		return true // this attempt timed out; the caller's context is checked apart
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.IsTimeout || dnsErr.IsTemporary
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func retryableStatus(status int) bool {
	return slices.Contains([]int{http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}, status)
}

// parseRetryAfter reads a Retry-After value, delay seconds or an HTTP date,
// with OWS around it. Delay seconds are digits alone (RFC 9110: 1*DIGIT):
// "+5", "-5" or "5.0" is no Retry-After and only the backoff is waited (a
// signed "+3600" must not ask for an hour and give the request up).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	const longest = 365 * 24 * time.Hour // a wait as long as any, delay or date
	v = strings.Trim(v, " \t")
	if v == "" {
		return 0, false
	}
	if strings.Trim(v, "0123456789") == "" {
		// Digits past int64 (ErrRange, the only error here) still ask for
		// the longest wait, not for none.
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n > int64(longest/time.Second) {
			n = int64(longest / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), longest), true
	}
	return 0, false
}

// fetch sends one request with retries on the repository's authenticated
// transport, reading the whole body within each attempt. Any status but
// 200 is an *answerError wrapping a *transport.Error. A tag list request
// passes its listing, whose bounds count every attempt and body. A 401
// whose Bearer challenge the handshake did not take (answerError.challenge),
// or a refusal (401, 403) after the registry refused a token of the
// request's handshake with a challenge naming another token service
// (session.movedTo), remakes the handshake from that challenge
// (rechallenge) and is sent once more.
func (c *Client) fetch(ctx context.Context, ref Repository, rt *repoTransport, method string, u *url.URL, accept []string, l *listing) (*response, error) {
	sent := rt.session.Load()
	out, err := c.fetchOn(ctx, ref, sent.client, method, u, accept, l)
	if err == nil {
		return out, nil
	}
	challenge, key := []string(nil), "bearer"
	var ae *answerError
	if errors.As(err, &ae) && ae.challenge != nil {
		challenge = ae.challenge
	} else if moved, realm := sent.movedTo(); moved != nil && refusedAuth(err) {
		// The registry refused the token with a challenge naming another
		// token service than the handshake's (session.movedTo).
		challenge, key = moved, "bearer "+realm
	}
	if challenge == nil {
		return out, err
	}
	cl, err := c.rechallenge(ctx, ref, rt, challenge, key)
	if err != nil {
		return nil, &handshakeError{err}
	}
	return c.fetchOn(ctx, ref, cl, method, u, accept, l)
}

// refusedAuth reports whether err is a 401 or 403: the registry's answer,
// or its token service's to go-containerregistry renewing a token.
func refusedAuth(err error) bool {
	st := anyStatusOf(err)
	return st == http.StatusUnauthorized || st == http.StatusForbidden
}

// handshakeError is the failure of the handshake made again for a request
// (rechallenge), not asked again another way (askAgainWithGet).
type handshakeError struct{ err error }

func (e *handshakeError) Error() string { return e.err.Error() }
func (e *handshakeError) Unwrap() error { return e.err }

func (c *Client) fetchOn(ctx context.Context, ref Repository, cl *http.Client, method string, u *url.URL, accept []string, l *listing) (*response, error) {
	rawURL := u.String()
	fields := map[string]any{
		"registry": ref.registry, "repository": ref.written, "method": method, "path": u.RequestURI(),
	}
	var out *response
	if l != nil {
		ctx = context.WithValue(ctx, listingKey{}, l)
	}
	err := c.retry(ctx, ref, method+" "+rawURL, fields, func(actx context.Context) error {
		if l != nil {
			if err := l.spend(); err != nil {
				return err
			}
		}
		req, err := http.NewRequestWithContext(actx, method, rawURL, nil)
		if err != nil {
			return &answerError{msg: "the request could not be built", cause: err}
		}
		// One Accept line per type, as Docker's client sends them:
		// distribution up to 2.4, OpenShift 3's registry and others compare
		// each line whole, and answer a comma-joined list by tag with a
		// schema 1 conversion whose digest names no stored manifest.
		for _, a := range accept {
			req.Header.Add("Accept", a)
		}
		start := time.Now()
		resp, err := cl.Do(req)
		if err != nil {
			c.debug(ctx, "registry request failed", with(fields, map[string]any{
				"elapsed_ms": time.Since(start).Milliseconds(), "error": err.Error(),
			}))
			return err
		}
		defer resp.Body.Close()
		c.debug(ctx, "registry request", with(fields, map[string]any{
			"status": resp.StatusCode, "elapsed_ms": time.Since(start).Milliseconds(),
		}))
		body := io.Reader(resp.Body)
		if l != nil {
			body = &countedBody{r: body, l: l}
		}
		if resp.StatusCode != http.StatusOK {
			return statusErrorOf(resp, body)
		}
		b, err := io.ReadAll(io.LimitReader(body, maxBodySize+1))
		if err != nil {
			return bodyCut(method, u, resp, err)
		}
		if len(b) > maxBodySize {
			return &answerError{status: resp.StatusCode, msg: fmt.Sprintf("the answer is larger than %d MiB", maxBodySize>>20)}
		}
		if method == http.MethodGet && !json.Valid(b) {
			// Every body asked for here (tag lists, manifests, configs) is
			// JSON: one that is not was cut short or is not the registry's.
			msg := fmt.Sprintf("the answer to GET %s is not valid JSON", u.RequestURI())
			if ce := resp.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
				// net/http asks for and decodes gzip alone: a proxy or CDN
				// compressed it so (br, zstd) unasked.
				msg += fmt.Sprintf(" (it came compressed with Content-Encoding %q, which was not asked for)", ce)
			}
			return &answerError{status: resp.StatusCode, msg: msg, again: true}
		}
		answered := u
		if resp.Request != nil && resp.Request.URL != nil {
			answered = resp.Request.URL
		}
		out = &response{status: resp.StatusCode, header: resp.Header, body: b, url: answered}
		return nil
	})
	return out, err // out is set only by the attempt that ends retry with nil
}

// bodyCut is the failure to read an answer's body, naming the request:
// net/http's read error ("unexpected EOF", a reset) names none. It stays a
// network fault, retried as one; a listing's bound passed stays as it is.
// A body that says Content-Encoding gzip (net/http decodes it) and does
// not decode as gzip is said to be so, not to have ended early: a 200
// unusable as it came, asked again as one (answerError.again).
func bodyCut(method string, u *url.URL, resp *http.Response, err error) error {
	if errors.As(err, new(*answerError)) {
		return err
	}
	if notGzip(resp, err) {
		return &answerError{status: resp.StatusCode, again: true, cause: err, msg: fmt.Sprintf("the answer to %s %s came with Content-Encoding gzip, but its body does not decompress as gzip", method, u.RequestURI())}
	}
	return fmt.Errorf("the answer to %s %s (HTTP %d) ended before its whole body arrived: %w", method, u.RequestURI(), resp.StatusCode, err)
}

// notGzip reports whether err, reading resp's body, is net/http failing to
// decode a body it asked for gzip and was told came so (it then removes
// the Content-Encoding header): one not, or corrupt, gzip.
func notGzip(resp *http.Response, err error) bool {
	return resp.Uncompressed && (errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) || errors.As(err, new(flate.CorruptInputError)))
}

// maxErrorBody bounds what is read of an error answer. A longer one is not
// quoted at all, since the cut could fall inside a secret it quotes (which
// scrubbing would then miss); the status still classifies the error.
const maxErrorBody = 64 << 10

func statusErrorOf(resp *http.Response, r io.Reader) error {
	body, err := readErrorBody(r)
	var limit *LimitError
	if errors.As(err, &limit) {
		return err
	}
	// go-containerregistry makes the *transport.Error of the body read (it
	// cannot read it twice); the status classifies it even when the body was
	// dropped or is not JSON. fetch closes the body replaced.
	resp.Body = io.NopCloser(bytes.NewReader(body))
	retryAfter, _ := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	bearer := resp.Request != nil && strings.HasPrefix(resp.Request.Header.Get("Authorization"), "Bearer ")
	cause := transport.CheckError(resp, http.StatusOK)
	invalidToken := bearer && resp.StatusCode == http.StatusUnauthorized && invalidTokenChallenge(resp.Header.Values("WWW-Authenticate"))
	return &answerError{status: resp.StatusCode, cause: cause, retryAfter: retryAfter, bearer: bearer, invalidToken: invalidToken, said: saidOf(cause, body), challenge: bearerChallenge(resp, bearer)}
}

// invalidTokenParam is RFC 6750 3.1's error="invalid_token", quoted or not.
var invalidTokenParam = regexp.MustCompile(`(?i)(^|,)\s*error\s*=\s*("invalid_token"|invalid_token)\s*(,|$)`)

// invalidTokenChallenge reports whether a Bearer challenge among values
// says error="invalid_token": distribution's answer to a token it cannot
// verify (expired, signed by an untrusted key, for another service, not yet
// valid by its clock), unlike error="insufficient_scope" (Docker Hub's for
// a missing repository). go-containerregistry renews the token on the
// first such 401, so one that ends a request refused a fresh token.
func invalidTokenChallenge(values []string) bool {
	return slices.ContainsFunc(challenges(values), func(v string) bool {
		scheme, params, _ := strings.Cut(v, " ")
		return strings.EqualFold(scheme, "Bearer") && invalidTokenParam.MatchString(params)
	})
}

// bearerChallenge is the Bearer challenges, with a realm, of a 401 from the
// host the request was sent to (not a blob store it was redirected to) when
// it carried no bearer token (the ping answered 200 or Basic): those to
// remake the handshake from (rechallenge). Else nil: go-containerregistry's
// bearer transport answers its own requests' challenges.
func bearerChallenge(resp *http.Response, bearer bool) []string {
	if resp.StatusCode != http.StatusUnauthorized || bearer || resp.Request == nil {
		return nil
	}
	if from := firstRequest(resp.Request).URL; from.Host != resp.Request.URL.Host || from.Scheme != resp.Request.URL.Scheme {
		return nil
	}
	var bearers []string // alone: go-containerregistry takes the first Basic or Bearer one
	for _, v := range challenges(resp.Header.Values("WWW-Authenticate")) {
		scheme, params, _ := strings.Cut(v, " ")
		if strings.EqualFold(scheme, "Bearer") && strings.Contains(strings.ToLower(params), "realm=") {
			bearers = append(bearers, v)
		}
	}
	return bearers
}

// challenges splits WWW-Authenticate fields into "scheme params" strings:
// RFC 7235 allows several a field (`Basic realm="x", Bearer realm="…"`, as a
// proxy joining a registry's two fields sends), and go-containerregistry,
// like docker and containerd, reads one a field and misses the Bearer. A
// challenge starts at each element (between commas outside quotes) that
// is a token not followed by "=".
func challenges(fields []string) []string {
	var out []string
	for _, f := range fields {
		var cur []string // the elements of the challenge being read
		flush := func() {
			if len(cur) > 0 {
				out = append(out, strings.Join(cur, ","))
			}
			cur = nil
		}
		for _, el := range splitOutsideQuotes(f) {
			el = strings.TrimSpace(el)
			if el == "" {
				continue
			}
			name, rest, _ := strings.Cut(el, " ")
			if !strings.HasPrefix(strings.TrimSpace(rest), "=") && !strings.Contains(name, "=") {
				flush() // a scheme, alone or followed by its first param or a token68
			}
			cur = append(cur, el)
		}
		flush()
	}
	return out
}

func splitOutsideQuotes(s string) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && c == ',':
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// peekBody reads up to limit bytes of resp's body, leaving it readable whole.
func peekBody(resp *http.Response, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
	return body, err
}

// readErrorBody reads an error answer's body, or nothing of one longer
// than maxErrorBody.
func readErrorBody(r io.Reader) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, maxErrorBody+1))
	if len(body) > maxErrorBody {
		body = nil
	}
	return body, err
}

// saidOf is what an error answer says, for people: its errors array, or
// the one error object it is (zot's wrong password), else its text; "" for
// an HTML page.
func saidOf(cause error, body []byte) string {
	var parts []string
	var te *transport.Error
	// "CODE: message", or the message alone: Artifactory's errors carry a
	// status and no code.
	text := func(d transport.Diagnostic) string {
		return strings.TrimPrefix(string(d.Code)+": "+d.Message, ": ")
	}
	if errors.As(cause, &te) {
		for _, d := range te.Errors {
			parts = append(parts, text(d))
		}
	}
	var one transport.Diagnostic
	if len(parts) == 0 && json.Unmarshal(body, &one) == nil && one.Message != "" {
		parts = append(parts, text(one))
	}
	said := strings.Join(parts, "; ")
	if len(parts) == 0 {
		said = string(body)
	}
	// Put on one line by fail, once scrubbed: a secret may hold whitespace.
	if strings.HasPrefix(strings.TrimSpace(said), "<") || !utf8.ValidString(said) {
		return ""
	}
	return said
}

func with(base, extra map[string]any) map[string]any {
	m := make(map[string]any, len(base)+len(extra))
	maps.Copy(m, base)
	maps.Copy(m, extra)
	return m
}
