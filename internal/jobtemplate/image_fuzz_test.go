package jobtemplate

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
)

// refDomain and refRemainder are the distribution reference grammar
// (distribution/reference's regexp.go) of a reference's domain and of
// the rest, path[:tag][@digest].
var (
	refDomain    = regexp.MustCompile(`^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$`)
	refRemainder = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,})?$`)
)

// refReads reports whether the distribution grammar reads a reference,
// its domain split as splitDockerDomain splits it (the first component is
// one when it holds '.' or ':' or is localhost), and whether it has a tag
// or a digest.
func refReads(s string) (ok, pinned bool) {
	first, rest, slash := strings.Cut(s, "/")
	if slash && (strings.ContainsAny(first, ".:") || first == "localhost") {
		if !refDomain.MatchString(first) {
			return false, false
		}
		s = rest
	}
	m := refRemainder.FindStringSubmatch(s)
	return m != nil, m != nil && (m[1] != "" || m[2] != "")
}

// FuzzValidateImage: an image ValidateImage accepts is a reference the
// distribution grammar reads with a tag or a digest, and
// go-containerregistry parses; one it refuses is an *ImageError for that
// image, wrapping ErrInvalidImage.
func FuzzValidateImage(f *testing.F) {
	for _, s := range []string{
		pinnedRef, taggedRef, "prefecthq/prefect", "localhost:5000/p:1", "[::1]:5000/p@" + testDigest,
		"[1.2.3.4]:5000/p:1", "ghcr.io:99999/a:b", "sha256:" + strings.Repeat("a", 64), "3.1.15-python3.12",
		"Foo/bar:1", "a//b:1", "host:5000", "a/b:" + strings.Repeat("x", 129), "docker.io/library/python:3@sha512:" + strings.Repeat("0", 128),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, image string) {
		err := ValidateImage(image)
		if err != nil {
			var ie *ImageError
			if !errors.As(err, &ie) || ie.Image != image || !errors.Is(err, ErrInvalidImage) {
				t.Fatalf("ValidateImage(%q) = %v (%T), want an *ImageError of it wrapping ErrInvalidImage", image, err, err)
			}
			return
		}
		if ok, pinned := refReads(image); !ok || !pinned {
			t.Fatalf("ValidateImage(%q) accepted it; the distribution grammar reads it: %v, with a tag or digest: %v", image, ok, pinned)
		}
		if _, err := name.ParseReference(image); err != nil {
			t.Fatalf("ValidateImage(%q) accepted it; go-containerregistry refuses it: %v", image, err)
		}
	})
}
