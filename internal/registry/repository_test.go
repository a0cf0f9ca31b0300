package registry

import (
	"strings"
	"testing"
)

func TestParseRepository(t *testing.T) {
	cases := []struct {
		in      string
		wantErr string // "" means valid
	}{
		{"prefecthq/prefect", ""},
		{"prefecthq/prefect-client", ""},
		{"docker.io/prefecthq/prefect", ""},
		{"index.docker.io/prefecthq/prefect", ""},
		{"registry-1.docker.io/prefecthq/prefect", ""},
		{"ghcr.io/acme/prefect", ""},
		{"127.0.0.1:5000/prefecthq/prefect", ""},
		{"localhost:5000/prefecthq/prefect", ""},
		{"localhost/prefect", ""},
		{"[::1]:5000/prefecthq/prefect", ""},
		{"registry.internal:5000/team/sub/prefect", ""},
		{"mirror.example/prefecthq/prefect", ""},
		{"prefect", ""},
		{"a/b__c/d-e/f.g", ""},
		{"Registry.Example.com/acme/prefect", ""},

		{"", "empty"},
		{" prefecthq/prefect", "white space"},
		{"prefecthq/prefect ", "white space"},
		{"prefecthq/prefect:3-latest", "tag"},
		{"ghcr.io/acme/prefect:3.1.15-python3.12", "tag"},
		{"127.0.0.1:5000/prefecthq/prefect:latest", "tag"},
		{"prefect:3.1", "tag"},
		{"prefecthq/prefect@sha256:" + strings.Repeat("a", 64), "digest"},
		{"https://ghcr.io/acme/prefect", "scheme"},
		{"prefecthq/prefect/", "empty path component"},
		{"prefecthq//prefect", "empty path component"},
		{"/prefecthq/prefect", "empty path component"},
		{"PrefectHQ/prefect", "upper-case"},
		{"PrefectHQ/prefect", `write "prefecthq/prefect"`},
		{"GHCR.io/Acme/Prefect", `write "GHCR.io/acme/prefect"`},
		{"127.0.0.1:5000/PrefectHQ/prefect", `write "127.0.0.1:5000/prefecthq/prefect"`},
		{"prefecthq/-prefect", "invalid path component"},
		{"prefecthq/prefect-", "invalid path component"},
		{"prefecthq/pre..fect", "invalid path component"},
		{"ghcr.io", "registry host without a repository"},
		{"localhost:5000", "registry host without a repository"},
		{"ghcr.io/", "no repository"},
		{"ghcr.io:99999/acme/prefect", "invalid port"},
		{"ghcr.io:/acme/prefect", "invalid port"},
		{"gh_cr.io/acme/prefect", "not a valid host name"},
		{"[::1/prefect", "unclosed"},
		{"::1/prefect", "IPv6 address without brackets; write the address between brackets"},
		{"fe80::1/prefect", "such as [::1] or [::1]:5000"},
		{"2001:db8::1:5000/acme/prefect", "IPv6 address without brackets"},
		{strings.Repeat("a", 256), "at most 255"},
		// Distribution measures Docker Hub's whole name: docker.io/library/
		// and 237 characters is 255.
		{strings.Repeat("a", 237), ""},
		{strings.Repeat("a", 238), "256 characters long as Docker Hub's whole name"},
		{"prefecthq/" + strings.Repeat("a", 235), ""},
		{"prefecthq/" + strings.Repeat("a", 236), "as Docker Hub's whole name"},
		{"index.docker.io/library/" + strings.Repeat("a", 232), ""}, // 256 written, 250 measured
		{"Docker.IO/" + strings.Repeat("a", 238), "at most 255"},    // in any case, Docker Hub's
		{"ghcr.io/" + strings.Repeat("a", 247), ""},
		{"ghcr.io/" + strings.Repeat("a", 248), "256 characters long; at most 255"},
	}
	for _, tc := range cases {
		_, err := ParseRepository(tc.in)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("ParseRepository(%q) = %v, want nil", tc.in, err)
		case tc.wantErr != "" && err == nil:
			t.Errorf("ParseRepository(%q) = nil, want an error about %q", tc.in, tc.wantErr)
		case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
			t.Errorf("ParseRepository(%q) = %q, want it to mention %q", tc.in, err, tc.wantErr)
		}
	}
}

func TestValidateTag(t *testing.T) {
	for _, ok := range []string{"3.1.15-python3.12", "3-latest", "sha-1da1544-python3.12-conda", "latest", "_x", strings.Repeat("a", 128)} {
		if err := ValidateTag(ok); err != nil {
			t.Errorf("ValidateTag(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-x", ".x", "a:b", "a/b", strings.Repeat("a", 129)} {
		if err := ValidateTag(bad); err == nil {
			t.Errorf("ValidateTag(%q) = nil, want an error", bad)
		}
	}
}

func TestRegistryAsWritten(t *testing.T) {
	_ = newTestClient(t, Config{})
	for in, want := range map[string]string{
		"prefecthq/prefect":                 "docker.io",
		"index.docker.io/prefecthq/prefect": "index.docker.io",
		"127.0.0.1:5000/prefecthq/prefect":  "127.0.0.1:5000",
		"ghcr.io/acme/prefect":              "ghcr.io",
	} {
		ref, err := ParseRepository(in)
		if err != nil {
			t.Fatal(err)
		}
		if ref.registry != want {
			t.Errorf("registry of %q = %q, want %q", in, ref.registry, want)
		}
	}
	a, _ := ParseRepository("prefecthq/prefect")
	b, _ := ParseRepository("docker.io/prefecthq/prefect")
	if a.key != b.key {
		t.Errorf("prefecthq/prefect and docker.io/prefecthq/prefect have different cache keys %q, %q", a.key, b.key)
	}
}

func TestNormalizeHostPort(t *testing.T) {
	for in, want := range map[string]string{
		"docker.io":                    "index.docker.io",
		"registry-1.docker.io":         "index.docker.io",
		"https://index.docker.io/v1/":  "index.docker.io",
		"Registry.Internal:5000":       "registry.internal:5000",
		"127.0.0.1:5000":               "127.0.0.1:5000",
		"[::1]:5000":                   "[::1]:5000",
		"ghcr.io":                      "ghcr.io",
		"http://registry.internal:80/": "registry.internal:80",
		// A bare IPv6 address is its key, as between brackets without a
		// port: ":abcd" is no port (found by FuzzValidHost).
		"fe80::1":        "fe80::1",
		"fe80::abcd":     "fe80::abcd",
		"FE80::ABCD":     "fe80::abcd",
		"[fe80::abcd]":   "fe80::abcd",
		"2001:db8::cafe": "2001:db8::cafe",
	} {
		got, err := normalizeHostPort(in)
		if err != nil || got != want {
			t.Errorf("normalizeHostPort(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// Spellings of one repository are the same repository: Docker Hub's names
// (none, docker.io, index.docker.io, registry-1.docker.io, and :443 after
// any of them), the host's case, and library/ for an official image. A
// pin compares its configured repository with its state's by it, so that
// a respelled repository, or an import ID spelled otherwise, is no changed
// selector. Another path, port or name for the host is another repository.
func TestSameRepository(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"prefecthq/prefect", "prefecthq/prefect", true},
		{"prefecthq/prefect", "docker.io/prefecthq/prefect", true},
		{"prefecthq/prefect", "index.docker.io/prefecthq/prefect", true},
		{"prefecthq/prefect", "registry-1.docker.io/prefecthq/prefect", true},
		{"docker.io/prefecthq/prefect", "registry-1.docker.io/prefecthq/prefect", true},
		{"prefecthq/prefect", "docker.io:443/prefecthq/prefect", true},
		{"prefecthq/prefect", "Docker.IO/prefecthq/prefect", true},
		{"localhost/acme/prefect", "LOCALHOST/acme/prefect", true},
		{"python", "docker.io/library/python", true},
		{"library/python", "index.docker.io/library/python", true},
		{"localhost:5000/prefecthq/prefect", "LOCALHOST:5000/prefecthq/prefect", true},
		{"Registry.Internal:5000/acme/prefect", "registry.internal:5000/acme/prefect", true},
		{"ghcr.io/acme/prefect", "GHCR.io/acme/prefect", true},
		{"[::1]:5000/acme/prefect", "[::1]:5000/acme/prefect", true},

		{"prefecthq/prefect", "prefecthq/prefect-client", false},
		{"prefecthq/prefect", "ghcr.io/prefecthq/prefect", false},
		{"prefecthq/prefect", "docker.io:5000/prefecthq/prefect", false},
		{"python", "docker.io/python/python", false},
		{"localhost:5000/prefecthq/prefect", "127.0.0.1:5000/prefecthq/prefect", false},
		{"localhost:5000/prefecthq/prefect", "localhost:5001/prefecthq/prefect", false},
		{"localhost:5000/prefecthq/prefect", "localhost/prefecthq/prefect", false},
		{"ghcr.io/acme/prefect", "ghcr.io:443/acme/prefect", false}, // plain HTTP, if listed insecure, is not on 443
		{"prefecthq/prefect", "prefecthq/prefect/", false},          // does not parse
		{"prefecthq/prefect/", "prefecthq/prefect/", true},          // the same text
	} {
		if got := SameRepository(tc.a, tc.b); got != tc.same {
			t.Errorf("SameRepository(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.same)
		}
		if got := SameRepository(tc.b, tc.a); got != tc.same {
			t.Errorf("SameRepository(%q, %q) = %v, want %v", tc.b, tc.a, got, tc.same)
		}
	}
}

// A host is case-insensitive, as DNS is, and docker and crane keep it as
// written: a repository whose host is written in upper case is addressed
// at the host in lower case, so that Docker Hub written Docker.IO is Docker
// Hub (index.docker.io, library/ for an official image) as Same already
// says, not a request to https://DOCKER.IO/v2/python/, and LOCALHOST/x is
// the host localhost, not a path in upper case.
func TestRepositoryHostFoldedForRequests(t *testing.T) {
	for _, tc := range []struct{ in, host, path string }{
		{"Docker.IO/prefecthq/prefect", "index.docker.io", "/v2/prefecthq/prefect/tags/list"},
		{"DOCKER.IO/python", "index.docker.io", "/v2/library/python/tags/list"},
		{"Index.Docker.IO/library/python", "index.docker.io", "/v2/library/python/tags/list"},
		{"GHCR.io/acme/prefect", "ghcr.io", "/v2/acme/prefect/tags/list"},
		{"LOCALHOST:5000/prefecthq/prefect", "localhost:5000", "/v2/prefecthq/prefect/tags/list"},
		{"LOCALHOST/prefecthq/prefect", "localhost", "/v2/prefecthq/prefect/tags/list"},
		{"[::1]:5000/prefecthq/prefect", "[::1]:5000", "/v2/prefecthq/prefect/tags/list"},
	} {
		r, err := ParseRepository(tc.in)
		if err != nil {
			t.Errorf("ParseRepository(%q): %v", tc.in, err)
			continue
		}
		if u := r.v2URL("tags/list"); r.Host() != tc.host || u.Host != tc.host || u.Path != tc.path {
			t.Errorf("ParseRepository(%q): host %q, URL %s; want host %q, path %s", tc.in, r.Host(), u, tc.host, tc.path)
		}
		if r.String() != tc.in {
			t.Errorf("ParseRepository(%q).String() = %q, want it as written", tc.in, r.String())
		}
	}
	if !SameRepository("python", "DOCKER.IO/python") || !SameRepository("LOCALHOST/acme/prefect", "localhost/acme/prefect") {
		t.Error("a repository with its host in upper case is not the same as with it in lower case")
	}
}

// The Docker config's credentials for a host are found for a repository
// whose host is written in another case: docker login ghcr.io writes
// "ghcr.io", and GHCR.io/acme/prefect went anonymous.
func TestRepositoryHostCaseFindsDockerConfig(t *testing.T) {
	dockerConfig(t, map[string]string{"ghcr.io": "g:p", "https://index.docker.io/v1/": "hub:p"})
	for repo, want := range map[string]string{"GHCR.io/acme/prefect": "g", "Docker.IO/prefecthq/prefect": "hub"} {
		if user, source := userFor(t, repo); user != want {
			t.Errorf("%s: credentials of %q (%s), want %q's from the Docker config", repo, user, source, want)
		}
	}
}

// docker login writes Docker Hub's credentials under
// https://index.docker.io/v1/; a repository that names Docker Hub by its
// other names (registry-1.docker.io, docker.io:443), which a registry_auth
// block for docker.io matches, finds them too, instead of going anonymous
// into Docker Hub's pull limit. A single-component path on such a host is
// left as docker reads it (no library/ added).
func TestRepositoryDockerHubSpellingsFindDockerLogin(t *testing.T) {
	dockerConfig(t, map[string]string{"https://index.docker.io/v1/": "hub:p"})
	for _, repo := range []string{"registry-1.docker.io/prefecthq/prefect", "docker.io:443/prefecthq/prefect", "Registry-1.Docker.IO:443/prefecthq/prefect"} {
		if user, source := userFor(t, repo); user != "hub" {
			t.Errorf("%s: credentials of %q (%s), want docker login's for Docker Hub", repo, user, source)
		}
		if r := repoOf(t, repo); r.Host() != "index.docker.io" || r.String() != repo {
			t.Errorf("%s: host %q, written %q; want index.docker.io and the repository as written", repo, r.Host(), r.String())
		}
	}
	if r := repoOf(t, "registry-1.docker.io/python"); r.v2URL("tags/list").Path != "/v2/python/tags/list" {
		t.Errorf("registry-1.docker.io/python is addressed at %s, want /v2/python/ as docker reads it", r.v2URL("tags/list"))
	}
}
