package registry

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// The tag lists of cloud and forge registries (zoo_test.go has the
// others), each as its source, documentation or users' reports show it,
// read with every range the resolver asks for over the 13,512
// prefecthq/prefect tags. What could not be confirmed is said where it is
// modelled.

// giteaOrder is the order a Gitea or Forgejo database keeps tag names in:
// GetImageTags (models/packages/container/search.go) sorts by
// package_version.lower_version and takes last as lower_version > last,
// both in the database's own collation.
type giteaOrder struct {
	name string
	cmp  func(a, b string) int
}

var (
	// giteaBinary is SQLite's BINARY collation (Gitea's default database):
	// byte order.
	giteaBinary = giteaOrder{"sqlite", strings.Compare}
	// giteaPostgres is PostgreSQL with the glibc locale Gitea's
	// documentation creates its database with (docs.gitea.com,
	// installation/database-prep: LC_COLLATE 'en_US.UTF-8'): collateEnUS,
	// in which 3.1.10-python3.12 sorts before 3.1.1-python3.12.
	giteaPostgres = giteaOrder{"postgres-en_US", collateEnUS}
	// giteaMySQL is MySQL's utf8mb4_unicode_ci, which Gitea's
	// documentation (database-prep, MySQL) creates its database with: the
	// Unicode Collation Algorithm's table, in which punctuation and
	// symbols weigh less than digits ('_' '-' ':' '.' '/' '~', in that
	// order), so a last such as "2.2~" sorts before 2.20.0, not after
	// every 2.2 tag. (Its weights for the other characters are this
	// model's; tag names of lower case letters, digits, '.' and '-' keep
	// byte order.)
	giteaMySQL = giteaOrder{"mysql-unicode_ci", func(a, b string) int {
		weigh := func(s string) string {
			return strings.Map(func(r rune) rune {
				if i := strings.IndexRune("_-:./~", r); i >= 0 {
					return rune(0x20 + i)
				}
				return r
			}, s)
		}
		if c := strings.Compare(weigh(a), weigh(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	}}
)

// gitea is the Gitea and Forgejo package registry's GetTagList
// (routers/api/packages/container/container.go; Forgejo's
// services/packages/container GetLocalTagList): the repository's tags,
// lower-cased, in the database's order (o), those past last in that order,
// at most n (none without n, every tag; n=0, none), as {"name", "tags"}
// with "tags" never null. From Gitea 1.19 every answer that holds a tag
// links the next, the tags after its last one, relative, with n when one
// was asked (link); so the last page links an empty one. Before that, no
// Link.
func gitea(o giteaOrder, link bool) func([]string) http.HandlerFunc {
	return func(sorted []string) http.HandlerFunc {
		order := slices.Clone(sorted)
		slices.SortFunc(order, o.cmp)
		return func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/v2/prefecthq/prefect/tags/list" {
				writeRegError(w, http.StatusNotFound, "NAME_UNKNOWN", "repository name not known to registry")
				return
			}
			q := r.URL.Query()
			n := -1
			if s := q.Get("n"); s != "" {
				n, _ = strconv.Atoi(s) // ctx.FormInt: 0 for what is no number
			}
			last := strings.ToLower(q.Get("last"))
			tags := make([]string, 0)
			for _, t := range order {
				if n >= 0 && len(tags) == n {
					break
				}
				if last == "" || o.cmp(t, last) > 0 {
					tags = append(tags, t)
				}
			}
			if link && len(tags) > 0 {
				v := url.Values{"last": {tags[len(tags)-1]}}
				if n > 0 {
					v.Set("n", strconv.Itoa(n))
				}
				w.Header().Set("Link", fmt.Sprintf(`</v2/prefecthq/prefect/tags/list?%s>; rel="next"`, v.Encode()))
			}
			w.Header().Set("Docker-Distribution-Api-Version", "registry/2.0")
			writeJSON(w, http.StatusOK, map[string]any{"name": "prefecthq/prefect", "tags": tags})
		}
	}
}

// gcr is the legacy Google Container Registry (gcr.io, *.gcr.io, before
// those hosts were served from Artifact Registry): no paging at all,
// n and last ignored ("GCR doesn't implement this pagination, mostly for
// historical reasons", google/go-containerregistry#897), and beside
// "tags" a "manifest" map from each image's digest to its size, media
// type, tags and times in milliseconds as strings, and "child", the
// repositories below (go-containerregistry pkg/v1/google/list.go, whose
// List returns the first such answer as it is). The order of "tags" is
// not documented; it is served sorted here. Each answer carries every
// tag's manifest entry: a few MiB for 13,512 tags.
func gcr(sorted []string) http.HandlerFunc {
	manifests := map[string]any{}
	for i, t := range sorted {
		sum := sha256.Sum256([]byte(t))
		manifests["sha256:"+hex.EncodeToString(sum[:])] = map[string]any{
			"imageSizeBytes": strconv.Itoa(50_000_000 + i), "layerId": "",
			"mediaType": "application/vnd.oci.image.index.v1+json", "tag": []string{t},
			"timeCreatedMs": strconv.Itoa(1_600_000_000_000 + i), "timeUploadedMs": strconv.Itoa(1_700_000_000_000 + i),
		}
	}
	body, err := json.Marshal(map[string]any{"child": []string{}, "manifest": manifests, "name": "prefecthq/prefect", "tags": sorted})
	if err != nil {
		panic(err)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}
}

// acr is Azure Container Registry's /v2/<name>/tags/list: tags in lexical
// order, the tags lexically after last (ACR's REST reference, Tag - Get
// List: "Result set will include values lexically after last"), n capped
// at 1000 (Azure/acr#749: n=10000 answered with 1000), and, while tags
// remain, a relative Link that carries last, n and an empty orderby, as
// ACR's own answers show it (azure-sdk-for-js recordings:
// </acr/v1/_catalog?last=busybox&n=1&orderby=>; rel="next"). The cap and
// the Link are confirmed for ACR's /acr/v1 listings and its catalog, and
// are assumed here for the tag list; without n it answers 100 (assumed).
func acr(sorted []string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		n := 100
		if s := q.Get("n"); s != "" {
			v, err := strconv.Atoi(s)
			if err != nil || v < 1 {
				writeRegError(w, http.StatusBadRequest, "PAGINATION_NUMBER_INVALID", "invalid number of results requested")
				return
			}
			n = min(v, 1000)
		}
		i, found := slices.BinarySearch(sorted, q.Get("last"))
		if found {
			i++
		}
		tags := sorted[i:min(i+n, len(sorted))]
		if i+n < len(sorted) {
			v := url.Values{"last": {tags[len(tags)-1]}, "n": {strconv.Itoa(n)}, "orderby": {""}}
			w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, v.Encode()))
		}
		w.Header().Set("Docker-Distribution-Api-Version", "registry/2.0")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(map[string]any{"name": "prefecthq/prefect", "tags": tags})
	}
}

// TestZooCloudRegistries reads every range from each registry above.
func TestZooCloudRegistries(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	for _, tc := range []struct {
		name string
		h    func([]string) http.HandlerFunc
	}{
		{"gitea-1.19-sqlite", gitea(giteaBinary, true)},
		{"gitea-1.19-postgres-en_US", gitea(giteaPostgres, true)},
		{"gitea-1.19-mysql-unicode_ci", gitea(giteaMySQL, true)},
		{"gitea-1.18-sqlite-no-link", gitea(giteaBinary, false)},
		{"gitea-1.18-postgres-en_US-no-link", gitea(giteaPostgres, false)},
		{"gcr", gcr},
		{"acr", acr},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runZoo(t, tc.h(sorted), "prefecthq/prefect", sorted, true)
		})
	}
}

// The PostgreSQL order is not byte order on Prefect's own tags, or the
// Gitea case above would prove nothing the SQLite one does not.
func TestZooGiteaPostgresOrderIsNotLexical(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	order := slices.Clone(sorted)
	slices.SortFunc(order, giteaPostgres.cmp)
	if slices.Equal(order, sorted) {
		t.Fatal("the model's PostgreSQL order is byte order")
	}
	if giteaPostgres.cmp("3.1.10-python3.12", "3.1.1-python3.12") >= 0 {
		t.Error("3.1.10-python3.12 should sort before 3.1.1-python3.12")
	}
}

// GCR answers every request with its whole list: a whole listing costs
// few of its multi-MiB answers, not one per page of a thousand.
func TestZooGCRWholeListRequests(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	var requests atomic.Int32
	serve := gcr(sorted)
	c, ref := zooClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		serve(w, r)
	}), "prefecthq/prefect")
	got, err := c.ListTags(context.Background(), ref)
	if err != nil || !slices.Equal(got, sorted) {
		t.Fatalf("%d tags, want %d (%v)", len(got), len(sorted), err)
	}
	if n := requests.Load(); n > 2 {
		t.Errorf("%d tag list requests, want at most 2", n)
	}
}

// giteaAuth is the handshake of Gitea's and Forgejo's package registry
// (routers/api/packages/container): every request without a token,
// /v2/ included, is answered 401 UNAUTHORIZED with the challenge
// `Bearer realm="<AppURL>/v2/token",service="container_registry",scope="*"`
// (before 1.20, a realm without service or scope and a second challenge,
// `Basic`, withBasic); GET /v2/token hands out {"token": …} for the Basic
// credentials sent, or, without any, for the ghost user, which reads
// public packages. A wrong password is refused there with 401.
func giteaAuth(host, user, pass string, withBasic bool) http.HandlerFunc {
	var mu sync.Mutex
	issued := map[string]bool{}
	list := gitea(giteaBinary, true)([]string{"3.1.15-python3.12", "3.1.16-python3.12"})
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2/token" {
			u, p, ok := r.BasicAuth()
			if ok && (u != user || p != pass) {
				writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "")
				return
			}
			mu.Lock()
			tok := fmt.Sprintf("gitea-tok-%d-%s", len(issued), u)
			issued[tok] = true
			mu.Unlock()
			writeJSON(w, http.StatusOK, map[string]string{"token": tok})
			return
		}
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		mu.Lock()
		known := issued[tok]
		mu.Unlock()
		if !known {
			if withBasic {
				w.Header().Add("WWW-Authenticate", `Bearer realm="https://`+host+`/v2/token"`)
				w.Header().Add("WWW-Authenticate", "Basic")
			} else {
				w.Header().Add("WWW-Authenticate", `Bearer realm="https://`+host+`/v2/token",service="container_registry",scope="*"`)
			}
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "")
			return
		}
		if r.URL.Path == "/v2/" {
			w.WriteHeader(http.StatusOK)
			return
		}
		list(w, r)
	}
}

// A Gitea or Forgejo registry is read anonymously (as its ghost user) and
// with a user's credentials, with either challenge it has sent; a wrong
// password is refused as such, and no token or password is logged or
// quoted.
func TestZooAuthGitea(t *testing.T) {
	const host, user, pass = "codeberg.zoo.test", "ci", "gitea-app-" + secret
	for _, withBasic := range []bool{false, true} {
		for name, tc := range map[string]struct {
			cfg Config
			ok  bool
		}{
			"anonymous":      {Config{}, true},
			"credentials":    {Config{Credentials: []Credential{{Host: host, Username: user, Password: pass}}}, true},
			"wrong password": {Config{Credentials: []Credential{{Host: host, Username: user, Password: "not-" + pass}}}, false},
		} {
			t.Run(fmt.Sprintf("%s/basic-challenge-%v", name, withBasic), func(t *testing.T) {
				h := &hosts{handlers: map[string]http.Handler{host: giteaAuth(host, user, pass, withBasic)}}
				logs := &logRecorder{}
				tc.cfg.Logger, tc.cfg.MaxRetries = logs, 0
				c := hostsClient(t, h, tc.cfg)
				got, err := c.ListTags(context.Background(), repoOf(t, host+"/prefecthq/prefect"))
				switch {
				case tc.ok && (err != nil || len(got) != 2):
					t.Fatalf("got %v, %v; want the two tags\n%s", got, err, strings.Join(h.requests(), "\n"))
				case !tc.ok && (!IsUnauthorized(err) || !strings.Contains(err.Error(), "did not accept the credentials")):
					t.Fatalf("got %v, %v; want the credentials refused", got, err)
				}
				text := logs.text()
				if err != nil {
					text += err.Error()
				}
				for _, s := range []string{pass, "gitea-tok-"} {
					if strings.Contains(text, s) {
						t.Errorf("%q leaked:\n%s", s, text)
					}
				}
			})
		}
	}
}

// acrAuth is Azure Container Registry's handshake (ACR's AAD-OAuth
// documentation, Azure/acr docs/AAD-OAuth.md): the ping is answered 401
// with `Bearer realm="https://<host>/oauth2/token",service="<host>"`
// (azure-sdk-for-js recordings); POST /oauth2/token with
// grant_type=refresh_token, service, scope and the refresh token that
// `az acr login` keeps in the Docker config as identitytoken (under the
// user name 00000000-0000-0000-0000-000000000000) answers
// {"access_token": …}; so does GET /oauth2/token without credentials
// when anonymous pull is enabled (anonymous). Any other request without
// an access token it issued is answered 401 with the challenge.
func acrAuth(host, refresh string, anonymous bool) http.HandlerFunc {
	var mu sync.Mutex
	issued := map[string]bool{}
	list := acr([]string{"3.1.15-python3.12", "3.1.16-python3.12"})
	challenge := fmt.Sprintf(`Bearer realm="https://%s/oauth2/token",service=%q`, host, host)
	issue := func(w http.ResponseWriter) {
		mu.Lock()
		tok := fmt.Sprintf("eyJacr-access-%d", len(issued))
		issued[tok] = true
		mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]string{"access_token": tok})
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth2/token" {
			_ = r.ParseForm()
			switch {
			case r.Method == http.MethodPost && r.PostForm.Get("grant_type") == "refresh_token" && r.PostForm.Get("refresh_token") == refresh && r.PostForm.Get("service") == host:
				issue(w)
			case r.Method == http.MethodGet && r.Header.Get("Authorization") == "" && anonymous:
				issue(w)
			default:
				writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required, visit https://aka.ms/acr/authorization for more information.")
			}
			return
		}
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		mu.Lock()
		known := issued[tok]
		mu.Unlock()
		switch {
		case !known:
			w.Header().Set("WWW-Authenticate", challenge)
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required, visit https://aka.ms/acr/authorization for more information.")
		case r.URL.Path == "/v2/":
			w.WriteHeader(http.StatusOK)
		default:
			list(w, r)
		}
	}
}

// ACR is read with the refresh token `az acr login` leaves in the Docker
// config, and anonymously where anonymous pull is enabled; neither token
// is logged.
func TestZooAuthACRIdentityToken(t *testing.T) {
	const host = "prefectmirror.azurecr.io"
	const refresh = "eyJacr-refresh-" + secret
	for name, anonymous := range map[string]bool{"identitytoken": false, "anonymous pull": true} {
		t.Run(name, func(t *testing.T) {
			noDockerConfig(t)
			if !anonymous {
				cfg := map[string]any{"auths": map[string]any{host: map[string]string{
					"auth":          base64.StdEncoding.EncodeToString([]byte("00000000-0000-0000-0000-000000000000:")),
					"identitytoken": refresh,
				}}}
				b, _ := json.Marshal(cfg)
				if err := os.WriteFile(filepath.Join(os.Getenv("DOCKER_CONFIG"), "config.json"), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			h := &hosts{handlers: map[string]http.Handler{host: acrAuth(host, refresh, anonymous)}}
			logs := &logRecorder{}
			c := hostsClient(t, h, Config{Keychain: authn.DefaultKeychain, Logger: logs, MaxRetries: 0})
			got, err := c.ListTags(context.Background(), repoOf(t, host+"/prefecthq/prefect"))
			if err != nil || len(got) != 2 {
				t.Fatalf("got %v, %v; want the two tags\n%s", got, err, strings.Join(h.requests(), "\n"))
			}
			if strings.Contains(logs.text(), refresh) || strings.Contains(logs.text(), "eyJacr-access-") {
				t.Errorf("a token leaked:\n%s", logs.text())
			}
		})
	}
}

// Docker Hub's two rate limits: the pull limit, a 429 TOOMANYREQUESTS "You
// have reached your pull rate limit" with ratelimit-limit and
// ratelimit-remaining headers ("100;w=21600") on manifest requests
// (docker/docs, docker-hub/download-rate-limit.md), and the overall limit
// in front of every request, whose 429 body is the plain text "Too Many
// Requests (HAP429)." that docker itself fails to parse as JSON ("error
// parsing HTTP 429 response body: invalid character 'T'"). Neither names
// a Retry-After. Both are rate limits, retried within max_retries and then
// said to be one, whatever the body.
func TestZooDockerHubRateLimits(t *testing.T) {
	for name, answer := range map[string]http.HandlerFunc{
		"pull limit": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Ratelimit-Limit", "100;w=21600")
			w.Header().Set("Ratelimit-Remaining", "0;w=21600")
			w.Header().Set("Docker-Ratelimit-Source", "192.0.2.1")
			writeRegError(w, http.StatusTooManyRequests, "TOOMANYREQUESTS", "You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limits")
		},
		"overall limit": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprintln(w, "Too Many Requests (HAP429).")
		},
	} {
		t.Run(name, func(t *testing.T) {
			var attempts atomic.Int32
			c, ref := zooClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				attempts.Add(1)
				answer(w, r)
			}), zooRepo)
			c.maxRetries = 2
			c.sleep = func(context.Context, time.Duration) error { return nil }
			_, err := c.Head(context.Background(), ref, "3-latest")
			if !IsRateLimited(err) || !strings.Contains(err.Error(), "rate-limited") || !strings.Contains(err.Error(), zooHost) {
				t.Errorf("got %v; want the rate limit, naming %s", err, zooHost)
			}
			if n := attempts.Load(); n != 3 {
				t.Errorf("%d attempts, want max_retries+1 = 3", n)
			}
		})
	}
}

// artifactRegistry is Google Artifact Registry's Docker API
// (<location>-docker.pkg.dev, and gcr.io since it is served from Artifact
// Registry). Documented: "The Docker Registry API method to list images
// returns an incomplete list if a repository has more than 10,000 images
// or tags" (cloud.google.com/artifact-registry/quotas, "Limit for listing
// images in a repository"). Reported: n is honoured (n=1000 answered with
// about 1000, google/go-containerregistry#1643) up to 10,000
// (go-containerregistry 6f96bba2, "Per [that page] this will return up to
// 10k items"), and answers carry GCR's manifest map, with timeUploadedMs
// a number (go-containerregistry aec8da01). Not confirmed, and modelled
// both ways (honourLast): whether last and Link page on, and which 10,000
// tags a longer list keeps (its lexically first, here).
func artifactRegistry(honourLast bool) func([]string) http.HandlerFunc {
	return func(sorted []string) http.HandlerFunc {
		listed := sorted[:min(len(sorted), 10000)]
		return func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			n := 10000
			if s := q.Get("n"); s != "" {
				v, err := strconv.Atoi(s)
				if err != nil || v < 1 {
					writeRegError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "invalid page size")
					return
				}
				n = min(v, 10000)
			}
			start := 0
			if honourLast {
				i, found := slices.BinarySearch(listed, q.Get("last"))
				if found {
					i++
				}
				start = i
			}
			tags := listed[start:min(start+n, len(listed))]
			if honourLast && start+n < len(listed) {
				v := url.Values{"last": {tags[len(tags)-1]}, "n": {strconv.Itoa(n)}}
				w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, v.Encode()))
			}
			manifests := map[string]any{}
			for i, t := range tags {
				sum := sha256.Sum256([]byte(t))
				manifests["sha256:"+hex.EncodeToString(sum[:])] = map[string]any{
					"imageSizeBytes": strconv.Itoa(50_000_000 + i), "mediaType": "application/vnd.oci.image.index.v1+json",
					"tag": []string{t}, "timeUploadedMs": 1_700_000_000_000 + i,
				}
			}
			writeJSON(w, http.StatusOK, map[string]any{"child": []string{}, "manifest": manifests, "name": "acme/mirror/prefect", "tags": tags})
		}
	}
}

// zooClientAt is zooClient for a repository on another host.
func zooClientAt(t testing.TB, h http.Handler, repo string) (*Client, Repository) {
	t.Helper()
	c, _ := zooClient(t, h, "x")
	ref, err := ParseRepository(repo)
	if err != nil {
		t.Fatal(err)
	}
	return c, ref
}

// A repository of more than 10,000 tags on Artifact Registry can only be
// listed in part, as Google documents: every range is an error that says
// so, never the part read, whichever way the registry pages; one of fewer
// tags is read whole, every range right.
func TestZooArtifactRegistryTagLimit(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	const repo = "us-docker.pkg.dev/acme/mirror/prefect"
	for _, honourLast := range []bool{false, true} {
		for _, tc := range []struct {
			tags     []string
			readable bool
		}{{sorted, false}, {sorted[:9999], true}} {
			t.Run(fmt.Sprintf("%d-tags/last-honoured-%v", len(tc.tags), honourLast), func(t *testing.T) {
				t.Parallel()
				h := artifactRegistry(honourLast)(tc.tags)
				for _, mc := range readRanges(func() (*Client, Repository) { return zooClientAt(t, h, repo) }, zooRanges) {
					if msg := mc.check(tc.tags, tc.readable); msg != "" {
						t.Error(msg)
					}
					if mc.err != nil && !strings.Contains(mc.err.Error(), "10000") {
						t.Errorf("the error does not name the bound: %v", mc.err)
					}
				}
			})
		}
	}
}
