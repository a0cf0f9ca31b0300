// Package resolver turns a selector into a digest-pinned image reference. It
// joins the pure tag logic (prefecttag) to the registry client and caches the
// parsed catalog of each repository, so that many pins in one plan share one
// listing and one parse. It imports nothing from Terraform.
package resolver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
)

// Registry is the part of the registry client the resolver needs.
type Registry interface {
	ListTags(ctx context.Context, repo registry.Repository) ([]string, error)
	Head(ctx context.Context, repo registry.Repository, tag string) (registry.Descriptor, error)
	Platforms(ctx context.Context, repo registry.Repository, reference string) (registry.Platforms, error)
}

// RangeLister is what a Registry that can list a range of tags offers
// (*registry.Client does). With one, the resolver lists only the tags a
// selector can pick, in concurrent pieces; without, it lists every tag with
// ListTags. ListTagRangeSoon may give tags still to be settled: the
// resolver begins the HEAD of the tag they select while they are.
type RangeLister interface {
	ListTagRange(ctx context.Context, repo registry.Repository, r registry.TagRange) ([]string, error)
	ListTagRangeSoon(ctx context.Context, repo registry.Repository, r registry.TagRange) ([]string, func(context.Context) ([]string, error), error)
}

// Request is what a pin asks for. Exactly one of Tag and Selector is used:
// Tag when it is not empty.
type Request struct {
	Repository string // as the user wrote it; spelled the same way in Pin.Ref
	Tag        string
	Selector   prefecttag.Selector
	Platform   string // "os/arch[/variant]" or empty
	// RequiredPlatforms ("os/arch[/variant]") must all be provided by the
	// image the tag points at (see Provides), or Resolve fails with a
	// *MissingPlatformsError.
	RequiredPlatforms []string
}

// Pin is a resolved reference. Empty strings stand for values the tag does
// not tell (a moving tag such as 3-latest has no full Prefect version).
type Pin struct {
	Tag             string
	Digest          string
	Ref             string
	TaggedRef       string
	PrefectVersion  string
	PythonVersion   string
	Flavor          string
	PlatformDigest  string
	PlatformRef     string
	PlatformDigests map[string]string
}

// Resolver resolves requests against one registry client. The registry
// client keeps each repository's listing for its life; the Resolver keeps
// the parse of each listing (parse), so that the pins of a plan that list
// the same tags parse them once: every release tag is 13,512 names on
// prefecthq/prefect, 10 ms and 4 MB of parsing, which a plan paid per pin.
type Resolver struct {
	registry Registry
	ranges   RangeLister // nil when the registry lists only whole repositories
	listing  Listing

	mu     sync.Mutex
	parsed map[string]*parsedListing // by repository (Key) and spans (parse)
}

// parsedListing is one listing's tags and their catalog, parsed once.
type parsedListing struct {
	tags    []string
	once    sync.Once
	catalog *prefecttag.Catalog
}

// parse returns prefecttag.NewCatalog(tags), parsed once for every caller
// that lists the same tags of a repository in the same spans (nil: every
// release tag), however each wrote the repository. The tags are compared, not trusted to be the same: a
// listing read again (tags settled after a failed order check, the whole
// list read for an error) parses its own.
func (r *Resolver) parse(repo registry.Repository, spans []prefecttag.TagSpan, tags []string) *prefecttag.Catalog {
	var key strings.Builder
	key.WriteString(repo.Key()) // as the registry client keys its listing
	if spans == nil {
		key.WriteString("\x00*")
	}
	for _, s := range spans {
		key.WriteString("\x00" + s.After + "\x00" + s.Before)
	}
	r.mu.Lock()
	p := r.parsed[key.String()]
	if p == nil || !slices.Equal(p.tags, tags) {
		p = &parsedListing{tags: tags}
		if r.parsed == nil {
			r.parsed = map[string]*parsedListing{}
		}
		r.parsed[key.String()] = p
	}
	r.mu.Unlock()
	p.once.Do(func() { p.catalog = prefecttag.NewCatalog(p.tags) })
	return p.catalog
}

// maxConcurrentSpans bounds the spans of one selector listed at once: all
// of them (~> 2.20 makes eleven: minors 2.2… to 2.9…, and 2.10d… to
// 2.19d…), so that none waits a round trip for another.
const maxConcurrentSpans = prefecttag.MaxReleaseSpans

// Listing is how a Resolver lists a repository's tags.
type Listing int

const (
	// ListSpans lists only the spans of tag names a selector can pick
	// (prefecttag.Selector.ReleaseSpans), each in concurrent pieces. The
	// default.
	ListSpans Listing = iota
	// ListReleases lists every release tag, in concurrent pieces, for
	// every selector.
	ListReleases
	// ListSequential lists every tag one page after another (ListTags).
	ListSequential
)

// Option configures a Resolver.
type Option func(*Resolver)

// WithListing sets how tags are listed; the default is ListSpans. The
// benchmark compares the three.
func WithListing(l Listing) Option { return func(r *Resolver) { r.listing = l } }

// New returns a Resolver that asks reg.
func New(reg Registry, opts ...Option) *Resolver {
	r := &Resolver{registry: reg}
	for _, o := range opts {
		o(r)
	}
	if rl, ok := reg.(RangeLister); ok && r.listing != ListSequential {
		r.ranges = rl
	}
	return r
}

// Resolve picks the tag the request names or selects, and resolves its digest
// (and, with a platform or required platforms, reads the image's platforms:
// a manifest GET).
func (r *Resolver) Resolve(ctx context.Context, req Request) (Pin, error) {
	repo, err := registry.ParseRepository(req.Repository) // once, for every request below
	if err != nil {
		return Pin{}, err
	}
	tag, settle, err := r.chooseTag(ctx, repo, req)
	if err != nil {
		return Pin{}, err
	}
	tag, desc, err := r.head(ctx, repo, tag, settle)
	if err != nil {
		// Chosen from the tag list; tag is "" when settling that list
		// failed, before any manifest was asked for.
		if req.Tag == "" && tag != "" && registry.IsNotFound(err) {
			return Pin{}, &ListedTagNotFoundError{Tag: tag, Err: err}
		}
		return Pin{}, err
	}
	return r.pinAt(ctx, repo, req, tag, desc.Digest)
}

// ListedTagNotFoundError is a 404 to the manifest of a tag chosen from the
// repository's tag list. "Does not exist there" alone would contradict the
// list: a pull-through cache answers so when its upstream lists the tag
// but refuses its manifest (Harbor's proxy cache and distribution's proxy
// on Docker Hub's rate limit), and so does a registry from which the tag
// was deleted after the list was read.
type ListedTagNotFoundError struct {
	Tag string
	Err error // the registry's 404
}

func (e *ListedTagNotFoundError) Error() string {
	return fmt.Sprintf("%s The tag %s is in the repository's tag list, read in this run: a pull-through cache whose upstream refuses the manifest (on a rate limit, for one) answers so, and so does a registry from which the tag was deleted after the list was read. Try again later.", e.Err, e.Tag)
}

func (e *ListedTagNotFoundError) Unwrap() error { return e.Err }

// head resolves the chosen tag's digest. A tag chosen from tags still to
// be settled (settle not nil) is resolved while they are, and its digest
// kept only when the settled tags choose it too; otherwise the tag they
// choose is resolved.
func (r *Resolver) head(ctx context.Context, repo registry.Repository, tag string, settle func(context.Context) (string, error)) (string, registry.Descriptor, error) {
	if settle == nil {
		desc, err := r.registry.Head(ctx, repo, tag)
		return tag, desc, err
	}
	earlyCtx, cancelEarly := context.WithCancel(ctx)
	defer cancelEarly()
	type answer struct {
		desc registry.Descriptor
		err  error
	}
	early := make(chan answer, 1)
	go func() {
		desc, err := r.registry.Head(earlyCtx, repo, tag)
		early <- answer{desc, err}
	}()
	settled, err := settle(ctx)
	if err != nil {
		return "", registry.Descriptor{}, err
	}
	if settled != tag {
		cancelEarly()
		desc, err := r.registry.Head(ctx, repo, settled)
		return settled, desc, err
	}
	a := <-early
	return tag, a.desc, a.err
}

// PinAt is the pin of a tag and digest known already (what a refresh
// recorded), with the platforms req asks for read and checked by that
// digest as Resolve does: no tag is asked of the registry, so the pin is
// the same however often the tag moves meanwhile.
func (r *Resolver) PinAt(ctx context.Context, req Request, tag, digest string) (Pin, error) {
	repo, err := registry.ParseRepository(req.Repository)
	if err != nil {
		return Pin{}, err
	}
	return r.pinAt(ctx, repo, req, tag, digest)
}

// CheckDigest finds out whether the repository holds the manifest of
// digest (a manifest HEAD by digest): nil when it does, an error the
// registry package classifies (registry.IsNotFound) when not.
func (r *Resolver) CheckDigest(ctx context.Context, repository, digest string) error {
	repo, err := registry.ParseRepository(repository)
	if err != nil {
		return err
	}
	_, err = r.registry.Head(ctx, repo, digest)
	return err
}

func (r *Resolver) pinAt(ctx context.Context, repo registry.Repository, req Request, tag, digest string) (Pin, error) {
	pin := PinOf(req.Repository, tag, digest)
	if req.Platform != "" || len(req.RequiredPlatforms) > 0 {
		if err := r.resolvePlatform(ctx, repo, req, &pin); err != nil {
			return Pin{}, err
		}
	}
	return pin, nil
}

// PinWithPlatforms is PinAt for an image whose platforms were read
// already (by digest, which names them for good), notImages as
// registry.Platforms counts them (0 when not known): it asks the registry
// nothing, and checks them as PinAt does.
func PinWithPlatforms(req Request, tag, digest string, platforms map[string]string, notImages int) (Pin, error) {
	pin := PinOf(req.Repository, tag, digest)
	if req.Platform != "" || len(req.RequiredPlatforms) > 0 {
		if err := setPlatforms(req, &pin, platforms, notImages); err != nil {
			return Pin{}, err
		}
	}
	return pin, nil
}

// PinOf builds the pin of a known tag and digest, with what the tag itself
// says of its Prefect version, Python and flavor. tag may be empty (a pin by
// digest alone); repository is spelled as given.
func PinOf(repository, tag, digest string) Pin {
	pin := Pin{Tag: tag, Digest: digest, Ref: ImageRef(repository, "", digest)}
	if tag != "" {
		pin.TaggedRef = ImageRef(repository, tag, digest)
		describeTag(&pin, tag)
	}
	return pin
}

// chooseTag returns the tag to resolve. It lists the repository only when the
// answer is not one known tag. A tag chosen from tags still to be settled
// comes with settle, which settles them and chooses again.
func (r *Resolver) chooseTag(ctx context.Context, repo registry.Repository, req Request) (string, func(context.Context) (string, error), error) {
	if req.Tag != "" {
		return req.Tag, nil, nil
	}
	if tag, ok := req.Selector.ExactTag(); ok {
		_, err := r.registry.Head(ctx, repo, tag)
		if err == nil {
			return tag, nil, nil
		}
		if !registry.IsNotFound(err) {
			return "", nil, err
		}
		// The exact tag does not exist: list, so the error can show what does.
	}
	var spans []prefecttag.TagSpan // nil: every release tag
	if r.narrows() {
		spans = req.Selector.ReleaseSpans()
	}
	tags, settle, err := r.list(ctx, repo, spans)
	if err != nil {
		return "", nil, listError(ctx, repo, err)
	}
	if settle != nil {
		if tag, err := r.parse(repo, spans, tags).Select(req.Selector); err == nil {
			return tag.Name, func(ctx context.Context) (string, error) {
				settled, err := settle(ctx)
				if err != nil {
					return "", listError(ctx, repo, err)
				}
				if slices.Equal(settled, tags) {
					return tag.Name, nil // the check passed: the same tags select the same tag
				}
				return r.selectFrom(ctx, repo, req, spans, settled)
			}, nil
		}
		// Nothing chosen: no error is told from tags still to be settled.
		if tags, err = settle(ctx); err != nil {
			return "", nil, listError(ctx, repo, err)
		}
	}
	tag, err := r.selectFrom(ctx, repo, req, spans, tags)
	return tag, nil, err
}

// selectFrom selects from the tags listed in spans (nil: every release
// tag), or, when nothing there matches, from every release tag, so that
// the error shows what the repository has.
func (r *Resolver) selectFrom(ctx context.Context, repo registry.Repository, req Request, spans []prefecttag.TagSpan, tags []string) (string, error) {
	catalog := r.parse(repo, spans, tags)
	tag, err := catalog.Select(req.Selector)
	if err != nil && spans != nil {
		if catalog, err = r.catalog(ctx, repo, nil); err != nil {
			return "", err
		}
		tag, err = catalog.Select(req.Selector)
	}
	if err != nil {
		var noMatch *prefecttag.NoMatchError
		if errors.As(err, &noMatch) {
			return "", &NoMatchError{Repository: req.Repository, Cause: noMatch}
		}
		return "", err
	}
	return tag.Name, nil
}

// narrows reports whether listings are cut to the spans a selector can
// pick.
func (r *Resolver) narrows() bool { return r.ranges != nil && r.listing == ListSpans }

// catalog lists and parses a repository's tags in spans (nil: every
// release tag), settled.
func (r *Resolver) catalog(ctx context.Context, repo registry.Repository, spans []prefecttag.TagSpan) (*prefecttag.Catalog, error) {
	tags, settle, err := r.list(ctx, repo, spans)
	if err == nil && settle != nil {
		tags, err = settle(ctx)
	}
	if err != nil {
		return nil, listError(ctx, repo, err)
	}
	return r.parse(repo, spans, tags), nil
}

// listError is err, saying so when this caller gave up (Terraform was
// interrupted) while waiting for the listing.
func listError(ctx context.Context, repo registry.Repository, err error) error {
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return fmt.Errorf("listing the tags of %s was cancelled: %w", repo, err)
	}
	return err
}

// list lists the tags in spans (nil: every release tag), the spans at
// once. When some span's tags are still to be settled
// (RangeLister.ListTagRangeSoon), settle settles them all and returns
// the tags to trust instead.
func (r *Resolver) list(ctx context.Context, repo registry.Repository, spans []prefecttag.TagSpan) ([]string, func(context.Context) ([]string, error), error) {
	if r.ranges == nil {
		tags, err := r.registry.ListTags(ctx, repo)
		return tags, nil, err
	}
	if spans == nil {
		tags, err := r.ranges.ListTagRange(ctx, repo, releaseRange(releaseTags))
		return tags, nil, err
	}
	parts := make([][]string, len(spans))
	settles := make([]func(context.Context) ([]string, error), len(spans))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(maxConcurrentSpans)
	for i, s := range spans {
		g.Go(func() (err error) {
			parts[i], settles[i], err = r.ranges.ListTagRangeSoon(gctx, repo, releaseRange(s))
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	if !slices.ContainsFunc(settles, func(f func(context.Context) ([]string, error)) bool { return f != nil }) {
		return slices.Concat(parts...), nil, nil
	}
	return slices.Concat(parts...), func(ctx context.Context) ([]string, error) {
		settled := slices.Clone(parts)
		for i, settle := range settles {
			if settle == nil {
				continue
			}
			var err error
			if settled[i], err = settle(ctx); err != nil { // one check: the spans share it
				return nil, err
			}
		}
		return slices.Concat(settled...), nil
	}, nil
}

// resolvePlatform reads the image's platforms into the pin, checks the
// required ones, and resolves the platform's own manifest when one is asked.
func (r *Resolver) resolvePlatform(ctx context.Context, repo registry.Repository, req Request, pin *Pin) error {
	platforms, err := r.registry.Platforms(ctx, repo, pin.Digest)
	if err != nil {
		if pin.Tag != "" {
			return &PlatformsUnreadError{Tag: pin.Tag, Err: err}
		}
		return err
	}
	return setPlatforms(req, pin, platforms.ByPlatform, platforms.NotImages)
}

// setPlatforms records the image's platforms in pin, checks the required
// ones, and picks req.Platform's manifest. notImages counts the index's
// entries that stand for no platform (registry.Platforms), 0 when not
// known.
func setPlatforms(req Request, pin *Pin, byPlatform map[string]string, notImages int) error {
	pin.PlatformDigests = byPlatform
	if err := checkRequired(req, *pin, notImages); err != nil {
		return err
	}
	if req.Platform == "" {
		return nil
	}
	digest, ok := MatchPlatform(byPlatform, req.Platform)
	if !ok {
		return &PlatformError{Repository: req.Repository, Tag: pin.Tag, Digest: pin.Digest, Platform: req.Platform, Available: sortedKeys(byPlatform),
			Ambiguous: AmbiguousPlatforms(byPlatform, req.Platform), NotImages: notImages}
	}
	pin.PlatformDigest = digest
	pin.PlatformRef = ImageRef(req.Repository, "", digest)
	return nil
}

// MatchPlatform finds the platform as containerd's normalization takes it
// (linux/arm64/v8 is linux/arm64: samePlatform), exactly or so, or, when
// the request names no variant, by the one entry of an older variant
// docker pull --platform takes for it (linux/arm/v6 for linux/arm:
// olderVariant); never a newer one (linux/amd64/v3 for linux/amd64).
// Two entries that match alike and differ are no match, even where one is
// the platform exactly: an index listing linux/arm64 and linux/arm64/v8
// with different images is pulled, for either, as the one listed first
// (containerd's platforms.Only matches both and keeps the index's order),
// and that order is not in byPlatform.
func MatchPlatform(byPlatform map[string]string, want string) (string, bool) {
	if d, n := matching(byPlatform, func(p string) bool { return samePlatform(p, want) }); n > 0 {
		return d, n == 1
	}
	if strings.Count(want, "/") != 1 {
		return "", false
	}
	d, n := matching(byPlatform, func(p string) bool { return olderVariant(p, want) })
	return d, n == 1
}

// AmbiguousPlatforms are the platforms of byPlatform, sorted, that are want
// under containerd's normalization (samePlatform), when they are more than
// one with different images (MatchPlatform then matches none); nil
// otherwise.
func AmbiguousPlatforms(byPlatform map[string]string, want string) []string {
	if _, n := matching(byPlatform, func(p string) bool { return samePlatform(p, want) }); n < 2 {
		return nil
	}
	var same []string
	for _, p := range sortedKeys(byPlatform) {
		if samePlatform(p, want) {
			same = append(same, p)
		}
	}
	return same
}

// matching is the digest of the entries of byPlatform that match, and how
// many different digests they have (one is a match; more, ambiguity).
func matching(byPlatform map[string]string, match func(string) bool) (string, int) {
	found, n := "", 0
	for p, d := range byPlatform {
		if match(p) && d != found {
			found, n = d, n+1
		}
	}
	if n != 1 {
		return "", n
	}
	return found, 1
}

// describeTag fills in what the tag itself says of its Prefect version,
// Python and flavor. A tag that is not a Prefect image tag says nothing.
func describeTag(pin *Pin, tag string) {
	t, err := prefecttag.ParseTag(tag)
	if err != nil {
		return
	}
	if t.Kind == prefecttag.KindRelease {
		pin.PrefectVersion = t.Version.String()
	}
	if t.HasPython {
		pin.PythonVersion = t.Python.String()
	}
	pin.Flavor = string(t.Flavor)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// NoMatchError says that no tag of a repository meets a selector, and what
// the repository holds instead.
type NoMatchError struct {
	Repository string
	Cause      *prefecttag.NoMatchError
}

func (e *NoMatchError) Error() string {
	return fmt.Sprintf("In %s: %s", e.Repository, e.Cause.Error())
}

func (e *NoMatchError) Unwrap() error { return e.Cause }

// PlatformsUnreadError is the registry's failure to read the platforms of
// the image a tag points at, which it reads by digest: the registry's
// error names the digest alone, this the tag too.
type PlatformsUnreadError struct {
	Tag string
	Err error // the registry's
}

func (e *PlatformsUnreadError) Error() string {
	return fmt.Sprintf("%s That digest is what the tag %s points at; its manifest is read for the image's platforms.", e.Err, e.Tag)
}

func (e *PlatformsUnreadError) Unwrap() error { return e.Err }

// PlatformError says that an image has no manifest for the asked platform,
// or more than one that a pull takes for it.
type PlatformError struct {
	Repository, Tag, Digest, Platform string
	Available                         []string
	// Ambiguous are the platforms of Available, more than one, that are
	// the asked one under containerd's normalization, with different
	// images; nil when the platform is not published.
	Ambiguous []string
	// NotImages counts the index's entries that stand for no platform.
	NotImages int
}

func (e *PlatformError) Error() string {
	ref := ImageRef(e.Repository, e.Tag, e.Digest)
	if len(e.Ambiguous) > 1 {
		return fmt.Sprintf("%s lists %s with different images, %s",
			ref, strings.Join(e.Ambiguous, " and "), AmbiguityAdvice(e.Ambiguous, e.Platform))
	}
	if len(e.Available) == 0 {
		return fmt.Sprintf("%s names no platform at all%s, so platform %q cannot be resolved; remove platform to pin the tag's digest alone.",
			ref, notImagesNote(e.NotImages), e.Platform)
	}
	return fmt.Sprintf("%s has no image for platform %q; it has %s. Set platform to one of those.",
		ref, e.Platform, strings.Join(e.Available, ", "))
}

// ImageRef names an image: repository:tag@digest, or without the part
// that is "".
func ImageRef(repository, tag, digest string) string {
	ref := repository
	if tag != "" {
		ref += ":" + tag
	}
	if digest != "" {
		ref += "@" + digest
	}
	return ref
}
