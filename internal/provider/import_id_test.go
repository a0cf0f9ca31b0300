package provider

import (
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
)

const (
	importDigest    = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	importDigest512 = "sha512:ee26b0dd4af7e749aa1a8ee3c10ae9923f618980772e473f8819a5d4940e0db27ac185f8a0e1d5f84f88bc887fd67b143732c304cc5fa9ad8e6f57f50028a8ff"
)

func TestParseImportID(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want importID
	}{
		{"prefecthq/prefect:3.1.15-python3.12@" + importDigest, importID{"prefecthq/prefect", "3.1.15-python3.12", importDigest}},
		{"prefecthq/prefect@" + importDigest, importID{"prefecthq/prefect", "", importDigest}},
		{"prefecthq/prefect:3-latest@" + importDigest, importID{"prefecthq/prefect", "3-latest", importDigest}},
		{"prefecthq/prefect-client:3.2.15-python3.12@" + importDigest, importID{"prefecthq/prefect-client", "3.2.15-python3.12", importDigest}},
		{"docker.io/prefecthq/prefect:3-latest-conda@" + importDigest, importID{"docker.io/prefecthq/prefect", "3-latest-conda", importDigest}},
		{"ghcr.io/acme/prefect:sha-1da1544-python3.12@" + importDigest, importID{"ghcr.io/acme/prefect", "sha-1da1544-python3.12", importDigest}},
		// A port is not a tag: the colon comes before the last slash.
		{"127.0.0.1:5000/prefecthq/prefect@" + importDigest, importID{"127.0.0.1:5000/prefecthq/prefect", "", importDigest}},
		{"127.0.0.1:5000/prefecthq/prefect:3.1.15-python3.12@" + importDigest, importID{"127.0.0.1:5000/prefecthq/prefect", "3.1.15-python3.12", importDigest}},
		{"localhost:5000/prefect:2-latest@" + importDigest, importID{"localhost:5000/prefect", "2-latest", importDigest}},
		{"registry.internal:5000/mirror/prefecthq/prefect:3.0.0rc14-python3.11@" + importDigest, importID{"registry.internal:5000/mirror/prefecthq/prefect", "3.0.0rc14-python3.11", importDigest}},
		// A sha512 digest, as a registry that names manifests so gives it
		// (redteam6: it was refused, so such a pin could not be imported).
		{"prefecthq/prefect:3.1.15-python3.12@" + importDigest512, importID{"prefecthq/prefect", "3.1.15-python3.12", importDigest512}},
		{"127.0.0.1:5000/prefecthq/prefect@" + importDigest512, importID{"127.0.0.1:5000/prefecthq/prefect", "", importDigest512}},
		// Tags are case-sensitive and may hold '_' and '.'.
		{"prefecthq/prefect:Custom_Tag.1@" + importDigest, importID{"prefecthq/prefect", "Custom_Tag.1", importDigest}},
	} {
		t.Run(tc.id, func(t *testing.T) {
			got, err := parseImportID(tc.id)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// An import ID written with URL credentials is refused without quoting
// them: Terraform shows the error, and logs it.
func TestParseImportIDWithCredentialsNotQuoted(t *testing.T) {
	const token = "ghp_importSecret123"
	for _, id := range []string{
		"me:" + token + "@ghcr.io/acme/prefect:3.1.15-python3.12@" + importDigest,
		"me:" + token + "@ghcr.io/acme/prefect@" + importDigest,
		"https://me:" + token + "@ghcr.io/acme/prefect@" + importDigest,
		"me:" + token + "@ghcr.io/acme/prefect",
	} {
		_, err := parseImportID(id)
		if err == nil || strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "registry_auth") {
			t.Errorf("%q: got %v, want an error that does not quote the token and says where credentials go", id, err)
		}
	}
}

func TestParseImportIDErrors(t *testing.T) {
	upper := strings.ToUpper(importDigest[7:])
	for _, tc := range []struct {
		id, want string
	}{
		{"", "has no @<digest>"},
		{"prefecthq/prefect:3-latest", "has no @<digest>"},
		{"prefecthq/prefect", "has no @<digest>"},
		{"prefecthq/prefect@", "is not a sha256 digest"},
		{"prefecthq/prefect@sha256:abc", "is not a sha256 digest"},
		{"prefecthq/prefect@sha256:" + upper, "is not a sha256 digest"},
		{"prefecthq/prefect@sha512:" + importDigest[7:], "is not a sha256 digest"},
		{"prefecthq/prefect@sha384:" + importDigest[7:] + importDigest[7:39], "is not a sha256 digest"},
		{"prefecthq/prefect@SHA256:" + importDigest[7:], "is not a sha256 digest"},
		{"prefecthq/prefect@sha512:" + strings.ToUpper(importDigest[7:]+importDigest[7:]), "is not a sha256 digest"},
		{"prefecthq/prefect@" + importDigest + " ", "is not a sha256 digest"},
		{"prefecthq/prefect@" + importDigest[7:], "is not a sha256 digest"},
		{"prefecthq/prefect:@" + importDigest, "is not an image tag"},
		{"prefecthq/prefect:-latest@" + importDigest, "is not an image tag"},
		{"prefecthq/prefect:3 latest@" + importDigest, "is not an image tag"},
		{"prefecthq/prefect:" + strings.Repeat("a", 129) + "@" + importDigest, "is not an image tag"},
		{"@" + importDigest, "is not a repository"},
		{":3-latest@" + importDigest, "is not a repository"},
		{"PrefectHQ/prefect@" + importDigest, "is not a repository"},
		{"https://ghcr.io/acme/prefect@" + importDigest, "is not a repository"},
		{"prefecthq/prefect/@" + importDigest, "is not a repository"},
		{"prefecthq//prefect@" + importDigest, "is not a repository"},
		{"ghcr.io@" + importDigest, "is not a repository"},
		{"prefecthq/prefect:3-latest@" + importDigest + "@" + importDigest, "is not a repository"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			got, err := parseImportID(tc.id)
			if err == nil {
				t.Fatalf("parsed as %+v; want an error", got)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q lacks %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), "write it as <repository>:<tag>@<digest> or <repository>@<digest>") {
				t.Errorf("error %q does not say how to write the ID", err)
			}
			// The ID is quoted once, and a part of it once more at most:
			// the parser's words named the repository again.
			if repo, _, ok := strings.Cut(tc.id, "@"); ok && repo != "" && strings.Count(err.Error(), `"`+repo+`"`) > 1 {
				t.Errorf("error %q names %q twice", err, repo)
			}
		})
	}
}

// FuzzParseImportID: no input panics; what parses is a valid repository, an
// optional valid tag and a sha256 or sha512 digest that spell the input
// exactly, and parse again to the same; what does not parse says how to
// write an ID.
func FuzzParseImportID(f *testing.F) {
	for _, seed := range []string{
		"prefecthq/prefect:3.1.15-python3.12@" + importDigest,
		"prefecthq/prefect@" + importDigest,
		"prefecthq/prefect:3-latest@" + importDigest512,
		"127.0.0.1:5000/prefecthq/prefect:3-latest@" + importDigest,
		"127.0.0.1:5000/prefecthq/prefect@" + importDigest,
		"[::1]:5000/prefecthq/prefect@" + importDigest,
		"ghcr.io/acme/prefect:sha-1da1544-python3.12@" + importDigest,
		"prefecthq/prefect:3-latest",
		"prefecthq/prefect:@" + importDigest,
		"@",
		":@",
		"a:b:c@d@e",
		"prefecthq/prefect:3-latest@" + importDigest + "@" + importDigest,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		got, err := parseImportID(id)
		if err != nil {
			if !strings.Contains(err.Error(), "write it as") {
				t.Errorf("error %q does not say how to write the ID", err)
			}
			return
		}
		if !validDigest(got.Digest) {
			t.Errorf("%q: digest %q is not sha256:<64 lower-case hex> or sha512:<128>", id, got.Digest)
		}
		if _, err := registry.ParseRepository(got.Repository); err != nil {
			t.Errorf("%q: repository %q is invalid: %v", id, got.Repository, err)
		}
		if got.Tag != "" && registry.ValidateTag(got.Tag) != nil {
			t.Errorf("%q: tag %q is invalid", id, got.Tag)
		}
		spelled := got.Repository
		if got.Tag != "" {
			spelled += ":" + got.Tag
		}
		spelled += "@" + got.Digest
		if spelled != id {
			t.Errorf("%q parsed as %+v, which spells %q", id, got, spelled)
		}
		again, err := parseImportID(spelled)
		if err != nil || again != got {
			t.Errorf("%q: parsing its own spelling gave %+v, %v", id, again, err)
		}
	})
}
