package registry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Error is every failure a Client returns. It wraps the cause: an error
// holding a *transport.Error where the registry answered with an error
// status, a network or context error otherwise. Its message never holds a password,
// a token or an Authorization header.
type Error struct {
	// Registry is the host as the user wrote it ("docker.io" when the
	// repository names none), such as "ghcr.io" or "127.0.0.1:5000".
	Registry string
	// Repository is the repository as the user wrote it.
	Repository string
	// Action is what was asked, such as "list tags" or "read the manifest of
	// tag 3.1.15-python3.12".
	Action string
	// StatusCode is the HTTP status of the answer, 0 when there was none.
	StatusCode int
	Cause      error

	attempts     int           // attempts made, 0 when unknown
	waitAsked    time.Duration // a Retry-After beyond the time left
	left         time.Duration // the time that was left then, to the budget's precision (leftOf)
	waitBound    waitBound     // what left was left of: the request's own time or its listing's timeout
	listingLimit time.Duration // that listing timeout
	afterTurn    bool          // left was measured once the request had waited its turn, behind another request to a registry that answered 429
	outOfTime    bool          // the time allowed for the request ran out
	waitedTurn   bool          // … while it waited its turn to be sent again, behind another request to a registry that answered 429
	budget       time.Duration // RequestTimeout × (MaxRetries+1)
	timeout      time.Duration // RequestTimeout
	source       string        // where the credentials came from, as sourceBlock, sourceKeychain or sourceAnonymous say
	detail       string        // the cause, scrubbed of configured passwords
	said         string        // what the registry's error answer said, scrubbed (answerError.said)
	invalid      bool          // the caller's input was invalid; nothing was sent
	earlier      int           // attempts of an earlier request whose spent rate limit kept this one from being sent (again, after attempts); 0 when there was none
	earlierRepo  string        // that request's repository
	badCert      bool          // the TLS certificate could not be verified
	noAPI        int32         // noAPIStatus or noAPIPage: the host does not answer the registry API; its 404 is no registry's
	tokenService string        // the token service's host, when it failed, not the registry
	grantRefused string        // the OAuth error code with which the token service refused the credentials (grantRefused)
	tokenRefused bool          // see TokenRefused
	invalidToken bool          // see TokenInvalid
}

func (e *Error) Unwrap() error { return e.Cause }

// Error says, in one or two sentences, which registry, repository and
// request failed, how, and what to do.
func (e *Error) Error() string {
	var b strings.Builder
	detail := e.detail
	if detail == "" && e.Cause != nil {
		detail = e.Cause.Error()
	}
	// It may quote a registry: made inert on a terminal (and valid UTF-8,
	// which strings.Map makes it), then cut on a character.
	detail = strings.Map(printable, strings.TrimSpace(detail))
	if len(detail) > 400 {
		detail = strings.ToValidUTF8(detail[:400], "") + "…"
	}
	detail = strings.TrimSuffix(detail, ".")
	if e.invalid {
		return fmt.Sprintf("Could not %s in repository %q: %s.", e.Action, e.Repository, detail)
	}
	fmt.Fprintf(&b, "Could not %s in repository %s on registry %s: ", e.Action, e.Repository, e.Registry)
	status := fmt.Sprintf("HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	attempts := ""
	if e.attempts > 1 {
		attempts = fmt.Sprintf(" after %d attempts", e.attempts)
	}
	// Of a request not sent (again) for an earlier one's spent rate limit.
	earlier, again := "", ""
	if e.earlier > 1 {
		earlier = fmt.Sprintf(" after %d attempts", e.earlier)
	}
	if e.earlierRepo != "" && e.earlierRepo != e.Repository {
		// Registries limit a client, not a repository: the user would
		// look for the cause in the wrong one.
		earlier += " to repository " + e.earlierRepo
	}
	if e.attempts > 0 {
		again = " again"
	}
	// A Retry-After beyond the time left, as each answer words it.
	waited, waitedLeft, waitedAllowed := "", "", ""
	if e.waitAsked > 0 {
		waited = fmt.Sprintf("; its Retry-After asked to wait %s", e.waitAsked.Round(time.Second))
		waitedLeft = fmt.Sprintf("%s, more than the %s left", waited, e.left)
		switch e.waitBound {
		case boundListing:
			waitedLeft += fmt.Sprintf(" of the listing timeout of %s", e.listingLimit)
			waitedAllowed = waitedLeft
		default:
			waitedAllowed = fmt.Sprintf("%s of the %s allowed for the request and its retries", waitedLeft, e.budget)
		}
		if e.afterTurn {
			turn := " once its retry had waited its turn (once a registry answers 429, its requests go one at a time)"
			waitedLeft += turn
			waitedAllowed += turn
		}
	}
	if e.waitedTurn {
		attempts += fmt.Sprintf(", and its retry waited its turn until the %s allowed ran out (once a registry answers 429, its requests go one at a time)", e.budget)
	}
	who, said := "the registry", "The registry said"
	if e.tokenService != "" {
		who, said = fmt.Sprintf("the registry's token service (%s)", e.tokenService), "The token service said"
	}
	ke := new(keychainError)
	switch {
	case errors.Is(e.Cause, context.Canceled):
		b.WriteString("the request was cancelled.")
	case errors.As(e.Cause, new(*realmRefusedError)), errors.As(e.Cause, new(*LimitError)), errors.As(e.Cause, new(*UnreadableListError)):
		fmt.Fprintf(&b, "%s.", detail) // the realm refused, the listing's own bound, or its paging: each says it all
	case errors.As(e.Cause, &ke):
		fmt.Fprintf(&b, "%s. %s", detail, ke.advice())
	case e.StatusCode == http.StatusProxyAuthRequired || e.StatusCode == 0 && viaProxy(e.Cause):
		// Before badCert: a proxy's certificate is no registry's. A
		// status is the registry's answer (the ping's plain-HTTP attempt,
		// after the proxy refused its HTTPS one), but for a 407.
		switch {
		case e.StatusCode != 0:
			fmt.Fprintf(&b, "a proxy answered %s, not the registry (%s).", status, detail)
		case e.earlier > 0:
			// A proxy's 429 spent earlier in this run (limitScope).
			fmt.Fprintf(&b, "the proxy rate-limited an earlier request of this run (%s%s), so this one was not sent%s; the proxy failed, not the registry.", detail, earlier, again)
		default:
			fmt.Fprintf(&b, "%s%s%s; the proxy failed, not the registry.", detail, attempts, waitedAllowed)
		}
		pe := new(proxyError)
		if e.StatusCode == http.StatusProxyAuthRequired || errors.As(e.Cause, &pe) && pe.status == http.StatusProxyAuthRequired {
			b.WriteString(" It asks for credentials: those in the proxy's URL (http://user:password@host:port) are missing or wrong.")
		}
		b.WriteString(" The proxy is HTTPS_PROXY's for HTTPS and HTTP_PROXY's for plain HTTP; NO_PROXY lists the hosts reached without one. Check them and the network, or try again later.")
	case e.badCert:
		switch host := e.CertificateHost(); {
		case host != e.Registry && e.tokenService != "":
			fmt.Fprintf(&b, "the TLS certificate of %s could not be verified (%s).", who, detail)
		case host != e.Registry:
			fmt.Fprintf(&b, "the TLS certificate of %s, to which the registry redirected a request, could not be verified (%s).", host, detail)
		default:
			fmt.Fprintf(&b, "the registry's TLS certificate could not be verified (%s).", detail)
		}
	case e.StatusCode == 0 && errors.Is(e.Cause, context.DeadlineExceeded) && !e.outOfTime && e.attempts == 0:
		b.WriteString("the caller's deadline passed before the registry answered.")
	case e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden:
		switch {
		case e.TokenInvalid():
			fmt.Fprintf(&b, "the registry answered %s to a token its token service had just issued, refused as invalid (error=\"invalid_token\"): the registry does not accept its token service's tokens, as when their clocks disagree or the registry does not trust the key that signs them. Neither the repository nor the credentials are at fault; tell the registry's operator. ", status)
		case e.TokenRefused():
			// Docker Hub answers 401 to its own token for a repository that
			// does not exist, Harbor for one the account may not pull
			// (distribution/distribution#2376, goharbor/harbor#22274): no
			// refusal of the credentials, though Harbor issues tokens for
			// wrong ones too (#11632).
			wrong := ", or are wrong (Harbor's token service, for one, issues a token for wrong credentials too)"
			if strings.HasPrefix(e.source, sourceAnonymous) {
				wrong = ""
			}
			fmt.Fprintf(&b, "the registry answered %s to the token its token service issued for this repository: the repository does not exist there, or the credentials used do not grant pull access to it%s. ", status, wrong)
		case e.StatusCode == http.StatusUnauthorized:
			fmt.Fprintf(&b, "the registry answered %s: it did not accept the credentials, or it requires some. ", status)
		default:
			fmt.Fprintf(&b, "the registry answered %s: the credentials do not grant pull access to this repository. ", status)
		}
		if e.source != "" {
			fmt.Fprintf(&b, "This request used %s.", e.source)
		}
	case e.grantRefused != "":
		// OAuth 2.0's refusal of a grant (RFC 6749 §5.2): the credentials
		// are at fault, not the address or the network.
		fmt.Fprintf(&b, "%s refused the credentials: it answered %s with error=%q (%s).", who, status, e.grantRefused, detail)
		if strings.HasPrefix(e.source, sourceKeychain) {
			b.WriteString(" An identity token that docker login stored in the Docker config expires or can be revoked: log in again.")
		}
		if e.source != "" {
			fmt.Fprintf(&b, " This request used %s.", e.source)
		}
	case e.StatusCode == http.StatusTooManyRequests && e.earlier > 0:
		fmt.Fprintf(&b, "%s rate-limited an earlier request of this run (%s)%s, so this one was not sent%s%s.", who, status, earlier, again, waited)
	case e.StatusCode == http.StatusTooManyRequests:
		fmt.Fprintf(&b, "%s rate-limited the request (%s)%s%s.", who, status, attempts, waitedAllowed)
	case e.noAPI == noAPIStatus:
		fmt.Fprintf(&b, "%s answered GET /v2/, the registry API's base, with %s, and the repository's tag list too: %s", e.Registry, status, noAPIAdvice)
	case e.noAPI == noAPIPage:
		fmt.Fprintf(&b, "%s answered GET /v2/, the registry API's base, with a web page (HTML), and this request with %s: %s", e.Registry, status, noAPIAdvice)
	case e.StatusCode == http.StatusNotFound && e.tokenService == "":
		what, check := "the tag or repository does not exist there", "the repository and the tag"
		switch {
		case e.Listing():
			what, check = "the repository does not exist there", "the repository" // no tag was asked for
		case e.ByDigest():
			what, check = "the repository holds no manifest with that digest, or does not exist there", "the repository and the digest"
		}
		fmt.Fprintf(&b, "the registry answered %s: %s. Check %s.", status, what, check)
	case e.RedirectRefused():
		// Refused by the redirect rules: the same answer on every try,
		// and no sign that the address names no registry.
		fmt.Fprintf(&b, "the registry's answer (HTTP %d) cannot be used%s: %s; a redirect is followed only on the registry's own host and within the repository, never from HTTPS to plain HTTP.", e.StatusCode, attempts, detail)
	case errors.Is(e.Cause, errLinkLoop):
		// The pages before were answered, and every try loops alike.
		fmt.Fprintf(&b, "the registry's answer (HTTP %d) cannot be used: %s. The registry answered the pages before it, so its address is right; its paging loops on every try: ask the registry's operator.", e.StatusCode, detail)
	case errors.Is(e.Cause, errEndlessRedirects):
		fmt.Fprintf(&b, "the registry's answer (HTTP %d) cannot be used: %s. Try again later, or ask the registry's operator.", e.StatusCode, detail)
	case e.StatusCode >= 200 && e.StatusCode < 400:
		fmt.Fprintf(&b, "the registry's answer (HTTP %d) cannot be used%s: %s. Check that the address names a container registry, or try again later.", e.StatusCode, attempts, detail)
	case e.StatusCode != 0:
		fmt.Fprintf(&b, "%s answered %s%s", who, status, attempts)
		if e.outOfTime && !e.waitedTurn {
			fmt.Fprintf(&b, ", and the %s allowed ran out", e.budget)
		}
		fmt.Fprintf(&b, "%s (%s). Check the registry address and the network, or try again later.", waitedLeft, detail)
	case errors.Is(e.Cause, context.DeadlineExceeded) && e.tokenService != "":
		fmt.Fprintf(&b, "no answer from %s within the request timeout of %s%s. Check the network, or try again later.", who, e.timeout, attempts)
	case errors.Is(e.Cause, context.DeadlineExceeded):
		fmt.Fprintf(&b, "no answer within the request timeout of %s%s. Check the registry address and the network, or try again later.", e.timeout, attempts)
	case e.PlainHTTP():
		fmt.Fprintf(&b, "%s%s. Plain HTTP is used only for loopback hosts and hosts listed as insecure; every other host, a token service or blob store included, is spoken to over HTTPS.", detail, attempts)
	case e.tokenService != "":
		fmt.Fprintf(&b, "the request to %s failed: %s%s. Check the network, or try again later.", who, detail, attempts)
	default:
		fmt.Fprintf(&b, "%s%s.", detail, attempts)
		// A later tag-list page's failure (readPage), among others.
		st := anyStatusOf(e.Cause)
		switch {
		case (st == http.StatusUnauthorized || st == http.StatusForbidden) && e.source != "":
			fmt.Fprintf(&b, " This request used %s, as did the pages before it; try again later, or ask the registry's operator.", e.source)
		case st >= 400 && st < 500 && st != http.StatusRequestTimeout && st != http.StatusTooManyRequests:
			// A later page refused (a 404 for a last past the end): the
			// address answered the pages before, and waiting changes nothing.
			b.WriteString(" The registry answered the pages before it, so its address is right; it refuses to page its tag list on from there, which no retry changes: ask the registry's operator.")
		default:
			b.WriteString(" Check the registry address and the network, or try again later.")
		}
	}
	if e.said != "" && e.noAPI == 0 && (e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden ||
		e.StatusCode == http.StatusNotFound || e.StatusCode == http.StatusTooManyRequests) {
		fmt.Fprintf(&b, " %s: %q.", said, e.said)
	}
	return b.String()
}

const noAPIAdvice = "it does not answer the registry API (/v2/), which every container registry serves, so it is no registry, or not a registry's own host (a web site, or a registry's web interface). Check the repository's host."

// viaProxy reports whether err is a proxy's failure: its refusal of a
// tunnel (proxyError), net/http's "proxyconnect" (unreachable, or its TLS
// failed), or "socks connect" (a SOCKS5 proxy refused or broke off).
func viaProxy(err error) bool {
	var oe *net.OpError
	return errors.As(err, new(*proxyError)) || errors.As(err, &oe) && (oe.Op == "proxyconnect" || strings.HasPrefix(oe.Op, "socks "))
}

func printable(r rune) rune {
	if unicode.IsPrint(r) {
		return r
	}
	return ' '
}

// TokenRefused reports whether a 401 or 403 answered a request carrying
// the bearer token the registry's token service had issued for the
// repository: the credentials (or anonymous access) were accepted, and the
// repository does not exist or they do not grant pulling it.
func (e *Error) TokenRefused() bool {
	return e.tokenRefused && !e.invalidToken && (e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden)
}

// TokenInvalid reports whether a 401 refused as invalid
// (error="invalid_token") the bearer token the registry's token service had
// just issued: a clock or signing key that disagrees, whatever the credentials.
func (e *Error) TokenInvalid() bool {
	return e.tokenRefused && e.invalidToken && e.StatusCode == http.StatusUnauthorized
}

// RedirectRefused reports whether the registry redirected the request
// where redirects are not followed: another host or repository, or from
// HTTPS to plain HTTP. The refusal is an answerError of the redirect's
// 3xx made here, with no cause; a 3xx answered as it came (without a
// Location) has go-containerregistry's error as its cause.
func (e *Error) RedirectRefused() bool {
	ae := new(answerError)
	return e.StatusCode >= 300 && e.StatusCode < 400 && errors.As(e.Cause, &ae) && ae.status == e.StatusCode && ae.cause == nil
}

// NoRegistryAPI reports whether the host does not answer the registry
// API: it answered GET /v2/ with 404 or a web page, and the repository
// with 404 too. That 404 is the host's, not a registry's (IsNotFound).
func (e *Error) NoRegistryAPI() bool { return e.noAPI != 0 }

// CertificateUnverified reports whether the registry's TLS certificate
// could not be verified.
func (e *Error) CertificateUnverified() bool { return e.badCert }

// CertificateNotForHost reports whether the registry's TLS certificate was
// refused as not issued for the host it was reached by (registry.internal's
// reached as 10.0.0.5, localhost's as 127.0.0.1), and returns that host and
// the certificate's DNS names and IP addresses. crypto/x509 checks the host
// before the CA, so trusting the CA cannot mend this.
func (e *Error) CertificateNotForHost() (host string, names []string, ok bool) {
	var he x509.HostnameError
	if !e.badCert || !errors.As(e.Cause, &he) || he.Certificate == nil {
		return "", nil, false
	}
	names = append(names, he.Certificate.DNSNames...)
	for _, ip := range he.Certificate.IPAddresses {
		names = append(names, ip.String())
	}
	return he.Host, names, true
}

// CertificateOutOfDate reports whether the registry's TLS certificate was
// refused as expired or not yet valid, which crypto/x509 checks before the
// CA that signed it.
func (e *Error) CertificateOutOfDate() bool {
	var ie x509.CertificateInvalidError
	return e.badCert && errors.As(e.Cause, &ie) && ie.Reason == x509.Expired
}

// CertificateHost is the host whose TLS certificate could not be verified:
// the registry, or its token service or a host it redirected to, whose
// certificate the registry's CA may not sign (insecure_registries and that
// CA mend nothing there).
func (e *Error) CertificateHost() string {
	host, scheme := e.tokenService, "https"
	if ue := new(url.Error); host == "" && errors.As(e.Cause, &ue) {
		if u, err := url.Parse(ue.URL); err == nil {
			host, scheme = u.Host, u.Scheme
		}
	}
	if host == "" || sameHost(host, scheme, e.Registry, scheme) {
		return e.Registry
	}
	return host
}

// PlainHTTP reports whether a registry that may not speak plain HTTP (it
// is neither loopback nor listed as insecure) answered HTTPS with it, or
// a request to such a host (a token service's, a blob store's) was not
// sent over plain HTTP.
func (e *Error) PlainHTTP() bool {
	return errors.As(e.Cause, new(*plainHTTPError)) || errors.As(e.Cause, new(*plainHTTPRefusedError))
}

// PlainHTTPHost is the host plain HTTP was not tried for (the registry's
// token service, or a store its blobs were redirected to, may be another
// host than the registry), else the registry.
func (e *Error) PlainHTTPHost() string {
	if pe := new(plainHTTPRefusedError); errors.As(e.Cause, &pe) {
		return pe.host
	}
	return e.Registry
}

// Listing reports whether the request listed the repository's tags: a
// 404 to it is a repository that does not exist, whatever tag was sought.
func (e *Error) Listing() bool { return strings.HasPrefix(e.Action, "list tags") }

// ByDigest reports whether the request asked for a manifest by digest
// (Head or Platforms given "sha256:…"), not by tag.
func (e *Error) ByDigest() bool { return strings.Contains(e.Action, " of digest ") }

// CredentialsUnreadable reports whether the Docker config (or a credential
// helper it names) could not be read, so that no request was sent.
func (e *Error) CredentialsUnreadable() bool { return errors.As(e.Cause, new(*keychainError)) }

// ConfiguredCredentials reports whether the request used credentials
// configured for its registry (Config.Credentials: a registry_auth block),
// as matched to it, rather than the Docker config's or none.
func (e *Error) ConfiguredCredentials() bool { return strings.HasPrefix(e.source, sourceBlock) }

// CredentialsFrom says where the credentials the request carried came from
// ("the Docker config", "Podman's auth file …"), "" when it carried none:
// a registry that counts requests counts these against their account.
func (e *Error) CredentialsFrom() string {
	if e.source == "" || strings.HasPrefix(e.source, sourceAnonymous) {
		return ""
	}
	return e.source
}

// RetriesSpent reports whether the request was given up after retries, or
// because the time allowed for it and its retries ran out.
func (e *Error) RetriesSpent() bool {
	return e.attempts > 1 || e.outOfTime || e.waitAsked > 0 || e.earlier > 0
}

// WaitPastListingTimeout reports whether the registry asked (Retry-After)
// for a wait longer than what was left of the repository listing's
// timeout, so that the listing stopped without waiting.
func (e *Error) WaitPastListingTimeout() bool { return e.waitAsked > 0 && e.waitBound == boundListing }

// IsNotFound reports whether err is a registry's 404: no such tag,
// manifest or repository. Its token service's 404 is none.
func IsNotFound(err error) bool { return statusOf(err) == http.StatusNotFound }

// IsUnauthorized reports whether err is a registry's 401 or 403, or its
// token service's refusal of the credentials in OAuth's words (grantRefused).
func IsUnauthorized(err error) bool {
	s := statusOf(err)
	var tse *tokenServiceError
	return s == http.StatusUnauthorized || s == http.StatusForbidden || errors.As(err, &tse) && tse.grant != ""
}

// IsRateLimited reports whether err is a registry's 429, or its token
// service's.
func IsRateLimited(err error) bool { return anyStatusOf(err) == http.StatusTooManyRequests }

// statusOf finds the status of the registry's answer in an error chain, 0
// when none. Its token service's status says nothing of the repository or
// of what the registry takes: 0.
func statusOf(err error) int {
	if errors.As(err, new(*tokenServiceError)) {
		return 0
	}
	// Nor does the 404 of a host that does not answer the registry API.
	if e := new(Error); errors.As(err, &e) && e.noAPI != 0 {
		return 0
	}
	return anyStatusOf(err)
}

// anyStatusOf finds the HTTP status in an error chain, the registry's or
// its token service's, 0 when none.
func anyStatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	var te *transport.Error // also an *answerError's cause, with its status
	if errors.As(err, &te) {
		return te.StatusCode
	}
	return 0
}

// isCertError: crypto/tls wraps every x509 verification error of a
// handshake in a CertificateVerificationError.
func isCertError(err error) bool {
	var cve *tls.CertificateVerificationError
	return errors.As(err, &cve)
}

func invalid(ref Repository, action string, err error) error {
	return &Error{Registry: ref.registry, Repository: ref.written, Action: action, Cause: err, invalid: true}
}

// fail turns a non-nil internal error into the *Error the caller gets.
func (c *Client) fail(ref Repository, action string, err error) error {
	e := &Error{
		Registry:   ref.registry,
		Repository: ref.written,
		Action:     action,
		budget:     c.budget(),
		timeout:    c.timeout,
	}
	if s, ok := c.sources.Load(ref.key); ok {
		e.source = s.(string)
	}
	var re *retryError
	if errors.As(err, &re) {
		e.attempts, e.waitAsked, e.left, e.outOfTime, e.waitedTurn = re.attempts, re.waitAsked, re.left, re.outOfTime, re.waitedTurn
		e.waitBound, e.listingLimit, e.afterTurn = re.bound, re.of, re.afterTurn
		if re.earlier != nil {
			e.waitAsked, e.left, e.outOfTime = re.earlier.waitAsked, re.earlier.left, false
			e.waitBound, e.listingLimit, e.afterTurn = re.earlier.bound, re.earlier.of, false
			e.earlier, e.earlierRepo = max(re.earlier.attempts, 1), re.earlier.repository
		}
	}
	var ae *answerError
	var te *transport.Error
	switch {
	case isCertError(err) && !viaProxy(err):
		e.badCert, e.Cause = true, err
	case errors.As(err, &ae):
		e.StatusCode, e.Cause, e.tokenRefused, e.invalidToken, e.said = ae.status, err, ae.bearer, ae.invalidToken, ae.said
	case errors.As(err, &te): // the handshake's
		e.StatusCode, e.Cause, e.said = te.StatusCode, err, saidOf(te, nil)
	default:
		e.Cause = err
	}
	if tse := new(tokenServiceError); errors.As(err, &tse) {
		e.tokenService, e.grantRefused = c.scrub(tse.host), tse.grant // the host is the registry's to name
	}
	if kind, ok := c.noRegistryAPI.Load(ref.key); ok && e.StatusCode == http.StatusNotFound && e.tokenService == "" {
		e.noAPI = kind.(int32)
	}
	if _, ok := c.registryTokens.Load(ref.key); ok {
		// The bearer token was the stored registry token, which no token
		// service issued: its refusal is the credentials'.
		e.tokenRefused, e.invalidToken = false, false
	}
	// Scrubbed before it is put on one line and cut, so that neither hides
	// a secret.
	if said := []rune(strings.Join(strings.Fields(c.scrub(e.said)), " ")); len(said) > 200 {
		e.said = string(said[:200]) + "…"
	} else {
		e.said = string(said)
	}
	e.detail = c.scrub(pingSaid(e.Cause))
	return e
}

// pingSaid is err's text with a failed ping said once: go-containerregistry
// pings a loopback or insecure host over HTTPS, then plain HTTP, and joins
// the failures with "; ". Alike (nothing listens), they are said as one.
func pingSaid(err error) string {
	msg := err.Error()
	var ue *url.Error
	if !errors.As(err, &ue) || !strings.HasPrefix(ue.URL, "https://") {
		return msg
	}
	primary := ue.Error()
	plainURL := "http://" + strings.TrimPrefix(ue.URL, "https://")
	if twice := primary + "; " + (&url.Error{Op: ue.Op, URL: plainURL, Err: ue.Err}).Error(); strings.Contains(msg, twice) {
		return strings.Replace(msg, twice, fmt.Sprintf("%s %q and %q: %v", ue.Op, ue.URL, plainURL, ue.Err), 1)
	}
	// The host speaks HTTPS, and its answer to plain HTTP (Go's "400 Bad
	// Request: Client sent an HTTP request to an HTTPS server", nginx's "The
	// plain HTTP request was sent to HTTPS port", or a dropped connection)
	// says only that again. The multierror of both attempts ends msg.
	if isCertError(ue.Err) {
		if i := strings.Index(msg, primary+"; "); i >= 0 {
			return msg[:i+len(primary)]
		}
	}
	// HTTPS answered in plain HTTP: the plain HTTP failure alone is said,
	// but of a host that may not speak it (plainHTTPError), the cause.
	if strings.Contains(ue.Err.Error(), "server gave HTTP response to HTTPS client") && !errors.As(err, new(*plainHTTPError)) {
		return strings.Replace(msg, primary+"; ", "", 1)
	}
	return msg
}

// leftOf is the time left, left, of a budget, rounded to the precision
// the budget is written in (whole seconds for 8s, tenths for 900ms),
// finer when left is shorter than that precision, so that the two read
// alike: never "the 1s left of the 900ms allowed".
func leftOf(left, budget time.Duration) time.Duration {
	for _, p := range []time.Duration{time.Second, 100 * time.Millisecond, 10 * time.Millisecond} {
		if budget%p == 0 && left >= p {
			return min(left.Round(p), budget)
		}
	}
	return min(left.Round(time.Millisecond), budget)
}
