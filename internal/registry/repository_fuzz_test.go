package registry

import (
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
)

// refDomain and refPath are the distribution reference grammar's domain
// and path of a repository name (distribution/reference's regexp.go).
var (
	refDomain = regexp.MustCompile(`^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$`)
	refPath   = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$`)
)

// refSplit splits a repository name as distribution's splitDockerDomain
// does (the first component is a domain when it holds '.' or ':', is
// localhost, or has an upper-case letter) and reports whether the
// grammar reads it.
func refSplit(s string) (host string, ok bool) {
	first, rest, slash := strings.Cut(s, "/")
	if slash && (strings.ContainsAny(first, ".:") || first == "localhost" || strings.ToLower(first) != first) {
		return first, refDomain.MatchString(first) && refPath.MatchString(rest) && refLen(first, rest) <= 255
	}
	return "", refPath.MatchString(s) && refLen("", s) <= 255
}

// refLen is the length distribution's ParseNormalizedNamed measures: the
// whole name, docker.io/ and library/ added as it normalizes them.
func refLen(domain, path string) int {
	if domain == "" || domain == "index.docker.io" {
		domain = "docker.io"
	}
	if domain == "docker.io" && !strings.Contains(path, "/") {
		path = "library/" + path
	}
	return len(domain) + 1 + len(path)
}

// FuzzParseRepository: ParseRepository accepts only what the distribution
// reference grammar and go-containerregistry accept, refuses only what
// they refuse or one of its documented divergences, and what it accepts
// is addressed as one host and path that parse back to the same
// repository.
//
// The divergences, each tested in repository_test.go: Docker Hub's name
// in upper case ("Docker.IO/x") measured against 255 characters as
// docker.io/library/x, as distribution measures docker.io/x; a slash-free name that looks like a host ("ghcr.io",
// "localhost:5000"); a first component in upper case without '.' or ':'
// (distribution takes it for a domain; here it is a path written in the
// wrong case); a port that is no port number (0, 99999, 05000); brackets
// that hold no IPv6 address; and LOCALHOST, a host in any case.
func FuzzParseRepository(f *testing.F) {
	for _, s := range []string{
		"prefecthq/prefect", "docker.io/prefecthq/prefect", "Docker.IO/python", "registry-1.docker.io/python",
		"docker.io:443/prefecthq/prefect", "index.docker.io/library/python", "ghcr.io/acme/prefect",
		"127.0.0.1:5000/prefecthq/prefect", "[::1]:5000/a/b", "[::ffff:127.0.0.1]/a", "LOCALHOST/a", "localhost:5000",
		"[::0.0.0.0]/0", "ghcr.io", "PrefectHQ/prefect", "a/b__c/d-e/f.g", "a/b___c", "ghcr.io:0/a", "ghcr.io:05000/a",
		"prefect:3.1", "a/b@sha256:x", "u:p@ghcr.io/a/b", "https://ghcr.io/a",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRepository(s)
		host, readable := refSplit(s)
		if err != nil {
			if !readable {
				return
			}
			switch {
			case !strings.Contains(s, "/") && looksLikeHost(s):
				return
			case host != strings.ToLower(host) && (strings.EqualFold(host, "docker.io") || strings.EqualFold(host, "index.docker.io")):
				return // Docker Hub in upper case, measured as Docker Hub
			case host != "" && !strings.ContainsAny(host, ".:") && !strings.EqualFold(host, "localhost"):
				return // a path component in upper case
			case host != "":
				if portOK, ipOK := refHostNumbers(host); !portOK || !ipOK {
					return
				}
			}
			t.Fatalf("ParseRepository(%q) = %v; the distribution grammar reads it (host %q) and no divergence is documented", s, err, host)
		}
		if !readable {
			t.Fatalf("ParseRepository(%q) accepted it; the distribution grammar does not read it", s)
		}
		if _, err := name.NewRepository(s); err != nil && strings.ToLower(s) == s {
			t.Fatalf("ParseRepository(%q) accepted it; go-containerregistry refuses it: %v", s, err)
		}
		if r.String() != s {
			t.Fatalf("ParseRepository(%q).String() = %q, want it as written", s, r.String())
		}
		host = r.Host()
		if host != strings.ToLower(host) || CheckHost(host) != nil {
			t.Fatalf("ParseRepository(%q).Host() = %q, not a host in lower case (%v)", s, host, CheckHost(host))
		}
		u := r.v2URL("tags/list")
		back, err := url.Parse(u.String())
		if err != nil || back.Host != host || back.Path != u.Path || !strings.HasPrefix(u.Path, "/v2/") {
			t.Fatalf("ParseRepository(%q) is addressed at %s, which reads back as %v, %v; want host %q", s, u, back, err, host)
		}
		if !r.Same(r) || !SameRepository(s, s) {
			t.Fatalf("ParseRepository(%q) is not the same as itself", s)
		}
		// The name as go-containerregistry addresses it names the same
		// repository, with the same cache key.
		again, err := ParseRepository(r.name.String())
		if err != nil {
			t.Fatalf("ParseRepository(%q) is addressed as %q, which does not parse: %v", s, r.name.String(), err)
		}
		if !again.Same(r) || !r.Same(again) || again.key != r.key || again.Host() != host {
			t.Fatalf("ParseRepository(%q) is addressed as %q, which parses as another repository (key %q, host %q; want %q, %q)", s, r.name.String(), again.key, again.Host(), r.key, host)
		}
	})
}

// refHostNumbers reports whether a host the distribution grammar reads has
// a port that is a port number, and, between brackets, an IPv6 address.
func refHostNumbers(host string) (portOK, ipOK bool) {
	hostname, port := host, ""
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.HasSuffix(host, "]") {
		hostname, port = host[:i], host[i+1:]
	}
	portOK = true
	if port != "" {
		n, err := strconv.Atoi(port)
		portOK = err == nil && n >= 1 && n <= 65535 && strconv.Itoa(n) == port
	}
	ipOK = true
	if strings.HasPrefix(hostname, "[") {
		ip := net.ParseIP(strings.Trim(hostname, "[]"))
		ipOK = ip != nil && ip.To4() == nil
	}
	return portOK, ipOK
}

// refTag is the distribution spec's tag grammar.
var refTag = regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$`)

// FuzzValidTag: validTag, which every listed tag passes through (tags
// not valid are dropped as they are read), takes exactly what the
// distribution spec's grammar does, and go-containerregistry names a
// manifest by each tag it takes.
func FuzzValidTag(f *testing.F) {
	for _, s := range []string{"3.1.15-python3.12", "_x", "-x", ".x", "a:b", "a/b", "ä", strings.Repeat("a", 128), strings.Repeat("a", 129), "", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := validTag(s)
		if ok != refTag.MatchString(s) {
			t.Fatalf("validTag(%q) = %v; the distribution grammar says %v", s, ok, !ok)
		}
		if (ValidateTag(s) == nil) != ok {
			t.Fatalf("ValidateTag(%q) = %v, validTag %v", s, ValidateTag(s), ok)
		}
		if ok {
			if _, err := name.NewTag("ghcr.io/acme/prefect:"+s, name.StrictValidation); err != nil {
				t.Fatalf("validTag(%q) took it; go-containerregistry refuses it: %v", s, err)
			}
		}
	})
}
