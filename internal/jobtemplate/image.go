package jobtemplate

import (
	"fmt"
	"net"
	"regexp"
	"strings"
)

// The grammar of an image reference, after the OCI distribution reference
// grammar (github.com/distribution/reference), which Docker, containerd and
// Kubernetes all follow:
//
//	reference  := name [ ":" tag ] [ "@" digest ]
//	name       := [ domain "/" ] path
//	domain     := host [ ":" port ]
//	path       := component ( "/" component )*
//	component  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//	tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//	digest     := "sha256:" 64 hex | "sha384:" 96 hex | "sha512:" 128 hex  (lowercase)
//
// The first path element is the registry host when it contains "." or ":" or
// is "localhost" (Docker also takes an upper-case first element for a host;
// here it is a repository error, which is what such a typo is).
var (
	pathComponentRE = regexp.MustCompile(`^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$`)
	tagRE           = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`) // and at most maxTagLen bytes
	hostLabelRE     = regexp.MustCompile(`^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$`)
	portRE          = regexp.MustCompile(`^[0-9]{1,5}$`)
	ipv6RE          = regexp.MustCompile(`^\[[0-9A-Fa-f:]+\]$`)
)

var digestHexLen = map[string]int{"sha256": 64, "sha384": 96, "sha512": 128}

// maxNameLen is the longest name (registry and repository) Docker accepts.
const maxNameLen = 255

// maxTagLen is the distribution spec's bound on a tag's length.
const maxTagLen = 128

// ValidateImage reports whether image is an image reference that names a tag,
// a digest or both, such as prefecthq/prefect:3.1.15-python3.12,
// prefecthq/prefect@sha256:… or
// ghcr.io/acme/prefect:3.1.15-python3.12@sha256:…. A reference without
// either (prefecthq/prefect, which Docker would read as :latest) is refused:
// a work pool default should be pinned. The error is an *ImageError that
// wraps ErrInvalidImage and says which part is wrong.
func ValidateImage(image string) error {
	bad := func(format string, args ...any) error {
		return &ImageError{Image: image, msg: fmt.Sprintf(format, args...)}
	}
	const example = "such as prefecthq/prefect@sha256:<64 hex digits>, as the ref attribute of prefectimage_pin gives it"

	if image == "" {
		return bad("the image is empty; pass an image reference %s", example)
	}
	if hasUserinfo(image) { // never quoted: it holds a secret
		return bad("the image holds credentials (user:password@ or token@ before the registry host), which a work pool's "+
			"template would show to everyone who can read it; pass the image alone, %s, and give the worker the "+
			"registry's credentials its own way (a Docker worker's registry_credentials, a Kubernetes image pull secret)", example)
	}
	if strings.Contains(image, "{{") {
		// Said before the white space inside "{{ prefect.variables.x }}".
		return bad("the image %q is, or holds, a Prefect template placeholder ({{ … }}), which the worker fills in "+
			"for each flow run, so the work pool's default would not be pinned; pass an image reference %s", image, example)
	}
	if strings.TrimSpace(image) != image || strings.ContainsAny(image, " \t\r\n") {
		return bad("the image %q contains white space; pass an image reference %s", image, example)
	}
	if i := strings.Index(image, "://"); i >= 0 {
		return bad("the image %q starts with a URL scheme (%s); drop it and pass registry/repository:tag or "+
			"registry/repository@digest, %s", image, image[:i+3], example)
	}

	rest := image
	digest := ""
	if i := strings.Index(rest, "@"); i >= 0 {
		rest, digest = rest[:i], rest[i+1:]
		if strings.Contains(digest, "@") {
			return bad("the image %q has more than one @; a reference is name[:tag][@digest], %s", image, example)
		}
		if err := checkDigest(digest); err != "" {
			return bad("the image %q has an invalid digest %q: %s", image, digest, err)
		}
	}

	name := rest
	tag := ""
	hasTag := false
	// A tag follows the last ":" after the last "/"; a ":" before the last
	// "/" is a registry port.
	if i := strings.LastIndex(rest, ":"); i > strings.LastIndex(rest, "/") {
		name, tag, hasTag = rest[:i], rest[i+1:], true
		if len(tag) > maxTagLen || !tagRE.MatchString(tag) {
			return bad("the image %q has an invalid tag %q: a tag is 1 to 128 of the characters A-Z, a-z, 0-9, "+
				"_, . and -, and does not start with . or -", image, tag)
		}
	}
	if _, known := digestHexLen[name]; known && hasTag && digest == "" && checkDigest(rest) == "" {
		// sha256:<hex> parses as the repository "sha256" with the hex for
		// a tag; it is a digest given where a reference belongs.
		return bad("the image %q is a digest alone, with no repository to pull it from; pass repository@digest, "+
			"such as prefecthq/prefect@%s, as the ref attribute of prefectimage_pin gives it (digest is the digest alone)",
			image, image)
	}
	if name == "" {
		return bad("the image %q has no repository; pass registry/repository:tag or registry/repository@digest, %s",
			image, example)
	}
	if len(name) > maxNameLen {
		return bad("the image %q has a name of %d characters; registries accept at most %d", image, len(name), maxNameLen)
	}

	path := name
	if i := strings.Index(name, "/"); i >= 0 {
		first := name[:i]
		if first == "localhost" || strings.ContainsAny(first, ".:") {
			if err := checkHost(first); err != "" {
				return bad("the image %q has an invalid registry host %q: %s", image, first, err)
			}
			path = name[i+1:]
		}
	}
	for _, c := range strings.Split(path, "/") {
		if !pathComponentRE.MatchString(c) {
			return bad("the image %q has an invalid repository %q: each /-separated part is lower-case letters and "+
				"digits, joined by single ., _, __ or runs of -", image, path)
		}
	}

	if !hasTag && digest == "" {
		if !strings.Contains(name, "/") && name[0] >= '0' && name[0] <= '9' {
			// 3.1.15-python3.12: a tag alone, such as the tag attribute of
			// prefectimage_pin, read as a repository.
			return bad("the image %q names neither a tag nor a digest: it looks like a tag alone, with no "+
				"repository; pass repository:tag or repository@digest, such as prefecthq/prefect:%s or "+
				"prefecthq/prefect@sha256:<64 hex digits> (the ref attribute of prefectimage_pin)", image, image)
		}
		return bad("the image %q names neither a tag nor a digest; pin it, for example "+
			"%s:3.1.15-python3.12 or %s@sha256:<64 hex digits> (the ref attribute of prefectimage_pin)",
			image, image, image)
	}
	return nil
}

// hasUserinfo reports whether image holds URL credentials before its
// registry host ("me:token@ghcr.io/acme/prefect:3.1", "token@ghcr.io/…",
// after a scheme or not): an '@' before the first '/' that does not start
// a digest, as the registry package's HasCredentials reads a repository.
func hasUserinfo(image string) bool {
	rest := image
	if _, after, scheme := strings.Cut(rest, "://"); scheme {
		rest = after
	}
	rest, _, _ = strings.Cut(rest, "/")
	_, after, found := strings.Cut(rest, "@")
	if !found {
		return false
	}
	algo, _, _ := strings.Cut(after, ":")
	_, digest := digestHexLen[algo]
	return !digest
}

// checkDigest returns what is wrong with a digest, or "".
func checkDigest(d string) string {
	algo, hex, ok := strings.Cut(d, ":")
	if !ok {
		return "a digest is algorithm:hex, such as sha256:<64 hex digits>"
	}
	want, known := digestHexLen[algo]
	if !known {
		return fmt.Sprintf("the algorithm %q is not one of sha256, sha384 or sha512", algo)
	}
	if len(hex) != want {
		return fmt.Sprintf("a %s digest has %d hex digits, this one %d", algo, want, len(hex))
	}
	for _, r := range hex {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return fmt.Sprintf("%q is not a lower-case hex digit", r)
		}
	}
	return ""
}

// checkHost returns what is wrong with a registry host[:port], or "".
func checkHost(h string) string {
	host, port := h, ""
	if strings.HasPrefix(h, "[") {
		end := strings.Index(h, "]")
		if end < 0 {
			return "an IPv6 address lacks its closing ]"
		}
		host = h[:end+1]
		if after := h[end+1:]; after != "" {
			if !strings.HasPrefix(after, ":") {
				return "only :port may follow an IPv6 address"
			}
			port = after[1:]
			if port == "" {
				return "the port after : is empty"
			}
		}
		// As the distribution grammar writes one: hex digits and colons,
		// no dotted IPv4 tail, which Docker refuses.
		if !ipv6RE.MatchString(host) || net.ParseIP(host[1:len(host)-1]) == nil {
			return "between the brackets is no IPv6 address, which is hex digits and :, such as [::1] or [fd00::5]"
		}
	} else {
		if i := strings.LastIndex(h, ":"); i >= 0 {
			host, port = h[:i], h[i+1:]
			if port == "" {
				return "the port after : is empty"
			}
		}
		if host == "" {
			return "the host name is empty"
		}
		for _, label := range strings.Split(host, ".") {
			if !hostLabelRE.MatchString(label) {
				return "a host is dot-separated labels of letters, digits and inner hyphens, with an optional :port"
			}
		}
	}
	if port != "" && !portRE.MatchString(port) {
		return fmt.Sprintf("the port %q is not a number", port)
	}
	return ""
}
