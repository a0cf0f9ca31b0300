package resolver

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
)

// Required platforms: what an image must provide for a pin to point at it.
// An image's platforms are a map of "os/arch[/variant]" to the digest of
// that platform's manifest, as registry.Platforms gives them: an index's
// entries without its unknown/unknown attestations, or a single manifest's
// own platform from its config.

// Provides reports whether an image with these platforms provides want
// ("os/arch[/variant]"). A platform with a variant is provided only by that
// very entry, or by one Docker and containerd take for the same platform:
// linux/arm64/v8 is linux/arm64, linux/amd64/v1 is linux/amd64,
// linux/arm/v7 is linux/arm (samePlatform). One without a variant is
// provided by its os/arch with its default variant, or by an older
// variant that docker pull --platform takes for it (olderVariant):
// linux/arm64 by linux/arm64 or by linux/arm64/v8, and linux/arm by
// linux/arm/v6 and linux/arm/v7 alike; never by a newer variant that no
// pull of it takes (linux/amd64 by linux/amd64/v3). So whatever platform
// would resolve (MatchPlatform) is provided; the one difference is that
// several variants of a bare os/arch, too many to pick one for platform,
// provide it.
func Provides(platforms map[string]string, want string) bool {
	if _, ok := platforms[want]; ok {
		return true
	}
	bare := strings.Count(want, "/") == 1
	for p := range platforms {
		if samePlatform(p, want) || bare && olderVariant(p, want) {
			return true
		}
	}
	return false
}

// olderVariant reports whether the entry p is an older variant of the
// bare os/arch want that Docker and containerd pull for want when the
// index lacks want's own (containerd/platforms, Only): linux/arm, which is
// linux/arm/v7, takes linux/arm/v6 and then linux/arm/v5. No other
// architecture's default has an older variant: linux/amd64 (v1) takes no
// amd64 v2, v3 or v4, which need newer CPUs (x86-64 microarchitecture
// levels), and linux/arm64 (v8) no arm64 v8.1 or v9; nor does linux/arm
// take linux/arm/v8. Such an entry is an image docker pull --platform
// want refuses ("no matching manifest"), and which, pulled by its digest,
// may stop with an illegal instruction on the CPU want names.
func olderVariant(p, want string) bool {
	w, e := strings.Split(normalPlatform(want), "/"), strings.Split(normalPlatform(p), "/")
	if len(w) != 3 || len(e) != 3 || w[0] != e[0] || w[1] != "arm" || e[1] != "arm" || !sameOSVersion(osVersionOf(p), osVersionOf(want)) {
		return false
	}
	wv, werr := strconv.Atoi(strings.TrimPrefix(w[2], "v"))
	ev, eerr := strconv.Atoi(strings.TrimPrefix(e[2], "v"))
	return werr == nil && eerr == nil && ev >= 5 && ev < wv
}

// samePlatform reports whether two "os/arch[/variant]" name the same
// platform as containerd normalizes them (containerd/platforms,
// database.go, normalizeArch), which docker pull --platform does too:
// arm64's variant v8 (also written 8 or v8.0) and amd64's v1 are the
// default, written without a variant; 32-bit arm's default is v7, so
// linux/arm is linux/arm/v7, and its variants may be written without the
// v (linux/arm/7). BuildKit, and so docker buildx, publishes arm64 as
// plain linux/arm64 (Prefect's images among them) while Docker's official
// images say linux/arm64/v8, and docker pull --platform takes either for
// the other; asked for one, an image with the other was "not published"
// (crazy-max/docker-fail2ban#170: "The platform linux/arm64/v8 will be
// normalized as linux/arm64"; buildkite/cleanroom#95 and
// containers/image#898, a strict v8 match that failed on indexes without
// a variant).
//
// An os.version ("windows(10.0.20348.2340)/amd64", as platform_digests keys
// an index entry that says one) is the same platform as its os/arch
// without one, and as one with the same version or a shorter form of it
// (10.0.20348 for 10.0.20348.2340, the build a Windows host runs), never
// one of another version.
func samePlatform(a, b string) bool {
	return a == b || normalPlatform(a) == normalPlatform(b) && sameOSVersion(osVersionOf(a), osVersionOf(b))
}

// osVersionOf is the os.version of "os(version)/arch[/variant]", "" for a
// platform without one.
func osVersionOf(p string) string {
	os, _, _ := strings.Cut(p, "/")
	_, version := splitOSVersion(os)
	return version
}

// splitOSVersion splits "os(version)", the os part of a platform_digests
// key, into the os and its version; os alone, version "", when it has none.
func splitOSVersion(os string) (string, string) {
	if name, version, ok := strings.Cut(os, "("); ok && strings.HasSuffix(version, ")") {
		return name, strings.TrimSuffix(version, ")")
	}
	return os, ""
}

// sameOSVersion reports whether two os.versions may be one: either is
// unsaid, or the dot-separated parts of one begin those of the other.
func sameOSVersion(a, b string) bool {
	if a == "" || b == "" {
		return true
	}
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	if len(pa) > len(pb) {
		pa, pb = pb, pa
	}
	return slices.Equal(pa, pb[:len(pa)])
}

// normalPlatform is p as containerd normalizes its architecture's
// variant: linux/arm64/v8 is linux/arm64, linux/amd64/v1 is linux/amd64,
// linux/arm and linux/arm/7 are linux/arm/v7; any other p is itself. The
// os.version of a platform_digests key (registry.Platforms) is left out:
// windows(10.0.17763.5458)/amd64 is windows/amd64, so that platform =
// "windows/amd64" on an index that lists it once per Windows version
// matches several and is refused, where it would pin one of them
// (samePlatform then tells versions apart).
func normalPlatform(p string) string {
	parts := strings.Split(p, "/")
	if len(parts) < 2 || len(parts) > 3 {
		return p
	}
	parts[0], _ = splitOSVersion(parts[0])
	variant := ""
	if len(parts) == 3 {
		variant = parts[2]
	}
	switch parts[1] {
	case "arm64":
		if variant == "v8" || variant == "8" || variant == "v8.0" {
			variant = ""
		}
	case "amd64":
		if variant == "v1" {
			variant = ""
		}
	case "arm":
		switch variant {
		case "", "7":
			variant = "v7"
		case "5", "6", "8":
			variant = "v" + variant
		}
	}
	if variant == "" {
		return parts[0] + "/" + parts[1]
	}
	return parts[0] + "/" + parts[1] + "/" + variant
}

// MissingPlatforms returns those of required that platforms does not
// provide, in the order of required; nil when it provides them all.
func MissingPlatforms(platforms map[string]string, required []string) []string {
	var missing []string
	for _, want := range required {
		if !Provides(platforms, want) {
			missing = append(missing, want)
		}
	}
	return missing
}

// PlatformChanges says how an image's platforms changed from before to
// after, each platform added, removed or changed in the order of its name,
// with its digests: "linux/amd64 removed (was sha256:…); linux/arm64
// sha256:… → sha256:…". It is "" when no platform changed.
func PlatformChanges(before, after map[string]string) string {
	var parts []string
	for _, p := range sortedKeys(unionOf(before, after)) {
		old, had := before[p]
		now, has := after[p]
		switch {
		case had && !has:
			parts = append(parts, fmt.Sprintf("%s removed (was %s)", p, old))
		case !had && has:
			parts = append(parts, fmt.Sprintf("%s added (%s)", p, now))
		case old != now:
			parts = append(parts, fmt.Sprintf("%s %s → %s", p, old, now))
		}
	}
	return strings.Join(parts, "; ")
}

func unionOf(a, b map[string]string) map[string]string {
	u := maps.Clone(a)
	if u == nil {
		u = map[string]string{}
	}
	maps.Copy(u, b)
	return u
}

// Platforms reads the platforms of the image at digest in repository: one
// manifest GET (and, for a single manifest, its config blob), which Docker
// Hub counts as a pull. The registry client answers a digest it has read
// before from memory. repository is spelled as in Request.
func (r *Resolver) Platforms(ctx context.Context, repository, digest string) (registry.Platforms, error) {
	repo, err := registry.ParseRepository(repository)
	if err != nil {
		return registry.Platforms{}, err
	}
	return r.registry.Platforms(ctx, repo, digest)
}

// checkRequired fails when the resolved pin, its PlatformDigests read,
// lacks a platform the request requires.
func checkRequired(req Request, pin Pin, notImages int) error {
	missing := MissingPlatforms(pin.PlatformDigests, req.RequiredPlatforms)
	if missing == nil {
		return nil
	}
	return &MissingPlatformsError{
		Repository: req.Repository, Tag: pin.Tag, Digest: pin.Digest,
		PrefectVersion: pin.PrefectVersion,
		Platforms:      pin.PlatformDigests, Missing: missing, NotImages: notImages,
	}
}

// MissingPlatformsError says that an image lacks platforms a pin requires.
type MissingPlatformsError struct {
	Repository, Tag, Digest string
	// PrefectVersion is the release of Tag, "" for a tag that names none.
	PrefectVersion string
	// Platforms are the image's own, Missing those required it lacks.
	Platforms map[string]string
	Missing   []string
	// NotImages counts the index's entries that stand for no platform
	// (attestations, artifacts), 0 when not known.
	NotImages int
}

// Ref names the image: repository:tag@digest, or repository@digest.
func (e *MissingPlatformsError) Ref() string {
	return ImageRef(e.Repository, e.Tag, e.Digest)
}

// Has is the image's platforms, as PlatformsHeld says them.
func (e *MissingPlatformsError) Has() string { return PlatformsHeld(e.Platforms, e.NotImages) }

// PlatformsHeld is an image's platforms, sorted, as a phrase; for an index
// of no platform's image, what it lists instead (notImages entries that
// are no image, 0 when not known).
func PlatformsHeld(platforms map[string]string, notImages int) string {
	if len(platforms) == 0 {
		return PlatformList(platforms) + notImagesNote(notImages)
	}
	return PlatformList(platforms)
}

// AmbiguityAdvice says why platform, matching every one of ambiguous (an
// index's entries with different images), is not pinned, and what to do.
// Entries told apart by their os.version alone are a Windows image per
// Windows version, of which a host pulls its own: the version written in
// platform picks one. Otherwise a pull takes whichever comes first.
func AmbiguityAdvice(ambiguous []string, platform string) string {
	versions := map[string]bool{}
	for _, p := range ambiguous {
		versions[osVersionOf(p)] = true
	}
	if !versions[""] && len(versions) == len(ambiguous) {
		os, arch, _ := strings.Cut(normalPlatform(platform), "/")
		return fmt.Sprintf("one for each Windows version: a Windows host pulls the image of its own version, so platform %q, which names none, stands for them all and is not pinned. Write the version as containerd does, such as %s(%s)/%s, or remove platform to pin the tag's digest alone.",
			platform, os, osVersionOf(ambiguous[0]), arch)
	}
	return fmt.Sprintf("which Docker and containerd alike take for platform %q, pulling whichever the index lists first: which image is that platform's cannot be told for certain, so it is not pinned. Remove platform to pin the tag's digest alone, or choose another tag.", platform)
}

// notImagesNote says, after "no platform at all", what an index of no
// platform's image lists instead: "" when it lists nothing (or that is
// not known). An index whose entries are all attestations shows them
// in docker buildx imagetools inspect, some with a platform.
func notImagesNote(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return ": its index lists one entry, and that is no image of a platform (an attestation, an artifact, or an entry that names no platform)"
	}
	return fmt.Sprintf(": its index lists %d entries, and none is an image of a platform (each an attestation, an artifact, or an entry that names no platform)", n)
}

func (e *MissingPlatformsError) Error() string {
	return fmt.Sprintf("%s lacks %s; it has %s.", e.Ref(), strings.Join(e.Missing, ", "), e.Has())
}

// PlatformList is an image's platforms, sorted, as a phrase: "linux/amd64,
// linux/arm64", or "no platform at all".
func PlatformList(platforms map[string]string) string {
	if len(platforms) == 0 {
		return "no platform at all"
	}
	return strings.Join(sortedKeys(platforms), ", ")
}
