package registry

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// A model of how registries answer manifest requests, as independent
// dimensions, and the property every call keeps on every combination, as
// model_test.go does for tag lists: Head and Platforms, by tag and by
// digest, on a fresh Client and repeated on one Client, give the manifest
// the tag points at (its digest, its platforms) or an error, never another
// digest or another platform map; and they succeed wherever the registry
// serves that manifest readably (manifestBehaviour.must). The registry is
// served in memory, each answer written out and read back as HTTP/1.1
// (manifestDouble.RoundTrip), so that what the wire does to an answer
// (white space around a header value, a body cut short) is what the
// Client sees.

// manifestBehaviour is one registry behaviour: an index into each dimension.
type manifestBehaviour struct {
	kind, alg, stored int  // what the tag points at (the truth)
	bare              bool // OCI manifests without their own mediaType field
	head, get         int  // how manifest HEADs and GETs are answered
	once              bool // head and get misbehave on the first HEAD and the first GET only
	redirect, on      int  // redirects, and of which manifest requests
	fault, faultOn    int  // a transient fault on the first request of a kind
	retries           int  // the Client's MaxRetries
}

// The dimensions. New values go last: fuzz seeds name behaviours by index.
var (
	// What the tag points at: an OCI index of three platforms and their
	// attestations, a Docker manifest list, a single OCI image, a single
	// Docker image with a variant, an OCI index of per-platform indexes
	// (BuildKit's, merged; each lists its attestation first, saying the
	// image's platform), an OCI index listing one platform twice.
	mmKinds = []string{"oci-index", "docker-list", "oci-image", "docker-image", "nested-index", "dup-platform"}
	// The registry's digest algorithm: its headers, index entries and the
	// digest the tag is asked by.
	mmAlgs = []string{"sha256", "sha512"}
	// The tagged manifest's bytes as stored: compact JSON, with a trailing
	// newline, indented, or after a byte order mark.
	mmStored = []string{"compact", "newline", "indented", "bom"}
	// A manifest HEAD's answer.
	mmHeads = []string{
		"ok", "404", "405", "403", "401", "no-digest", "wrong-digest", "upper-hex", "other-alg",
		"bad-alg", "two-digests", "whitespace", "schema1-type", "no-type", "type-params", "octet-type",
		"wrong-then-right", "empty-digest", "other-format",
	}
	// A manifest GET's answer.
	mmGets = []string{
		"ok", "no-digest", "wrong-digest", "same-digest-twice", "two-digests", "schema1", "altered-body",
		"bom-body", "kind-type", "no-type", "type-params", "octet-type", "upper-hex", "wrong-then-right",
		"empty-digest", "other-format",
	}
	// Redirects: of manifest requests (on), to the same host, another
	// host, from plain HTTP to HTTPS, or from HTTPS to plain HTTP; of the
	// config blob to a store on another host, serving it or other bytes;
	// of manifest requests to the same host spelled with its port (308),
	// or to the same host and from there to another (301, then 302).
	mmRedirects = []string{"none", "same-host", "other-host", "http-to-https", "https-to-http", "blob-store", "blob-store-wrong",
		"same-host-port", "same-then-other"}
	mmOn = []string{"head", "get", "both"}
	// A fault on the first attempt of the first request of a kind: also a
	// 200 whose body (its Content-Length true to it) ends inside its JSON,
	// and a 200 HTML page (a proxy's), in place of a body of JSON (a
	// manifest, a config blob); the ping's and a HEAD's have none to cut.
	mmFaults   = []string{"none", "500", "429", "truncated", "reset", "closed", "cut-json", "html"}
	mmFaultOns = []string{"ping", "head", "get", "blob"} // as faultKind names them
	mmRetries  = []int{0, 1}
)

func (b manifestBehaviour) String() string {
	s := fmt.Sprintf("%s/%s/%s", mmKinds[b.kind], mmAlgs[b.alg], mmStored[b.stored])
	if b.bare {
		s += "/bare"
	}
	s += fmt.Sprintf("/head-%s/get-%s", mmHeads[b.head], mmGets[b.get])
	if b.once {
		s += "/once"
	}
	if b.redirect != 0 {
		s += "/redirect-" + mmRedirects[b.redirect]
		if b.redirect < 5 || b.redirect > 6 {
			s += "-on-" + mmOn[b.on]
		}
	}
	if b.fault != 0 {
		s += fmt.Sprintf("/%s-on-%s", mmFaults[b.fault], mmFaultOns[b.faultOn])
	}
	return s + fmt.Sprintf("/retries%d", mmRetries[b.retries])
}

// manifestBehaviourOf decodes a fuzz input's choice of dimensions.
func manifestBehaviourOf(d uint64) manifestBehaviour {
	next := func(n int) int {
		v := int(d % uint64(n))
		d /= uint64(n)
		return v
	}
	return manifestBehaviour{
		kind: next(len(mmKinds)), alg: next(len(mmAlgs)), stored: next(len(mmStored)), bare: next(2) == 1,
		head: next(len(mmHeads)), get: next(len(mmGets)), once: next(2) == 1,
		redirect: next(len(mmRedirects)), on: next(len(mmOn)),
		fault: next(len(mmFaults)), faultOn: next(len(mmFaultOns)), retries: next(len(mmRetries)),
	}
}

// encode is manifestBehaviourOf's inverse.
func (b manifestBehaviour) encode() uint64 {
	d, m := uint64(0), uint64(1)
	for _, v := range []struct{ v, n int }{
		{b.kind, len(mmKinds)}, {b.alg, len(mmAlgs)}, {b.stored, len(mmStored)}, {boolInt(b.bare), 2},
		{b.head, len(mmHeads)}, {b.get, len(mmGets)}, {boolInt(b.once), 2},
		{b.redirect, len(mmRedirects)}, {b.on, len(mmOn)},
		{b.fault, len(mmFaults)}, {b.faultOn, len(mmFaultOns)}, {b.retries, len(mmRetries)},
	} {
		d += uint64(v.v) * m
		m *= uint64(v.n)
	}
	return d
}

// manifestTruth is one repository's manifests and blobs, and what the tag
// points at.
type manifestTruth struct {
	manifests map[string]zooManifest // by digest, sha256 and sha512 alike
	blobs     map[string][]byte
	digest    string            // the tagged manifest's, in the registry's algorithm
	body      []byte            // its bytes as stored
	platforms map[string]string // its platforms, as Platforms gives them ("" for a single image's own digest)
	other     string            // the digest of another manifest of the repository
	evil      []byte            // a manifest another host serves, as its own
}

const (
	mmTag       = "3-latest"
	mmHost      = "registry.model.test"
	mmOtherHost = "other.model.test"
	mmStoreHost = "store.model.test"
)

func sha512Of(b []byte) string {
	s := sha512.Sum512(b)
	return "sha512:" + hex.EncodeToString(s[:])
}

// truth builds the repository behaviour b's registry holds.
func (b manifestBehaviour) truth() *manifestTruth {
	s := newZooStore()
	t := &manifestTruth{manifests: map[string]zooManifest{}, blobs: s.blobs}
	name := func(body []byte) string {
		if mmAlgs[b.alg] == "sha512" {
			return sha512Of(body)
		}
		return sha(body)
	}
	put := func(mt types.MediaType, body []byte) string {
		t.manifests[sha(body)] = zooManifest{mt, body}
		t.manifests[sha512Of(body)] = zooManifest{mt, body}
		return name(body)
	}
	oci, docker := types.OCIManifestSchema1, types.DockerManifestSchema2
	image := func(mt types.MediaType, platform string) (string, []byte) {
		_, body := s.image(mt, platform, !b.bare || mt == docker)
		return put(mt, body), body
	}
	index := func(mt types.MediaType, entries ...map[string]any) []byte {
		m := map[string]any{"schemaVersion": 2, "manifests": entries}
		if !b.bare || mt == types.DockerManifestList {
			m["mediaType"] = mt
		}
		body, _ := json.Marshal(m)
		return body
	}
	attestation := func(of, platform string) map[string]any {
		d, body := image(oci, "unknown/unknown")
		return entry(oci, d, len(body), platform, map[string]any{"annotations": map[string]string{
			"vnd.docker.reference.type": attestations, "vnd.docker.reference.digest": of,
		}})
	}
	var top []byte
	var topType types.MediaType
	t.platforms = map[string]string{}
	switch mmKinds[b.kind] {
	case "oci-index":
		var entries []map[string]any
		for _, p := range []string{"linux/amd64", "linux/arm64", "linux/arm/v7"} {
			d, body := image(oci, p)
			t.platforms[p] = d
			entries = append(entries, entry(oci, d, len(body), p, nil), attestation(d, "unknown/unknown"))
		}
		top, topType = index(types.OCIImageIndex, entries...), types.OCIImageIndex
	case "docker-list":
		var entries []map[string]any
		for _, p := range []string{"linux/amd64", "linux/arm64/v8"} {
			d, body := image(docker, p)
			t.platforms[p] = d
			entries = append(entries, entry(docker, d, len(body), p, nil))
		}
		top, topType = index(types.DockerManifestList, entries...), types.DockerManifestList
	case "oci-image":
		_, top = s.image(oci, "linux/amd64", !b.bare)
		topType = oci
		t.platforms["linux/amd64"] = ""
	case "docker-image":
		_, top = s.image(docker, "linux/arm/v7", true)
		topType = docker
		t.platforms["linux/arm/v7"] = ""
	case "nested-index":
		var entries []map[string]any
		for _, p := range []string{"linux/amd64", "linux/arm64"} {
			d, body := image(oci, p)
			t.platforms[p] = d
			// Its attestation first, saying the image's platform.
			sub := index(types.OCIImageIndex, attestation(d, p), entry(oci, d, len(body), p, nil))
			entries = append(entries, entry(types.OCIImageIndex, put(types.OCIImageIndex, sub), len(sub), p, nil))
		}
		top, topType = index(types.OCIImageIndex, entries...), types.OCIImageIndex
	case "dup-platform":
		first, firstBody := image(oci, "linux/amd64")
		second, secondBody := image(oci, "linux/amd64/v2") // another image, listed as linux/amd64 too
		arm, armBody := image(oci, "linux/arm64")
		t.platforms["linux/amd64"], t.platforms["linux/arm64"] = first, arm
		top, topType = index(types.OCIImageIndex, entry(oci, first, len(firstBody), "linux/amd64", nil),
			entry(oci, arm, len(armBody), "linux/arm64", nil), entry(oci, second, len(secondBody), "linux/amd64", nil)), types.OCIImageIndex
	}
	switch mmStored[b.stored] {
	case "newline":
		top = append(top, '\n')
	case "indented":
		var buf bytes.Buffer
		_ = json.Indent(&buf, top, "", "   ")
		top = buf.Bytes()
	case "bom":
		top = append([]byte("\xef\xbb\xbf"), top...)
	}
	t.digest, t.body = put(topType, top), top
	other, otherBody := image(oci, "linux/s390x")
	t.other = other
	t.evil = otherBody
	return t
}

// manifestDouble serves behaviour b's registry in memory, as a Client's
// base transport, counting requests to decide the first of each kind.
type manifestDouble struct {
	b     manifestBehaviour
	t     *manifestTruth
	mu    sync.Mutex
	seen  map[string]int // requests by kind: ping, head, get, blob
	fault bool           // the fault was served
}

func newManifestDouble(b manifestBehaviour, t *manifestTruth) *manifestDouble {
	return &manifestDouble{b: b, t: t, seen: map[string]int{}}
}

func (d *manifestDouble) RoundTrip(req *http.Request) (*http.Response, error) {
	kind := faultKind(req)
	d.mu.Lock()
	d.seen[kind]++
	n := d.seen[kind]
	faulty := !d.fault && d.b.fault != 0 && mmFaultOns[d.b.faultOn] == kind && req.URL.Host == mmHost
	if faulty {
		d.fault = true
	}
	d.mu.Unlock()
	fault := ""
	if faulty {
		fault = mmFaults[d.b.fault]
	}
	switch fault {
	case "reset":
		return nil, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	case "closed":
		return nil, io.EOF
	}
	rec := httptest.NewRecorder()
	switch fault {
	case "500":
		writeRegError(rec, http.StatusInternalServerError, "UNKNOWN", "internal error")
	case "429":
		rec.Header().Set("Retry-After", "0")
		writeRegError(rec, http.StatusTooManyRequests, "TOOMANYREQUESTS", "slow down")
	default:
		d.serve(rec, req, n)
	}
	switch resp := rec.Result(); {
	case fault == "cut-json" && resp.StatusCode == http.StatusOK && rec.Body.Len() > 1:
		cut := bytes.Clone(rec.Body.Bytes()[:rec.Body.Len()/2])
		h := rec.Header().Clone()
		h.Set("Content-Length", fmt.Sprint(len(cut)))
		rec = httptest.NewRecorder()
		maps.Copy(rec.Header(), h)
		rec.WriteHeader(http.StatusOK)
		_, _ = rec.Write(cut)
	case fault == "html":
		const page = "<html><head><title>Please wait</title></head><body>Checking your browser…</body></html>"
		rec = httptest.NewRecorder()
		rec.Header().Set("Content-Type", "text/html; charset=utf-8")
		rec.Header().Set("Content-Length", fmt.Sprint(len(page)))
		rec.WriteHeader(http.StatusOK)
		if req.Method != http.MethodHead {
			_, _ = rec.Write([]byte(page))
		}
	}
	resp := rec.Result()
	resp.Request = req
	// On the wire and back, as a network would carry it.
	var buf bytes.Buffer
	if err := resp.Write(&buf); err != nil {
		return nil, err
	}
	wire := buf.Bytes()
	if fault == "truncated" {
		if req.Method == http.MethodHead || rec.Body.Len() == 0 {
			return nil, io.ErrUnexpectedEOF // cut in the headers
		}
		wire = wire[:len(wire)-max(rec.Body.Len()/2, 1)]
	}
	return http.ReadResponse(bufio.NewReader(bytes.NewReader(wire)), req)
}

// serve answers req, the n-th of its kind.
func (d *manifestDouble) serve(w http.ResponseWriter, r *http.Request, n int) {
	b, t := d.b, d.t
	kind := faultKind(r)
	switch r.URL.Host {
	case mmOtherHost: // another registry, which holds another manifest for every reference
		if kind == "head" || kind == "get" {
			writeManifest(w, r, string(types.OCIManifestSchema1), sha(t.evil), t.evil)
			return
		}
		writeRegError(w, http.StatusNotFound, "NOT_FOUND", "not found")
		return
	case mmStoreHost: // a blob store
		_, dg, _ := strings.Cut(r.URL.Path, "/blobs/")
		body := t.blobs[dg]
		if mmRedirects[b.redirect] == "blob-store-wrong" {
			body = append(bytes.Clone(body), ' ')
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		_, _ = w.Write(body)
		return
	}
	redirect := mmRedirects[b.redirect]
	if kind == "ping" {
		if redirect == "http-to-https" && r.URL.Scheme == "https" {
			// Served over plain HTTP, so that the ping settles on it;
			// the manifest requests then move to HTTPS.
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	on := mmOn[b.on]
	moves := (kind == "head" && on != "get") || (kind == "get" && on != "head")
	to := ""
	switch {
	case kind == "blob" && strings.HasPrefix(redirect, "blob-store"):
		to = "https://" + mmStoreHost + r.URL.Path
	case !moves:
	case redirect == "http-to-https" && r.URL.Scheme == "http": // served over HTTPS only
		to = "https://" + mmHost + r.URL.Path
	case r.URL.Query().Get("moved") != "":
	case redirect == "same-host":
		to = r.URL.Path + "?moved=1"
	case redirect == "same-host-port":
		http.Redirect(w, r, "https://"+mmHost+":443"+r.URL.Path+"?moved=1", http.StatusPermanentRedirect)
		return
	case redirect == "same-then-other" && r.URL.Query().Get("hop") == "":
		http.Redirect(w, r, r.URL.Path+"?hop=1", http.StatusMovedPermanently)
		return
	case redirect == "same-then-other":
		http.Redirect(w, r, "https://"+mmOtherHost+r.URL.Path, http.StatusFound)
		return
	case redirect == "other-host":
		to = "https://" + mmOtherHost + r.URL.Path
	case redirect == "https-to-http" && r.URL.Scheme == "https":
		to = "http://" + mmHost + r.URL.Path + "?moved=1"
	}
	if to != "" {
		http.Redirect(w, r, to, http.StatusTemporaryRedirect)
		return
	}
	if kind == "blob" {
		_, dg, _ := strings.Cut(r.URL.Path, "/blobs/")
		body, ok := t.blobs[dg]
		if !ok {
			writeRegError(w, http.StatusNotFound, "BLOB_UNKNOWN", "blob unknown to registry")
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Docker-Content-Digest", dg)
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		_, _ = w.Write(body)
		return
	}
	ref := manifestRef(r)
	byTag := ref == mmTag
	digest := ref
	if byTag {
		digest = t.digest
	}
	m, ok := t.manifests[digest]
	if !ok {
		writeRegError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown")
		return
	}
	misbehave := !b.once || n == 1
	ct, body := string(m.mediaType), m.body
	dg := t.digest
	if !byTag {
		dg = ref
	}
	upper := func(dg string) string {
		alg, h, _ := strings.Cut(dg, ":")
		return alg + ":" + strings.ToUpper(h)
	}
	otherAlg := func(body []byte) string {
		if strings.HasPrefix(dg, "sha512:") {
			return sha(body)
		}
		return sha512Of(body)
	}
	how := "ok"
	if misbehave && kind == "head" {
		how = mmHeads[b.head]
	} else if misbehave {
		how = mmGets[b.get]
	}
	if (how == "schema1" || how == "schema1-type") && !byTag {
		how = "ok" // a conversion is made by tag only
	}
	headers := []string{dg}
	switch how {
	case "404":
		writeRegError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown")
		return
	case "405":
		writeRegError(w, http.StatusMethodNotAllowed, "UNSUPPORTED", "method not allowed")
		return
	case "403":
		writeRegError(w, http.StatusForbidden, "DENIED", "requested access to the resource is denied")
		return
	case "401":
		writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		return
	case "no-digest":
		headers = nil
	case "wrong-digest":
		headers = []string{t.other}
	case "upper-hex":
		headers = []string{upper(dg)}
	case "other-alg":
		headers = []string{otherAlg(body)}
	case "bad-alg":
		headers = []string{"sha384:" + strings.Repeat("ab", 48)}
	case "two-digests":
		headers = []string{dg, t.other}
	case "wrong-then-right": // two headers, another manifest's first
		headers = []string{t.other, dg}
	case "same-digest-twice":
		headers = []string{dg, dg}
	case "whitespace":
		headers = []string{"  " + dg + " \t"}
	case "schema1-type", "schema1":
		headers[0], body = schema1Of(mmTag, "linux/amd64")
		ct = schema1Type
	case "no-type":
		ct = ""
	case "type-params":
		ct += "; charset=utf-8"
	case "octet-type":
		ct = "application/octet-stream"
	case "kind-type":
		if m.mediaType.IsIndex() {
			ct = string(types.OCIManifestSchema1)
		} else {
			ct = string(types.OCIImageIndex)
		}
	case "empty-digest": // as a Harbor proxy-cache project sends for a tag not cached yet
		headers = []string{""}
	case "other-format": // OCI for Docker and the other way round, of the same kind
		ct = string(map[types.MediaType]types.MediaType{
			types.OCIImageIndex: types.DockerManifestList, types.DockerManifestList: types.OCIImageIndex,
			types.OCIManifestSchema1: types.DockerManifestSchema2, types.DockerManifestSchema2: types.OCIManifestSchema1,
		}[m.mediaType])
	case "altered-body":
		body = append(bytes.Clone(body), ' ', '\n')
	case "bom-body":
		body = append([]byte("\xef\xbb\xbf"), body...)
	}
	if ct == "" {
		w.Header()["Content-Type"] = nil // none at all, not one sniffed
	} else {
		w.Header().Set("Content-Type", ct)
	}
	for _, h := range headers {
		w.Header().Add("Docker-Content-Digest", h)
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// must reports whether call (Head or Platforms, by tag or digest) has to
// succeed on behaviour b's registry, misbehaving on every request (the
// first round of calls, where once's misbehaviour may meet any request):
// whether the registry serves the truth readably to it. What the
// reliability guide says is an error is not asked to succeed: a redirect
// to another host or from HTTPS to plain HTTP, schema 1, a header that
// disagrees with the body by tag or that is no digest as image-spec
// spells it, a body of the other kind than its Content-Type says.
func (b manifestBehaviour) must(call mmCall) bool {
	redirect, on := mmRedirects[b.redirect], mmOn[b.on]
	refused := redirect == "other-host" || redirect == "https-to-http" || redirect == "http-to-https" || redirect == "same-then-other" // see below
	headRefused := refused && on != "get"
	getRefused := refused && on != "head"
	// http-to-https: go-containerregistry's transport sends every request
	// to a registry it pinged over plain HTTP with that scheme, the
	// redirect's target included, so a registry that serves its manifests
	// over HTTPS alone, and its ping over plain HTTP alone, is redirected
	// in a loop: an error. No real registry is known to do so (one that
	// serves HTTPS answers the ping, tried first, over it).
	getOK := func(byTag, top bool) bool {
		if getRefused || (top && mmStored[b.stored] == "bom") {
			return false
		}
		switch mmGets[b.get] {
		case "ok", "no-digest", "same-digest-twice", "no-type", "type-params", "octet-type", "empty-digest", "other-format":
			return true
		case "wrong-digest", "two-digests", "wrong-then-right", "upper-hex", "schema1":
			return !byTag // the header is not read by digest; nothing converted
		}
		return false // altered-body, bom-body, kind-type
	}
	platformsOK := func(byTag bool) bool {
		if !getOK(byTag, true) {
			return false
		}
		switch mmKinds[b.kind] {
		case "nested-index":
			return getOK(false, false)
		case "oci-image", "docker-image":
			return redirect != "blob-store-wrong"
		}
		return true
	}
	if call.platforms {
		return platformsOK(call.byTag)
	}
	if headRefused {
		return false
	}
	switch h := mmHeads[b.head]; h {
	case "ok", "whitespace", "type-params", "other-format":
		return true
	case "other-alg":
		return call.byTag // by digest, the header names it otherwise than asked
	case "404", "405", "403", "401", "no-digest", "empty-digest", "no-type", "octet-type":
		// A Content-Type naming no manifest type may stand for schema 1:
		// the manifest is read.
		return getOK(call.byTag, true)
	case "schema1-type":
		return !call.byTag || getOK(true, true) // by digest nothing is converted
	}
	return false // wrong-digest, upper-hex, bad-alg, two-digests
}

// unprovable says why a call's result cannot be judged on behaviour b, or
// "": a HEAD's Docker-Content-Digest can only be trusted (SPEC.md), so a
// HEAD by tag naming another manifest gives that manifest's digest, and
// the Client keeps it for its life.
func (b manifestBehaviour) unprovable(call mmCall) string {
	if !call.platforms && call.byTag && mmHeads[b.head] == "wrong-digest" {
		return "a HEAD's Docker-Content-Digest is trusted"
	}
	return ""
}

// mmCall is one call of the model.
type mmCall struct {
	platforms bool // Platforms, else Head
	byTag     bool
}

func (c mmCall) String() string {
	s := "Head"
	if c.platforms {
		s = "Platforms"
	}
	if c.byTag {
		return s + "(tag)"
	}
	return s + "(digest)"
}

var mmCalls = []mmCall{{false, true}, {false, false}, {true, true}, {true, false}}

// manifestClient is a Client reading from d, anonymously, without waiting
// between retries.
func manifestClient(t testing.TB, b manifestBehaviour, d *manifestDouble) (*Client, Repository) {
	t.Helper()
	cfg := Config{Keychain: authn.NewMultiKeychain(), UserAgent: "terraform-provider-prefectimage/test", MaxRetries: mmRetries[b.retries]}
	if mmRedirects[b.redirect] == "http-to-https" {
		cfg.InsecureHosts = []string{mmHost}
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.base = d
	c.sleep = func(context.Context, time.Duration) error { return nil }
	ref, err := ParseRepository(mmHost + "/prefecthq/prefect")
	if err != nil {
		t.Fatal(err)
	}
	return c, ref
}

// do makes call on c and returns its digest, platforms (nil for Head)
// and error.
func (t *manifestTruth) do(c *Client, ref Repository, call mmCall) (string, map[string]string, error) {
	reference := mmTag
	if !call.byTag {
		reference = t.digest
	}
	ctx := context.Background()
	if call.platforms {
		p, err := c.Platforms(ctx, ref, reference)
		return p.Digest, p.ByPlatform, err
	}
	d, err := c.Head(ctx, ref, reference)
	return d.Digest, nil, err
}

// judge returns what is wrong with a call's outcome, or "".
func (t *manifestTruth) judge(call mmCall, digest string, platforms map[string]string, err error, must bool) string {
	if err != nil {
		if must {
			return fmt.Sprintf("%s: an error where the registry serves the manifest readably: %v", call, err)
		}
		return ""
	}
	if call.byTag {
		// The digest of the manifest's bytes, in the registry's
		// algorithm or, where no header says it, in sha256.
		if got, herr := digestOf(digest, t.body); herr != nil || got != digest {
			return fmt.Sprintf("%s: WRONG DIGEST %s, want %s", call, digest, t.digest)
		}
	} else if digest != t.digest {
		return fmt.Sprintf("%s: WRONG DIGEST %s, want %s", call, digest, t.digest)
	}
	want := t.platforms
	for p, d := range want {
		if d == "" { // a single image: its own digest, as the call named it
			want = map[string]string{p: digest}
		}
	}
	if call.platforms && !maps.Equal(platforms, want) {
		return fmt.Sprintf("%s: WRONG PLATFORMS %v, want %v", call, platforms, want)
	}
	return ""
}

// runManifestModel makes every call on behaviour b's registry, each on a
// fresh Client (and a fresh registry, whose first requests misbehave),
// then twice in a row on one Client, in two orders and all at once then
// in turn, and returns what is wrong.
func runManifestModel(t testing.TB, b manifestBehaviour) []string {
	truth := b.truth()
	var bad []string
	for _, call := range mmCalls {
		c, ref := manifestClient(t, b, newManifestDouble(b, truth))
		dg, p, err := truth.do(c, ref, call)
		if b.unprovable(call) != "" {
			continue
		}
		if msg := truth.judge(call, dg, p, err, b.must(call) && b.faultless()); msg != "" {
			bad = append(bad, "fresh Client, "+msg)
		}
	}
	// In the second round, a once misbehaviour and the fault are spent;
	// a 429 the Client had no retry for is remembered for the run.
	calm := b
	calm.head, calm.get = 0, 0
	if !b.once {
		calm.head, calm.get = b.head, b.get
	}
	judge := func(how string, round int, call mmCall, dg string, p map[string]string, err error) {
		if b.unprovable(call) != "" {
			return
		}
		must := b.must(call) && b.faultless()
		if round == 1 {
			must = calm.must(call) && (mmFaults[b.fault] != "429" || mmRetries[b.retries] != 0)
		}
		if msg := truth.judge(call, dg, p, err, must); msg != "" {
			bad = append(bad, fmt.Sprintf("one Client, %s, round %d, %s", how, round+1, msg))
		}
	}
	for _, order := range [][]mmCall{mmCalls, {mmCalls[2], mmCalls[0], mmCalls[3], mmCalls[1]}, nil} {
		c, ref := manifestClient(t, b, newManifestDouble(b, truth))
		how := fmt.Sprintf("calls %v", order)
		if order == nil { // the first round all at once, sharing what they share
			how = "calls at once, then in turn"
			type outcome struct {
				dg  string
				p   map[string]string
				err error
			}
			outs := make([]outcome, len(mmCalls))
			var wg sync.WaitGroup
			for i, call := range mmCalls {
				wg.Go(func() {
					dg, p, err := truth.do(c, ref, call)
					outs[i] = outcome{dg, p, err}
				})
			}
			wg.Wait()
			for i, call := range mmCalls {
				judge(how, 0, call, outs[i].dg, outs[i].p, outs[i].err)
			}
		}
		for round := range 2 {
			if order == nil && round == 0 {
				continue
			}
			calls := order
			if calls == nil {
				calls = mmCalls
			}
			for _, call := range calls {
				dg, p, err := truth.do(c, ref, call)
				judge(how, round, call, dg, p, err)
			}
		}
	}
	return bad
}

// faultless reports whether the fault, if any, is retried.
func (b manifestBehaviour) faultless() bool {
	return b.fault == 0 || mmRetries[b.retries] > 0
}

// manifestBehaviours is a cover of the model's product: every kind and
// algorithm with every HEAD answer by every GET answer (always, and on the
// first request only; the Docker kinds in sha256 and always only), with
// every stored form, with every redirect, and with every fault on every
// kind of request with and without a retry.
func manifestBehaviours() []manifestBehaviour {
	var out []manifestBehaviour
	for kind := range mmKinds {
		for alg := range mmAlgs {
			// The docker kinds' manifests hold no digest of another:
			// sha512 and once change for them what they change for
			// the single OCI image and the OCI index.
			docker := strings.HasPrefix(mmKinds[kind], "docker")
			for head := range mmHeads {
				for get := range mmGets {
					if alg == 0 || !docker {
						out = append(out, manifestBehaviour{kind: kind, alg: alg, head: head, get: get})
					}
					if alg == 0 && !docker {
						out = append(out, manifestBehaviour{kind: kind, head: head, get: get, once: true})
					}
				}
			}
			for stored := range mmStored {
				for _, bare := range []bool{false, true} {
					for _, head := range []int{0, 5} { // ok, no-digest
						for _, get := range []int{0, 1, 11} { // ok, no-digest, octet-type
							out = append(out, manifestBehaviour{kind: kind, alg: alg, stored: stored, bare: bare, head: head, get: get})
						}
					}
				}
			}
			for redirect := 1; redirect < len(mmRedirects); redirect++ {
				for on := range mmOn {
					if strings.HasPrefix(mmRedirects[redirect], "blob-store") && on > 0 {
						continue
					}
					for _, head := range []int{0, 2} { // ok, 405
						out = append(out, manifestBehaviour{kind: kind, alg: alg, redirect: redirect, on: on, head: head})
					}
				}
			}
			if alg > 0 {
				continue
			}
			for fault := 1; fault < len(mmFaults); fault++ {
				for faultOn := range mmFaultOns {
					for retries := range mmRetries {
						for _, head := range []int{0, 1} { // ok, 404
							out = append(out, manifestBehaviour{kind: kind, head: head, fault: fault, faultOn: faultOn, retries: retries})
						}
					}
				}
			}
		}
	}
	return out
}

// TestManifestModel checks the property on the cover of the model. Requests
// go one after another, so the race detector has nothing to find here
// that the other manifest tests do not give it, at ten times the cost:
// under -race it is skipped, as sweepModel is.
func TestManifestModel(t *testing.T) {
	if raceDetector {
		t.Skip("requests go one after another; the manifest tests run under -race")
	}
	behaviours := manifestBehaviours()
	const shards = 8
	for shard := range shards {
		t.Run(fmt.Sprint(shard), func(t *testing.T) {
			t.Parallel()
			for i := shard; i < len(behaviours); i += shards {
				b := behaviours[i]
				for _, msg := range runManifestModel(t, b) {
					t.Errorf("%s: %s", b, msg)
				}
			}
		})
	}
	required := 0
	for _, b := range behaviours {
		for _, call := range mmCalls {
			if b.must(call) && b.faultless() {
				required++
			}
		}
	}
	t.Logf("%d behaviours; of their %d calls on a fresh Client, %d must succeed", len(behaviours), len(behaviours)*len(mmCalls), required)
}

// FuzzManifestModel checks the property on behaviours the fuzzer picks:
// dims chooses one (manifestBehaviourOf).
func FuzzManifestModel(f *testing.F) {
	for _, b := range []manifestBehaviour{
		{},                                          // an OCI index, answered as asked
		{kind: 1, head: 2},                          // a Docker list, HEAD refused (405)
		{kind: 2, head: 5, get: 1},                  // an OCI image, no header anywhere
		{kind: 4, alg: 1, stored: 2},                // nested indexes named by sha512, indented
		{kind: 3, redirect: 5},                      // a Docker image, its config blob in a store
		{kind: 0, redirect: 2, on: 1},               // GETs redirected to another host
		{fault: 2, faultOn: 2, retries: 1},          // a 429 on the first GET, retried
		{kind: 5, get: 2, once: true},               // a wrong header on the first GET only
		{fault: 6, faultOn: 2, retries: 1},          // the first GET's body cut inside its JSON, retried
		{kind: 2, fault: 7, faultOn: 3, retries: 1}, // an HTML page for the config blob, retried
	} {
		f.Add(b.encode())
	}
	f.Fuzz(func(t *testing.T, dims uint64) {
		b := manifestBehaviourOf(dims)
		for _, msg := range runManifestModel(t, b) {
			t.Errorf("%s: %s", b, msg)
		}
	})
}
