package registry

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"maps"
	"mime"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

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
}

// Head resolves repository:tag to its digest with a manifest HEAD, which
// Docker Hub does not count against its pull rate limit. Only when the
// registry sends no Docker-Content-Digest is the manifest fetched (GET) and
// its sha256 taken. The result is memoized per repository and tag for the
// Client's lifetime, with concurrent callers sharing one request.
func (c *Client) Head(ctx context.Context, ref Repository, tag string) (Descriptor, error) {
	action := "resolve the digest of tag " + tag
	if err := ValidateTag(tag); err != nil {
		return Descriptor{}, invalid(ref.written, action, err)
	}
	d, err := c.heads.Get(ctx, ref.key+":"+tag, func(ctx context.Context) (Descriptor, error) {
		rt, err := c.transportFor(ctx, ref)
		if err != nil {
			return Descriptor{}, err
		}
		return c.head(ctx, ref, rt, tag)
	})
	if err != nil {
		return Descriptor{}, c.fail(ref, action, err)
	}
	return d, nil
}

// head asks with a HEAD through the repository's Puller. The transport
// keeps the answer's header: go-containerregistry refuses an answer
// without Content-Type, Content-Length or a valid Docker-Content-Digest,
// and only a missing digest calls for the GET.
func (c *Client) head(ctx context.Context, ref Repository, rt *repoTransport, tag string) (Descriptor, error) {
	var header http.Header
	err := c.retry(ctx, fieldsOf(ref), func(actx context.Context) error {
		_, err := rt.puller.Head(actx, ref.name.Tag(tag))
		var te *transport.Error
		if errors.As(err, &te) || (err != nil && exchangeOf(actx).header == nil) {
			return err
		}
		header = exchangeOf(actx).header
		return nil
	})
	if s := statusOf(err); s == http.StatusMethodNotAllowed || s == http.StatusNotImplemented {
		// A registry without manifest HEAD: read the manifest instead.
		header, err = http.Header{}, nil
	}
	if err != nil {
		return Descriptor{}, err
	}
	mt := mediaType(header.Get("Content-Type"))
	if dg := header.Get("Docker-Content-Digest"); dg != "" {
		if _, err := v1.NewHash(dg); err != nil {
			return Descriptor{}, &answerError{status: http.StatusOK, msg: fmt.Sprintf("the registry sent the invalid Docker-Content-Digest %q", dg), cause: err}
		}
		return Descriptor{Digest: dg, MediaType: string(mt)}, nil
	}
	c.debug(ctx, "registry sent no Docker-Content-Digest; reading the manifest", map[string]any{
		"registry": ref.registry, "repository": ref.written, "tag": tag,
	})
	m, err := c.getManifest(ctx, ref, rt, tag)
	if err != nil {
		return Descriptor{}, err
	}
	return Descriptor{Digest: m.digest, MediaType: string(m.mediaType)}, nil
}

// Platforms GETs the manifest that reference (a tag or a "sha256:…" digest)
// names and returns its platforms; for a single manifest it also reads the
// image config. The result is memoized per repository and reference for
// the Client's lifetime, with concurrent callers sharing one request.
func (c *Client) Platforms(ctx context.Context, ref Repository, reference string) (Platforms, error) {
	byDigest := strings.Contains(reference, ":")
	action := "read the manifest of tag " + reference
	if byDigest {
		action = "read the manifest of digest " + reference
	}
	if byDigest {
		if _, err := v1.NewHash(reference); err != nil {
			return Platforms{}, invalid(ref.written, action, fmt.Errorf("%q is not a digest such as sha256:…: %w", reference, err))
		}
	} else if err := ValidateTag(reference); err != nil {
		return Platforms{}, invalid(ref.written, action, err)
	}
	sep := ":"
	if byDigest {
		sep = "@"
	}
	p, err := c.platforms.Get(ctx, ref.key+sep+reference, func(ctx context.Context) (Platforms, error) {
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
	digest    string // what the body hashes to, as asked for or as the registry named it
}

// getManifest GETs a manifest by tag or digest through the repository's
// Puller. Its body is verified as it is read: by digest, it must hash to
// that digest (go-containerregistry checks it, and the transport before
// it); by tag, to the Docker-Content-Digest the registry sent, when it
// sent one (the transport checks it; sha256 otherwise).
func (c *Client) getManifest(ctx context.Context, ref Repository, rt *repoTransport, reference string) (*manifest, error) {
	byDigest := strings.Contains(reference, ":")
	var r name.Reference = ref.name.Tag(reference)
	if byDigest {
		r = ref.name.Digest(reference)
	}
	var m *manifest
	err := c.retry(ctx, fieldsOf(ref), func(actx context.Context) error {
		d, err := rt.puller.Get(actx, r)
		if err != nil {
			return err
		}
		m = &manifest{body: d.Manifest, mediaType: mediaType(string(d.MediaType)), digest: d.Digest.String()}
		if dg := exchangeOf(actx).header.Get("Docker-Content-Digest"); dg != "" && !byDigest {
			m.digest = dg // what the body was checked against
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var probe struct {
		MediaType types.MediaType `json:"mediaType"`
		Manifests json.RawMessage `json:"manifests"`
		Config    json.RawMessage `json:"config"`
		Schema    int             `json:"schemaVersion"`
	}
	if err := json.Unmarshal(m.body, &probe); err != nil {
		return nil, &answerError{status: http.StatusOK, msg: "the manifest is not valid JSON", cause: err}
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
	if probe.Schema == 1 || m.mediaType.IsSchema1() {
		return nil, &answerError{status: http.StatusOK, msg: "the manifest uses Docker's old schema 1 format, which is not supported; push the image again with a current Docker or ask for a tag built since 2017"}
	}
	if !m.mediaType.IsIndex() && !m.mediaType.IsImage() {
		return nil, &answerError{status: http.StatusOK, msg: fmt.Sprintf("the manifest has the unsupported media type %q", m.mediaType)}
	}
	return m, nil
}

// platformsOf lists an index's platforms, or the single manifest's own from
// its config blob.
func (c *Client) platformsOf(ctx context.Context, ref Repository, rt *repoTransport, m *manifest) (Platforms, error) {
	p := Platforms{Digest: m.digest, ByPlatform: map[string]string{}}
	if m.mediaType.IsIndex() {
		idx, err := v1.ParseIndexManifest(bytes.NewReader(m.body))
		if err != nil {
			return Platforms{}, &answerError{status: http.StatusOK, msg: "the image index cannot be read", cause: err}
		}
		for _, d := range idx.Manifests {
			if d.Platform == nil {
				continue
			}
			key := platformKey(d.Platform.OS, d.Platform.Architecture, d.Platform.Variant)
			if key == "" {
				continue
			}
			if _, dup := p.ByPlatform[key]; !dup {
				p.ByPlatform[key] = d.Digest.String()
			}
		}
		return p, nil
	}
	man, err := v1.ParseManifest(bytes.NewReader(m.body))
	if err != nil {
		return Platforms{}, &answerError{status: http.StatusOK, msg: "the image manifest cannot be read", cause: err}
	}
	var b []byte
	err = c.retry(ctx, fieldsOf(ref), func(actx context.Context) error {
		layer, err := rt.puller.Layer(actx, ref.name.Digest(man.Config.Digest.String()))
		if err != nil {
			return err
		}
		blob, err := layer.Compressed()
		if err != nil {
			return err
		}
		defer blob.Close()
		// go-containerregistry checks the blob against its digest as it
		// is read.
		if b, err = readLimited(blob, maxBodySize); err != nil && !retryable(err) {
			return &answerError{status: http.StatusOK, msg: "the image config blob cannot be read", cause: err}
		}
		return err
	})
	if err != nil {
		return Platforms{}, err
	}
	cfg, err := v1.ParseConfigFile(bytes.NewReader(b))
	if err != nil {
		return Platforms{}, &answerError{status: http.StatusOK, msg: "the image config cannot be read", cause: err}
	}
	if key := platformKey(cfg.OS, cfg.Architecture, cfg.Variant); key != "" {
		p.ByPlatform[key] = m.digest
	}
	return p, nil
}

// platformKey is "os/arch[/variant]", or "" for an unknown platform.
func platformKey(os, arch, variant string) string {
	if os == "" || arch == "" || os == "unknown" || arch == "unknown" {
		return ""
	}
	if variant != "" {
		return os + "/" + arch + "/" + variant
	}
	return os + "/" + arch
}

// mediaType strips parameters from a Content-Type ("" when it has none
// that parses).
func mediaType(ct string) types.MediaType {
	mt, _, _ := mime.ParseMediaType(ct)
	return types.MediaType(mt)
}

// checkDigest makes a manifest answer's body fail at its end unless it
// hashes to reference, a digest, or for a tag to the Docker-Content-Digest
// the registry sent, when it sent one. go-containerregistry checks only
// the digest asked for, and only after this.
func checkDigest(resp *http.Response, reference string) (*http.Response, error) {
	want, what := reference, "asked for"
	if !strings.Contains(reference, ":") {
		want, what = resp.Header.Get("Docker-Content-Digest"), "the registry's Docker-Content-Digest header names"
	}
	if want == "" {
		return resp, nil
	}
	h, err := v1.NewHash(want)
	if err != nil {
		resp.Body.Close()
		return nil, &answerError{status: resp.StatusCode, msg: fmt.Sprintf("the digest %q cannot be checked", want), cause: err}
	}
	hasher, _ := v1.Hasher(h.Algorithm) // NewHash takes no algorithm Hasher lacks
	resp.Body = &digestBody{ReadCloser: resp.Body, hasher: hasher, want: h, what: what}
	return resp, nil
}

// digestBody hashes a manifest body as it is read, and fails the read that
// ends it when the body does not hash to want.
type digestBody struct {
	io.ReadCloser
	hasher hash.Hash
	want   v1.Hash
	what   string
}

func (b *digestBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.hasher.Write(p[:n])
	if err != io.EOF {
		return n, err
	}
	if got := (v1.Hash{Algorithm: b.want.Algorithm, Hex: hex.EncodeToString(b.hasher.Sum(nil))}); got != b.want {
		return n, &answerError{status: http.StatusOK, msg: fmt.Sprintf("the manifest the registry sent hashes to %s, not to the %s %s", got, b.want, b.what)}
	}
	return n, err
}
