package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The manifest and auth answers of JFrog Artifactory, Amazon ECR
// (private), zot and Sonatype Nexus, each on the host names it has (hosts,
// zoo_auth_test.go), as their source or their users' reports show them.
// What could not be confirmed is said where it is modelled. The property:
// the tag resolves to the digest the registry holds, or the error says
// what the registry said; never another digest.

// headless answers a HEAD as an HTTP server does: headers and status,
// never a body. (httptest's recorder keeps what a handler writes.)
type headless struct{ http.ResponseWriter }

func (headless) Write(b []byte) (int, error) { return len(b), nil }

// noHeadBody serves h, dropping the body of every answer to a HEAD.
func noHeadBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			w = headless{w}
		}
		h.ServeHTTP(w, r)
	})
}

// zooIndexStore is a store holding one two-platform OCI index, tagged
// 3.1.15-python3.12: the store, the index digest and its platforms.
func zooIndexStore() (*zooStore, string, map[string]string) {
	s := newZooStore()
	mt := types.OCIManifestSchema1
	amd, amdBody := s.image(mt, "linux/amd64", true)
	arm, armBody := s.image(mt, "linux/arm64", true)
	idx, _ := s.index(types.OCIImageIndex, true,
		entry(mt, amd, len(amdBody), "linux/amd64", nil),
		entry(mt, arm, len(armBody), "linux/arm64", nil))
	s.tag("3.1.15-python3.12", idx)
	return s, idx, map[string]string{"linux/amd64": amd, "linux/arm64": arm}
}

// writeErrors answers status with an errors array of one error, detail
// included as the registry sends it.
func writeErrors(w http.ResponseWriter, status int, code, msg string, detail any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"code": code, "message": msg, "detail": detail}}})
}

// artifactoryDocker is a JFrog Artifactory Docker virtual repository
// (key docker-virtual) reached by the repository path method
// (<host>/<key>/<image>, requests /v2/<key>/<image>/…), whose members are a
// remote repository caching Docker Hub (store) and one the account may not
// read. From its users' reports:
//   - anonymous access enabled: the ping answers 200 ("If a 200 OK is seen
//     by the Docker client, then credentials will not be used", JFrog's
//     "How to troubleshoot Docker problems", docker login docker.art.local);
//     otherwise 401 with a Bearer challenge whose realm is the repository's
//     token endpoint, /artifactory/api/docker/<key>/v2/token, and whose
//     service is host:443 (containerd/containerd#6339, Artifactory 7.12.8;
//     containerd/nerdctl#4244, 7.84.12). That the ping's challenge names the
//     repository's realm is this model's: those reports show the
//     challenge of repository requests.
//   - the token endpoint answers {"token","expires_in":3600} for the
//     account's Basic credentials, and for anonymous access when enabled
//     (JFrog's troubleshooting page above; swarmpit/swarmpit#266:
//     "anonymous|GET|/api/docker/docker/v2/token|…|200"); 401 otherwise
//     (containerd/containerd#2628: "failed to fetch anonymous token:
//     unexpected status: 401 Unauthorized"). Its body then is
//     Artifactory's REST API error shape, an errors array with status and
//     message but no code ({"status":401,"message":"Bad credentials"},
//     jfrog/jfrog-cli#416; its Docker API answers a 400 so too,
//     jfrog/charts#455); that the token endpoint's 401 has it is not
//     confirmed.
//   - a tag that no readable member holds, in a virtual repository with a
//     member the account may not read, is answered 403 UNAUTHORIZED "The
//     client does not have permission for manifest: Download request for
//     repo:path '…/list.manifest.json' is forbidden for user: …", its
//     detail an object (sigstore/cosign#2973, google/go-containerregistry#1691:
//     "Artifactory will return a 403 for non-existent tags if you are using
//     virtual repositories and do not have access to one of the
//     repositories backing the virtual repository"). A HEAD gets the
//     status and no body.
//   - with byDigest set, a manifest asked for by digest is answered with
//     another one: containerd "unexpected commit digest sha256:YYY,
//     expected sha256:XXX" and "failed size validation: 1638 != 529"
//     pulling through Artifactory remote repositories
//     (aws/containers-roadmap#1302, RTFACT-23923, RTFACT-23767;
//     containerd/containerd#3323).
type artifactoryDocker struct {
	host       string
	anonymous  bool
	user, pass string
	store      *zooStore
	byDigest   string // a manifest served for every request by digest ("" for none)

	mu     sync.Mutex
	tokens map[string]string // token -> user it was issued to
}

const artifactoryKey = "docker-virtual"

func (a *artifactoryDocker) challenge(scope string) string {
	c := fmt.Sprintf(`Bearer realm="https://%s/artifactory/api/docker/%s/v2/token",service="%s:443"`, a.host, artifactoryKey, a.host)
	if scope != "" {
		c += fmt.Sprintf(`,scope="repository:%s:pull"`, scope)
	}
	return c
}

// caller is who the request authenticates as: its bearer token's account,
// "anonymous" without Authorization when anonymous access is enabled.
func (a *artifactoryDocker) caller(r *http.Request) (string, bool) {
	auth := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(auth, "Bearer "); ok {
		a.mu.Lock()
		defer a.mu.Unlock()
		user, known := a.tokens[tok]
		return user, known
	}
	if u, p, ok := r.BasicAuth(); ok {
		return u, u == a.user && p == a.pass
	}
	return "anonymous", auth == "" && a.anonymous
}

func (a *artifactoryDocker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-JFrog-Version", "Artifactory/7.84.12 78412900")
	w.Header().Set("X-Artifactory-Id", "6d70dcfd451c8e98:237a9c5d:1792f16ad1d:-8000")
	switch r.URL.Path {
	case "/artifactory/api/docker/" + artifactoryKey + "/v2/token":
		u, p, basic := r.BasicAuth()
		user := "anonymous"
		switch {
		case basic && u == a.user && p == a.pass:
			user = u
		case basic, !a.anonymous:
			w.Header().Set("Content-Type", "application/json;charset=ISO-8859-1")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = fmt.Fprint(w, `{"errors":[{"status":401,"message":"Bad credentials"}]}`)
			return
		}
		a.mu.Lock()
		if a.tokens == nil {
			a.tokens = map[string]string{}
		}
		tok := fmt.Sprintf("AKCp5Z3WYHpAyga9aYGuG4ESx%d", len(a.tokens))
		a.tokens[tok] = user
		a.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"token": tok, "expires_in": 3600})
		return
	case "/v2/", "/v2":
		if _, ok := a.caller(r); ok {
			w.WriteHeader(http.StatusOK)
			return
		}
		w.Header().Set("WWW-Authenticate", a.challenge(""))
		writeErrors(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required", nil)
		return
	}
	image, ref, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/v2/"+artifactoryKey+"/"), "/manifests/")
	user, authed := a.caller(r)
	if !authed {
		w.Header().Set("WWW-Authenticate", a.challenge(image))
		writeErrors(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required", nil)
		return
	}
	if !ok || image != zooRepo {
		writeErrors(w, http.StatusNotFound, "NAME_UNKNOWN", "Repository name not known to registry.", map[string]string{"name": image})
		return
	}
	if strings.Contains(ref, ":") && a.byDigest != "" {
		_, m, _ := a.store.lookup(a.byDigest)
		writeManifest(w, r, string(m.mediaType), ref, m.body)
		return
	}
	d, m, found := a.store.lookup(ref)
	if !found {
		writeErrors(w, http.StatusForbidden, "UNAUTHORIZED", fmt.Sprintf("The client does not have permission for manifest: Download request for repo:path 'docker-partner-remote-cache:%s/%s/list.manifest.json' is forbidden for user: '%s'.", image, ref, user),
			map[string]string{"manifest": image})
		return
	}
	writeManifest(w, r, string(m.mediaType), d, m.body)
}

// Artifactory: the tag resolves, anonymous where anonymous access is
// enabled and with the account's credentials where it is not; a tag that
// a virtual repository's readable members lack is refused 403 for the
// member the account may not read, and the message quotes Artifactory's
// words, which only a GET carries (the HEAD's 403 has no body), instead
// of leaving the user to guess at the repository or the credentials.
func TestZooArtifactoryManifestAndAuth(t *testing.T) {
	const host = "art.zoo.test"
	const user, pass = "ci", "art-" + secret
	repo := host + "/" + artifactoryKey + "/" + zooRepo
	for _, tc := range []struct {
		name      string
		anonymous bool
		creds     bool
		wrongPass bool
		tag       string
		want      []string // the error's words; nil: the tag resolves
	}{
		{name: "anonymous-access-enabled", anonymous: true, tag: "3.1.15-python3.12"},
		{name: "credentials", creds: true, tag: "3.1.15-python3.12"},
		{name: "credentials-anonymous-enabled", anonymous: true, creds: true, tag: "3.1.15-python3.12"},
		{name: "anonymous-access-disabled", tag: "3.1.15-python3.12",
			want: []string{"HTTP 401", "did not accept the credentials, or it requires some", "anonymous access"}},
		{name: "wrong-password", creds: true, wrongPass: true, tag: "3.1.15-python3.12",
			want: []string{"HTTP 401", "did not accept the credentials", "configured credentials for " + host}},
		{name: "tag-missing-from-virtual", creds: true, tag: "3.9.9-python3.12",
			want: []string{"HTTP 403", "3.9.9-python3.12", "configured credentials for " + host,
				`The registry said: "UNAUTHORIZED: The client does not have permission for manifest: Download request for repo:path 'docker-partner-remote-cache:prefecthq/prefect/3.9.9-python3.12/list.manifest.json' is forbidden`}},
		{name: "tag-missing-from-virtual-anonymous", anonymous: true, tag: "3.9.9-python3.12",
			want: []string{"HTTP 403", "anonymous access", "3.9.9-python3.12/list.manifest.json' is forbidden"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, want, platforms := zooIndexStore()
			art := &artifactoryDocker{host: host, anonymous: tc.anonymous, user: user, pass: pass, store: store}
			h := &hosts{handlers: map[string]http.Handler{host: noHeadBody(art)}}
			logs := &logRecorder{}
			cfg := Config{MaxRetries: 0, Logger: logs}
			if tc.creds {
				cfg.Credentials = login(host, user, pass, tc.wrongPass)
			}
			c := hostsClient(t, h, cfg)
			ref := repoOf(t, repo)
			d, err := c.Head(context.Background(), ref, tc.tag)
			if tc.want == nil {
				checkResolved(t, c, h, ref, d, err, want, "", platforms)
				return
			}
			if err == nil {
				t.Fatalf("Head gave %+v; want an error", d)
			}
			checkMessage(t, err, tc.want, logs, pass, "AKCp5Z3")
		})
	}
}

// An Artifactory remote repository that answers a manifest asked for by
// digest with another manifest (artifactoryDocker's byDigest): the
// platforms of that digest are an error naming both digests, never the
// other manifest's.
func TestZooArtifactoryWrongManifestByDigest(t *testing.T) {
	const host = "art.zoo.test"
	store, want, _ := zooIndexStore()
	other, _ := store.image(types.OCIManifestSchema1, "linux/s390x", true)
	art := &artifactoryDocker{host: host, anonymous: true, store: store, byDigest: other}
	c := hostsClient(t, &hosts{handlers: map[string]http.Handler{host: noHeadBody(art)}}, Config{MaxRetries: 0})
	ref := repoOf(t, host+"/"+artifactoryKey+"/"+zooRepo)
	p, err := c.Platforms(context.Background(), ref, want)
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), other) {
		t.Fatalf("Platforms gave %+v, %v; want an error naming %s and %s", p, err, want, other)
	}
}

// ecrPrivate is a private Amazon ECR registry
// (<account>.dkr.ecr.<region>.amazonaws.com). Basic auth with the user AWS
// and the authorization token `aws ecr get-login-password` prints (or the
// ecr-login credential helper returns), and no token endpoint: every
// request without Authorization, the ping included, is answered 401
// `Basic realm="https://<host>/",service="ecr.amazonaws.com"`, text/plain,
// "Not Authorized" (NVIDIA/enroot#59, mdlavin/copy-docker-image#5:
// status=401 body="Not Authorized\n"; enix/kube-image-keeper#172 for a
// manifest GET). A token past its twelve hours is refused 403 DENIED
// "Your authorization token has expired. Reauthenticate and try again."
// (aws/aws-cli#2351, awslabs/amazon-ecr-credential-helper#286 for the
// words; docker/compose-cli#1173 "unexpected status code [manifests
// latest]: 403 Forbidden" and aws/aws-lambda-base-images#220 "unexpected
// status from HEAD request to …/manifests/al2023: 403 Forbidden" for the
// status, a HEAD's without body). Manifests are served with their own
// media type and Docker-Content-Digest, HEAD by tag included. A tag it
// lacks is 404 MANIFEST_UNKNOWN; that message's words are this model's.
// A wrong (not expired) token is not modelled: its answer is not known.
type ecrPrivate struct {
	host, token, expired string
	store                *zooStore
}

func (e *ecrPrivate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u, p, ok := r.BasicAuth()
	switch {
	case !ok || u != "AWS" || (p != e.token && p != e.expired):
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Basic realm="https://%s/",service="ecr.amazonaws.com"`, e.host))
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = fmt.Fprintln(w, "Not Authorized")
	case p == e.expired:
		writeErrors(w, http.StatusForbidden, "DENIED", "Your authorization token has expired. Reauthenticate and try again.", nil)
	case r.URL.Path == "/v2/":
		w.WriteHeader(http.StatusOK)
	default:
		d, m, found := e.store.lookup(manifestRef(r))
		if !found {
			writeErrors(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "Requested image not found", nil)
			return
		}
		writeManifest(w, r, string(m.mediaType), d, m.body)
	}
}

// ecrLoginHelper puts a docker-credential-ecr-login on PATH that answers
// every host with AWS and token (no credentials when token is ""), and a
// Docker config naming it for host, as `"credHelpers": {"<host>":
// "ecr-login"}` does.
func ecrLoginHelper(t *testing.T, host, token string) {
	t.Helper()
	noDockerConfig(t)
	dir := os.Getenv("DOCKER_CONFIG")
	script := fmt.Sprintf("#!/bin/sh\ncat >/dev/null\nprintf '%%s' '{\"ServerURL\":\"%s\",\"Username\":\"AWS\",\"Secret\":\"%s\"}'\n", host, token)
	if token == "" {
		// What ecr-login answers for any failure of its AWS call, a
		// throttled GetAuthorizationToken included (ecr-login/ecr.go Get):
		// Docker's helper client reads it as no login held.
		script = "#!/bin/sh\ncat >/dev/null\necho 'credentials not found in native keychain'\nexit 1\n"
	}
	if err := os.WriteFile(filepath.Join(dir, "docker-credential-ecr-login"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`{"credHelpers":{%q:"ecr-login"}}`, host)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// ECR: the tag resolves with the token from registry_auth or from the
// ecr-login credential helper; an expired token's refusal says that it
// expired, which only the GET's body tells (the HEAD's 403 has none);
// anonymous access is refused as ECR refuses it; a tag ECR lacks is not
// found. The token never reaches a message or a log line.
func TestZooECRManifestAndAuth(t *testing.T) {
	const host = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
	// get-login-password prints a long base64 token; its shape matters
	// only for scrubbing.
	token := "eyJwYXlsb2FkIjoiZWNyLXRva2VuLSIsImRhdGFrZXkiOiJBUUVCQUhoIiwidmVyc2lvbiI6IjIifQ" + secret
	expired := "eyJwYXlsb2FkIjoiZXhwaXJlZC0iLCJkYXRha2V5IjoiQVFFQkFIaCIsInZlcnNpb24iOiIyIn0" + secret
	for _, tc := range []struct {
		name     string
		token    string // "" for anonymous access
		helper   bool   // from the ecr-login credential helper, else registry_auth
		tag      string
		want     []string
		notFound bool // want a not-found error
	}{
		{name: "registry-auth", token: token, tag: "3.1.15-python3.12"},
		{name: "ecr-login-helper", token: token, helper: true, tag: "3.1.15-python3.12"},
		{name: "expired-registry-auth", token: expired, tag: "3.1.15-python3.12",
			want: []string{"HTTP 403", "configured credentials for " + host, `The registry said: "DENIED: Your authorization token has expired. Reauthenticate and try again."`}},
		{name: "expired-ecr-login-helper", token: expired, helper: true, tag: "3.1.15-python3.12",
			want: []string{"HTTP 403", "the Docker config", "Your authorization token has expired"}},
		{name: "anonymous", tag: "3.1.15-python3.12",
			want: []string{"HTTP 401", "it requires some", "anonymous access", `The registry said: "Not Authorized"`}},
		// The helper's AWS call failed (throttled, say): the request went
		// anonymous, and the error says the helper returned nothing.
		{name: "ecr-login-helper-returned-nothing", helper: true, tag: "3.1.15-python3.12",
			want: []string{"HTTP 401", "This request used anonymous access: the Docker config names the credential helper docker-credential-ecr-login for this registry, and it returned no credentials (it returns none when its AWS call fails or is throttled, too)."}},
		{name: "no-such-tag", token: token, tag: "3.9.9-python3.12",
			want: []string{"HTTP 404", "does not exist"}, notFound: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, want, platforms := zooIndexStore()
			reg := &ecrPrivate{host: host, token: token, expired: expired, store: store}
			h := &hosts{handlers: map[string]http.Handler{host: noHeadBody(reg)}}
			logs := &logRecorder{}
			cfg := Config{MaxRetries: 0, Logger: logs}
			if tc.helper {
				ecrLoginHelper(t, host, tc.token)
				cfg.Keychain = authn.DefaultKeychain
			} else {
				noDockerConfig(t)
				if tc.token != "" {
					cfg.Credentials = []Credential{{Host: host, Username: "AWS", Password: tc.token}}
				}
			}
			c := hostsClient(t, h, cfg)
			ref := repoOf(t, host+"/"+zooRepo)
			d, err := c.Head(context.Background(), ref, tc.tag)
			if tc.want == nil {
				checkResolved(t, c, h, ref, d, err, want, "", platforms)
				return
			}
			if err == nil || IsNotFound(err) != tc.notFound {
				t.Fatalf("Head gave %+v, %v; want an error, not found %v", d, err, tc.notFound)
			}
			checkMessage(t, err, tc.want, logs, secret)
		})
	}
}

// zotAuth is zot (project-zot/zot v2.1.20) with htpasswd accounts and
// access control, serving one repository from store:
//   - authentication (pkg/api/authn.go, AuthnMiddleware): a request with
//     Authorization is checked against htpasswd; a wrong password gets
//     authFail, 401 `Basic realm="<realm>"` with a bare error object, not
//     an errors array ({"code":"UNAUTHORIZED","message":"authentication
//     required","detail":null}); a request without credentials passes
//     when an anonymous policy exists for any repository
//     (AnonymousPolicyExists), else authFail.
//   - the ping (pkg/api/routes.go, CheckVersionSupport), once past
//     authentication: 200, with the challenge of the configured
//     authentication, `basic realm=<realm>`.
//   - authorization (pkg/api/authz.go, DistSpecAuthzHandler, and
//     pkg/common/http_server.go, AuthzFailWithReason): without read on the
//     repository, anonymous gets 401 with the Basic challenge and an errors
//     array UNAUTHORIZED "authentication required", an account 403 DENIED
//     "requested access to the resource is denied".
//   - manifests (pkg/api/routes.go, CheckManifest and GetManifest): HEAD
//     and GET alike send Docker-Content-Digest, Content-Length and the
//     stored media type, whatever Accept says; 404 MANIFEST_UNKNOWN for a
//     tag it lacks. Images synced from another registry are stored as OCI
//     (pkg/extensions/sync/service.go converts unless preserveDigest), so
//     their digests are not the upstream's: zot serves what it stores.
type zotAuth struct {
	user, pass    string
	anonymousRead bool // the repository's anonymousPolicy holds read
	anyAnonymous  bool // another repository's anonymousPolicy holds read
	userRead      bool // the account's policy holds read
	store         *zooStore
}

func (z *zotAuth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	authFail := func() {
		w.Header().Set("WWW-Authenticate", `Basic realm="zot"`)
		writeJSON(w, http.StatusUnauthorized, map[string]any{"code": "UNAUTHORIZED", "message": "authentication required", "detail": nil})
	}
	user := ""
	if r.Header.Get("Authorization") != "" {
		u, p, ok := r.BasicAuth()
		if !ok || u != z.user || p != z.pass {
			authFail()
			return
		}
		user = u
	} else if !z.anonymousRead && !z.anyAnonymous {
		authFail()
		return
	}
	if r.URL.Path == "/v2/" {
		w.Header().Set("WWW-Authenticate", "basic realm=zot")
		w.WriteHeader(http.StatusOK)
		return
	}
	switch {
	case user == "" && !z.anonymousRead:
		w.Header().Set("WWW-Authenticate", `Basic realm="zot"`)
		writeErrors(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required", nil)
		return
	case user != "" && !z.userRead:
		w.Header().Set("WWW-Authenticate", `Basic realm="zot"`)
		writeErrors(w, http.StatusForbidden, "DENIED", "requested access to the resource is denied", nil)
		return
	}
	d, m, found := z.store.lookup(manifestRef(r))
	if !found {
		writeErrors(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown", map[string]string{"reference": manifestRef(r)})
		return
	}
	writeManifest(w, r, string(m.mediaType), d, m.body)
}

// zot: anonymous read and an account's read resolve the tag; a wrong
// password is refused as such; an account without read is told so in
// zot's own words, which only the GET carries.
func TestZooZotManifestAndAuth(t *testing.T) {
	const host = "zot.zoo.test"
	const user, pass = "ci", "zot-" + secret
	for _, tc := range []struct {
		name            string
		creds, wrong    bool
		anonRead, uRead bool
		anyAnon         bool // another repository is public
		want            []string
	}{
		{name: "anonymous-read", anonRead: true},
		{name: "account-read", creds: true, uRead: true},
		{name: "account-read-anonymous-read", creds: true, uRead: true, anonRead: true},
		{name: "wrong-password", creds: true, wrong: true, uRead: true,
			want: []string{"HTTP 401", "did not accept the credentials", "configured credentials for " + host}},
		{name: "account-without-read", creds: true, anonRead: true,
			want: []string{"HTTP 403", "do not grant pull access", `The registry said: "DENIED: requested access to the resource is denied".`}},
		{name: "anonymous-without-read", uRead: true,
			want: []string{"HTTP 401", "it requires some", "anonymous access"}},
		// Another repository is public, so the ping passes without
		// credentials (200): they are still sent, as go-containerregistry
		// sends Basic credentials on every request after a ping answered
		// 200; anonymous access is refused this repository.
		{name: "account-read-another-repository-public", creds: true, uRead: true, anyAnon: true},
		{name: "anonymous-another-repository-public", uRead: true, anyAnon: true,
			want: []string{"HTTP 401", "it requires some", "anonymous access"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			noDockerConfig(t)
			store, want, platforms := zooIndexStore()
			z := &zotAuth{user: user, pass: pass, anonymousRead: tc.anonRead, anyAnonymous: tc.anyAnon, userRead: tc.uRead, store: store}
			h := &hosts{handlers: map[string]http.Handler{host: noHeadBody(z)}}
			logs := &logRecorder{}
			cfg := Config{MaxRetries: 0, Logger: logs}
			if tc.creds {
				cfg.Credentials = login(host, user, pass, tc.wrong)
			}
			c := hostsClient(t, h, cfg)
			ref := repoOf(t, host+"/"+zooRepo)
			d, err := c.Head(context.Background(), ref, "3.1.15-python3.12")
			if tc.want == nil {
				checkResolved(t, c, h, ref, d, err, want, string(types.OCIImageIndex), platforms)
				return
			}
			if !IsUnauthorized(err) {
				t.Fatalf("Head gave %+v, %v; want an unauthorized error", d, err)
			}
			checkMessage(t, err, tc.want, logs, pass)
		})
	}
}

// nexusForceBasic is a Sonatype Nexus Docker repository with
// forceBasicAuth set, the default of a repository made through the REST
// API in 3.89.1 (sonatype/nexus-public#921): its /v2/ answers 401
// `BASIC realm="Sonatype Nexus Repository Manager"` (the scheme in
// capitals), whatever realms are active; the account's Basic credentials
// open it. A manifest HEAD is answered 404 where a GET serves the
// manifest (crazy-max/diun#1614, andrey-pohilko/registry-cli#43). The
// body of the 401 is this model's (none).
func nexusForceBasic(user, pass string, store *zooStore) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
			w.Header().Set("WWW-Authenticate", `BASIC realm="Sonatype Nexus Repository Manager"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Path == "/v2/" {
			w.WriteHeader(http.StatusOK)
			return
		}
		d, m, found := store.lookup(manifestRef(r))
		if !found || r.Method == http.MethodHead {
			writeErrors(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown", nil)
			return
		}
		writeManifest(w, r, string(m.mediaType), d, m.body)
	}
}

// Nexus with forceBasicAuth: the capitalised BASIC challenge is Basic
// auth; the account resolves the tag (by GET, its HEAD answering 404), and
// anonymous access is refused as such.
func TestZooNexusForceBasicAuth(t *testing.T) {
	const host = "nexus.zoo.test"
	const user, pass = "ci", "nexus-" + secret
	noDockerConfig(t)
	store, want, _ := zooIndexStore()
	h := &hosts{handlers: map[string]http.Handler{host: noHeadBody(nexusForceBasic(user, pass, store))}}
	ref := repoOf(t, host+"/"+zooRepo)
	c := hostsClient(t, h, Config{MaxRetries: 0, Credentials: []Credential{{Host: host, Username: user, Password: pass}}})
	if d, err := c.Head(context.Background(), ref, "3.1.15-python3.12"); err != nil || d.Digest != want {
		t.Errorf("with credentials: Head gave %+v, %v; want %s", d, err, want)
	}
	c = hostsClient(t, h, Config{MaxRetries: 0})
	_, err := c.Head(context.Background(), ref, "3.1.15-python3.12")
	if msg := fmt.Sprint(err); !IsUnauthorized(err) || !strings.Contains(msg, "it requires some") || !strings.Contains(msg, "anonymous access") {
		t.Errorf("anonymous: got %v; want a 401 saying credentials are required", err)
	}
}

// checkResolved checks that Head gave want (of mediaType, unless "") for
// the tag, and that the platforms read by that digest are platforms.
func checkResolved(t *testing.T, c *Client, h *hosts, ref Repository, d Descriptor, err error, want, mediaType string, platforms map[string]string) {
	t.Helper()
	if err != nil || d.Digest != want || (mediaType != "" && d.MediaType != mediaType) {
		t.Fatalf("Head gave %+v, %v; want %s\n%s", d, err, want, strings.Join(h.requests(), "\n"))
	}
	p, err := c.Platforms(context.Background(), ref, d.Digest)
	if err != nil || !maps.Equal(p.ByPlatform, platforms) {
		t.Errorf("Platforms gave %+v, %v; want %v", p, err, platforms)
	}
}

// login is the configured credentials of user for host: its password, or
// a wrong one.
func login(host, user, pass string, wrong bool) []Credential {
	if wrong {
		pass = "not-" + pass
	}
	return []Credential{{Host: host, Username: user, Password: pass}}
}
