package registrytest

import (
	"fmt"
	"net/http"
	"strconv"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// PushPlatforms (re)pushes tag in repo as an OCI image index with a fresh
// image manifest for each of platforms ("os/arch[/variant]", in the order
// given) and, as Seed's indexes have, an unknown/unknown attestation entry
// pointing at the first of them. It is how a test publishes an image that
// lacks a platform, or has one with a variant ("linux/arm64/v8"). It
// returns the index digest.
func (r *Registry) PushPlatforms(repo, tag string, platforms ...string) (string, error) {
	ps, err := checkPlatformRefs(repo, tag, platforms...)
	if err != nil {
		return "", err
	}
	r.mut.Lock()
	defer r.mut.Unlock()
	if err := r.ensureShared(repo); err != nil {
		return "", err
	}
	var entries []v1.Descriptor
	for _, p := range ps {
		d, err := r.pushPlatformImage(repo, tag, p)
		if err != nil {
			return "", err
		}
		entries = append(entries, d)
	}
	subject := attestation().digest // an index of no image attests itself
	if len(entries) > 0 {
		subject = entries[0].Digest
	}
	return r.putIndex(repo, tag, append(entries, attestationEntry(subject)))
}

// PushPlatformSpecs is PushPlatforms for platforms given whole, with what
// "os/arch[/variant]" cannot say: an os.version (a Windows image, listed
// once per Windows version) or os.features. Each entry's platform is as
// given, its image's config of the same os, architecture and variant. It
// returns the index digest and its entries' image digests, in order.
func (r *Registry) PushPlatformSpecs(repo, tag string, platforms ...v1.Platform) (string, []string, error) {
	if err := checkRefs(repo, tag); err != nil {
		return "", nil, err
	}
	r.mut.Lock()
	defer r.mut.Unlock()
	if err := r.ensureShared(repo); err != nil {
		return "", nil, err
	}
	var entries []v1.Descriptor
	var images []string
	for _, p := range platforms {
		d, err := r.pushPlatformImage(repo, tag, p)
		if err != nil {
			return "", nil, err
		}
		entries = append(entries, d)
		images = append(images, d.Digest.String())
	}
	index, err := r.putIndex(repo, tag, entries)
	return index, images, err
}

// RepushPlatform (re)pushes the OCI index tag points at in repo with a
// fresh image manifest for platform in place of the one it has (added at
// the end when it has none), every other entry, attestations included,
// as it was: the index digest and that platform's digest change, the
// others stay. It returns the new index digest.
func (r *Registry) RepushPlatform(repo, tag, platform string) (string, error) {
	ps, err := checkPlatformRefs(repo, tag, platform)
	if err != nil {
		return "", err
	}
	p := ps[0]
	r.mut.Lock()
	defer r.mut.Unlock()
	rec := r.call(http.MethodGet, "/v2/"+repo+"/manifests/"+tag, "", "", nil)
	if rec.Code == http.StatusNotFound {
		return "", fmt.Errorf("registrytest: %s:%s: %w", repo, tag, ErrNotFound)
	}
	if rec.Code != http.StatusOK || !types.MediaType(rec.Header().Get("Content-Type")).IsIndex() {
		return "", fmt.Errorf("registrytest: %s:%s is no image index (%d %s)", repo, tag, rec.Code, rec.Header().Get("Content-Type"))
	}
	im, err := v1.ParseIndexManifest(&rec.Body)
	if err != nil {
		return "", fmt.Errorf("registrytest: %s:%s: %w", repo, tag, err)
	}
	fresh, err := r.pushPlatformImage(repo, tag, p)
	if err != nil {
		return "", err
	}
	entries, replaced := make([]v1.Descriptor, 0, len(im.Manifests)+1), false
	for _, d := range im.Manifests {
		if d.Platform != nil && platformKey(*d.Platform) == platformKey(p) {
			d, replaced = fresh, true
		}
		entries = append(entries, d)
	}
	if !replaced {
		entries = append(entries, fresh)
	}
	return r.putIndex(repo, tag, entries)
}

// checkPlatformRefs checks repo and tag as checkRefs does, and parses
// platforms ("os/arch[/variant]").
func checkPlatformRefs(repo, tag string, platforms ...string) ([]v1.Platform, error) {
	if err := checkRefs(repo, tag); err != nil {
		return nil, err
	}
	ps := make([]v1.Platform, len(platforms))
	for i, s := range platforms {
		p, err := parsePlatform(s)
		if err != nil {
			return nil, err
		}
		ps[i] = p
	}
	return ps, nil
}

// pushPlatformImage pushes a fresh OCI image manifest for p (its config
// and annotations name tag and a new push generation) by digest, and
// returns its index entry. The caller holds r.mut.
func (r *Registry) pushPlatformImage(repo, tag string, p v1.Platform) (v1.Descriptor, error) {
	ann := annotations(tag, strconv.FormatUint(r.gen.Add(1), 10))
	c := configFor(p, ann)
	if err := r.putBlob(repo, c, false); err != nil {
		return v1.Descriptor{}, err
	}
	m := ociImage(c, ann)
	if err := r.putManifest(repo, m.ds, types.OCIManifestSchema1, m); err != nil {
		return v1.Descriptor{}, err
	}
	d := m.descriptor(types.OCIManifestSchema1)
	d.Platform = &p
	return d, nil
}

// putIndex pushes an OCI index of entries under tag, annotated with a new
// push generation, and records the tag. The caller holds r.mut.
func (r *Registry) putIndex(repo, tag string, entries []v1.Descriptor) (string, error) {
	idx := newBlob(mustJSON(v1.IndexManifest{
		SchemaVersion: 2,
		MediaType:     types.OCIImageIndex,
		Manifests:     entries,
		Annotations:   annotations(tag, strconv.FormatUint(r.gen.Add(1), 10)),
	}))
	if err := r.putManifest(repo, tag, types.OCIImageIndex, idx); err != nil {
		return "", err
	}
	r.addTags(repo, []string{tag})
	return idx.ds, nil
}

// attestationEntry is the unknown/unknown index entry of the shared
// attestation manifest, naming the image it attests.
func attestationEntry(subject v1.Hash) v1.Descriptor {
	att := attestation().descriptor(types.OCIManifestSchema1)
	att.Platform = &unknown
	att.Annotations = map[string]string{
		"vnd.docker.reference.digest": subject.String(),
		"vnd.docker.reference.type":   "attestation-manifest",
	}
	return att
}
