package registry

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// manifestAccept is the Accept of every manifest request: indexes first,
// then single manifests, one line per type (fetch says why). Manifests are
// not read through go-containerregistry's remote.Puller (v0.22): it joins
// Accept lines with commas; its GET by tag never checks the body against
// Docker-Content-Digest ("I give up", fetchManifest) nor returns the header;
// its HEAD fails without Content-Type or Content-Length where a GET would
// serve the manifest; and it takes the first of two different
// Docker-Content-Digest headers.
var manifestAccept = []string{
	string(types.OCIImageIndex),
	string(types.DockerManifestList),
	string(types.OCIManifestSchema1),
	string(types.DockerManifestSchema2),
}

// Descriptor is what a reference resolves to.
type Descriptor struct {
	Digest    string // "sha256:…"
	MediaType string // as the registry sent it, such as an OCI index
}

// Platforms is the platform list of a manifest.
type Platforms struct {
	// Digest is what the reference points at: the index digest, or the
	// single manifest's digest.
	Digest string
	// ByPlatform maps "os/arch[/variant]" to the digest of that platform's
	// manifest. Index entries for unknown/unknown (attestations) are
	// skipped; a single manifest contributes its config's os/arch.
	ByPlatform map[string]string
	// NotImages counts the index's entries that stand for no platform:
	// attestations, artifacts, manifests that are no image, entries that
	// name no platform. An index of nothing else has no platform.
	NotImages int
}

// Head resolves repository:tag to its digest with a manifest HEAD, which
// Docker Hub does not count against its pull rate limit. The manifest is
// fetched (GET) and its digest checked only when the registry sends no
// Docker-Content-Digest or a Content-Type that is no image's, or refuses
// the HEAD (askAgainWithGet). Given a digest ("sha256:…") instead of a tag,
// it finds out whether the repository holds that manifest. Memoized for
// the Client's lifetime.
func (c *Client) Head(ctx context.Context, ref Repository, reference string) (Descriptor, error) {
	action, byDigest, err := referenceAction(ref, reference, "resolve the digest of tag ", "find the manifest of digest ")
	if err != nil {
		return Descriptor{}, err
	}
	d, err := c.heads.Get(ctx, ref.key+":"+reference, func(ctx context.Context) (Descriptor, error) {
		rt, err := c.transportFor(ctx, ref)
		if err != nil {
			return Descriptor{}, err
		}
		d, err := c.head(ctx, ref, rt, reference)
		if err == nil && byDigest && d.Digest != reference {
			return Descriptor{}, &answerError{status: http.StatusOK, msg: fmt.Sprintf("the registry answered digest %s for the manifest of digest %s", d.Digest, reference)}
		}
		return d, err
	})
	if err != nil {
		return Descriptor{}, c.fail(ref, action, err)
	}
	return d, nil
}

func (c *Client) head(ctx context.Context, ref Repository, rt *repoTransport, reference string) (Descriptor, error) {
	resp, err := c.fetch(ctx, ref, rt, http.MethodHead, ref.v2URL("manifests/"+reference), manifestAccept, nil)
	if askAgainWithGet(err) {
		c.debug(ctx, "registry refused the manifest HEAD; asking with GET", map[string]any{
			"registry": ref.registry, "repository": ref.written, "reference": reference, "status": statusOf(err),
		})
		resp, err = &response{header: http.Header{}}, nil
	}
	if err != nil {
		return Descriptor{}, err
	}
	mt := mediaType(resp.header.Get("Content-Type"))
	// Pin the header's digest only for an index or image Content-Type; the
	// GET below reads anything else. A schema 1 type is a fallback (Docker
	// Hub, Quay; Accept names none), often a conversion whose digest names
	// no stored manifest; other manifest types are no image (image-spec 1.1
	// rc artifact manifests, pushed by ORAS to ACR and zot); and a type of no
	// manifest (none; Katello's application/json; an object store's
	// binary/octet-stream or text/plain) may be either.
	if mt.IsIndex() || mt.IsImage() {
		dg, err := contentDigest(resp)
		if err != nil {
			return Descriptor{}, err
		}
		if dg != "" {
			if _, err := v1.NewHash(dg); err != nil {
				return Descriptor{}, &answerError{status: resp.status, msg: fmt.Sprintf("the registry sent the invalid Docker-Content-Digest %q", dg), cause: err}
			}
			return Descriptor{Digest: dg, MediaType: string(mt)}, nil
		}
	}
	c.debug(ctx, "registry sent no usable Docker-Content-Digest; reading the manifest", map[string]any{
		"registry": ref.registry, "repository": ref.written, "reference": reference,
	})
	m, err := c.getManifest(ctx, ref, rt, reference)
	if err != nil {
		return Descriptor{}, err
	}
	return Descriptor{Digest: m.digest, MediaType: string(m.mediaType)}, nil
}

// askAgainWithGet reports whether a manifest HEAD that failed with err is
// asked again with GET: 405 and 501 (no manifest HEAD); 404 (Sonatype Nexus
// answers a HEAD 404 where a GET serves, so only a GET says "missing"); 401
// and 403, whose reason is in a body a HEAD lacks (ECR's "Your
// authorization token has expired", Artifactory's 403 for a tag a virtual
// repository's readable members lack). Not a 401 to the token its token
// service issued (Docker Hub's for a missing repository: a GET would cost a
// token, and maybe a counted pull, to say "authentication required"), nor a
// failure of the handshake made again for the HEAD (handshakeError).
func askAgainWithGet(err error) bool {
	if errors.As(err, new(*handshakeError)) {
		return false
	}
	switch statusOf(err) {
	case http.StatusMethodNotAllowed, http.StatusNotImplemented, http.StatusNotFound, http.StatusForbidden:
		return true
	case http.StatusUnauthorized:
		var ae *answerError
		return !errors.As(err, &ae) || !ae.bearer
	}
	return false
}

// Platforms GETs the manifest that reference (a tag or a "sha256:…" digest)
// names and returns its platforms; for a single manifest it also reads the
// image config. Memoized for the Client's lifetime.
func (c *Client) Platforms(ctx context.Context, ref Repository, reference string) (Platforms, error) {
	action, byDigest, err := referenceAction(ref, reference, "read the manifest of tag ", "read the manifest of digest ")
	if err != nil {
		return Platforms{}, err
	}
	p, err := c.platforms.Get(ctx, ref.key+":"+reference, func(ctx context.Context) (Platforms, error) {
		rt, err := c.transportFor(ctx, ref)
		if err != nil {
			return Platforms{}, err
		}
		m, err := c.getManifest(ctx, ref, rt, reference)
		if err != nil {
			return Platforms{}, err
		}
		p, err := c.platformsOf(ctx, ref, rt, m)
		if err != nil {
			return Platforms{}, err
		}
		if !byDigest {
			c.heads.Put(ref.key+":"+reference, Descriptor{Digest: p.Digest, MediaType: string(m.mediaType)})
		}
		return p, nil
	})
	if err != nil {
		return Platforms{}, c.fail(ref, action, err)
	}
	p.ByPlatform = maps.Clone(p.ByPlatform)
	return p, nil
}

// manifest is a manifest as fetched, its digest verified.
type manifest struct {
	body      []byte
	mediaType types.MediaType
	digest    string
}

// getManifest GETs a manifest by tag or digest and verifies its body: by
// digest, it must hash to that digest; by tag, to the Docker-Content-Digest
// the registry sent, when it sent one (otherwise its digest is the one the
// registry serves it by: servedDigest).
func (c *Client) getManifest(ctx context.Context, ref Repository, rt *repoTransport, reference string) (*manifest, error) {
	resp, err := c.fetch(ctx, ref, rt, http.MethodGet, ref.v2URL("manifests/"+reference), manifestAccept, nil)
	if err != nil {
		return nil, err
	}
	var probe struct {
		MediaType types.MediaType `json:"mediaType"`
		Manifests json.RawMessage `json:"manifests"`
		Config    json.RawMessage `json:"config"`
		Layers    json.RawMessage `json:"layers"`
		Schema    int             `json:"schemaVersion"`
	}
	// Not JSON: said after the digest check, which tells a body cut or
	// changed in transfer from one the registry stores so.
	probeErr := json.Unmarshal(resp.body, &probe)
	// Said before the digest check: a signed schema 1 body never hashes to
	// its Docker-Content-Digest (the payload's). Known by Content-Type, or by
	// schemaVersion where the type names no manifest (manifests served as
	// files: application/json, application/octet-stream, none).
	if mediaType(resp.header.Get("Content-Type")).IsSchema1() || probe.Schema == 1 {
		return nil, &answerError{status: resp.status, msg: "the manifest uses Docker's old schema 1 format, which is not supported; push the image again with a current Docker or ask for a tag built since 2017"}
	}
	want, what := reference, "asked for"
	unnamed := false // by tag, without Docker-Content-Digest
	if !strings.Contains(reference, ":") {
		if want, err = contentDigest(resp); err != nil {
			return nil, err
		}
		what = "the registry's Docker-Content-Digest header names"
		if want == "" {
			want, what, unnamed = "sha256:", "", true
		}
	}
	got, err := digestOf(want, resp.body)
	if err != nil {
		return nil, &answerError{status: resp.status, msg: fmt.Sprintf("the digest %q cannot be checked", want), cause: err}
	}
	if what != "" && got != want {
		return nil, &answerError{status: resp.status, msg: fmt.Sprintf("the manifest the registry sent hashes to %s, not to the %s %s", got, want, what)}
	}
	m := &manifest{body: resp.body, mediaType: mediaType(resp.header.Get("Content-Type")), digest: got}
	if probeErr != nil {
		return nil, &answerError{status: resp.status, msg: "the manifest is not valid JSON", cause: probeErr}
	}
	if !m.mediaType.IsIndex() && !m.mediaType.IsImage() {
		switch {
		case probe.MediaType != "":
			m.mediaType = probe.MediaType
		case probe.Manifests != nil:
			m.mediaType = types.OCIImageIndex
		case probe.Config != nil:
			m.mediaType = types.OCIManifestSchema1
		}
	}
	if !m.mediaType.IsIndex() && !m.mediaType.IsImage() {
		return nil, &answerError{status: resp.status, msg: fmt.Sprintf("the manifest has the unsupported media type %q", m.mediaType)}
	}
	// A body of the other kind is refused, as containerd refuses it
	// (validateMediaType): read as the kind its media type says, an image
	// served as an index has no platform, and an index that also has a
	// config gives the config's platform, which no client pulls.
	has := func(r json.RawMessage) bool { return len(r) > 0 && string(r) != "null" }
	var contradiction string
	switch {
	case m.mediaType.IsIndex() && (has(probe.Config) || has(probe.Layers)):
		contradiction = "it has a config or layers, as an image manifest does"
	case m.mediaType.IsImage() && has(probe.Manifests):
		contradiction = "it lists manifests, as an index does"
	case m.mediaType.IsIndex() && probe.MediaType.IsImage(), m.mediaType.IsImage() && probe.MediaType.IsIndex():
		contradiction = fmt.Sprintf("its mediaType field says %q", probe.MediaType)
	}
	if contradiction != "" {
		return nil, &answerError{status: resp.status, msg: fmt.Sprintf("the registry sent the manifest as %q, but %s", m.mediaType, contradiction)}
	}
	if unnamed {
		if m.digest, err = c.servedDigest(ctx, ref, rt, resp); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// servedDigest is the digest by which the registry serves a manifest it
// sent for a tag without Docker-Content-Digest: the body's sha256, else its
// sha512, whichever a GET by digest answers. Docker and containerd take the
// sha256, but a registry naming manifests by sha512 (zot so configured, a
// static registry written by a sha512 push) holds none by it (404, or 400
// for an algorithm it does not take), and no pull could use that pin.
// Neither served: no digest to pin, an error.
func (c *Client) servedDigest(ctx context.Context, ref Repository, rt *repoTransport, resp *response) (string, error) {
	var tried []string
	for _, alg := range []string{"sha256:", "sha512:"} {
		dg, _ := digestOf(alg, resp.body) // v1.Hasher knows both
		if _, err := c.getManifest(ctx, ref, rt, dg); statusOf(err) != http.StatusNotFound && statusOf(err) != http.StatusBadRequest {
			return dg, err
		}
		tried = append(tried, dg)
	}
	return "", &answerError{status: resp.status, msg: fmt.Sprintf("the registry sent the manifest without a Docker-Content-Digest, and serves it by neither of its digests %s: no digest of it can be pinned", strings.Join(tried, " nor "))}
}

// contentDigest is the Docker-Content-Digest an answer sends, "" for none.
// Sent more than once with different values (a proxy adding its own to
// the registry's, say), it names no one manifest: an error, where taking
// the first would pin, from a HEAD, a digest nothing proves.
func contentDigest(resp *response) (string, error) {
	var dg string
	for _, v := range resp.header.Values("Docker-Content-Digest") {
		switch {
		case v == "" || v == dg:
		case dg == "":
			dg = v
		default:
			return "", &answerError{status: resp.status, msg: fmt.Sprintf("the registry sent two different Docker-Content-Digest headers, %q and %q", dg, v)}
		}
	}
	return dg, nil
}

func (c *Client) platformsOf(ctx context.Context, ref Repository, rt *repoTransport, m *manifest) (Platforms, error) {
	p := Platforms{Digest: m.digest, ByPlatform: map[string]string{}}
	if m.mediaType.IsIndex() {
		nested := 0
		if err := c.addIndex(ctx, ref, rt, m.body, nil, 0, &nested, &p); err != nil {
			return Platforms{}, err
		}
		return p, nil
	}
	man, err := v1.ParseManifest(bytes.NewReader(m.body))
	if err != nil {
		return Platforms{}, &answerError{status: http.StatusOK, msg: "the image manifest cannot be read", cause: err}
	}
	// A config that is no image config's is an artifact (a Helm chart,
	// image-spec 1.1's empty config, a Docker plugin) no runtime runs: say
	// so, not "no platform". A HEAD cannot see the config, so a tag resolved
	// without its platforms is pinned by the HEAD alone.
	if t := man.Config.MediaType; !imageArtifact(string(t)) {
		return Platforms{}, &answerError{status: http.StatusOK, msg: fmt.Sprintf("the manifest is no container image: its config of type %q is an artifact's, where an image's is %q or %q; the tag points at an artifact (a Helm chart, a signature), which no container runtime runs", t, types.OCIConfigJSON, types.DockerConfigJSON)}
	}
	cfgDigest := man.Config.Digest.String()
	resp, err := c.fetch(ctx, ref, rt, http.MethodGet, ref.v2URL("blobs/"+cfgDigest), []string{string(man.Config.MediaType), "application/json", "*/*"}, nil)
	if err != nil {
		return Platforms{}, err
	}
	if got, err := digestOf(cfgDigest, resp.body); err != nil || got != cfgDigest {
		return Platforms{}, &answerError{status: resp.status, msg: fmt.Sprintf("the image config blob does not hash to the %s the manifest names", cfgDigest), cause: err}
	}
	cfg, err := v1.ParseConfigFile(bytes.NewReader(resp.body))
	if err != nil {
		return Platforms{}, &answerError{status: resp.status, msg: "the image config cannot be read", cause: err}
	}
	if key := platformKey(cfg.OS, cfg.Architecture, cfg.Variant, cfg.OSVersion); key != "" {
		p.ByPlatform[key] = m.digest
	}
	return p, nil
}

const (
	maxIndexDepth    = 2
	maxNestedIndexes = 16
)

// addIndex adds an index's platforms to p. An entry that is itself an
// index is read (by digest, verified) and its images taken under the
// entry's platform where theirs is unsaid: BuildKit's per-platform indexes
// (image and attestation) merged into one give linux/amd64 and linux/arm64
// entries that are indexes (ghcr.io/goauthentik/server:2026.8.0,
// CodesWhat/drydock#814); a platform's digest is its image manifest's.
func (c *Client) addIndex(ctx context.Context, ref Repository, rt *repoTransport, body []byte, outer *v1.Platform, depth int, nested *int, p *Platforms) error {
	idx, err := v1.ParseIndexManifest(bytes.NewReader(body))
	if err != nil {
		return &answerError{status: http.StatusOK, msg: "the image index cannot be read", cause: err}
	}
	for _, d := range idx.Manifests {
		// An entry whose artifactType is no image config's (a SOCI index, a
		// signature), or that BuildKit's annotation marks an attestation, is
		// no image, though it may carry the platform of the one it serves.
		// go-containerregistry gives images their config's.
		if !imageArtifact(d.ArtifactType) || d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
			p.NotImages++
			continue
		}
		platform := d.Platform
		if platform == nil {
			platform = outer
		} else if outer != nil && !within(platform, outer) {
			// containerd reaches a nested index only for a platform its
			// entry matches, and takes from it only that platform's
			// images: one of another platform is pulled by no one.
			continue
		}
		if d.MediaType.IsIndex() {
			if depth >= maxIndexDepth || *nested >= maxNestedIndexes {
				return &answerError{status: http.StatusOK, msg: fmt.Sprintf("the image index nests indexes more than %d deep or more than %d in all", maxIndexDepth, maxNestedIndexes)}
			}
			*nested++
			child, err := c.getManifest(ctx, ref, rt, d.Digest.String())
			if err != nil {
				return err
			}
			if !child.mediaType.IsIndex() {
				return &answerError{status: http.StatusOK, msg: fmt.Sprintf("the image index names %s an index, but it is a %s", d.Digest, child.mediaType)}
			}
			if err := c.addIndex(ctx, ref, rt, child.body, platform, depth+1, nested, p); err != nil {
				return err
			}
			continue
		}
		// Only an image manifest is a platform's image: Docker and
		// containerd pull no schema 1 manifest, nor an artifact's.
		key := ""
		if platform != nil && d.MediaType.IsImage() {
			key = platformKey(platform.OS, platform.Architecture, platform.Variant, platform.OSVersion)
		}
		if key == "" {
			p.NotImages++
			continue
		}
		if _, dup := p.ByPlatform[key]; !dup {
			p.ByPlatform[key] = d.Digest.String()
		}
	}
	return nil
}

// digestOf hashes body with the algorithm of want ("sha512:…", "sha256:").
func digestOf(want string, body []byte) (string, error) {
	alg, _, _ := strings.Cut(want, ":")
	h, err := v1.Hasher(alg)
	if err != nil {
		return "", err
	}
	h.Write(body)
	return alg + ":" + hex.EncodeToString(h.Sum(nil)), nil
}

// referenceAction checks reference, a tag or a digest ("sha256:…"), and
// returns the action an error about it names (forTag or forDigest, then
// the reference) and whether it is a digest.
func referenceAction(ref Repository, reference, forTag, forDigest string) (string, bool, error) {
	if strings.Contains(reference, ":") {
		action := forDigest + reference
		if _, err := v1.NewHash(reference); err != nil {
			return action, true, invalid(ref, action, fmt.Errorf("%q is not a digest such as sha256:…: %w", reference, err))
		}
		return action, true, nil
	}
	action := forTag + reference
	if err := ValidateTag(reference); err != nil {
		return action, false, invalid(ref, action, err)
	}
	return action, false, nil
}

// imageArtifact reports whether an index entry's artifactType, or an image
// manifest's config media type, is an image's.
func imageArtifact(t string) bool {
	return t == "" || t == string(types.OCIConfigJSON) || t == string(types.DockerConfigJSON)
}

// within reports whether a nested index's entry of platform p is of the
// platform of its outer entry: the same os and architecture, and the same
// variant where both say one.
func within(p, outer *v1.Platform) bool {
	return p.OS == outer.OS && p.Architecture == outer.Architecture &&
		(p.Variant == "" || outer.Variant == "" || p.Variant == outer.Variant)
}

// platformKey is an index entry's platform as platform_digests keys it:
// "os/arch[/variant]", and with its os.version, where it says one, as
// containerd's FormatAll writes it: "windows(10.0.20348.2340)/amd64". An
// index lists a Windows image once per Windows version, each for the same
// os/arch (mcr.microsoft.com/windows/servercore: 10.0.17763.x for Server
// 2019, 10.0.20348.x for 2022), and a Windows host runs the one of its own
// version (containerd/platforms, windowsVersionMatcher): under the plain
// key the first would stand for all, and platform = "windows/amd64" would
// pin it silently. The resolver takes the key for its os/arch too.
func platformKey(os, arch, variant, osVersion string) string {
	if os == "" || arch == "" || os == "unknown" || arch == "unknown" {
		return ""
	}
	if osVersion != "" && !strings.ContainsAny(osVersion, "/() ") {
		os += "(" + osVersion + ")"
	}
	if variant != "" {
		return os + "/" + arch + "/" + variant
	}
	return os + "/" + arch
}

func mediaType(ct string) types.MediaType {
	mt, _, _ := mime.ParseMediaType(ct)
	return types.MediaType(mt)
}
