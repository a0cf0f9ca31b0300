package registry

import (
	"context"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// A zoo of real registries' manifest answers (HEAD and GET), each served as
// its source or its users' reports show it, for what the tag list zoo
// (zoo_test.go) leaves out. The property: Head gives the digest the tag
// points at, and Platforms the platforms of that manifest, or a clear
// error; never another digest, never another platform list.

const (
	zooRepo      = "prefecthq/prefect"
	schema1Type  = "application/vnd.docker.distribution.manifest.v1+prettyjws"
	sociV2Type   = "application/vnd.amazon.soci.index.v2+json"
	attestations = "attestation-manifest"
)

// zooStore is one repository's manifests (by digest, with their media
// type), tags and blobs, as a registry stores them.
type zooStore struct {
	mu        sync.Mutex
	manifests map[string]zooManifest
	tags      map[string]string
	blobs     map[string][]byte
}

type zooManifest struct {
	mediaType types.MediaType
	body      []byte
}

func newZooStore() *zooStore {
	return &zooStore{manifests: map[string]zooManifest{}, tags: map[string]string{}, blobs: map[string][]byte{}}
}

func (s *zooStore) put(mt types.MediaType, body []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := sha(body)
	s.manifests[d] = zooManifest{mt, body}
	return d
}

func (s *zooStore) tag(tag, digest string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tags[tag] = digest
}

// image stores a config blob and an image manifest of type mt for
// os/arch[/variant] (withType false leaves the manifest's own mediaType
// field out, as image-spec v1.0 allows) and returns its digest and body.
func (s *zooStore) image(mt types.MediaType, platform string, withType bool) (string, []byte) {
	parts := strings.Split(platform, "/")
	cfg := map[string]any{"os": parts[0], "architecture": parts[1], "rootfs": map[string]any{"type": "layers", "diff_ids": []string{}}}
	if len(parts) == 3 {
		cfg["variant"] = parts[2]
	}
	cb, _ := json.Marshal(cfg)
	s.mu.Lock()
	s.blobs[sha(cb)] = cb
	s.mu.Unlock()
	cfgType, layerType := types.DockerConfigJSON, types.DockerLayer
	if mt == types.OCIManifestSchema1 {
		cfgType, layerType = types.OCIConfigJSON, types.OCILayer
	}
	m := map[string]any{
		"schemaVersion": 2,
		"config":        map[string]any{"mediaType": cfgType, "size": len(cb), "digest": sha(cb)},
		"layers":        []map[string]any{{"mediaType": layerType, "size": 1, "digest": sha([]byte(platform))}},
	}
	if withType {
		m["mediaType"] = mt
	}
	b, _ := json.Marshal(m)
	return s.put(mt, b), b
}

// entry is an index descriptor of the manifest d.
func entry(mt types.MediaType, d string, size int, platform string, extra map[string]any) map[string]any {
	e := map[string]any{"mediaType": mt, "digest": d, "size": size}
	if platform != "" {
		parts := strings.Split(platform, "/")
		p := map[string]any{"os": parts[0], "architecture": parts[1]}
		if len(parts) == 3 {
			p["variant"] = parts[2]
		}
		e["platform"] = p
	}
	maps.Copy(e, extra)
	return e
}

// index stores an index of type mt (withType: with its own mediaType field)
// over entries and returns its digest and body.
func (s *zooStore) index(mt types.MediaType, withType bool, entries ...map[string]any) (string, []byte) {
	m := map[string]any{"schemaVersion": 2, "manifests": entries}
	if withType {
		m["mediaType"] = mt
	}
	b, _ := json.Marshal(m)
	return s.put(mt, b), b
}

// lookup finds a manifest by tag or digest.
func (s *zooStore) lookup(ref string) (string, zooManifest, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := ref
	if !strings.Contains(ref, ":") {
		var ok bool
		if d, ok = s.tags[ref]; !ok {
			return "", zooManifest{}, false
		}
	}
	m, ok := s.manifests[d]
	return d, m, ok
}

// serveBlob answers a blob request from the store; false when r is none.
func (s *zooStore) serveBlob(w http.ResponseWriter, r *http.Request) bool {
	_, d, ok := strings.Cut(r.URL.Path, "/blobs/")
	if !ok {
		return false
	}
	s.mu.Lock()
	b, found := s.blobs[d]
	s.mu.Unlock()
	if !found {
		writeRegError(w, http.StatusNotFound, "BLOB_UNKNOWN", "blob unknown to registry")
		return true
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Docker-Content-Digest", d)
	_, _ = w.Write(b)
	return true
}

// manifestRef is the reference of a manifest request, "" for another
// request.
func manifestRef(r *http.Request) string {
	_, ref, ok := strings.Cut(r.URL.Path, "/manifests/")
	if !ok {
		return ""
	}
	return ref
}

// writeManifest answers with a manifest's headers, and its body unless r is
// a HEAD; digest "" sends no Docker-Content-Digest.
func writeManifest(w http.ResponseWriter, r *http.Request, contentType, digest string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	if digest != "" {
		w.Header().Set("Docker-Content-Digest", digest)
		w.Header().Set("Etag", `"`+digest+`"`)
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// serve answers from the store as a plain registry does: blobs, and
// manifests by tag or digest with their own type and digest; onGet (nil for
// none) is told the reference of every manifest GET.
func (s *zooStore) serve(onGet func(ref string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.serveBlob(w, r) {
			return
		}
		d, m, ok := s.lookup(manifestRef(r))
		if !ok {
			writeRegError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown")
			return
		}
		if r.Method == http.MethodGet && onGet != nil {
			onGet(manifestRef(r))
		}
		writeManifest(w, r, string(m.mediaType), d, m.body)
	}
}

// schema1Of is the signed schema 1 manifest a registry makes of an image
// by tag for a client that did not ask for schema 2: its digest, of the
// payload without signatures (what Docker-Content-Digest names), and the
// signed body it sends, which hashes to something else. The conversion is
// made per request and stored nowhere, so the digest cannot be fetched.
func schema1Of(tag, platform string) (string, []byte) {
	arch := strings.Split(platform, "/")[1]
	canonical := fmt.Sprintf(`{"schemaVersion":1,"name":%q,"tag":%q,"architecture":%q,"fsLayers":[{"blobSum":%q}],"history":[{"v1Compatibility":"{}"}]}`,
		zooRepo, tag, arch, sha([]byte(platform)))
	signed := strings.TrimSuffix(canonical, "}") + `,"signatures":[{"header":{"alg":"ES256"},"signature":"c2ln","protected":"cHJvdA"}]}`
	return sha([]byte(canonical)), []byte(signed)
}

// distribution24 is CNCF distribution v2.4.x (registry:2.3 and 2.4, 2016),
// registry/handlers/images.go at v2.4.0, GetImageManifest for GET and HEAD
// alike: each Accept header line is compared whole with the schema 2 and
// manifest list types (v2.5.0 split them on commas, 8907f7d "Update Accept
// header parsing for list values"). By tag, a schema 2 manifest for a
// client that did not name schema 2 is converted to schema 1, and a
// manifest list for one that did not name the list is replaced by its
// linux/amd64 manifest (converted as well); Docker-Content-Digest then
// names the conversion. By digest, nothing is converted. It knows no OCI
// types. Docker's own client sends one Accept line per type
// (registry/client/repository.go), so it never met this; a client that
// joins the types with commas, as containerd does, got schema 1: the
// manifest digest that containerd#2840 could not fetch, and the reason
// containerd#5632 (Harbor 1.1) and #4397 could not pull. OpenShift 3's
// integrated registry (isSchema2Supported) and Pulp 3 before
// pulp_docker#391 compare Accept lines whole too.
func distribution24(s *zooStore, amd64 map[string]string) http.HandlerFunc {
	// amd64 maps a list's digest to its linux/amd64 entry's; every image
	// here is linux/amd64's or arm64's, and a conversion is made of amd64.
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
		supportsSchema2, supportsList := false, false
		for _, mt := range r.Header["Accept"] {
			supportsSchema2 = supportsSchema2 || mt == string(types.DockerManifestSchema2)
			supportsList = supportsList || mt == string(types.DockerManifestList)
		}
		byTag := !strings.Contains(ref, ":")
		switch {
		case byTag && m.mediaType == types.DockerManifestSchema2 && !supportsSchema2:
			cd, body := schema1Of(ref, "linux/amd64")
			writeManifest(w, r, schema1Type, cd, body)
		case byTag && m.mediaType == types.DockerManifestList && !supportsList:
			md := amd64[d]
			if !supportsSchema2 {
				cd, body := schema1Of(ref, "linux/amd64")
				writeManifest(w, r, schema1Type, cd, body)
				return
			}
			_, mm, _ := s.lookup(md)
			writeManifest(w, r, string(mm.mediaType), md, mm.body)
		default:
			writeManifest(w, r, string(m.mediaType), d, m.body)
		}
	}
}

// A registry that reads each Accept line whole (distribution 2.4 and its
// kin, above): the tag resolves to the manifest list or schema 2 manifest
// it holds, never to the schema 1 conversion made for a client whose
// Accept it did not understand, and the list's platforms are read.
func TestZooManifestAcceptLinesReadWhole(t *testing.T) {
	s := newZooStore()
	amd, amdBody := s.image(types.DockerManifestSchema2, "linux/amd64", true)
	arm, armBody := s.image(types.DockerManifestSchema2, "linux/arm64/v8", true)
	list, _ := s.index(types.DockerManifestList, true,
		entry(types.DockerManifestSchema2, amd, len(amdBody), "linux/amd64", nil),
		entry(types.DockerManifestSchema2, arm, len(armBody), "linux/arm64/v8", nil))
	s.tag("3.1.15-python3.12", list)
	single, _ := s.image(types.DockerManifestSchema2, "linux/amd64", true)
	s.tag("1.4.1-python3.7", single)
	h := distribution24(s, map[string]string{list: amd})

	for _, tc := range []struct {
		tag, digest string
		platforms   map[string]string
	}{
		{"3.1.15-python3.12", list, map[string]string{"linux/amd64": amd, "linux/arm64/v8": arm}},
		{"1.4.1-python3.7", single, map[string]string{"linux/amd64": single}},
	} {
		c, ref := zooClient(t, h, zooRepo)
		d, err := c.Head(context.Background(), ref, tc.tag)
		if err != nil || d.Digest != tc.digest {
			conv, _ := schema1Of(tc.tag, "linux/amd64")
			t.Errorf("%s: Head gave %+v, %v; want %s (the schema 1 conversion is %s)", tc.tag, d, err, tc.digest, conv)
			continue
		}
		p, err := c.Platforms(context.Background(), ref, d.Digest)
		if err != nil || p.Digest != tc.digest || !maps.Equal(p.ByPlatform, tc.platforms) {
			t.Errorf("%s: Platforms gave %+v, %v; want %v", tc.tag, p, err, tc.platforms)
		}
	}
}

// A registry that answers a tag with a schema 1 manifest whatever it is
// asked: a genuine schema 1 image, or the fallback of Docker Hub and
// Quay.io for a client whose Accept does not name the type stored
// (Deepomatic/dmake#548, eclipse-che/che-plugin-registry#2082, whose
// digest then 404s). The provider asks for no schema 1 type and reads no
// schema 1 manifest, so the HEAD's digest is never pinned: Head fails as
// Platforms does, naming schema 1, with or without Docker-Content-Digest.
func TestZooManifestSchema1NeverPinned(t *testing.T) {
	conv, signed := schema1Of("0.15.13", "linux/amd64")
	for _, withDigest := range []bool{true, false} {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch ref := manifestRef(r); {
			case ref == "0.15.13" && withDigest:
				writeManifest(w, r, schema1Type, conv, signed)
			case ref == "0.15.13":
				writeManifest(w, r, schema1Type, "", signed)
			default:
				writeRegError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown")
			}
		})
		c, ref := zooClient(t, h, zooRepo)
		d, err := c.Head(context.Background(), ref, "0.15.13")
		if err == nil || !strings.Contains(err.Error(), "schema 1") {
			t.Errorf("Docker-Content-Digest sent %v: Head gave %+v, %v; want an error naming schema 1", withDigest, d, err)
		}
		if _, err := c.Platforms(context.Background(), ref, "0.15.13"); err == nil || !strings.Contains(err.Error(), "schema 1") {
			t.Errorf("Docker-Content-Digest sent %v: Platforms gave %v; want an error naming schema 1", withDigest, err)
		}
	}
}

// Registries whose Content-Type names no manifest type: Artifactory 7.41
// answers a HEAD with application/octet-stream and no
// Docker-Content-Digest (deitch/docker_registry2#83), Katello's registry
// with application/json; charset=utf-8 (Katello#8070); image-spec v1.0
// leaves an index's and a manifest's own mediaType field out ("reserved").
// The body says what it is: the digest is the tag's, the platforms those of
// the index or of the image's config.
func TestZooManifestGenericContentType(t *testing.T) {
	for _, tc := range []struct {
		name         string
		contentType  string
		headDigest   bool // HEAD sends Docker-Content-Digest
		getDigest    bool // GET sends it
		withType     bool // the manifests carry their mediaType field
		index, dList bool // an index (else one image); a Docker list (else OCI)
	}{
		{"artifactory octet-stream", "application/octet-stream", false, true, true, true, false},
		{"katello json charset", "application/json; charset=utf-8", true, true, true, true, true},
		{"oci 1.0 index without mediaType", "application/json", false, false, false, true, false},
		{"oci 1.0 manifest without mediaType", "application/octet-stream", false, false, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newZooStore()
			mt, it := types.OCIManifestSchema1, types.OCIImageIndex
			if tc.dList {
				mt, it = types.DockerManifestSchema2, types.DockerManifestList
			}
			amd, amdBody := s.image(mt, "linux/amd64", tc.withType)
			want, platforms := amd, map[string]string{"linux/amd64": amd}
			if tc.index {
				arm, armBody := s.image(mt, "linux/arm64", tc.withType)
				want, _ = s.index(it, tc.withType,
					entry(mt, amd, len(amdBody), "linux/amd64", nil),
					entry(mt, arm, len(armBody), "linux/arm64", nil))
				platforms["linux/arm64"] = arm
			}
			s.tag("3-latest", want)
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if s.serveBlob(w, r) {
					return
				}
				d, m, ok := s.lookup(manifestRef(r))
				if !ok {
					writeRegError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown")
					return
				}
				if (r.Method == http.MethodHead && !tc.headDigest) || (r.Method == http.MethodGet && !tc.getDigest) {
					d = ""
				}
				writeManifest(w, r, tc.contentType, d, m.body)
			})
			c, ref := zooClient(t, h, zooRepo)
			d, err := c.Head(context.Background(), ref, "3-latest")
			if err != nil || d.Digest != want {
				t.Fatalf("Head gave %+v, %v; want %s", d, err, want)
			}
			p, err := c.Platforms(context.Background(), ref, d.Digest)
			if err != nil || p.Digest != want || !maps.Equal(p.ByPlatform, platforms) {
				t.Errorf("Platforms gave %+v, %v; want %v", p, err, platforms)
			}
		})
	}
}

// What an index holds besides images. BuildKit's attestation manifests
// (unknown/unknown, annotated vnd.docker.reference.type); the SOCI index
// manifests v2 that `soci convert` (awslabs/soci-snapshotter
// soci/soci_convert.go, addSociIndexes) appends, one per platform, with
// that image's very platform and artifactType
// application/vnd.amazon.soci.index.v2+json; and an index's own
// annotations and artifactType. Each platform is the image's manifest,
// never the SOCI index or the attestation.
func TestZooManifestIndexWithAttestationsAndSOCI(t *testing.T) {
	s := newZooStore()
	mt := types.OCIManifestSchema1
	amd, amdBody := s.image(mt, "linux/amd64", true)
	arm, armBody := s.image(mt, "linux/arm64", true)
	att, attBody := s.image(mt, "unknown/unknown", true)
	soci := func(image string) (string, []byte) {
		// A SOCI index manifest v2: an OCI manifest with an empty config
		// and the image's zTOCs as layers.
		b, _ := json.Marshal(map[string]any{
			"schemaVersion": 2, "mediaType": mt, "artifactType": sociV2Type,
			"config": map[string]any{"mediaType": "application/vnd.oci.empty.v1+json", "digest": sha([]byte("{}")), "size": 2},
			"layers": []map[string]any{{"mediaType": "application/octet-stream", "digest": sha([]byte("ztoc of " + image)), "size": 1,
				"annotations": map[string]string{"com.amazon.soci.image-layer-digest": sha([]byte(image))}}},
		})
		return s.put(mt, b), b
	}
	sociAmd, sociAmdBody := soci(amd)
	sociArm, sociArmBody := soci(arm)
	images := []map[string]any{
		entry(mt, amd, len(amdBody), "linux/amd64", map[string]any{"annotations": map[string]string{"com.amazon.soci.index-digest": sociAmd}}),
		entry(mt, arm, len(armBody), "linux/arm64", map[string]any{"annotations": map[string]string{"com.amazon.soci.index-digest": sociArm}}),
		entry(mt, att, len(attBody), "unknown/unknown", map[string]any{"annotations": map[string]string{
			"vnd.docker.reference.digest": amd, "vnd.docker.reference.type": attestations}}),
	}
	artifacts := []map[string]any{
		entry(mt, sociAmd, len(sociAmdBody), "linux/amd64", map[string]any{"artifactType": sociV2Type,
			"annotations": map[string]string{"com.amazon.soci.image-manifest-digest": amd}}),
		entry(mt, sociArm, len(sociArmBody), "linux/arm64", map[string]any{"artifactType": sociV2Type,
			"annotations": map[string]string{"com.amazon.soci.image-manifest-digest": arm}}),
	}
	// soci convert appends its entries; a tool that put them first must
	// not make them the platforms' manifests.
	idx, _ := s.index(types.OCIImageIndex, true, append(slices.Clone(images), artifacts...)...)
	artifactsFirst, _ := s.index(types.OCIImageIndex, true, append(slices.Clone(artifacts), images...)...)
	s.tag("3-latest", idx)
	s.tag("3-artifacts-first", artifactsFirst)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, m, ok := s.lookup(manifestRef(r))
		if !ok {
			writeRegError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown")
			return
		}
		writeManifest(w, r, string(m.mediaType), d, m.body)
	})
	c, ref := zooClient(t, h, zooRepo)
	d, err := c.Head(context.Background(), ref, "3-latest")
	if err != nil || d.Digest != idx {
		t.Fatalf("Head gave %+v, %v; want %s", d, err, idx)
	}
	for _, tag := range []string{"3-latest", "3-artifacts-first"} {
		p, err := c.Platforms(context.Background(), ref, tag)
		if want := map[string]string{"linux/amd64": amd, "linux/arm64": arm}; err != nil || !maps.Equal(p.ByPlatform, want) {
			t.Errorf("%s: Platforms gave %+v, %v; want %v (SOCI indexes %s, %s; attestation %s)", tag, p, err, want, sociAmd, sociArm, att)
		}
		// The attestation and the two SOCI indexes stand for no platform.
		if p.NotImages != 3 {
			t.Errorf("%s: NotImages = %d, want 3", tag, p.NotImages)
		}
	}
}

// ECR and Docker Hub serve blobs by redirecting to a presigned URL on
// another host (S3, CloudFront, Cloudflare), which refuses a request that
// also carries an Authorization header: "Only one auth mechanism allowed"
// (open-policy-agent/opa#6580 for ECR, whose credentials are Basic;
// renovatebot/renovate#3877). A single manifest's config blob is read
// there without the registry's credentials, and gives its platform.
func TestZooManifestConfigBlobOnPresignedStore(t *testing.T) {
	noDockerConfig(t)
	for _, auth := range []fakeOption{withBasic("AWS", "ecr-t0ken-p4ss"), withBearer("u", "hub-p4ss")} {
		var mu sync.Mutex
		var storeAuth []string
		var f *fake
		store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			storeAuth = append(storeAuth, r.Header.Get("Authorization"))
			mu.Unlock()
			if r.Header.Get("Authorization") != "" || r.URL.Query().Get("X-Amz-Algorithm") == "" {
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>`)
				return
			}
			rec := f.direct(http.MethodGet, r.URL.Path, "", nil)
			w.Header().Set("Content-Type", "application/octet-stream")
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
		}))
		t.Cleanup(store.Close)
		f = newFake(t, auth, withHook(func(w http.ResponseWriter, r *http.Request) bool {
			if f.kind(r) != "blob" || r.Header.Get("Authorization") == "" {
				return false
			}
			q := url.Values{"X-Amz-Algorithm": {"AWS4-HMAC-SHA256"}, "X-Amz-Signature": {"5ig"}}
			http.Redirect(w, r, store.URL+r.URL.Path+"?"+q.Encode(), http.StatusTemporaryRedirect)
			return true
		}))
		_, digest := f.pushImage(zooRepo, "2.20.21-python3.10", "linux/amd64")
		c := newTestClient(t, Config{MaxRetries: 0, Credentials: []Credential{{Host: f.host, Username: f.user, Password: f.pass}}})
		p, err := c.Platforms(context.Background(), repoOf(t, f.repo(zooRepo)), digest)
		if want := map[string]string{"linux/amd64": digest}; err != nil || !maps.Equal(p.ByPlatform, want) {
			t.Errorf("basic %v: Platforms gave %+v, %v; want %v", f.basic, p, err, want)
		}
		mu.Lock()
		if len(storeAuth) != 1 || storeAuth[0] != "" {
			t.Errorf("basic %v: the store saw Authorization %q; want one request without it", f.basic, storeAuth)
		}
		mu.Unlock()
	}
}

// Docker-Content-Digest spelled otherwise: a sha512 digest (zot and
// distribution 3 can hold them) is the tag's digest, and the manifest GET
// by it is checked with sha512; upper-case hex, which image-spec's digest
// grammar for sha256 and sha512 does not allow and which no manifest
// reference would match, is an error, never a pin.
func TestZooManifestDigestHeaderSpellings(t *testing.T) {
	s := newZooStore()
	amd, amdBody := s.image(types.OCIManifestSchema1, "linux/amd64", true)
	_, idxBody := s.index(types.OCIImageIndex, true, entry(types.OCIManifestSchema1, amd, len(amdBody), "linux/amd64", nil))
	sum := sha512.Sum512(idxBody)
	d512 := "sha512:" + hex.EncodeToString(sum[:])
	upper := "sha256:" + strings.ToUpper(strings.TrimPrefix(sha(idxBody), "sha256:"))
	for _, tc := range []struct {
		header string
		ok     bool
	}{{d512, true}, {upper, false}} {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch ref := manifestRef(r); ref {
			case "3-latest", d512:
				writeManifest(w, r, string(types.OCIImageIndex), tc.header, idxBody)
			default:
				writeRegError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown")
			}
		})
		c, ref := zooClient(t, h, zooRepo)
		d, err := c.Head(context.Background(), ref, "3-latest")
		if !tc.ok {
			if err == nil || !strings.Contains(err.Error(), "invalid Docker-Content-Digest") {
				t.Errorf("%s: Head gave %+v, %v; want an error naming the invalid digest", tc.header, d, err)
			}
			continue
		}
		if err != nil || d.Digest != d512 {
			t.Fatalf("%s: Head gave %+v, %v", tc.header, d, err)
		}
		p, err := c.Platforms(context.Background(), ref, d.Digest)
		if want := map[string]string{"linux/amd64": amd}; err != nil || p.Digest != d512 || !maps.Equal(p.ByPlatform, want) {
			t.Errorf("%s: Platforms gave %+v, %v; want %v", tc.header, p, err, want)
		}
	}
}

// An index whose platform entries are themselves indexes, each an image and
// its attestation: ghcr.io/goauthentik/server:2026.8.0, BuildKit's
// per-platform indexes merged into one (CodesWhat/drydock#814, "the
// linux/amd64 OCI index: actual image manifest, attestation manifest").
// The platform's digest is its image manifest's, not the nested index's,
// and an image entry that says no platform of its own has its index
// entry's. Each nested index is read by digest and verified.
func TestZooManifestNestedIndex(t *testing.T) {
	s := newZooStore()
	mt, it := types.OCIManifestSchema1, types.OCIImageIndex
	// perPlatform stores a platform's image, its attestation and the
	// index of both; inner is the platform the image entry says.
	perPlatform := func(platform, inner string) (img, sub string, subSize int) {
		img, imgBody := s.image(mt, platform, true)
		att, attBody := s.image(mt, "unknown/unknown", true)
		sub, subBody := s.index(it, true,
			entry(mt, img, len(imgBody), inner, nil),
			entry(mt, att, len(attBody), "unknown/unknown", map[string]any{"annotations": map[string]string{
				"vnd.docker.reference.type": attestations, "vnd.docker.reference.digest": img,
			}}))
		return img, sub, len(subBody)
	}
	amd, amdSub, amdSize := perPlatform("linux/amd64", "linux/amd64")
	arm, armSub, armSize := perPlatform("linux/arm64", "") // the image entry says no platform
	s390, s390Sub, s390Size := perPlatform("linux/s390x", "linux/s390x")
	top, _ := s.index(it, true,
		entry(it, amdSub, amdSize, "linux/amd64", nil),
		entry(it, armSub, armSize, "linux/arm64", nil),
		entry(it, s390Sub, s390Size, "", nil)) // the index entry says no platform
	s.tag("2026.8.0", top)
	var gets []string
	var mu sync.Mutex
	h := s.serve(func(ref string) {
		mu.Lock()
		gets = append(gets, ref)
		mu.Unlock()
	})
	c, ref := zooClient(t, h, "goauthentik/server")
	d, err := c.Head(context.Background(), ref, "2026.8.0")
	if err != nil || d.Digest != top {
		t.Fatalf("Head gave %+v, %v; want %s", d, err, top)
	}
	p, err := c.Platforms(context.Background(), ref, d.Digest)
	want := map[string]string{"linux/amd64": amd, "linux/arm64": arm, "linux/s390x": s390}
	if err != nil || p.Digest != top || !maps.Equal(p.ByPlatform, want) {
		t.Errorf("Platforms gave %+v, %v; want %v (the nested indexes are %s and %s)", p, err, want, amdSub, armSub)
	}
	if len(gets) != 4 {
		t.Errorf("manifest GETs %v, want the index and its three nested indexes", gets)
	}
}

// A hostile index that nests indexes without end, or very many of them, is
// refused with a bound, not read request by request.
func TestZooManifestNestedIndexBounded(t *testing.T) {
	s := newZooStore()
	mt, it := types.OCIManifestSchema1, types.OCIImageIndex
	img, imgBody := s.image(mt, "linux/amd64", true)
	// Deep: each index nests the one before.
	deep, deepBody := s.index(it, true, entry(mt, img, len(imgBody), "linux/amd64", nil))
	for range 5 {
		deep, deepBody = s.index(it, true, entry(it, deep, len(deepBody), "", nil))
	}
	s.tag("deep", deep)
	// Wide: a hundred nested indexes.
	var wide []map[string]any
	for i := range 100 {
		sub, subBody := s.index(it, true, entry(mt, img, len(imgBody), "linux/amd64", map[string]any{"annotations": map[string]string{"n": fmt.Sprint(i)}}))
		wide = append(wide, entry(it, sub, len(subBody), "", nil))
	}
	w, _ := s.index(it, true, wide...)
	s.tag("wide", w)
	var gets int
	var mu sync.Mutex
	h := s.serve(func(string) {
		mu.Lock()
		gets++
		mu.Unlock()
	})
	for _, tag := range []string{"deep", "wide"} {
		gets = 0
		c, ref := zooClient(t, h, zooRepo)
		_, err := c.Platforms(context.Background(), ref, tag)
		if err == nil || !strings.Contains(err.Error(), "nests indexes") {
			t.Errorf("%s: err = %v, want the bound", tag, err)
		}
		if gets > 17 { // the index and at most maxNestedIndexes (16) nested
			t.Errorf("%s: %d manifest GETs, want at most 17", tag, gets)
		}
	}
}
