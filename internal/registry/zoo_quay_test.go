package registry

import (
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// Quay (quay.io and Red Hat Quay) answers GET /v2/<name>/tags/list in two
// ways, by version, each read from quay/quay's source:
//
//   - 3.12.0 and later (e73d096b2, PROJQUAY-6931, June 2024; quay.io since,
//     deitch/docker_registry2#106): endpoints/v2/__init__.py
//     oci_tag_paginate and data/model/oci/tag.py lookup_alive_tags_shallow:
//     ORDER BY Tag.name and WHERE Tag.name > last, in the database's
//     collation; n defaults to 100 and is clamped to
//     max(V2_PAGINATION_SIZE, 100), never refused (5cef62db9 removed the 413
//     before v3.12.0); n=0 answers "tags": [] without a Link (e0573f923); a
//     Link only when a further tag exists, relative because os.path.join
//     drops the app URL before url_for's absolute path:
//     </v2/keycloak/keycloak/tags/list?n=100&last=23.0.4-0>; rel="next".
//   - 3.11 and earlier (and quay.io before mid-2024): the paginate
//     decorator: ORDER BY Tag.id (a moved tag is a new row, so push order,
//     re-pushed tags last: google/go-containerregistry#794 lists
//     master-6140 master-6147 … v0.5.1 v0.5.2 master-6274); n clamped to
//     [1, V2_PAGINATION_SIZE], 50 by default (config.py); the next page
//     linked by an encrypted next_page token (Fernet, two days' TTL) holding
//     a tag row id, and last read as such a token too, so a tag name is an
//     invalid token and answered from the start (regclient/regclient#272:
//     "--last … I get the very same contents"); Links seen relative,
//     </v2/coreos/etcd/tags/list?next_page=gAAAA…%3D&n=50>; rel="next"
//     (ivanilves/lstags#185, deitch/docker_registry2#56), and absolute in
//     2016 (TritonDataCenter/node-docker-registry-client#12).
//
// The database's collation decides the 3.12 order. SQLite (Quay's mirror
// registry) and a C or ICU-root collation sort these tags byte-wise;
// PostgreSQL initialised in en_US.UTF-8, which the sclorg image the Quay
// operator deploys does unless told otherwise (initdb_wrapper:
// LOCALE=${POSTGRESQL_LOCALE:-en_US}), sorts with glibc (collateEnUS),
// which ignores '.' and '-' at first: 3.1.0 < 3.10.0 < 3.1.1 < 3.1.10-python3.12 <
// 3.1.1-python3.10 < 3-latest. Which collation quay.io's own database has
// is not known here.

// quayRepo is the repository the Quay models serve.
const quayRepo = "prefecthq/prefect"

// quay312 is Quay 3.12 and later over sorted, kept in the order of
// collate, with V2_PAGINATION_SIZE maxPage (below 100 it is 100).
// refuseN is Quay as merged on 2024-06-13 (e73d096b2) and run on quay.io
// on 2024-06-21 until reverted (5cef62db9): an n above the maximum is
// refused, 413 TOO_MANY_TAGS_REQUESTED ("requested limit 1000 is too high,
// max is 100": google/go-containerregistry#1963, akuity/kargo#2186).
func quay312(collate func(a, b string) int, maxPage int, refuseN bool) func([]string) http.HandlerFunc {
	return func(sorted []string) http.HandlerFunc {
		order := slices.SortedFunc(slices.Values(sorted), collate)
		maxPage = max(maxPage, 100)
		return func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			n, err := strconv.Atoi(q.Get("n"))
			if err != nil { // request.args.get("n", 100, type=int): absent or no integer
				n = maxPage
			}
			if refuseN && n > maxPage {
				writeRegError(w, http.StatusRequestEntityTooLarge, "TOO_MANY_TAGS_REQUESTED",
					fmt.Sprintf("Too many tags requested; requested limit %d is too high, max is %d", n, maxPage))
				return
			}
			limit := max(min(n, maxPage), 0)
			start := 0
			if q.Has("last") {
				last := strings.TrimSpace(q.Get("last"))
				start, _ = slices.BinarySearchFunc(order, last, collate)
				if start < len(order) && collate(order[start], last) == 0 {
					start++
				}
			}
			tags := []string{}
			if limit > 0 {
				tags = order[start:min(start+limit, len(order))]
				if start+limit < len(order) {
					v := "n=" + strconv.Itoa(limit) + "&last=" + url.QueryEscape(tags[len(tags)-1])
					w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, v))
				}
			}
			writeJSON(w, http.StatusOK, map[string]any{"name": quayRepo, "tags": tags})
		}
	}
}

// pushOrder approximates the order of Quay's tag row ids, that is of the
// pushes: releases by version, then the tags that move with every release
// (3-latest, 3.8-python3.12, sha-…), re-pushed last.
func pushOrder(sorted []string) []string {
	version := func(t string) ([]int, bool) {
		v, _, _ := strings.Cut(t, "-")
		var out []int
		for f := range strings.FieldsFuncSeq(v, func(r rune) bool { return r < '0' || r > '9' }) {
			n, _ := strconv.Atoi(f)
			out = append(out, n)
		}
		return out, len(strings.Split(v, ".")) >= 3
	}
	return slices.SortedStableFunc(slices.Values(sorted), func(a, b string) int {
		va, ra := version(a)
		vb, rb := version(b)
		if ra != rb {
			if ra {
				return -1
			}
			return 1
		}
		return slices.Compare(va, vb)
	})
}

// quay311 is Quay 3.11 and earlier over sorted, in push order, with
// V2_PAGINATION_SIZE pageSize (50 by default).
func quay311(pageSize int) func([]string) http.HandlerFunc {
	return func(sorted []string) http.HandlerFunc {
		order := pushOrder(slices.Clone(sorted))
		// A token names the index of the first row of the next page
		// (start_id, Tag.id >= start_id); its bytes stand for Fernet's.
		token := func(i int) string {
			return "gAAAAA" + base64.URLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"start_id": %d}#hmac`, i)))
		}
		decrypt := func(s string) (int, bool) {
			b, err := base64.URLEncoding.DecodeString(strings.TrimPrefix(s, "gAAAAA"))
			i, err2 := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(string(b), `{"start_id": `), `}#hmac`))
			return i, err == nil && err2 == nil && token(i) == s && i <= len(order)
		}
		return func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			n := pageSize
			if s := q.Get("n"); s != "" {
				var err error
				if n, err = strconv.Atoi(s); err != nil {
					n = 0 // int() raised ValueError
				}
			}
			limit := max(min(n, pageSize), 1)
			tok := q.Get("last")
			if q.Has("next_page") {
				tok = q.Get("next_page")
			}
			start, ok := decrypt(tok)
			if !ok {
				start = 0 // decrypt_page_token gave None: from the start
			}
			stop := min(start+limit, len(order))
			if stop < len(order) {
				v := url.Values{"n": {strconv.Itoa(limit)}, "next_page": {token(stop)}}
				w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, v.Encode()))
			}
			writeJSON(w, http.StatusOK, map[string]any{"name": quayRepo, "tags": order[start:stop]})
		}
	}
}

// TestZooQuay reads every range from each Quay above, on the 13,512
// prefecthq/prefect tags.
func TestZooQuay(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	for _, tc := range []struct {
		name string
		h    func([]string) http.HandlerFunc
	}{
		{"quay-3.12-bytewise", quay312(strings.Compare, 100, false)},
		{"quay-3.12-postgres-en_US", quay312(collateEnUS, 100, false)},
		{"quay-3.12-postgres-en_US-pagination-500", quay312(collateEnUS, 500, false)},
		{"quay.io-2024-06-21-n-above-100-refused", quay312(strings.Compare, 100, true)},
		{"quay-3.11", quay311(50)},
		{"quay-3.11-pagination-100", quay311(100)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runZoo(t, tc.h(sorted), quayRepo, sorted, true)
		})
	}
}

// quayRegistry is a Quay host's registry and token endpoint, as
// endpoints/v2/__init__.py, v2auth.py and auth/registry_jwt_auth.py answer
// (quay/quay at v3.16.0): the ping GET /v2/ answers an anonymous client
// 401 with the body "true" and `Bearer realm="https://<host>/v2/auth",
// service="<host>"`; the token endpoint is GET only (no OAuth POST), takes
// Basic credentials (robots are "org+name"), refuses wrong ones 401
// UNAUTHORIZED "Specified credentials are invalid", refuses an anonymous
// request without scope, and otherwise issues {"token": …} alone (no
// expires_in; an hour's JWT), granting pull on a public repository to
// anyone and on a private one to its readers: for a repository or
// namespace that does not exist, a token that grants nothing. A tag list
// the token does not open is 401 UNAUTHORIZED "access to the requested
// resource is not authorized" with the challenge and
// scope="repository:<name>:pull" (no error= parameter). repos maps each
// repository to its tags; private ones are read by user only.
func quayRegistry(host, user, pass string, public map[string]bool, repos map[string][]string) http.HandlerFunc {
	var mu sync.Mutex
	grants := map[string]string{} // token -> repository it opens ("" none)
	challenge := fmt.Sprintf(`Bearer realm="https://%s/v2/auth",service="%s"`, host, host)
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
		switch {
		case r.URL.Path == "/v2/":
			w.Header().Set("WWW-Authenticate", challenge)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte("true"))
		case r.URL.Path == "/v2/auth" && r.Method != http.MethodGet:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusMethodNotAllowed)
			_, _ = w.Write([]byte("<!doctype html><title>405 Method Not Allowed</title>"))
		case r.URL.Path == "/v2/auth":
			u, p, authed := r.BasicAuth()
			scope := r.URL.Query().Get("scope")
			if (authed && (u != user || p != pass)) || (!authed && scope == "") {
				w.Header().Set("WWW-Authenticate", challenge)
				writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "Specified credentials are invalid")
				return
			}
			name := strings.TrimSuffix(strings.TrimPrefix(scope, "repository:"), ":pull")
			if _, ok := repos[name]; !ok || (!public[name] && !authed) {
				name = ""
			}
			mu.Lock()
			tok := fmt.Sprintf("eyJhbGciOiJSUzI1NiJ9.quay-%d", len(grants))
			grants[tok] = name
			mu.Unlock()
			writeJSON(w, http.StatusOK, map[string]string{"token": tok})
		default:
			name := strings.TrimPrefix(r.URL.Path, "/v2/")
			name, _, _ = strings.Cut(name, "/tags/list")
			tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			mu.Lock()
			granted, issued := grants[tok]
			mu.Unlock()
			if !issued || granted != name {
				w.Header().Set("WWW-Authenticate", challenge+fmt.Sprintf(`,scope="repository:%s:pull"`, name))
				writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "access to the requested resource is not authorized")
				return
			}
			quay312(strings.Compare, 100, false)(repos[name])(w, r)
		}
	}
}

// Quay's handshake, anonymous and with a robot account: public and private
// repositories are listed (an empty one as no tags), and a repository that
// does not exist, whose token grants nothing, or a wrong robot token, is
// an error that says which.
func TestZooQuayAuth(t *testing.T) {
	const host = "quay.zoo.test"
	const robot, robotToken = "acme+ci", "QUAY-R0BOT-" + secret
	tags := slices.Sorted(slices.Values(tagcatalog.Prefect()))[:250]
	repos := map[string][]string{"acme/prefect": tags, "acme/private": tags, "acme/empty": {}}
	public := map[string]bool{"acme/prefect": true, "acme/empty": true}
	robotCfg := Config{Credentials: []Credential{{Host: host, Username: robot, Password: robotToken}}}
	wrongCfg := Config{Credentials: []Credential{{Host: host, Username: robot, Password: "not-" + robotToken}}}
	for _, tc := range []struct {
		name, repo string
		cfg        Config
		want       []string // nil: the tags
		mustNot    string
	}{
		{"anonymous-public", "acme/prefect", Config{}, nil, ""},
		{"anonymous-empty", "acme/empty", Config{}, nil, ""},
		{"robot-private", "acme/private", robotCfg, nil, ""},
		{"anonymous-private", "acme/private", Config{}, []string{"HTTP 401", "does not exist", "anonymous access"}, "did not accept"},
		{"anonymous-missing", "acme/prefekt", Config{}, []string{"HTTP 401", "does not exist", "acme/prefekt"}, "did not accept"},
		{"robot-wrong-token", "acme/private", wrongCfg, []string{"HTTP 401", "did not accept the credentials"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &hosts{handlers: map[string]http.Handler{host: quayRegistry(host, robot, robotToken, public, repos)}}
			logs := &logRecorder{}
			tc.cfg.Logger, tc.cfg.MaxRetries = logs, 0
			c := hostsClient(t, h, tc.cfg)
			got, err := c.ListTags(context.Background(), repoOf(t, host+"/"+tc.repo))
			if tc.want == nil {
				if err != nil || !slices.Equal(got, repos[tc.repo]) {
					t.Fatalf("got %d tags, %v; want %d\n%s", len(got), err, len(repos[tc.repo]), strings.Join(h.requests(), "\n"))
				}
				return
			}
			if !IsUnauthorized(err) {
				t.Fatalf("got %v; want an unauthorized error", err)
			}
			checkMessage(t, err, tc.want, logs, robotToken)
			if tc.mustNot != "" && strings.Contains(err.Error(), tc.mustNot) {
				t.Errorf("the message says %q: %s", tc.mustNot, err)
			}
		})
	}
}

// quayManifests answers manifests as Quay's endpoints/v2/manifest.py does
// (v3.16.0): GET routes only, whose HEAD Flask answers with the GET's
// headers; by digest, the manifest as stored; by tag, as stored when its
// type is among the Accept header's types (werkzeug's accept_mimetypes,
// which reads comma lists and repeated lines alike), else a conversion
// for the client's types (none here) or, "for back-compat", the schema 1
// manifest of its linux/amd64 image, whose digest Docker-Content-Digest
// then names (_rewrite_schema_if_necessary).
func quayManifests(s *zooStore) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.serveBlob(w, r) {
			return
		}
		ref := manifestRef(r)
		d, m, ok := s.lookup(ref)
		if !ok {
			writeRegError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown")
			return
		}
		var accepted []string
		for _, line := range r.Header.Values("Accept") {
			for mt := range strings.SplitSeq(line, ",") {
				mt, _, _ = strings.Cut(mt, ";")
				accepted = append(accepted, strings.TrimSpace(mt))
			}
		}
		if !strings.Contains(ref, ":") && !slices.Contains(accepted, string(m.mediaType)) {
			cd, body := schema1Of(ref, "linux/amd64")
			writeManifest(w, r, schema1Type, cd, body)
			return
		}
		writeManifest(w, r, string(m.mediaType), d, m.body)
	}
}

// Each manifest type Quay stores resolves to its own digest, never to the
// schema 1 fallback, and gives its platforms.
func TestZooQuayManifests(t *testing.T) {
	s := newZooStore()
	want := map[string]map[string]string{} // tag -> platforms
	digests := map[string]string{}
	for _, tc := range []struct {
		tag         string
		image, list types.MediaType
	}{
		{"3.8.3-python3.12", types.OCIManifestSchema1, types.OCIImageIndex},
		{"2.20.25-python3.11", types.DockerManifestSchema2, types.DockerManifestList},
		{"3.1.15-python3.12", types.OCIManifestSchema1, ""},
		{"2.10.0-python3.10", types.DockerManifestSchema2, ""},
	} {
		amd, amdBody := s.image(tc.image, "linux/amd64", true)
		digests[tc.tag], want[tc.tag] = amd, map[string]string{"linux/amd64": amd}
		if tc.list != "" {
			arm, armBody := s.image(tc.image, "linux/arm64", true)
			digests[tc.tag], _ = s.index(tc.list, true,
				entry(tc.image, amd, len(amdBody), "linux/amd64", nil),
				entry(tc.image, arm, len(armBody), "linux/arm64", nil))
			want[tc.tag]["linux/arm64"] = arm
		}
		s.tag(tc.tag, digests[tc.tag])
	}
	c, ref := zooClient(t, quayManifests(s), quayRepo)
	for tag, platforms := range want {
		d, err := c.Head(context.Background(), ref, tag)
		if err != nil || d.Digest != digests[tag] {
			t.Errorf("%s: Head gave %+v, %v; want %s", tag, d, err, digests[tag])
			continue
		}
		p, err := c.Platforms(context.Background(), ref, d.Digest)
		if err != nil || !maps.Equal(p.ByPlatform, platforms) {
			t.Errorf("%s: Platforms gave %+v, %v; want %v", tag, p, err, platforms)
		}
	}
}

// Quay 3.11 links a next page only while a tag remains, so a list of a
// multiple of its page size ends on a full page without Link; it takes a
// last that is a tag for a page token it cannot read, and answers from its
// start. The end is seen by asking that page again one name shorter: its
// Link then leads to a page that is not full (found by the shared-client
// differential test, redteam8).
func TestZooQuayListEndsOnFullPage(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	for _, tc := range []struct {
		name string
		size int
		h    func([]string) http.HandlerFunc
	}{
		{"quay-3.11-13500-tags", 13500, quay311(50)},
		{"quay-3.11-pagination-100-13500-tags", 13500, quay311(100)},
		{"quay-3.11-50-tags", 50, quay311(50)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			some := sorted[:tc.size]
			runZoo(t, tc.h(some), quayRepo, some, true)
		})
	}
}
