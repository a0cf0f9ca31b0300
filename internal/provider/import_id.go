package provider

import (
	"fmt"
	"strings"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
)

// importID is a parsed `terraform import` ID: `<repository>:<tag>@<digest>`
// or `<repository>@<digest>`.
type importID struct {
	Repository, Tag, Digest string
}

func parseImportID(id string) (importID, error) {
	const want = "write it as <repository>:<tag>@<digest> or <repository>@<digest>, for example prefecthq/prefect:3.1.15-python3.12@sha256:<64 hex digits>"
	if registry.HasCredentials(id) { // never quoted: it holds a secret
		return importID{}, fmt.Errorf("the import ID holds credentials (user:password@ or token@ before the host); %s, and give the user name and password in a registry_auth block", want)
	}
	at := strings.LastIndex(id, "@")
	if at < 0 {
		return importID{}, fmt.Errorf("import ID %q has no @<digest>; %s", id, want)
	}
	name, digest := id[:at], id[at+1:]
	if !validDigest(digest) {
		return importID{}, fmt.Errorf("import ID %q: %q is not a sha256 digest (64 lower-case hex digits) or a sha512 one (128); %s", id, digest, want)
	}
	out := importID{Repository: name, Digest: digest}
	// A colon after the last slash separates the tag; one before it is a port.
	if colon := strings.LastIndex(name, ":"); colon > strings.LastIndex(name, "/") {
		out.Repository, out.Tag = name[:colon], name[colon+1:]
		if registry.ValidateTag(out.Tag) != nil {
			return importID{}, fmt.Errorf("import ID %q: %q is not an image tag; %s", id, out.Tag, want)
		}
	}
	if _, err := registry.ParseRepository(out.Repository); err != nil {
		return importID{}, fmt.Errorf("import ID %q: %q is not a repository: %s; %s", id, out.Repository, notRepositoryCause(out.Repository, err, false), want)
	}
	return out, nil
}

// validDigest accepts sha256:<64 lower-case hex digits> and
// sha512:<128>: a registry may name a manifest by sha512 (zot,
// distribution 3), and the provider pins what it names, so a pin's own
// tagged_ref must import.
func validDigest(s string) bool {
	alg, hex, _ := strings.Cut(s, ":")
	if want := map[string]int{"sha256": 64, "sha512": 128}[alg]; want == 0 || len(hex) != want {
		return false
	}
	for _, r := range hex {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}
