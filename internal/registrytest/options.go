package registrytest

import (
	"net/http"
	"time"
)

// Option configures a Registry started with Start or New.
type Option func(*config)

type config struct {
	defaultPageSize int
	maxPageSize     int
	latency         time.Duration

	bearer     bool
	basic      bool
	username   string
	password   string
	ignoreLast bool
	cursor     bool
	order      func(sorted []string) []string
	noLink     bool
	wholeList  bool
	rejectLast bool
	skipPast   bool
	allWithout bool
	linkFull   bool
	boundLast  bool
	lastAsPath bool
	tls        bool
	middleware []func(http.Handler) http.Handler
}

func defaultConfig() config {
	return config{defaultPageSize: 100, maxPageSize: 1000}
}

// WithDefaultPageSize sets the number of tags a tags/list page holds when the
// client sends no n parameter. The default is 100, as on Docker Hub. Values
// below 1 are ignored.
func WithDefaultPageSize(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.defaultPageSize = n
		}
	}
}

// WithMaxPageSize caps the n parameter of tags/list: a client asking for more
// gets this many tags per page (and a Link to the next page). The default is
// 1000. Values below 1 are ignored.
func WithMaxPageSize(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxPageSize = n
		}
	}
}

// WithLatency adds d to every request that reaches the server, /token and
// failed requests included. The sleep ends early, without a response, when
// the request's context is cancelled (client gone or timed out, or the
// registry closed). The default is no added latency.
func WithLatency(d time.Duration) Option {
	return func(c *config) { c.latency = d }
}

// WithBearerAuth makes the registry behave like Docker Hub's token flow.
//
// GET /v2/ and every /v2/... request without `Authorization: Bearer <token>`
// get 401 and
//
//	WWW-Authenticate: Bearer realm="<URL>/token",service="registrytest",scope="repository:<repo>:pull"
//
// (no scope on /v2/ itself, which names no repository). GET /token with basic
// auth username:password returns {"token": T, "access_token": T, ...} where T
// is Registry.Token(), a random value per registry. A wrong or missing
// password gets 401 on /token. With username "" the token endpoint is
// anonymous: any request (with or without credentials) gets the token.
// POST /token with an OAuth2 password grant (form fields grant_type=password,
// username, password) is accepted too. The default is no authentication.
// WithBearerAuth and WithBasicAuth exclude each other; the last one wins.
func WithBearerAuth(username, password string) Option {
	return func(c *config) {
		c.bearer, c.basic = true, false
		c.username, c.password = username, password
	}
}

// WithBasicAuth makes /v2/ and every /v2/... request without the right basic
// credentials get 401 with `WWW-Authenticate: Basic realm="registrytest"`.
// The default is no authentication. WithBearerAuth and WithBasicAuth exclude
// each other; the last one wins.
func WithBasicAuth(username, password string) Option {
	return func(c *config) {
		c.basic, c.bearer = true, false
		c.username, c.password = username, password
	}
}

// WithIgnoreLast makes a misbehaving registry that ignores the `last` query
// parameter of tags/list. Every tags/list request is answered with the first
// min(n, max) tags of the repository in lexical order, whatever `last` says,
// and, when the repository holds more tags than that, with the same
// `Link: </v2/<repo>/tags/list?last=<last tag of that first page>&n=<n>>; rel="next"`
// header each time. A client that follows Link headers blindly therefore sees
// the first page again and again, forever; a robust client notices that a
// page did not move past `last` and stops with an error. The default is to
// honour `last`.
func WithIgnoreLast() Option {
	return func(c *config) { c.ignoreLast = true }
}

// WithCursorPaging makes tags/list page with an opaque cursor instead of
// `last`, as some registries do: the Link header reads
// `</v2/<repo>/tags/list?n=<n>&cursor=<opaque>>; rel="next"`, and the `last`
// parameter is ignored (a request without a cursor starts at the first tag).
// A client that follows Link headers reads every tag; one that builds its own
// `?last=` URLs sees the first page again. The default is `last` paging.
func WithCursorPaging() Option {
	return func(c *config) { c.cursor = true }
}

// WithOrder makes tags/list keep tags in the order order gives (it gets the
// tags sorted and returns them in the registry's order, without adding or
// dropping any) and take `last` by position in that order: the page after
// `last` starts at the tag that follows it there, and a `last` that is no
// tag is answered from the start. Link headers carry the last tag of the
// page. Some registries behave so; the distribution spec asks for lexical
// order. The default is lexical order.
func WithOrder(order func(sorted []string) []string) Option {
	return func(c *config) { c.order = order }
}

// WithLastAsBoundOverOrder makes a registry of WithOrder take `last` as a
// lexical bound over its own order: the page after `last` holds the first
// tags of its order that sort after `last` in byte order, and its Link
// carries the page's last tag (in its order) as `last`. Following its Links
// skips every tag below a page's last tag that it has not sent yet, so no
// client can read its list whole by paging: a hostile shape, never one of
// Shapes. Without WithOrder it changes nothing (lexical order takes `last`
// so already).
func WithLastAsBoundOverOrder() Option {
	return func(c *config) { c.boundLast = true }
}

// WithObjectStorageOrder makes tags/list answer as CNCF distribution
// v3.1 with an object-storage driver (S3) does, as its v3.1.2 binary
// answers (TestObjectStorageOrderAnswersAsDistributionOnS3 holds it to
// that): tags in the order of their storage keys (KeyOrder:
// "2-latest-conda", "2-latest-kubernetes", "2-latest"); `last` taken as a
// bound in byte order over that order (the page after `last` holds the
// next tags in key order that sort after `last` as bytes, a `last` that
// is no tag included, and a `last` with a '/' taken as distribution takes
// a storage path: see afterAsStoragePath); n capped at 1000
// (tags.maxtags); a Link with every page that holds all n asked for,
// carrying its last tag (in key order) as `last`; every tag, in key order
// and without a Link, to a request without n. Following its own Links
// therefore skips tags ("2-latest" after a page that ends with
// "2-latest-kubernetes") and sends some twice ("2-latest-conda" again
// after a page that ends with "2-latest"): only the answer without n
// holds each tag once. A manifest of a tag it does not hold is 404
// (MANIFEST_UNKNOWN), as with every option. A later WithMaxPageSize
// changes the cap. See ObjectStorageShape.
func WithObjectStorageOrder() Option {
	return func(c *config) {
		c.order = KeyOrder
		c.boundLast, c.lastAsPath = true, true
		c.allWithout, c.linkFull = true, true
		c.maxPageSize = 1000
	}
}

// WithoutLink makes tags/list send no Link header, ever: a client must page
// with `last` and find the end by itself. The default sends Link while tags
// remain.
func WithoutLink() Option {
	return func(c *config) { c.noLink = true }
}

// WithWholeList makes tags/list ignore n and `last` and answer every tag at
// once, in the registry's order (see WithOrder), without a Link, as CNCF
// distribution 2.x does. The default pages.
func WithWholeList() Option {
	return func(c *config) { c.wholeList = true }
}

// WithRejectUnknownLast makes tags/list answer 400 to a `last` that is not
// one of the repository's tags, as some registries do. The default takes
// any string as a lexical bound.
func WithRejectUnknownLast() Option {
	return func(c *config) { c.rejectLast = true }
}

// WithSkipPastUnknownLast makes tags/list answer a `last` that is not one
// of the repository's tags from the second tag past it, skipping the first,
// as CNCF distribution v3.0.0 does (sort.SearchStrings, then the tags after
// that index; fixed in v3.1.0). Its pages are lexical and its Link headers
// carry real tags, so only a `last` that is no tag shows it. The default
// answers from the first tag past `last`.
func WithSkipPastUnknownLast() Option {
	return func(c *config) { c.skipPast = true }
}

// WithEveryTagWithoutN makes tags/list answer a request without n with
// every tag after `last`, uncapped and without a Link header, as CNCF
// distribution v3 does (WithDefaultPageSize and WithMaxPageSize then
// apply only to a request with n). The default answers it with the
// default page size.
func WithEveryTagWithoutN() Option {
	return func(c *config) { c.allWithout = true }
}

// WithLinkWhenFull makes tags/list send a Link header with every page that
// holds all the tags asked for, even the one that ends the list, whose
// next page is then empty: CNCF distribution v3.1 walks its storage until
// the page is full and does not look past it. The default links a next
// page only while tags remain.
func WithLinkWhenFull() Option {
	return func(c *config) { c.linkFull = true }
}

// WithTLS serves HTTPS with a self-signed certificate for 127.0.0.1 (from
// net/http/httptest). Registry.CACertPEM returns the certificate and
// Registry.Client returns an http.Client that trusts it. The default is plain
// HTTP.
func WithTLS() Option {
	return func(c *config) { c.tls = true }
}

// WithMiddleware wraps the registry's handler, for fault injection in tests
// (a 429 with Retry-After, a 500, a dropped connection, a rewritten
// response). Several middlewares nest in the order given: the first is
// outermost.
//
// The layers, from the outside in: counting and the request log (so Counts
// and Requests see every request that reaches the server, including those a
// middleware answers by itself), latency, the middlewares, authentication,
// the registry. A middleware thus sees requests before authentication is
// checked, and Counts classify the request as it arrived, before any rewrite
// by a middleware.
func WithMiddleware(mw func(http.Handler) http.Handler) Option {
	return func(c *config) {
		if mw != nil {
			c.middleware = append(c.middleware, mw)
		}
	}
}
