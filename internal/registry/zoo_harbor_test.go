package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// Harbor (goharbor/harbor v2.x) and the GitLab container registry
// (gitlab-org/container-registry, the distribution fork with a metadata
// database), each modelled from its source: tag lists in the zoo's
// property (runZoo), and Harbor's and gitlab.com's handshakes.

// harborTags is Harbor's GET /v2/<name>/tags/list, src/server/registry/tag.go
// with src/server/registry/util/util.go. From v2.5.0 (abd85284d2,
// goharbor/harbor#16394) to v2.15.2, SendListTagsResponse: the tags sorted
// byte-wise and de-duplicated; no n, all of them; n not an integer or
// negative, 400 BAD_REQUEST "the N must be a positive int type"; n=0, "tags":
// []; no cap on n; last taken lexically (the tags after it, whether or not
// it is a tag); "tags": [] past the end; while tags remain, and only when
// n was sent, a Link made of the request's URL (relative: a server request's
// URL has no host) with its query replaced by url.Values{n, last}.Encode().
// Before v2.5.0 (v2.0.0 to v2.4.x, tag.go alone), lastIsTag: without n,
// every tag whatever last says; with n, a last that is no tag refused with
// 400 BAD_REQUEST "the last: <last> should be a valid tag name.".
func harborTags(lastIsTag bool) func([]string) http.HandlerFunc {
	return func(sorted []string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			n := -1 // no n
			if s := q.Get("n"); s != "" {
				v, err := strconv.Atoi(s)
				if err != nil || v < 0 {
					harborError(w, http.StatusBadRequest, "BAD_REQUEST", "the N must be a positive int type")
					return
				}
				n = v
			}
			tags := []string{}
			if n != 0 {
				last, i := q.Get("last"), 0
				if n > 0 && lastIsTag && last != "" {
					j, found := slices.BinarySearch(sorted, last)
					if !found {
						harborError(w, http.StatusBadRequest, "BAD_REQUEST", fmt.Sprintf("the last: %s should be a valid tag name.", last))
						return
					}
					i = j + 1
				} else if last != "" && (n > 0 || !lastIsTag) {
					i = sort.Search(len(sorted), func(k int) bool { return sorted[k] > last })
				}
				j := len(sorted)
				if n > 0 {
					j = min(i+n, len(sorted))
				}
				tags = sorted[i:j]
				if n > 0 && len(tags) > 0 && j < len(sorted) {
					u := url.URL{Path: r.URL.Path, RawQuery: url.Values{"n": {strconv.Itoa(n)}, "last": {tags[len(tags)-1]}}.Encode()}
					w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, u.String()))
				}
			}
			name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v2/"), "/tags/list")
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_ = json.NewEncoder(w).Encode(map[string]any{"name": name, "tags": tags})
		}
	}
}

// harborError is Harbor's lib/http SendError: {"errors":[{code,message}]}.
func harborError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": code, "message": msg}}})
}

// harborLibraryRedirect is a Harbor proxy cache project of Docker Hub on
// Harbor's main branch since 266aad1eca (goharbor/harbor#23527, 2026-08-07;
// in no release up to v2.15.2, where only manifests are redirected so,
// since v2.10.0, #17537): TagsListMiddleware (repoproxy/tag.go, with
// defaultLibrary and defaultTagURL in proxy.go) answers a repository named
// without a namespace, <project>/<name>, 301 with the Location
// /v2/<project>/library/<name>/tags/list, which drops the request's query
// (n and last). That path lists as harborTags does, the local and the
// remote tags merged.
func harborLibraryRedirect(project string) func([]string) http.HandlerFunc {
	return func(sorted []string) http.HandlerFunc {
		list := harborTags(false)(sorted)
		return func(w http.ResponseWriter, r *http.Request) {
			name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v2/"+project+"/"), "/tags/list")
			if !strings.Contains(name, "/") {
				http.Redirect(w, r, fmt.Sprintf("/v2/%s/library/%s/tags/list", project, name), http.StatusMovedPermanently)
				return
			}
			list(w, r)
		}
	}
}

// gitlabTags is the GitLab container registry's GET /v2/<name>/tags/list
// with the metadata database (registry/handlers/tags.go, dbGetTags, and
// registry/datastore/repository.go, TagsPaginated and HasTagsAfterName, at
// v3.86.0-gitlab): n missing, not an integer or not positive, a page of
// 100 (defaultMaximumReturnedEntries; gitlab-org/gitlab#359277, the UI
// showing 100 tags, and !98215, "for migrated repositories the pagination
// parameters are properly taken into account"); n not capped on this
// route (1000 caps /v2/_catalog only, cf635c33); the tags WHERE name >
// last ORDER BY name LIMIT n, so in the collation of the tags.name column,
// which its migration (20210503152550_create_tags_table) leaves to the
// database's default; "tags": null when none; a Link made of the
// request's URL, relative, with n and last, only while a tag after the
// page exists (HasTagsAfterName).
func gitlabTags(collate func(a, b string) int) func([]string) http.HandlerFunc {
	return func(sorted []string) http.HandlerFunc {
		tags := slices.SortedFunc(slices.Values(sorted), collate)
		return func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			n, err := strconv.Atoi(q.Get("n"))
			if err != nil || n <= 0 {
				n = 100
			}
			i := 0
			if last := q.Get("last"); last != "" {
				i = sort.Search(len(tags), func(k int) bool { return collate(tags[k], last) > 0 })
			}
			var page []string // nil when empty: "tags": null
			if j := min(i+n, len(tags)); j > i {
				page = tags[i:j]
				if j < len(tags) {
					u := url.URL{Path: r.URL.Path, RawQuery: url.Values{"n": {strconv.Itoa(n)}, "last": {page[len(page)-1]}}.Encode()}
					w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, u.String()))
				}
			}
			name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v2/"), "/tags/list")
			writeJSON(w, http.StatusOK, map[string]any{"name": name, "tags": page})
		}
	}
}

// gitlabNoDatabase is the GitLab registry without the metadata database
// (the filesystem metadata of every registry before its migration, and of
// gitlab.com's repositories not yet migrated): every tag, whatever n and
// last say (gitlab-org/gitlab!98215: "all tags are returned, no matter
// which pagination parameters are sent"), in the order the storage
// driver lists the tag directory: object stores (GCS, S3) list keys in
// byte order. No Link.
func gitlabNoDatabase(sorted []string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"name": "prefecthq/prefect", "tags": sorted})
	}
}

// TestZooHarborAndGitLab reads every range from Harbor and the GitLab
// registry, on the 13,512 prefecthq/prefect tags.
func TestZooHarborAndGitLab(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	for _, tc := range []struct {
		name, repo string
		h          func([]string) http.HandlerFunc
	}{
		{"harbor-2.5-to-2.15", "library/prefect", harborTags(false)},
		{"harbor-2.0-to-2.4-last-must-be-a-tag", "library/prefect", harborTags(true)},
		{"harbor-main-proxy-cache-library-redirect", "dockerhub/prefect", harborLibraryRedirect("dockerhub")},
		{"gitlab-database-collation-C", "acme/prefect", gitlabTags(strings.Compare)},
		{"gitlab-database-collation-en_US", "acme/prefect", gitlabTags(collateEnUS)},
		{"gitlab-no-database", "acme/prefect", gitlabNoDatabase},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runZoo(t, tc.h(sorted), tc.repo, sorted, true)
		})
	}
}

// The en_US order really is another order than bytes for these tags, and
// a page asked for after a bound the reader sends is not the byte-order
// page: what the zoo above reads through.
func TestZooGitLabCollationIsNotByteOrder(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	en := slices.SortedFunc(slices.Values(sorted), collateEnUS)
	if slices.Equal(en, sorted) {
		t.Fatal("en_US order equals byte order: the model proves nothing")
	}
	if en[0] != "2.0.0-python3.10" || sorted[0] != "2-latest" {
		t.Errorf("first tags %q (en_US) and %q (bytes), want 2.0.0-python3.10 and 2-latest, as glibc 2.36 and C sort them", en[0], sorted[0])
	}
}

// harborCore is Harbor's core as a registry client meets it: the token
// service (src/core/service/token: service must be harbor-registry;
// credentials it cannot verify, a wrong password or robot secret
// included, are anonymous access, src/server/middleware/security,
// goharbor/harbor#11632 "by design", #20930; anonymous without a scope
// 401; each scope's pull granted when the project is public or the
// account may pull it, else dropped; {"token", "access_token": "",
// "expires_in", "issued_at"}) and the v2 API behind
// src/server/middleware/v2auth/auth.go: a request without Authorization
// is challenged Bearer realm https://<host>/service/token,
// service="harbor-registry" (with the repository's pull scope on a
// repository's path, even a public one's, #11271); a request with an
// Authorization that does not open the repository is answered 401
// UNAUTHORIZED "unauthorized to access repository: <name>, action: pull"
// with the challenge Basic realm="harbor"; one for a project that does
// not exist, 401 with an empty challenge.
type harborCore struct {
	host     string
	public   map[string]bool // project -> public
	accounts map[string]struct {
		secret   string
		projects []string // projects it may pull
	}

	mu     sync.Mutex
	issued map[string][]string // token -> repositories it may pull
}

func (h *harborCore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/service/token" {
		h.token(w, r)
		return
	}
	w.Header().Set("Docker-Distribution-Api-Version", "registry/2.0")
	realm := fmt.Sprintf(`Bearer realm="https://%s/service/token",service="harbor-registry"`, h.host)
	auth := r.Header.Get("Authorization")
	if r.URL.Path == "/v2/" {
		if auth == "" {
			w.Header().Set("Www-Authenticate", realm)
			harborError(w, http.StatusUnauthorized, "UNAUTHORIZED", "unauthorized")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{})
		return
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/v2/"), "/tags/list")
	project, _, _ := strings.Cut(name, "/")
	switch {
	case auth == "":
		w.Header().Set("Www-Authenticate", realm+fmt.Sprintf(`,scope="repository:%s:pull"`, name))
		harborError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authorize header needed to send HEAD to repository")
	case !h.exists(project):
		w.Header().Set("Www-Authenticate", "")
		harborError(w, http.StatusUnauthorized, "UNAUTHORIZED", fmt.Sprintf("project %s not found", project))
	case !h.pulls(auth, name):
		w.Header().Set("Www-Authenticate", `Basic realm="harbor"`)
		harborError(w, http.StatusUnauthorized, "UNAUTHORIZED", fmt.Sprintf("unauthorized to access repository: %s, action: pull", name))
	default:
		listTwoTags(w, r)
	}
}

// exists reports whether the project exists.
func (h *harborCore) exists(project string) bool {
	_, ok := h.public[project]
	return ok
}

// pulls reports whether the Authorization opens the repository's pull.
func (h *harborCore) pulls(auth, name string) bool {
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	h.mu.Lock()
	defer h.mu.Unlock()
	return ok && slices.Contains(h.issued[tok], name)
}

func (h *harborCore) token(w http.ResponseWriter, r *http.Request) {
	if s := r.URL.Query().Get("service"); s != "harbor-registry" {
		http.Error(w, "Unable to handle service: "+s, http.StatusBadRequest)
		return
	}
	var projects []string
	authenticated := false
	if u, p, ok := r.BasicAuth(); ok {
		if a, known := h.accounts[u]; known && a.secret == p {
			projects, authenticated = a.projects, true
		}
	}
	scopes := r.URL.Query()["scope"]
	if !authenticated && len(scopes) == 0 {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var granted []string
	for _, s := range scopes {
		parts := strings.Split(s, ":")
		if len(parts) != 3 || parts[0] != "repository" || !strings.Contains(parts[2], "pull") {
			continue
		}
		project, _, _ := strings.Cut(parts[1], "/")
		if h.public[project] || slices.Contains(projects, project) {
			granted = append(granted, parts[1])
		}
	}
	h.mu.Lock()
	if h.issued == nil {
		h.issued = map[string][]string{}
	}
	tok := fmt.Sprintf("harbor-jwt-%d", len(h.issued))
	h.issued[tok] = granted
	h.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{"token": tok, "access_token": "", "expires_in": 1800, "issued_at": "2026-01-01T00:00:00Z"})
}

// Harbor's handshake, as harborCore answers it. What Harbor's token
// service does with credentials it cannot verify (a token anyway, of
// anonymous access) means a wrong robot secret and a robot without pull
// access get the same answer on a private project; on a public one, a
// wrong secret still lists, as docker pull does there.
func TestZooAuthHarbor(t *testing.T) {
	const host = "harbor.zoo.test"
	const robot, robotSecret = "robot$private+ci", "Harbor-r0bot-" + secret
	const other = "robot$other+ci"
	for _, tc := range []struct {
		name, repo string
		user, pass string // "" for anonymous access
		want       []string
	}{
		{"robot-pulls-private", "private/prefect", robot, robotSecret, nil},
		{"anonymous-public", "library/prefect", "", "", nil},
		{"wrong-secret-public", "library/prefect", robot, "not-" + robotSecret, nil},
		{"robot-without-pull", "private/prefect", other, robotSecret,
			[]string{"HTTP 401", "do not grant pull access", "configured credentials for " + host, `The registry said: "UNAUTHORIZED: unauthorized to access repository: private/prefect, action: pull".`}},
		{"wrong-secret-private", "private/prefect", robot, "not-" + robotSecret,
			[]string{"HTTP 401", "or are wrong", "configured credentials for " + host}},
		{"anonymous-private", "private/prefect", "", "",
			[]string{"HTTP 401", "do not grant pull access", "anonymous access"}},
		{"no-such-project", "nosuch/prefect", robot, robotSecret,
			[]string{"HTTP 401", "does not exist", `The registry said: "UNAUTHORIZED: project nosuch not found".`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			core := &harborCore{host: host, public: map[string]bool{"library": true, "private": false, "other": false}}
			core.accounts = map[string]struct {
				secret   string
				projects []string
			}{robot: {robotSecret, []string{"private"}}, other: {robotSecret, []string{"other"}}}
			h := &hosts{handlers: map[string]http.Handler{host: core}}
			cfg := Config{MaxRetries: 0, Logger: &logRecorder{}}
			if tc.user != "" {
				cfg.Credentials = []Credential{{Host: host, Username: tc.user, Password: tc.pass}}
			}
			logs := cfg.Logger.(*logRecorder)
			c := hostsClient(t, h, cfg)
			got, err := c.ListTags(context.Background(), repoOf(t, host+"/"+tc.repo))
			if tc.want == nil {
				if err != nil || len(got) != 2 {
					t.Fatalf("got %v, %v; want the two tags\n%s", got, err, strings.Join(h.requests(), "\n"))
				}
				return
			}
			if !IsUnauthorized(err) {
				t.Fatalf("got %v; want an unauthorized error", err)
			}
			checkMessage(t, err, tc.want, logs, robotSecret, "harbor-jwt-")
		})
	}
}

// gitlab is gitlab.com's registry (registry.gitlab.com, the GitLab
// container registry's token auth, registry/auth/token) and its realm on
// another host (gitlab.com/jwt/auth, service container_registry): the
// JwtController and Auth::ContainerRegistryAuthenticationService
// (app/services/auth/container_registry_authentication_service.rb)
// answer a wrong password or token 401 ("HTTP Basic: Access denied. …",
// basecamp/kamal#1498; no longer an anonymous token on a public project,
// getwud/wud#1165), a token without the read_registry scope 403 DENIED
// "access forbidden" (has_registry_ability?), and otherwise issue
// {"token"} alone, no expires_in, with the pull of each scope the account
// (or anonymous access) may pull and nothing for the others; the registry
// answers a token that lacks the pull 401 with the challenge's scope and
// error="insufficient_scope", as bearerRegistry does.
type gitlab struct {
	public   map[string]bool // project path -> public
	accounts map[string]struct {
		token        string
		readRegistry bool
		projects     []string
	}

	mu     sync.Mutex
	issued map[string][]string // token -> repositories it may pull
}

func (g *gitlab) jwt(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("service") != "container_registry" {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	var projects []string
	if u, p, ok := r.BasicAuth(); ok {
		a, known := g.accounts[u]
		switch {
		case !known || a.token != p:
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "HTTP Basic: Access denied. If a password was provided for Git authentication, the password was incorrect or you're required to use a token instead of a password. If a token was provided, it was either incorrect, expired, or improperly scoped.")
			return
		case !a.readRegistry:
			writeRegError(w, http.StatusForbidden, "DENIED", "access forbidden")
			return
		}
		projects = a.projects
	}
	var granted []string
	for _, s := range r.URL.Query()["scope"] {
		parts := strings.Split(s, ":")
		if len(parts) == 3 && parts[0] == "repository" && strings.Contains(parts[2], "pull") &&
			(g.public[parts[1]] || slices.Contains(projects, parts[1])) {
			granted = append(granted, parts[1])
		}
	}
	g.mu.Lock()
	if g.issued == nil {
		g.issued = map[string][]string{}
	}
	tok := fmt.Sprintf("gitlab-jwt-%d", len(g.issued))
	g.issued[tok] = granted
	g.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"token": tok})
}

func (g *gitlab) registry(w http.ResponseWriter, r *http.Request) {
	challenge := `Bearer realm="https://gitlab.zoo.test/jwt/auth",service="container_registry"`
	if r.URL.Path == "/v2/" {
		w.Header().Set("WWW-Authenticate", challenge)
		writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		return
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/v2/"), "/tags/list")
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	g.mu.Lock()
	ok := slices.Contains(g.issued[tok], name)
	g.mu.Unlock()
	if !ok {
		challenge += fmt.Sprintf(`,scope="repository:%s:pull",error="insufficient_scope"`, name)
		w.Header().Set("WWW-Authenticate", challenge)
		writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		return
	}
	listTwoTags(w, r)
}

// gitlab.com's handshake, as gitlab answers it.
func TestZooAuthGitLab(t *testing.T) {
	const reg, web = "registry.gitlab.zoo.test", "gitlab.zoo.test"
	const pat = "glpat-" + secret
	for _, tc := range []struct {
		name, repo string
		user, pass string
		status     int
		want       []string
	}{
		{"token-pulls-private", "acme/private", "ci", pat, 0, nil},
		{"anonymous-public", "acme/public", "", "", 0, nil},
		{"anonymous-private", "acme/private", "", "", http.StatusUnauthorized,
			[]string{"does not exist", "do not grant pull access", "anonymous access"}},
		{"wrong-token", "acme/public", "ci", "glpat-wrong", http.StatusUnauthorized,
			[]string{"did not accept the credentials", "configured credentials for " + reg}},
		{"token-without-read-registry", "acme/private", "api-only", pat, http.StatusForbidden,
			[]string{"HTTP 403", "do not grant pull access", "configured credentials for " + reg}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := &gitlab{public: map[string]bool{"acme/public": true}}
			g.accounts = map[string]struct {
				token        string
				readRegistry bool
				projects     []string
			}{"ci": {pat, true, []string{"acme/private"}}, "api-only": {pat, false, []string{"acme/private"}}}
			h := &hosts{handlers: map[string]http.Handler{
				reg: http.HandlerFunc(g.registry),
				web: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path != "/jwt/auth" {
						w.WriteHeader(http.StatusNotFound)
						return
					}
					g.jwt(w, r)
				}),
			}}
			logs := &logRecorder{}
			cfg := Config{MaxRetries: 0, Logger: logs}
			if tc.user != "" {
				cfg.Credentials = []Credential{{Host: reg, Username: tc.user, Password: tc.pass}}
			}
			c := hostsClient(t, h, cfg)
			got, err := c.ListTags(context.Background(), repoOf(t, reg+"/"+tc.repo))
			if tc.want == nil {
				if err != nil || len(got) != 2 {
					t.Fatalf("got %v, %v; want the two tags\n%s", got, err, strings.Join(h.requests(), "\n"))
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.StatusCode != tc.status {
				t.Fatalf("got %v; want an error with HTTP %d", err, tc.status)
			}
			checkMessage(t, err, tc.want, logs, secret, "gitlab-jwt-")
		})
	}
}

// A Harbor proxy cache project's manifest by tag, not served from its
// cache (src/server/middleware/repoproxy/proxy.go, v2.2.0 to v2.15.2): the
// HEAD answers the upstream's descriptor (proxyManifestHead:
// Docker-Content-Digest and Etag the upstream's digest), the GET the
// upstream's payload with setHeaders(…, art.Digest), art.Digest being
// empty for a tag ("the tag is v2.10.2, digest is ", goharbor/harbor#21122):
// Docker-Content-Digest and Etag sent empty. The tag's digest is the
// HEAD's, and the GET by tag, checked against what its body hashes to,
// gives the same digest and the platforms.
func TestZooManifestHarborProxyEmptyDigest(t *testing.T) {
	s := newZooStore()
	amd, amdBody := s.image(types.OCIManifestSchema1, "linux/amd64", true)
	arm, armBody := s.image(types.OCIManifestSchema1, "linux/arm64", true)
	want, _ := s.index(types.OCIImageIndex, true,
		entry(types.OCIManifestSchema1, amd, len(amdBody), "linux/amd64", nil),
		entry(types.OCIManifestSchema1, arm, len(armBody), "linux/arm64", nil))
	s.tag("3.1.15-python3.12", want)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, m, ok := s.lookup(manifestRef(r))
		if !ok {
			writeRegError(w, http.StatusNotFound, "NOT_FOUND", "artifact dockerhub/prefecthq/prefect:"+manifestRef(r)+" not found")
			return
		}
		if r.Method == http.MethodGet && !strings.HasPrefix(manifestRef(r), "sha256:") {
			w.Header().Set("Docker-Content-Digest", "")
			w.Header().Set("Etag", "")
			w.Header().Set("Content-Type", string(m.mediaType))
			_, _ = w.Write(m.body)
			return
		}
		writeManifest(w, r, string(m.mediaType), d, m.body)
	})
	c, ref := zooClient(t, h, "dockerhub/prefecthq/prefect")
	d, err := c.Head(context.Background(), ref, "3.1.15-python3.12")
	if err != nil || d.Digest != want {
		t.Fatalf("Head gave %+v, %v; want %s", d, err, want)
	}
	c, ref = zooClient(t, h, "dockerhub/prefecthq/prefect")
	p, err := c.Platforms(context.Background(), ref, "3.1.15-python3.12")
	if err != nil || p.Digest != want || p.ByPlatform["linux/arm64"] != arm {
		t.Errorf("Platforms by tag gave %+v, %v; want %s with linux/arm64 %s", p, err, want, arm)
	}
}
