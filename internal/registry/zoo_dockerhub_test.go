package registry

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Docker Hub's registry (registry-1.docker.io) and token service
// (auth.docker.io) as users' transcripts show them:
//
//   - A request without a token is 401 with `Bearer
//     realm="https://auth.docker.io/token",service="registry.docker.io"`,
//     and scope="repository:<name>:pull" on a repository's own paths; the
//     token service answers GET …/token?service=registry.docker.io&scope=…,
//     anonymous or with Basic credentials, with {"token", "access_token"
//     (the same), "expires_in": 300, "issued_at"} (a containerd walk-through
//     of library/redis:5.0.9, 2022, quoted in the search index; the
//     rate-limit check in docs.docker.com's "Docker Hub pull usage and
//     limits", docker/docs#22134).
//   - A manifest HEAD with a token answers 200 with Content-Type,
//     Docker-Content-Digest, Etag and ratelimit-limit: 100;w=21600,
//     ratelimit-remaining: N;w=21600, docker-ratelimit-source; it is
//     answered even when N is 0 (a HEAD is no pull: gist
//     jeversol/369009aaad4cd2cd8e2610fa68d4c4be, 2023, remaining 0 and 200),
//     while a GET past the limit is 429 toomanyrequests (prefecthq/prefect
//     #12003, as the project's notes on Prefect's tags record).
//   - GET /v2/<name>/tags/list?n=100 answered every tag, n ignored, in
//     2020 (docker/hub-feedback#1960, library/golang's 1,401 tags); by 2024
//     it pages by Link with n honoured (spack/spack#43136: "gitlab, github,
//     and dockerhub all use Link headers"; deckhouse/deckhouse#18914: 210
//     tags from Docker Hub over several pages of remote.List). Its maximum
//     n, its page size without n and its Link's exact form could not be
//     confirmed from sources here, so the paged shape is left to the CNCF
//     distribution cases of zoo_test.go; this model keeps 2020's answer,
//     in lexical order (distribution's listing; the order is not quoted).

const (
	hubHost  = "registry-1.zoo.test"
	hubAuth  = "auth.zoo.test"
	hubRealm = "https://" + hubAuth + "/token"
)

// hubModel serves one repository's tags and manifests from s behind the
// token service ts, counting manifest GETs against a pull limit of limit.
type hubModel struct {
	s     *zooStore
	tags  []string // sorted
	ts    *tokenService
	limit int

	mu    sync.Mutex
	pulls int
}

func (d *hubModel) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
	challenge := fmt.Sprintf(`Bearer realm=%q,service="registry.docker.io"`, hubRealm)
	if r.URL.Path == "/v2/" || !d.ts.granted(r, zooRepo) {
		if r.URL.Path != "/v2/" {
			challenge += fmt.Sprintf(`,scope="repository:%s:pull"`, zooRepo)
		}
		w.Header().Set("WWW-Authenticate", challenge)
		writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		return
	}
	if strings.HasSuffix(r.URL.Path, "/tags/list") {
		writeJSON(w, http.StatusOK, map[string]any{"name": zooRepo, "tags": d.tags})
		return
	}
	d.mu.Lock()
	if r.Method == http.MethodGet && manifestRef(r) != "" {
		d.pulls++
	}
	pulls := d.pulls
	d.mu.Unlock()
	w.Header().Set("ratelimit-limit", fmt.Sprintf("%d;w=21600", d.limit))
	w.Header().Set("ratelimit-remaining", fmt.Sprintf("%d;w=21600", max(d.limit-pulls, 0)))
	w.Header().Set("docker-ratelimit-source", "192.0.2.7")
	if pulls > d.limit && r.Method == http.MethodGet {
		writeRegError(w, http.StatusTooManyRequests, "TOOMANYREQUESTS",
			"You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit")
		return
	}
	d.s.serve(nil)(w, r)
}

// dockerHubToken answers as auth.docker.io: the token twice, five minutes.
func dockerHubToken(ts *tokenService) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec := &tokenRecorder{header: http.Header{}}
		ts.ServeHTTP(rec, r)
		if rec.token == "" {
			w.WriteHeader(rec.status)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"token": rec.token, "access_token": rec.token,
			"expires_in": 300, "issued_at": "2026-01-01T00:00:00Z"})
	}
}

// tokenRecorder keeps the token a tokenService issued.
type tokenRecorder struct {
	header http.Header
	status int
	token  string
}

func (r *tokenRecorder) Header() http.Header { return r.header }
func (r *tokenRecorder) WriteHeader(s int)   { r.status = s }
func (r *tokenRecorder) Write(b []byte) (int, error) {
	if _, rest, ok := strings.Cut(string(b), `"token":"`); ok {
		r.token, _, _ = strings.Cut(rest, `"`)
	}
	return len(b), nil
}

// Anonymous, through the token service on its own host: the tag list, the
// digests by HEAD alone while the pull limit is spent (a HEAD is no pull),
// and a manifest GET past the limit a rate limit, never a digest.
func TestZooDockerHub(t *testing.T) {
	s := newZooStore()
	digests := map[string]string{}
	for _, tag := range []string{"3.8.3-python3.12", "3.8.2-python3.12", "2.20.25-python3.11"} {
		amd, amdBody := s.image(types.DockerManifestSchema2, "linux/amd64", true)
		arm, armBody := s.image(types.DockerManifestSchema2, "linux/arm64", true)
		digests[tag], _ = s.index(types.DockerManifestList, true,
			entry(types.DockerManifestSchema2, amd, len(amdBody), "linux/amd64", nil),
			entry(types.DockerManifestSchema2, arm, len(armBody), "linux/arm64", nil))
		s.tag(tag, digests[tag])
	}
	tags := slices.Sorted(func(yield func(string) bool) {
		for tag := range digests {
			if !yield(tag) {
				return
			}
		}
	})
	ts := &tokenService{anonymous: true}
	hub := &hubModel{s: s, tags: tags, ts: ts, limit: 1}
	h := &hosts{handlers: map[string]http.Handler{hubHost: hub, hubAuth: dockerHubToken(ts)}}
	c := hostsClient(t, h, Config{MaxRetries: 0})
	ref := repoOf(t, hubHost+"/"+zooRepo)
	ctx := context.Background()

	got, err := c.ListTags(ctx, ref)
	if err != nil || !slices.Equal(got, tags) {
		t.Fatalf("ListTags gave %v, %v; want %v", got, err, tags)
	}
	if _, err := c.Platforms(ctx, ref, "3.8.3-python3.12"); err != nil { // the one pull allowed
		t.Fatalf("Platforms: %v", err)
	}
	for tag, want := range digests {
		d, err := c.Head(ctx, ref, tag)
		if err != nil || d.Digest != want {
			t.Errorf("%s: Head gave %+v, %v; want %s (a HEAD past the pull limit is answered)", tag, d, err, want)
		}
	}
	_, err = c.Platforms(ctx, ref, "2.20.25-python3.11")
	if !IsRateLimited(err) || !strings.Contains(err.Error(), "429") {
		t.Errorf("Platforms past the limit gave %v; want the rate limit", err)
	}
}
