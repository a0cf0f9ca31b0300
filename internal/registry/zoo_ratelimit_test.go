package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// How real registries, their token endpoints and what stands in front of
// them answer a client past a rate limit, each from its source, its
// documentation or users' transcripts:
//
//   - Docker Hub: the pull limit, a manifest GET answered 429
//     TOOMANYREQUESTS "You have reached your pull rate limit…" with
//     ratelimit-limit and ratelimit-remaining ("100;w=21600"), no
//     Retry-After (docker/docs, docker-hub/usage/pulls.md; a HEAD is no
//     pull and is answered at remaining 0, gist
//     jeversol/369009aaad4cd2cd8e2610fa68d4c4be); the overall limit in
//     front of every request, the ping and login included, 429 with the
//     plain text "Too Many Requests (HAP429)." (docker/hub-feedback#1907,
//     #2023). Modelled in zoo_cloud_test.go and zoo_dockerhub_test.go, and
//     below for what the pull limit stops.
//   - GHCR: 429 TOOMANYREQUESTS whose message carries the wait,
//     "retry-after: 1.16676ms, allowed: 44000/minute", on manifests
//     (falcosecurity/plugins#1069, dependabot/cli#380) and blob uploads
//     ("allowed: 2000/minute", chainguard-images/images#173). A Retry-After
//     header is not seen in any transcript; a 403 "You have exceeded a
//     secondary rate limit" was reported once, on a push, without its body
//     (markrussinovich/refchecker#67): not modelled.
//   - Amazon ECR and ECR Public: 429 "TOOMANYREQUESTS: Rate exceeded" (the
//     AWS troubleshooting page quoted in mitogen-hq/mitogen#790; public.ecr.aws
//     in aws/aws-lambda-web-adapter#429, DataDog/datadog-lambda-extension#123).
//     The ThrottlingException of the ECR API (GetAuthorizationToken) never
//     reaches this client: the ecr-login credential helper answers any
//     error "credentials not found" (awslabs/amazon-ecr-credential-helper,
//     ecr-login/ecr.go Get), so the request goes anonymous.
//   - Azure: ACR 429 "toomanyrequests: Too many requests. Please visit
//     https://aka.ms/acr/skus#sku-feature-matrix …" (Azure/AKS#1400), its
//     cache rules "too many requests to source registry for cache rule …"
//     (Azure/acr#754), its token exchange 429 (Azure/azure-cli#24886); MCR
//     behind Azure Front Door 429 with a plain-text body "Ref A: … Ref B: …
//     Ref C: …" that docker fails to parse (Azure/acr#754,
//     microsoft/containerregistry#140). No Retry-After confirmed.
//   - Google Artifact Registry: 429 past the per-project or per-user quota
//     (cloud.google.com/artifact-registry/quotas; kubernetes/registry.k8s.io#153).
//     Its body is not confirmed here.
//   - Quay: nginx in front (conf/nginx/rate-limiting.conf.jnj and
//     server-base.conf.jnj with FEATURE_RATE_LIMITS, quay/quay at 2026-08):
//     limit_req_status 429, nginx's own HTML page, no Retry-After
//     (rancher/elemental-toolkit#710 quotes it for quay.io's tags/list;
//     ivanilves/lstags#204); the tags endpoint allows 5 requests a second
//     per address over HTTP/1.1 (50 per connection over HTTP/2) with a
//     burst of 2, nodelay; /v2/auth 120 a second per Authorization, burst 2.
//   - GitLab: its token endpoint (gitlab.com/jwt/auth) is a web request of
//     GitLab's, under the Rack::Attack web throttles, which answer 429, the
//     plain text "Retry later" and Retry-After in seconds with
//     RateLimit-Name, -Limit, -Observed, -Remaining, -Reset (Unix time) and
//     -ResetTime (HTTP date) (gitlabhq
//     doc/user/admin_area/settings/user_and_ip_rate_limits.md); the
//     registry's own limiter (container-registry
//     docs/spec/gitlab/rate-limiting.md, work in progress, read in the
//     mirror AllWorldIT/conarx-gitlab-registry) 429 TOOMANYREQUESTS "too
//     many requests" with {"limiter": "ip", "entity": …} as detail. A
//     RateLimit-Reset without Retry-After is seen only on GitLab's REST API
//     (gitlab-org/gitlab#199738), which this client does not call.
//   - Harbor: a proxy cache project past its upstream's limit or its own
//     connection limit, 429 {"errors":[{"code":"TOO_MANY_REQUEST","message":
//     "too many requests to upstream registry"}]} (src/server/middleware/
//     repoproxy/proxy.go, src/lib/http/error.go; goharbor/harbor#19257).
//   - Cloudflare in front: error 1015 "You are being rate limited", 429 with
//     an HTML page (ketches/registry-proxy#5) and, since March 2026,
//     Retry-After: 30 (developers.cloudflare.com changelog 2026-03-12).
//   - Not rate limits for this client, though throttling is behind them:
//     CNCF distribution on S3 answers S3's 503 SlowDown as 500 UNKNOWN
//     (distribution/distribution#769, #3456, still so at v3.1.0); nginx's
//     limit_req without limit_req_status answers 503 and its own page. Both
//     are retried as 5xx and end as a failure of the registry, not as a
//     rate limit whose advice (authenticate, or use a mirror) would not
//     help.

// gitlabRackAttack answers as GitLab's Rack::Attack throttle: 429, "Retry
// later", Retry-After and the RateLimit headers.
func gitlabRackAttack(w http.ResponseWriter, retryAfter int) {
	reset := time.Now().Add(time.Duration(retryAfter) * time.Second)
	h := w.Header()
	h.Set("RateLimit-Name", "throttle_unauthenticated_web")
	h.Set("RateLimit-Limit", "60")
	h.Set("RateLimit-Observed", "67")
	h.Set("RateLimit-Remaining", "0")
	h.Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("RateLimit-ResetTime", reset.UTC().Format(http.TimeFormat))
	h.Set("Retry-After", strconv.Itoa(retryAfter))
	h.Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusTooManyRequests)
	fmt.Fprintln(w, "Retry later")
}

// waits records the waits a Client would take between attempts, without
// taking them.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(_ context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.d = append(w.d, d)
	return nil
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// GitLab's token endpoint past a Rack::Attack throttle asks, in
// Retry-After, for a wait: it is taken when it fits in what the request
// may take, and when it does not the handshake stops at once, saying so,
// and is not sent again. Before, the handshake's Retry-After was lost
// (go-containerregistry's errors hold no headers): a token endpoint asking
// for 30 s, or an hour, was asked again after the 200 ms backoff.
func TestZooRateLimitGitLabTokenEndpoint(t *testing.T) {
	const reg, web = "registry.gitlab.zoo.test", "gitlab.zoo.test"
	for _, tc := range []struct {
		name       string
		retryAfter int
		tokens     int // token requests
		wait       time.Duration
	}{
		{"retry-after-30s", 30, 3, 30 * time.Second},
		{"retry-after-1h", 3600, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := &gitlab{public: map[string]bool{"acme/public": true}}
			var tokens atomic.Int32
			h := &hosts{handlers: map[string]http.Handler{
				reg: http.HandlerFunc(g.registry),
				web: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if tokens.Add(1) <= 2 {
						gitlabRackAttack(w, tc.retryAfter)
						return
					}
					g.jwt(w, r)
				}),
			}}
			c := hostsClient(t, h, Config{MaxRetries: 3, RequestTimeout: 30 * time.Second})
			var ws waits
			c.sleep = ws.sleep
			ref := repoOf(t, reg+"/acme/public")
			got, err := c.ListTags(context.Background(), ref)
			if n := int(tokens.Load()); n != tc.tokens {
				t.Errorf("%d token requests, want %d\n%s", n, tc.tokens, strings.Join(h.requests(), "\n"))
			}
			if tc.wait > 0 {
				if err != nil || len(got) != 2 {
					t.Fatalf("got %v, %v; want the two tags", got, err)
				}
				for _, d := range ws.all() {
					if d != tc.wait {
						t.Errorf("waited %v, want the %v the token endpoint asked", ws.all(), tc.wait)
						break
					}
				}
				return
			}
			if !IsRateLimited(err) || !strings.Contains(err.Error(), "Retry-After asked to wait 1h0m0s") || len(ws.all()) != 0 {
				t.Fatalf("got %v after waits %v; want the rate limit at once, naming the hour asked", err, ws.all())
			}
			before := len(h.requests())
			if _, again := c.ListTags(context.Background(), ref); !IsRateLimited(again) || len(h.requests()) != before {
				t.Errorf("asked again: %v, %d more requests; want the rate limit and none", again, len(h.requests())-before)
			}
		})
	}
}

// nginxLimitReq is nginx's limit_req with nodelay, as Quay configures it
// in front of its tags endpoint (see above), over one key: a request is
// let through while the excess it would bring is at most burst, the excess
// draining at rate a second (ngx_http_limit_req_module.c:
// excess = excess - rate*elapsed + 1, at least 0; refused when above
// burst, the state unchanged); a refusal is limit_req_status 429 with
// nginx's own page, as quay.io's was quoted. Each request takes rtt. It
// notes how many requests are in flight when each starts.
type nginxLimitReq struct {
	rate, burst float64
	rtt         time.Duration
	next        http.Handler

	mu          sync.Mutex
	excess      float64
	last        time.Time
	seen        bool
	inFlight    int
	firstRefuse time.Time
	served      int
	refused     int
	crowded     []string // requests that found another in flight after the client was told to slow down
}

func (l *nginxLimitReq) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	now := time.Now()
	l.inFlight++
	if !l.firstRefuse.IsZero() && now.Sub(l.firstRefuse) > 2*l.rtt && l.inFlight > 1 {
		l.crowded = append(l.crowded, fmt.Sprintf("%s at %s with %d in flight", r.URL.RequestURI(), now.Sub(l.firstRefuse), l.inFlight))
	}
	e := 0.0
	if l.seen {
		e = max(0, l.excess-l.rate*now.Sub(l.last).Seconds()+1)
	}
	refuse := e > l.burst
	if refuse {
		l.refused++
		if l.firstRefuse.IsZero() {
			l.firstRefuse = now
		}
	} else {
		l.served++
		l.excess, l.last, l.seen = e, now, true
	}
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.inFlight--
		l.mu.Unlock()
	}()
	time.Sleep(l.rtt)
	if !refuse {
		l.next.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusTooManyRequests)
	fmt.Fprint(w, "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx/1.12.1</center>\r\n</body>\r\n</html>\r\n")
}

// Quay with its rate limits on: every range of the zoo reads right, on
// fresh Clients and on one, over HTTP/1.1 (5 a second per address) and
// HTTP/2 (50 a second per connection), both with a burst of 2. Once told
// to slow down, a Client sends its requests to that registry one at a
// time. Before, the pieces of a range went on concurrently, each with its
// own retries, and ranges failed on the rate limit (in one run, at 5 a
// second, 5 of the 12 on fresh Clients and all 12 on the shared one, 399
// requests refused for 215 served; at 50 a second, 1 and 8).
func TestZooRateLimitQuayTagsEndpoint(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	for _, tc := range []struct {
		name  string
		rate  float64
		burst float64
	}{
		{"http1.1-5-a-second", 5, 2},
		{"http2-50-a-second", 50, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := &nginxLimitReq{rate: tc.rate, burst: tc.burst, rtt: 20 * time.Millisecond, next: quay312(strings.Compare, 100, false)(sorted)}
				calls := readRanges(func() (*Client, Repository) {
					time.Sleep(time.Minute) // the next range, on a bucket refilled
					l.mu.Lock()
					l.firstRefuse = time.Time{} // a new Client learns anew
					l.mu.Unlock()
					c, ref := zooClient(t, l, quayRepo)
					c.maxRetries = DefaultMaxRetries
					return c, ref
				}, zooRanges)
				for _, mc := range calls {
					if msg := mc.check(sorted, true); msg != "" {
						t.Error(msg)
					}
				}
				if len(l.crowded) > 0 {
					t.Errorf("%d requests sent alongside others after a 429, such as %s", len(l.crowded), l.crowded[0])
				}
				t.Logf("%d requests served, %d refused", l.served, l.refused)
			})
		})
	}
}

// rateLimitAnswers are the answers above past a rate limit, each as its
// registry (or what stands in front of it) sends it, with the Retry-After
// it asks, if any, and what the error should quote of it ("" for nothing:
// a page, or no body).
var rateLimitAnswers = []struct {
	name       string
	answer     http.HandlerFunc
	retryAfter time.Duration
	said       string
}{
	{"ghcr", func(w http.ResponseWriter, _ *http.Request) {
		writeRegError(w, http.StatusTooManyRequests, "TOOMANYREQUESTS", "retry-after: 1.16676ms, allowed: 44000/minute")
	}, 0, "TOOMANYREQUESTS: retry-after: 1.16676ms, allowed: 44000/minute"},
	{"ecr", func(w http.ResponseWriter, _ *http.Request) {
		writeRegError(w, http.StatusTooManyRequests, "TOOMANYREQUESTS", "Rate exceeded")
	}, 0, "TOOMANYREQUESTS: Rate exceeded"},
	{"acr", func(w http.ResponseWriter, _ *http.Request) {
		writeRegError(w, http.StatusTooManyRequests, "TOOMANYREQUESTS", "Too many requests. Please visit https://aka.ms/acr/skus#sku-feature-matrix to view limits of all service tiers.")
	}, 0, "TOOMANYREQUESTS: Too many requests. Please visit https://aka.ms/acr/skus#sku-feature-matrix"},
	{"acr-cache-rule", func(w http.ResponseWriter, _ *http.Request) {
		writeRegError(w, http.StatusTooManyRequests, "TOOMANYREQUESTS", "too many requests to source registry for cache rule 'prefect'. CorrelationId: 79d5c0f2-2f55-4c64-a5a4-32d1a4c6a7b1")
	}, 0, "TOOMANYREQUESTS: too many requests to source registry for cache rule 'prefect'"},
	{"mcr-azure-front-door", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, "Ref A: 9E31E74CD9834672839D9F06B9E41573 Ref B: DM2EDGE0520 Ref C: 2024-05-08T12:36:23Z")
	}, 0, "Ref A: 9E31E74CD9834672839D9F06B9E41573 Ref B: DM2EDGE0520"},
	{"artifact-registry-body-unconfirmed", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
	}, 0, ""},
	{"quay-nginx", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx/1.12.1</center>\r\n</body>\r\n</html>\r\n")
	}, 0, ""},
	{"gitlab-registry-limiter", func(w http.ResponseWriter, _ *http.Request) {
		writeErrors(w, http.StatusTooManyRequests, "TOOMANYREQUESTS", "too many requests", map[string]string{"limiter": "ip", "entity": "172.16.123.1"})
	}, 0, "TOOMANYREQUESTS: too many requests"},
	{"gitlab-rack-attack", func(w http.ResponseWriter, _ *http.Request) {
		gitlabRackAttack(w, 30)
	}, 30 * time.Second, "Retry later"},
	{"harbor-proxy-cache", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprintln(w, `{"errors":[{"code":"TOO_MANY_REQUEST","message":"too many requests to upstream registry"}]}`)
	}, 0, "TOO_MANY_REQUEST: too many requests to upstream registry"},
	{"cloudflare-1015", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, "<!DOCTYPE html>\n<html class=\"no-js\" lang=\"en-US\">\n<head>\n<title>This website has been temporarily rate limited | registry.zoo.test | Cloudflare</title>\n</head><body><h1>Error 1015</h1><h2>You are being rate limited</h2></body></html>\n")
	}, 30 * time.Second, ""},
}

// Every answer above, to a manifest HEAD (whose answer has no body), a
// manifest GET and a tag list: retried max_retries times after
// the backoff or the Retry-After asked, then a rate limit that names the
// registry and quotes what it said (never a page); after it, no request
// of the run goes to that registry.
func TestZooRateLimitAnswers(t *testing.T) {
	for _, ra := range rateLimitAnswers {
		for _, kind := range []string{"HEAD", "GET", "list"} {
			t.Run(ra.name+"/"+kind, func(t *testing.T) {
				var sent atomic.Int32
				c, ref := zooClient(t, noHeadBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					sent.Add(1)
					ra.answer(w, r)
				})), zooRepo)
				c.maxRetries = 2
				var ws waits
				c.sleep = ws.sleep
				ctx := context.Background()
				var err error
				switch kind {
				case "HEAD":
					_, err = c.Head(ctx, ref, "3.1.15-python3.12")
				case "GET":
					_, err = c.Platforms(ctx, ref, "3.1.15-python3.12")
				default:
					_, err = c.ListTags(ctx, ref)
				}
				if n := sent.Load(); n != 3 {
					t.Errorf("%d requests, want max_retries+1 = 3", n)
				}
				for i, d := range ws.all() {
					if lo := retryBase << i * 3 / 4; d < lo || ra.retryAfter > 0 && d != ra.retryAfter {
						t.Errorf("waited %v; want the backoff, or the %v asked", ws.all(), ra.retryAfter)
						break
					}
				}
				msg := fmt.Sprint(err)
				if !IsRateLimited(err) || !strings.Contains(msg, "the registry rate-limited the request (HTTP 429 Too Many Requests) after 3 attempts") || !strings.Contains(msg, zooHost) {
					t.Errorf("got %s; want the rate limit, naming %s", msg, zooHost)
				}
				said := ra.said
				if kind == "HEAD" {
					said = ""
				}
				if said != "" && !strings.Contains(msg, "The registry said: \""+said) || said == "" && strings.Contains(msg, "The registry said") {
					t.Errorf("got %s; want it to quote %q", msg, said)
				}
				if strings.Contains(msg, "<") {
					t.Errorf("a page is quoted: %s", msg)
				}
				sent.Store(0)
				if _, err := c.Head(ctx, ref, "3.1.16-python3.12"); !IsRateLimited(err) || sent.Load() != 0 {
					t.Errorf("a later request: %v, %d sent; want the rate limit and none", err, sent.Load())
				}
			})
		}
	}
}

// Throttling behind the registry that it answers as its own failure: CNCF
// distribution on S3 answers S3's 503 SlowDown as 500 UNKNOWN (the base
// driver's storagedriver.Error as detail, distribution v3.1.0), and nginx's
// limit_req without limit_req_status answers 503 with its own page. Both
// are retried, as 5xx are, and end as a failure of the registry, not a
// rate limit (authenticating or a mirror would not help); the next request
// is sent, the registry may be mended. A 403 DENIED is no rate limit
// either, and is not retried.
func TestZooRateLimitNotOne(t *testing.T) {
	for _, tc := range []struct {
		name     string
		answer   http.HandlerFunc
		attempts int32
		status   int
	}{
		{"distribution-s3-slowdown", func(w http.ResponseWriter, _ *http.Request) {
			writeErrors(w, http.StatusInternalServerError, "UNKNOWN", "unknown error", map[string]string{
				"driver": "s3aws", "detail": "SlowDown: Please reduce your request rate.\n\tstatus code: 503, request id: 5WYFY5P28HFWHTHX, host id: ",
			})
		}, 3, http.StatusInternalServerError},
		{"nginx-limit-req-default-503", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
		}, 3, http.StatusServiceUnavailable},
		{"denied", func(w http.ResponseWriter, _ *http.Request) {
			writeRegError(w, http.StatusForbidden, "DENIED", "requested access to the resource is denied")
		}, 1, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sent atomic.Int32
			c, ref := zooClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sent.Add(1)
				tc.answer(w, r)
			}), zooRepo)
			c.maxRetries = 2
			c.sleep = (&waits{}).sleep
			_, err := c.ListTags(context.Background(), ref)
			var e *Error
			if !errors.As(err, &e) || e.StatusCode != tc.status || IsRateLimited(err) || strings.Contains(err.Error(), "rate-limited") || sent.Load() != tc.attempts {
				t.Errorf("got %v after %d requests; want HTTP %d after %d, no rate limit", err, sent.Load(), tc.status, tc.attempts)
			}
			sent.Store(0)
			if _, err := c.Head(context.Background(), ref, "3.1.15-python3.12"); err == nil || sent.Load() == 0 {
				t.Errorf("a later request: %v, %d sent; want it sent", err, sent.Load())
			}
		})
	}
}

// Requests waiting for their turn on a registry that has answered 429 are
// not sent once another has spent the rate limit meanwhile: here the first
// 429 asks for 10 s, which fits, and the first request waits it in its
// turn; its retry is asked for an hour (GitLab's Rack::Attack answers the
// time left of its period, an hour by default for unauthenticated
// requests), which does not fit. The two requests that came while it
// waited are not sent.
func TestZooRateLimitSpentWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var sent atomic.Int32
		c, ref := zooClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			wait := 3600
			if sent.Add(1) == 1 {
				wait = 10
			}
			gitlabRackAttack(w, wait)
		}), zooRepo)
		c.maxRetries = 3
		ctx := context.Background()
		errs := make([]error, 3)
		var wg sync.WaitGroup
		head := func(i int) {
			wg.Go(func() { _, errs[i] = c.Head(ctx, ref, fmt.Sprintf("3.1.%d-python3.12", 15+i)) })
		}
		head(0)
		synctest.Wait() // the first answered, waiting its 10 s
		head(1)
		head(2)
		wg.Wait()
		if n := sent.Load(); n != 2 {
			t.Errorf("%d requests, want 2: the first, and its retry that learnt of the hour", n)
		}
		if e := errs[0]; !IsRateLimited(e) || !strings.Contains(e.Error(), "the registry rate-limited the request (HTTP 429 Too Many Requests) after 2 attempts; its Retry-After asked to wait 1h0m0s") {
			t.Errorf("the first request: %v; want its own rate limit and the hour", e)
		}
		for _, e := range errs[1:] {
			if !IsRateLimited(e) || !strings.Contains(e.Error(), "rate-limited an earlier request of this run (HTTP 429 Too Many Requests) after 2 attempts, so this one was not sent; its Retry-After asked to wait 1h0m0s") {
				t.Errorf("a later request: %v; want the first one's rate limit, not sent", e)
			}
		}
	})
}

// Docker Hub counts manifest GETs alone against its pull limit ("Using GET
// emulates a real pull and counts towards the limit. Using HEAD won't.",
// docker/docs content/manuals/docker-hub/usage/pulls.md) and answers HEADs
// and tag lists past it: a GET that spent its retries on the pull limit
// stops the run's later manifest GETs to Docker Hub, not the HEADs and
// listings that resolve pins by digest without pulling. The answer says
// which limit it is ("You have reached your pull rate limit"); any other
// rate limit, such as Docker Hub's overall one (HAP429, on every request),
// or any registry's met by a GET, stops every request to the registry.
// Before, the pull limit met by one GET refused every later HEAD and
// listing of the run.
func TestZooRateLimitDockerHubPullLimitSparesHeads(t *testing.T) {
	tags := []string{"3.8.2-python3.12", "3.8.3-python3.12"}
	hub, ts, digests := hubPastPullLimit(tags)
	h := &hosts{handlers: map[string]http.Handler{hubHost: hub, hubAuth: dockerHubToken(ts)}}
	c, ref := spendPullLimit(t, h, tags[0])
	ctx := context.Background()
	if d, err := c.Head(ctx, ref, tags[1]); err != nil || d.Digest != digests[tags[1]] {
		t.Errorf("a HEAD after it: %+v, %v; want %s (a HEAD is no pull)", d, err, digests[tags[1]])
	}
	if got, err := c.ListTags(ctx, ref); err != nil || !slices.Equal(got, tags) {
		t.Errorf("the tag list after it: %v, %v; want %v", got, err, tags)
	}
	before := len(h.requests())
	if _, err := c.Platforms(ctx, ref, tags[1]); !IsRateLimited(err) || !strings.Contains(err.Error(), "so this one was not sent") || len(h.requests()) != before {
		t.Errorf("another GET: %v, %d requests; want the earlier rate limit and none", err, len(h.requests())-before)
	}

	// The overall limit, met by a GET, stops everything.
	var sent atomic.Int32
	c, ref = zooClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent.Add(1)
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprintln(w, "Too Many Requests (HAP429).")
	}), zooRepo)
	c.maxRetries = 1
	c.sleep = (&waits{}).sleep
	_, getErr := c.Platforms(ctx, ref, tags[0])
	_, headErr := c.Head(ctx, ref, tags[1])
	_, listErr := c.ListTags(ctx, ref)
	if !IsRateLimited(getErr) || !IsRateLimited(headErr) || !IsRateLimited(listErr) || sent.Load() != 2 {
		t.Errorf("%d requests (%v; %v; %v); want 2, the GET and its retry, all rate-limited", sent.Load(), getErr, headErr, listErr)
	}
}

// Docker Hub's pull limit, met by a manifest GET, does not make the run's
// HEADs go one at a time: Docker Hub answers them past the pull limit, and
// a fleet's HEADs, sent one after another, would cost a round trip each.
// Only later manifest GETs are stopped (and so paced).
func TestZooRateLimitPullLimitDoesNotPaceHeads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tags := []string{"3.8.2-python3.12", "3.8.3-python3.12", "3.8.4-python3.12"}
		hub, ts, _ := hubPastPullLimit(tags)
		var inFlight, most atomic.Int32
		h := &hosts{handlers: map[string]http.Handler{
			hubHost: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodHead {
					n := inFlight.Add(1)
					defer inFlight.Add(-1)
					if n > most.Load() {
						most.Store(n)
					}
					time.Sleep(time.Second) // a round trip, during which the other HEADs may be sent
				}
				hub.ServeHTTP(w, r)
			}),
			hubAuth: dockerHubToken(ts),
		}}
		c, ref := spendPullLimit(t, h, tags[0])
		ctx := context.Background()
		var wg sync.WaitGroup
		for _, tag := range tags[1:] {
			wg.Go(func() {
				if _, err := c.Head(ctx, ref, tag); err != nil {
					t.Errorf("HEAD %s: %v", tag, err)
				}
			})
		}
		wg.Wait()
		if most.Load() != 2 {
			t.Errorf("at most %d HEADs in flight at once; want both: the pull limit does not pace HEADs", most.Load())
		}
	})
}

// hubPastPullLimit is Docker Hub (hubModel) holding tags, each an index of
// one linux/amd64 image, with every pull past its limit; it returns the
// model, its token service and the tags' digests.
func hubPastPullLimit(tags []string) (*hubModel, *tokenService, map[string]string) {
	s := newZooStore()
	digests := map[string]string{}
	for _, tag := range tags {
		amd, amdBody := s.image(types.DockerManifestSchema2, "linux/amd64", true)
		digests[tag], _ = s.index(types.DockerManifestList, true, entry(types.DockerManifestSchema2, amd, len(amdBody), "linux/amd64", nil))
		s.tag(tag, digests[tag])
	}
	ts := &tokenService{anonymous: true}
	return &hubModel{s: s, tags: tags, ts: ts, limit: 0}, ts, digests
}

// spendPullLimit makes a Client of h and meets Docker Hub's pull limit
// with a manifest GET of tag (a platform check).
func spendPullLimit(t *testing.T, h *hosts, tag string) (*Client, Repository) {
	t.Helper()
	c := hostsClient(t, h, Config{MaxRetries: 1})
	c.sleep = (&waits{}).sleep
	ref := repoOf(t, hubHost+"/"+zooRepo)
	if _, err := c.Platforms(context.Background(), ref, tag); !IsRateLimited(err) {
		t.Fatalf("a GET past the pull limit: %v; want the rate limit", err)
	}
	return c, ref
}
