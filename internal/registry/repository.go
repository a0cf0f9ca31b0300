package registry

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// dockerHub is the host used for repositories written without one, as users
// know it; go-containerregistry addresses it as index.docker.io.
const dockerHub = "docker.io"

const maxTagLen = 128

// A path component of the reference grammar; a DNS name or IPv4 address.
var (
	pathComponent = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)
	domainName    = regexp.MustCompile(`^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*$`)
)

// Repository is a repository parsed once, as the user wrote it and as
// go-containerregistry addresses it. Make one with ParseRepository.
type Repository struct {
	written  string          // as the user wrote it
	registry string          // the host as the user wrote it; docker.io when none
	name     name.Repository // normalized (index.docker.io, library/ added)
	key      string          // cache key: name.Name()
}

// String is the repository as the user wrote it.
func (r Repository) String() string { return r.written }

// Key is the repository as the Client's caches key it, however written:
// host in lower case, Docker Hub's names folded into index.docker.io,
// library/ added to an official image ("index.docker.io/prefecthq/prefect"
// for "prefecthq/prefect" and "docker.io/prefecthq/prefect"). Two spellings
// with one Key share one listing, HEAD and handshake.
func (r Repository) Key() string { return r.key }

// Host is the registry the repository is on, as credentials are matched
// to it (index.docker.io when it names none): compare it with a
// registry_auth address by SameCredentialHost.
func (r Repository) Host() string { return r.name.RegistryStr() }

// v2URL is the URL of path under the repository's /v2/ API; the ping's
// transport corrects the scheme.
func (r Repository) v2URL(path string) *url.URL {
	return &url.URL{Scheme: "https", Host: r.name.RegistryStr(), Path: "/v2/" + r.name.RepositoryStr() + "/" + path}
}

// ValidateTag checks one tag against the distribution grammar.
func ValidateTag(s string) error {
	if !validTag(s) {
		return fmt.Errorf("%q is not a valid tag: a tag is 1 to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'", s)
	}
	return nil
}

// validTag reports whether s is a tag by the distribution grammar:
// [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. A loop, not a regexp: every listed
// tag passes through it.
func validTag(s string) bool {
	if len(s) == 0 || len(s) > maxTagLen || s[0] == '.' || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b == '_', b == '.', b == '-':
		default:
			return false
		}
	}
	return true
}

// sameHost compares two hosts, folding Docker Hub's names and the default
// port of each one's scheme.
func sameHost(a, schemeA, b, schemeB string) bool {
	return canonicalHost(a, schemeA) == canonicalHost(b, schemeB)
}

func canonicalHost(h, scheme string) string {
	k, err := normalizeHostPort(h)
	if err != nil {
		return h
	}
	if host, port, err := net.SplitHostPort(k); err == nil {
		if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
			return host
		}
	}
	return k
}

// MaxRepositoryLen is the most characters a repository's whole name,
// host included, may have (distribution's reference grammar).
const MaxRepositoryLen = 255

// ParseRepository validates a repository as users write it
// ("prefecthq/prefect", "ghcr.io/acme/prefect",
// "127.0.0.1:5000/prefecthq/prefect") and parses it once. A tag, a digest,
// a scheme or a trailing slash is an error that says what to write instead.
func ParseRepository(s string) (Repository, error) {
	switch {
	case HasCredentials(s): // before any message quotes s
		return Repository{}, errors.New("the repository holds credentials (user:password@ or token@ before the host); write the repository alone, such as ghcr.io/acme/prefect, and give the user name and password as the host's credentials")
	case s == "":
		return Repository{}, errors.New("the repository is empty; write one such as prefecthq/prefect or ghcr.io/acme/prefect")
	case strings.ContainsAny(s, " \t\r\n"):
		return Repository{}, fmt.Errorf("%q contains white space; write a repository such as prefecthq/prefect", s)
	case strings.Contains(s, "://"):
		return Repository{}, fmt.Errorf("%q includes a URL scheme; write the repository without it, such as ghcr.io/acme/prefect", s)
	case strings.Contains(s, "@"):
		return Repository{}, fmt.Errorf("%q includes a digest; write the repository alone, such as prefecthq/prefect, without @sha256:…", s)
	}
	host, path := "", s
	if first, rest, ok := strings.Cut(s, "/"); ok {
		if strings.EqualFold(first, "localhost") || strings.ContainsAny(first, ".:") || strings.HasPrefix(first, "[") {
			host, path = first, rest
		}
	}
	if !strings.Contains(s, "/") && looksLikeHost(s) {
		return Repository{}, fmt.Errorf("%q looks like a registry host without a repository; write host/path, such as ghcr.io/acme/prefect", s)
	}
	if strings.Contains(path, ":") {
		return Repository{}, fmt.Errorf("%q includes a tag; write the repository alone, such as prefecthq/prefect, and choose the tag separately", s)
	}
	if host != "" {
		if err := CheckHost(host); err != nil {
			return Repository{}, fmt.Errorf("%q: %w", s, err)
		}
	}
	if path == "" {
		return Repository{}, fmt.Errorf("%q names a registry but no repository; write host/path, such as %s/acme/prefect", s, host)
	}
	for _, comp := range strings.Split(path, "/") {
		switch {
		case comp == "":
			return Repository{}, fmt.Errorf("%q has an empty path component; remove the extra or trailing '/'", s)
		case strings.ToLower(comp) != comp:
			lower := strings.ToLower(path)
			if !slices.ContainsFunc(strings.Split(lower, "/"), func(c string) bool { return !pathComponent.MatchString(c) }) {
				return Repository{}, fmt.Errorf("%q has upper-case letters in its path; repository paths are lower case: write %q", s, strings.TrimPrefix(host+"/"+lower, "/"))
			}
			return Repository{}, fmt.Errorf("%q has upper-case letters in its path; repository paths are lower case", s)
		case !pathComponent.MatchString(comp):
			return Repository{}, fmt.Errorf("%q has the invalid path component %q; components are lower-case letters and digits, joined by '.', '_', '__' or '-'", s, comp)
		}
	}
	// Hosts are case-insensitive, as DNS is: addressed, keyed and looked up
	// in the Docker config in lower case (go-containerregistry keeps the
	// case: "Docker.IO" was not Docker Hub, "GHCR.io" a key docker login
	// never writes). Docker Hub's other names (registry-1.docker.io,
	// docker.io:443) become index.docker.io, where credentials are matched
	// and docker login keeps them, for paths of two or more components only:
	// for one, index.docker.io would add library/, as docker does not there.
	addressed := s
	if host != "" {
		h := strings.ToLower(host)
		if k, err := normalizeHostPort(h); err == nil && k == name.DefaultRegistry && strings.Contains(path, "/") {
			h = name.DefaultRegistry
		}
		addressed = h + "/" + path
	}
	// Distribution measures the whole name, Docker Hub's as docker.io/ and
	// library/ before a single name make it; so measured, the name as
	// addressed parses again.
	if host == "" || strings.EqualFold(host, "docker.io") || strings.EqualFold(host, "index.docker.io") {
		full := "docker.io/" + path
		if !strings.Contains(path, "/") {
			full = "docker.io/library/" + path
		}
		if len(full) > MaxRepositoryLen {
			return Repository{}, fmt.Errorf("the repository is %d characters long as Docker Hub's whole name (docker.io/, and library/ before a single name); at most %d are allowed", len(full), MaxRepositoryLen)
		}
	} else if len(s) > MaxRepositoryLen {
		return Repository{}, fmt.Errorf("the repository is %d characters long; at most %d are allowed", len(s), MaxRepositoryLen)
	}
	// The checks above are stricter than name's (FuzzParseRepository).
	repo, _ := name.NewRepository(addressed)
	return Repository{written: s, registry: cmp.Or(host, dockerHub), name: repo, key: repo.Name()}, nil
}

// looksLikeHost reports whether a slash-free string is more likely a
// registry host ("ghcr.io", "localhost:5000") than a Docker Hub repository
// with a tag ("prefect:3.1").
func looksLikeHost(s string) bool {
	if strings.HasPrefix(s, "[") {
		return true
	}
	before, after, hasPort := strings.Cut(s, ":")
	if hasPort {
		_, err := strconv.Atoi(after)
		return err == nil && (strings.Contains(before, ".") || strings.EqualFold(before, "localhost"))
	}
	return strings.Contains(s, ".") || strings.EqualFold(s, "localhost")
}

// CheckHost validates "host[:port]" as it appears before the first '/'
// of a repository: a DNS name or a bracketed IPv6 address, and a port.
func CheckHost(h string) error {
	hostname, port := h, ""
	if strings.HasPrefix(h, "[") {
		end := strings.Index(h, "]")
		if end < 0 {
			return fmt.Errorf("the registry host %q has an unclosed '['", h)
		}
		hostname = h[1:end]
		rest := h[end+1:]
		if rest != "" {
			if !strings.HasPrefix(rest, ":") {
				return fmt.Errorf("the registry host %q is not host[:port]", h)
			}
			port = rest[1:]
		}
		ip := net.ParseIP(hostname)
		if ip == nil {
			return fmt.Errorf("the registry host %q does not hold an IPv6 address between brackets", h)
		}
		if v4 := ip.To4(); v4 != nil {
			// An IPv4 address, bracketed ([127.0.0.1]) or IPv4-mapped
			// ([::ffff:7f00:1], which the reference grammar reads): one
			// host is written one way, as credentials and
			// insecure_registries match it.
			instead := strings.TrimSuffix(v4.String()+":"+port, ":")
			if !strings.Contains(hostname, ":") {
				return fmt.Errorf("the registry host %q does not hold an IPv6 address between brackets but an IPv4 address; write it without brackets, as %s", h, instead)
			}
			return fmt.Errorf("the registry host %q holds an IPv4-mapped IPv6 address, which is the IPv4 address %s; write that without brackets, as %s", h, v4, instead)
		}
		// The reference grammar reads hex digits and colons only there.
		if strings.Contains(hostname, ".") {
			return fmt.Errorf("the registry host %q ends its IPv6 address in dotted form, which image references cannot hold; write it in hex, such as [::a00:1] for [::10.0.0.1]", h)
		}
	} else {
		if strings.Count(h, ":") > 1 {
			return fmt.Errorf("the registry host %q looks like an IPv6 address without brackets; write the address between brackets and any port after them, such as [::1] or [::1]:5000", h)
		}
		if i := strings.LastIndexByte(h, ':'); i >= 0 {
			hostname, port = h[:i], h[i+1:]
		}
		if !domainName.MatchString(hostname) {
			return fmt.Errorf("the registry host %q is not a valid host name", hostname)
		}
	}
	if port != "" || strings.HasSuffix(h, ":") {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
			return fmt.Errorf("the registry host %q has an invalid port %q", h, port)
		}
	}
	return nil
}

func isLoopback(hostport string) bool {
	h := strings.ToLower(hostName(hostport))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func hostName(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}

// normalizeHostPort turns a host as users write it ("Registry.internal:5000",
// "https://ghcr.io/", "docker.io") into a comparable key: lower case, no
// scheme, no path, Docker Hub's names folded into index.docker.io, an
// address without a port without brackets.
func normalizeHostPort(s string) (string, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	for _, p := range []string{"https://", "http://"} {
		s = strings.TrimPrefix(s, p)
	}
	s, _, _ = strings.Cut(s, "/")
	if s == "" {
		return "", errors.New("the host is empty")
	}
	if IsBareIPv6(s) {
		// Its key is the address as between brackets without a port:
		// url.Parse reads its last group as a port, and refuses one that
		// is not digits ("fe80::abcd").
		return s, nil
	}
	if u, err := url.Parse("//" + s); err != nil || u.Host != s {
		return "", fmt.Errorf("%q is not host[:port]", s)
	}
	switch s {
	case "docker.io", "index.docker.io", "registry-1.docker.io",
		"docker.io:443", "index.docker.io:443", "registry-1.docker.io:443":
		return name.DefaultRegistry, nil
	}
	if h, p, err := net.SplitHostPort(s); err == nil {
		return net.JoinHostPort(h, p), nil
	}
	return strings.Trim(s, "[]"), nil
}

// IsBareIPv6 reports whether a host as users write it is an IPv6 address
// without brackets ("fe80::1", "::1"), which a registry_auth address or an
// insecure_registries entry may be, read as between brackets ("[fe80::1]"):
// an address with a port must be bracketed, as a repository writes it.
func IsBareIPv6(s string) bool {
	return strings.Contains(s, ":") && net.ParseIP(s) != nil
}

// SameCredentialHost reports whether two registry_auth addresses name one
// host as credentials are matched: case, a scheme or path aside, and
// Docker Hub's three names folded into one.
func SameCredentialHost(a, b string) bool {
	ka, errA := normalizeHostPort(a)
	kb, errB := normalizeHostPort(b)
	return errA == nil && errB == nil && ka == kb
}

// Same reports whether r and o name one repository, however each was
// written: the host's case aside, Docker Hub's names (none, docker.io,
// index.docker.io and registry-1.docker.io, with or without :443) folded
// into one, and an official image's library/ understood ("python" and
// "docker.io/library/python"). Another port, or another name for the same
// machine (localhost and 127.0.0.1), is another repository: credentials and
// insecure_registries are matched to the host as written.
func (r Repository) Same(o Repository) bool {
	return SameCredentialHost(r.name.RegistryStr(), o.name.RegistryStr()) && r.name.RepositoryStr() == o.name.RepositoryStr()
}

// SameRepository reports whether two repositories as users write them
// name one repository (Repository.Same). A string that does not parse is
// the same only as itself.
func SameRepository(a, b string) bool {
	if a == b {
		return true
	}
	ra, errA := ParseRepository(a)
	rb, errB := ParseRepository(b)
	return errA == nil && errB == nil && ra.Same(rb)
}

var digestAfterAt = regexp.MustCompile(`^(?:sha(?:256|384|512):|[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,})`)

// HasCredentials reports whether s, a host or repository as a user wrote
// it, carries URL credentials ("https://user:token@ghcr.io", or a token
// alone, "ghp_token@ghcr.io/acme/prefect", as GitHub's clone URLs take): an
// '@' before the first '/' after any scheme that does not start a digest.
// Nothing there tells a user name from a token: messages must not quote s.
func HasCredentials(s string) bool {
	_, rest, scheme := strings.Cut(s, "://")
	if !scheme {
		rest = s
	}
	rest, _, _ = strings.Cut(rest, "/")
	_, after, found := strings.Cut(rest, "@")
	return found && !digestAfterAt.MatchString(after)
}
