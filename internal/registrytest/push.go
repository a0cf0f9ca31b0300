package registrytest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"strconv"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

var (
	repoRE = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$`)
	tagRE  = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`) // and at most 128 bytes
)

var (
	linuxAMD64 = v1.Platform{OS: "linux", Architecture: "amd64"}
	linuxARM64 = v1.Platform{OS: "linux", Architecture: "arm64"}
	unknown    = v1.Platform{OS: "unknown", Architecture: "unknown"}

	amd64Config = sync.OnceValue(func() blob { return configFor(linuxAMD64, nil) })
	arm64Config = sync.OnceValue(func() blob { return configFor(linuxARM64, nil) })
)

// checkRefs checks a repository name and the tags to push into it.
func checkRefs(repo string, tags ...string) error {
	if !repoRE.MatchString(repo) {
		return fmt.Errorf("registrytest: %q is not a valid repository name", repo)
	}
	for _, tag := range tags {
		if err := checkTag(tag); err != nil {
			return err
		}
	}
	return nil
}

func checkTag(tag string) error {
	if len(tag) > 128 || !tagRE.MatchString(tag) {
		return fmt.Errorf("registrytest: %q is not a valid tag", tag)
	}
	return nil
}

// Seed pushes every tag to repo (creating the repository if needed), each as
// its own multi-platform OCI image index like the ones Docker buildx pushes
// to Docker Hub: a linux/amd64 and a linux/arm64 image manifest, and an
// unknown/unknown attestation manifest whose annotations point at the amd64
// one. The index and both platform manifests carry annotations naming the
// tag and a push generation, so every tag has its own index digest and its
// own platform digests; blobs (configs, one small layer, the attestation)
// are shared. Tags that already exist are pushed again with new content.
// Seeding calls the registry in process: it is neither counted nor logged,
// and it needs no credentials.
func (r *Registry) Seed(repo string, tags []string) error {
	if err := checkRefs(repo, tags...); err != nil {
		return err
	}
	r.mut.Lock()
	defer r.mut.Unlock()
	if err := r.ensureShared(repo); err != nil {
		return err
	}

	workers := min(runtime.GOMAXPROCS(0), 8, max(1, len(tags)/256))
	chunk := (len(tags) + workers - 1) / workers
	var (
		wg   sync.WaitGroup
		errs = make([]error, workers)
		done = make([][]string, workers)
	)
	for w := range workers {
		lo, hi := min(w*chunk, len(tags)), min((w+1)*chunk, len(tags))
		wg.Go(func() {
			for _, t := range tags[lo:hi] {
				if _, err := r.pushIndex(repo, t); err != nil {
					errs[w] = err
					return
				}
				done[w] = append(done[w], t)
			}
		})
	}
	wg.Wait()
	for _, d := range done {
		r.addTags(repo, d)
	}
	return errors.Join(errs...)
}

// Push (re)pushes tag in repo as Seed does, with fresh content: a new index
// digest and new platform digests. It returns the new index digest.
func (r *Registry) Push(repo, tag string) (string, error) {
	if err := checkRefs(repo, tag); err != nil {
		return "", err
	}
	r.mut.Lock()
	defer r.mut.Unlock()
	if err := r.ensureShared(repo); err != nil {
		return "", err
	}
	d, err := r.pushIndex(repo, tag)
	if err != nil {
		return "", err
	}
	r.addTags(repo, []string{tag})
	return d, nil
}

// PushSingle (re)pushes tag in repo as a single-platform Docker schema 2
// image manifest, no index, as Prefect's tags before 2.7.10 are. platform is
// "os/arch[/variant]"; the image config carries it (and labels that make the
// content new on every push). It returns the manifest digest.
func (r *Registry) PushSingle(repo, tag, platform string) (string, error) {
	ps, err := checkPlatformRefs(repo, tag, platform)
	if err != nil {
		return "", err
	}
	r.mut.Lock()
	defer r.mut.Unlock()
	if err := r.ensureShared(repo); err != nil {
		return "", err
	}
	m, err := r.pushDockerImage(repo, tag, ps[0])
	if err != nil {
		return "", err
	}
	if err := r.putManifest(repo, tag, types.DockerManifestSchema2, m); err != nil {
		return "", err
	}
	r.addTags(repo, []string{tag})
	return m.ds, nil
}

// PushManifestList (re)pushes tag in repo as a Docker manifest list
// (application/vnd.docker.distribution.manifest.list.v2+json) of linux/amd64
// and linux/arm64 Docker schema 2 images, without attestation, as older
// multi-platform tags are. It returns the list's digest.
func (r *Registry) PushManifestList(repo, tag string) (string, error) {
	if err := checkRefs(repo, tag); err != nil {
		return "", err
	}
	r.mut.Lock()
	defer r.mut.Unlock()
	if err := r.ensureShared(repo); err != nil {
		return "", err
	}
	var descs []v1.Descriptor
	for _, p := range []v1.Platform{linuxAMD64, linuxARM64} {
		m, err := r.pushDockerImage(repo, tag, p)
		if err != nil {
			return "", err
		}
		if err := r.putManifest(repo, m.ds, types.DockerManifestSchema2, m); err != nil {
			return "", err
		}
		d := m.descriptor(types.DockerManifestSchema2)
		d.Platform = &p
		descs = append(descs, d)
	}
	list := newBlob(mustJSON(v1.IndexManifest{
		SchemaVersion: 2,
		MediaType:     types.DockerManifestList,
		Manifests:     descs,
	}))
	if err := r.putManifest(repo, tag, types.DockerManifestList, list); err != nil {
		return "", err
	}
	r.addTags(repo, []string{tag})
	return list.ds, nil
}

// Delete removes tag from repo: HEAD and GET by tag answer 404 and tags/list
// no longer names it. Manifests stay reachable by digest, as on a real
// registry before garbage collection. It returns an error wrapping
// ErrNotFound when there is no such tag.
func (r *Registry) Delete(repo, tag string) error {
	if err := checkTag(tag); err != nil {
		return err
	}
	r.mut.Lock()
	defer r.mut.Unlock()
	rec := r.call(http.MethodDelete, "/v2/"+repo+"/manifests/"+tag, "", "", nil)
	r.noteManifestChange(http.MethodDelete, repo, tag, rec.Code)
	switch rec.Code {
	case http.StatusAccepted:
		return nil
	case http.StatusNotFound:
		return fmt.Errorf("registrytest: deleting %s:%s: %w", repo, tag, ErrNotFound)
	default:
		return fmt.Errorf("registrytest: deleting %s:%s: %d %s", repo, tag, rec.Code, rec.Body.String())
	}
}

// Digest returns the digest tag currently points at in repo: the index
// digest for a multi-platform tag. It returns an error wrapping ErrNotFound
// when there is no such tag.
func (r *Registry) Digest(repo, tag string) (string, error) {
	rec := r.call(http.MethodHead, "/v2/"+repo+"/manifests/"+tag, "", "", nil)
	switch rec.Code {
	case http.StatusOK:
		return rec.Header().Get("Docker-Content-Digest"), nil
	case http.StatusNotFound:
		return "", fmt.Errorf("registrytest: %s:%s: %w", repo, tag, ErrNotFound)
	default:
		return "", fmt.Errorf("registrytest: HEAD %s:%s: %d", repo, tag, rec.Code)
	}
}

// PlatformDigests returns, for the index or manifest list tag points at, each
// platform ("linux/amd64", "os/arch/variant") and its manifest digest,
// leaving out unknown/unknown attestation entries. For a single-platform
// manifest it returns its own platform (from its config) and digest. It
// returns an error wrapping ErrNotFound when there is no such tag.
func (r *Registry) PlatformDigests(repo, tag string) (map[string]string, error) {
	rec := r.call(http.MethodGet, "/v2/"+repo+"/manifests/"+tag, "", "", nil)
	switch rec.Code {
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, fmt.Errorf("registrytest: %s:%s: %w", repo, tag, ErrNotFound)
	default:
		return nil, fmt.Errorf("registrytest: GET %s:%s: %d", repo, tag, rec.Code)
	}
	mt := types.MediaType(rec.Header().Get("Content-Type"))
	out := map[string]string{}
	switch {
	case mt.IsIndex():
		im, err := v1.ParseIndexManifest(&rec.Body)
		if err != nil {
			return nil, fmt.Errorf("registrytest: %s:%s: %w", repo, tag, err)
		}
		for _, d := range im.Manifests {
			if d.Platform == nil || (d.Platform.OS == "unknown" && d.Platform.Architecture == "unknown") {
				continue
			}
			out[platformKey(*d.Platform)] = d.Digest.String()
		}
	case mt.IsImage():
		digest := rec.Header().Get("Docker-Content-Digest")
		m, err := v1.ParseManifest(&rec.Body)
		if err != nil {
			return nil, fmt.Errorf("registrytest: %s:%s: %w", repo, tag, err)
		}
		crec := r.call(http.MethodGet, "/v2/"+repo+"/blobs/"+m.Config.Digest.String(), "", "", nil)
		if crec.Code != http.StatusOK {
			return nil, fmt.Errorf("registrytest: config of %s:%s: %d", repo, tag, crec.Code)
		}
		cf, err := v1.ParseConfigFile(&crec.Body)
		if err != nil {
			return nil, fmt.Errorf("registrytest: config of %s:%s: %w", repo, tag, err)
		}
		out[platformKey(v1.Platform{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant})] = digest
	default:
		return nil, fmt.Errorf("registrytest: %s:%s has media type %q", repo, tag, mt)
	}
	return out, nil
}

// pushIndex pushes tag as a fresh OCI index of amd64, arm64 and an
// attestation. It returns the index digest. The caller holds r.mut, has
// called ensureShared and updates the tag index.
func (r *Registry) pushIndex(repo, tag string) (string, error) {
	gen := strconv.FormatUint(r.gen.Add(1), 10)
	amd := newBlob(amd64ImageTemplate().fill(tag, gen))
	arm := newBlob(arm64ImageTemplate().fill(tag, gen))
	for _, m := range []blob{amd, arm} {
		if err := r.putManifest(repo, m.ds, types.OCIManifestSchema1, m); err != nil {
			return "", err
		}
	}
	hexOf := func(b blob) string { return b.digest.Hex }
	size := func(b blob) string { return strconv.Itoa(len(b.data)) }
	idx := newBlob(indexTemplate().fill(tag, gen, hexOf(amd), hexOf(arm), size(amd), size(arm)))
	if err := r.putManifest(repo, tag, types.OCIImageIndex, idx); err != nil {
		return "", err
	}
	return idx.ds, nil
}

// pushDockerImage uploads a fresh config for p and returns (unpushed) a
// Docker schema 2 manifest over it.
func (r *Registry) pushDockerImage(repo, tag string, p v1.Platform) (blob, error) {
	gen := strconv.FormatUint(r.gen.Add(1), 10)
	c := configFor(p, annotations(tag, gen))
	if err := r.putBlob(repo, c, false); err != nil {
		return blob{}, err
	}
	return dockerImage(c), nil
}

// ensureShared uploads the shared blobs and the attestation manifest to repo.
// The caller holds r.mut.
func (r *Registry) ensureShared(repo string) error {
	s := shared()
	for _, b := range []blob{s.layer, s.intoto, s.attestConf, amd64Config(), arm64Config()} {
		if err := r.putBlob(repo, b, true); err != nil {
			return err
		}
	}
	a := attestation()
	r.tagsMu.RLock()
	_, known := r.repos[repo]
	r.tagsMu.RUnlock()
	if known && r.call(http.MethodHead, "/v2/"+repo+"/manifests/"+a.ds, "", "", nil).Code == http.StatusOK {
		return nil
	}
	if err := r.putManifest(repo, a.ds, types.OCIManifestSchema1, a); err != nil {
		return err
	}
	r.addTags(repo, nil)
	return nil
}

// putBlob uploads b unless it was uploaded before (pkg/registry's in-memory
// blob store ignores the repository, so once is enough) and remember is set.
func (r *Registry) putBlob(repo string, b blob, remember bool) error {
	key := b.ds
	if remember {
		r.blobsMu.Lock()
		defer r.blobsMu.Unlock()
		if r.blobs[key] {
			return nil
		}
	}
	rec := r.call(http.MethodPost, "/v2/"+repo+"/blobs/uploads/", "digest="+url.QueryEscape(key), "application/octet-stream", b.data)
	if rec.Code != http.StatusCreated {
		return fmt.Errorf("registrytest: uploading blob %s to %s: %d %s", key, repo, rec.Code, rec.Body.String())
	}
	if remember {
		r.blobs[key] = true
	}
	return nil
}

// putManifest PUTs m to repo under ref (a tag or its digest). The caller
// updates the tag index.
func (r *Registry) putManifest(repo, ref string, mt types.MediaType, m blob) error {
	rec := r.call(http.MethodPut, "/v2/"+repo+"/manifests/"+ref, "", string(mt), m.data)
	if rec.Code != http.StatusCreated {
		return fmt.Errorf("registrytest: pushing %s:%s: %d %s", repo, ref, rec.Code, rec.Body.String())
	}
	return nil
}

// call serves one request with the inner registry in process: no TCP, no
// authentication, no counting.
func (r *Registry) call(method, p, rawQuery, contentType string, body []byte) *recorder {
	req := &http.Request{
		Method:        method,
		URL:           &url.URL{Path: p, RawQuery: rawQuery},
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{},
		Body:          http.NoBody,
		ContentLength: int64(len(body)),
		Host:          "registrytest",
		RequestURI:    p,
	}
	if body != nil {
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := &recorder{Code: http.StatusOK, header: http.Header{}}
	r.inner.ServeHTTP(rec, req)
	return rec
}

// recorder is a lean httptest.ResponseRecorder: seeding makes tens of
// thousands of in-process calls.
type recorder struct {
	Code   int
	Body   bytes.Buffer
	header http.Header
	wrote  bool
}

func (w *recorder) Header() http.Header { return w.header }

func (w *recorder) WriteHeader(code int) {
	if !w.wrote {
		w.Code, w.wrote = code, true
	}
}

func (w *recorder) Write(b []byte) (int, error) {
	w.wrote = true
	return w.Body.Write(b)
}
