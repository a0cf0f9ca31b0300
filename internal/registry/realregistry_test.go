package registry

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/distributiontest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// These tests run the client against Debian's docker-registry (CNCF
// distribution 2.8) over HTTPS with a generated CA and htpasswd basic auth.
// Without the binary they skip, unless PREFECTIMAGE_REQUIRE_REAL_REGISTRY=1.

var realTags = []string{
	"3.4.1-python3.12", "3.4.2-python3.11", "3.4.2-python3.12",
	"3.4.2-python3.12-conda", "3-latest", "3.4-python3.12", "sha-1da1544-python3.12",
}

func realRegistry(t *testing.T) (*distributiontest.Server, map[string]string) {
	t.Helper()
	s := distributiontest.Start(t)
	digests, err := s.Seed("prefecthq/prefect", realTags)
	if err != nil {
		t.Fatal(err)
	}
	return s, digests
}

// The tag list asked for 2 tags a page, which distribution 2.8 ignores (it
// answers every tag at once, unsorted, with no Link header, whatever n and
// last say), a HEAD for the digest and the index's platforms, over
// verified HTTPS on 127.0.0.1 with the CA and a registry_auth credential.
func TestRealRegistryListHeadPlatforms(t *testing.T) {
	noDockerConfig(t)
	s, digests := realRegistry(t)
	logs := &logRecorder{}
	c := newTestClient(t, Config{
		CACertPEM:   []byte(s.CACertPEM),
		Credentials: []Credential{{Host: s.Host, Username: s.Username, Password: s.Password}},
		MaxRetries:  1,
		Logger:      logs,
	})
	c.pageSize = 2
	repo := s.Repository("prefecthq/prefect")
	ctx := context.Background()

	got, err := c.ListTags(ctx, repoOf(t, repo))
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Sorted(slices.Values(realTags))
	if !slices.Equal(got, want) {
		t.Errorf("tags %v, want %v", got, want)
	}
	d, err := c.Head(ctx, repoOf(t, repo), "3.4.2-python3.12")
	if err != nil || d.Digest != digests["3.4.2-python3.12"] {
		t.Fatalf("Head: %+v, %v; want %s", d, err, digests["3.4.2-python3.12"])
	}
	p, err := c.Platforms(ctx, repoOf(t, repo), d.Digest)
	if err != nil {
		t.Fatal(err)
	}
	if p.Digest != d.Digest || !slices.Equal(slices.Sorted(maps.Keys(p.ByPlatform)), []string{"linux/amd64", "linux/arm64"}) {
		t.Errorf("platforms %+v", p)
	}
	if strings.Contains(logs.text(), s.Password) {
		t.Errorf("the log holds the password:\n%s", logs.text())
	}
	if !strings.Contains(logs.text(), "tags/list") {
		t.Errorf("the log does not show the paging requests:\n%s", logs.text())
	}
}

// Credentials from a Docker config file.
func TestRealRegistryDockerConfig(t *testing.T) {
	s, digests := realRegistry(t)
	dockerConfig(t, map[string]string{s.Host: s.Username + ":" + s.Password})
	c := newTestClient(t, Config{CACertPEM: []byte(s.CACertPEM), MaxRetries: 1})
	d, err := c.Head(context.Background(), repoOf(t, s.Repository("prefecthq/prefect")), "3-latest")
	if err != nil || d.Digest != digests["3-latest"] {
		t.Fatalf("Head: %+v, %v", d, err)
	}
}

// A wrong password and no credentials: 401, naming the registry and where
// credentials come from; never the password; not retried.
func TestRealRegistryUnauthorized(t *testing.T) {
	noDockerConfig(t)
	s, _ := realRegistry(t)
	const wrong = "wrong-Passw0rd-value"
	for name, creds := range map[string][]Credential{
		"wrong password": {{Host: s.Host, Username: s.Username, Password: wrong}},
		"anonymous":      nil,
	} {
		t.Run(name, func(t *testing.T) {
			c := newTestClient(t, Config{CACertPEM: []byte(s.CACertPEM), Credentials: creds, MaxRetries: 3})
			_, err := c.ListTags(context.Background(), repoOf(t, s.Repository("prefecthq/prefect")))
			if !IsUnauthorized(err) {
				t.Fatalf("got %v, want 401", err)
			}
			for _, want := range []string{"401", s.Host, "prefecthq/prefect", "This request used"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message lacks %q: %s", want, err)
				}
			}
			if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), s.Password) {
				t.Errorf("message holds a password: %s", err)
			}
		})
	}
}

// The certificate is refused without the CA, accepted for a host listed in
// InsecureHosts, and only for that host: a second server, not listed, is
// still refused.
func TestRealRegistryUntrustedCertificate(t *testing.T) {
	noDockerConfig(t)
	a, digests := realRegistry(t)
	b, _ := realRegistry(t)
	creds := []Credential{
		{Host: a.Host, Username: a.Username, Password: a.Password},
		{Host: b.Host, Username: b.Username, Password: b.Password},
	}
	ctx := context.Background()

	_, err := newTestClient(t, Config{Credentials: creds, MaxRetries: 2}).ListTags(ctx, repoOf(t, a.Repository("prefecthq/prefect")))
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(err.Error(), "TLS certificate could not be verified") || !strings.Contains(err.Error(), a.Host) {
		t.Fatalf("without the CA: %v", err)
	}

	c := newTestClient(t, Config{Credentials: creds, InsecureHosts: []string{a.Host}, MaxRetries: 1})
	d, err := c.Head(ctx, repoOf(t, a.Repository("prefecthq/prefect")), "3-latest")
	if err != nil || d.Digest != digests["3-latest"] {
		t.Fatalf("insecure host: %+v, %v", d, err)
	}
	_, err = c.Head(ctx, repoOf(t, b.Repository("prefecthq/prefect")), "3-latest")
	if err == nil || !strings.Contains(err.Error(), "TLS certificate could not be verified") || !strings.Contains(err.Error(), b.Host) {
		t.Fatalf("a host not listed as insecure: %v", err)
	}
}

// A certificate the CA signed, but for localhost alone, reached as
// 127.0.0.1, and one that has expired: each refused, as not for the host
// (naming the names it is for) or as out of date, not as an unknown CA;
// the server reached as localhost is read. An unknown CA is neither.
func TestRealRegistryCertificateNotForHostOrExpired(t *testing.T) {
	noDockerConfig(t)
	named := distributiontest.StartWithCertificate(t, distributiontest.Certificate{Names: []string{"localhost"}})
	expired := distributiontest.StartWithCertificate(t, distributiontest.Certificate{Expired: true})
	digests, err := named.Seed("prefecthq/prefect", []string{"3-latest"})
	if err != nil {
		t.Fatal(err)
	}
	byName := strings.Replace(named.Host, "127.0.0.1", "localhost", 1)
	ctx := context.Background()
	headErr := func(s *distributiontest.Server, host, ca string) *Error {
		t.Helper()
		c := newTestClient(t, Config{
			CACertPEM:   []byte(ca),
			Credentials: []Credential{{Host: host, Username: s.Username, Password: s.Password}},
			MaxRetries:  1,
		})
		_, err := c.Head(ctx, repoOf(t, host+"/prefecthq/prefect"), "3-latest")
		var e *Error
		if !errors.As(err, &e) || !e.CertificateUnverified() {
			t.Fatalf("%s: got %v, want an unverified certificate", host, err)
		}
		return e
	}

	e := headErr(named, named.Host, named.CACertPEM)
	host, names, ok := e.CertificateNotForHost()
	if !ok || host != "127.0.0.1" || !slices.Equal(names, []string{"localhost"}) || e.CertificateOutOfDate() {
		t.Errorf("localhost's certificate reached as 127.0.0.1: not for host %q %v %v, out of date %v: %v", host, names, ok, e.CertificateOutOfDate(), e)
	}

	e = headErr(expired, expired.Host, expired.CACertPEM)
	if _, _, notFor := e.CertificateNotForHost(); !e.CertificateOutOfDate() || notFor {
		t.Errorf("an expired certificate: out of date %v, not for host %v: %v", e.CertificateOutOfDate(), notFor, e)
	}

	// Signed by a CA not given: neither.
	e = headErr(named, byName, expired.CACertPEM)
	if _, _, notFor := e.CertificateNotForHost(); e.CertificateOutOfDate() || notFor {
		t.Errorf("an unknown CA: out of date %v, not for host %v: %v", e.CertificateOutOfDate(), notFor, e)
	}

	c := newTestClient(t, Config{
		CACertPEM:   []byte(named.CACertPEM),
		Credentials: []Credential{{Host: byName, Username: named.Username, Password: named.Password}},
		MaxRetries:  1,
	})
	if d, err := c.Head(ctx, repoOf(t, byName+"/prefecthq/prefect"), "3-latest"); err != nil || d.Digest != digests["3-latest"] {
		t.Errorf("reached as localhost: %+v, %v; want %s", d, err, digests["3-latest"])
	}
}

// The Client against what the real server holds, as go-containerregistry's
// own client reads it there: an OCI index with an attestation entry and a
// linux/arm/v7 image, a Docker manifest list and a single Docker image
// (made in registrytest and copied over, digests kept), among 300 tags
// of Prefect's catalog tagged in quickly, which distribution 2.8 lists
// whole and unsorted, ignoring n and last. Then a tag whose manifest was
// deleted, and the repository deleted: 404, said as such.
func TestRealRegistryShapesAndDeletions(t *testing.T) {
	noDockerConfig(t)
	s := distributiontest.Start(t)
	src := registrytest.New(t)
	const repo = "prefecthq/prefect"
	shapes := map[string]func(tag string) (string, error){
		"3.4.3-python3.12": func(tag string) (string, error) {
			return src.PushPlatforms(repo, tag, "linux/amd64", "linux/arm64", "linux/arm/v7")
		},
		"2.20.4-python3.11": func(tag string) (string, error) { return src.PushManifestList(repo, tag) },
		"2.7.9-python3.10":  func(tag string) (string, error) { return src.PushSingle(repo, tag, "linux/arm64") },
	}
	want := map[string]string{}
	for tag, push := range shapes {
		d, err := push(tag)
		if err != nil {
			t.Fatal(err)
		}
		if want[tag], err = s.Copy(src.Host()+"/"+repo+":"+tag, repo, tag); err != nil || want[tag] != d {
			t.Fatalf("copying %s: %s, %v; pushed %s", tag, want[tag], err, d)
		}
	}
	// More than the Client's page size (100 here), which the server does
	// not honour: the first page holds more than asked for.
	var many []string
	for _, tag := range tagcatalog.Prefect() {
		if _, ok := shapes[tag]; !ok && len(many) < 300 {
			many = append(many, tag)
		}
	}
	if err := s.TagMany(repo, "2.7.9-python3.10", many); err != nil {
		t.Fatal(err)
	}
	newClient := func() *Client {
		c := newTestClient(t, Config{
			CACertPEM:   []byte(s.CACertPEM),
			Credentials: []Credential{{Host: s.Host, Username: s.Username, Password: s.Password}},
			MaxRetries:  1,
		})
		c.pageSize = 100
		return c
	}
	ref, ctx := repoOf(t, s.Repository(repo)), context.Background()
	listed := func(c *Client) []string {
		t.Helper()
		got, err := c.ListTags(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		server, err := s.Tags(repo)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Sort(server); !slices.Equal(got, server) {
			t.Fatalf("ListTags gave %d tags, the server holds %d", len(got), len(server))
		}
		return got
	}

	c := newClient()
	if got := listed(c); len(got) != len(slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(many), slices.Collect(maps.Keys(shapes))...))))) {
		t.Fatalf("%d tags listed", len(got))
	}
	for tag := range shapes {
		d, err := c.Head(ctx, ref, tag)
		if err != nil || d.Digest != want[tag] {
			t.Errorf("Head %s: %+v, %v; want %s", tag, d, err, want[tag])
		}
		server, err := s.Digest(repo, tag)
		if err != nil || server != want[tag] {
			t.Errorf("the server's HEAD %s: %s, %v", tag, server, err)
		}
		p, err := c.Platforms(ctx, ref, tag)
		if err != nil {
			t.Fatalf("Platforms %s: %v", tag, err)
		}
		platforms, err := src.PlatformDigests(repo, tag)
		if err != nil {
			t.Fatal(err)
		}
		if p.Digest != want[tag] || !maps.Equal(p.ByPlatform, platforms) {
			t.Errorf("Platforms %s: %s %v; want %s %v", tag, p.Digest, p.ByPlatform, want[tag], platforms)
		}
	}

	// The index's manifest deleted: its tag is gone from the list, and
	// HEAD and GET by tag answer 404.
	gone := "3.4.3-python3.12"
	if err := s.DeleteManifest(repo, want[gone]); err != nil {
		t.Fatal(err)
	}
	c = newClient()
	if got := listed(c); slices.Contains(got, gone) {
		t.Errorf("the deleted tag %s is still listed", gone)
	}
	if _, err := c.Head(ctx, ref, gone); !IsNotFound(err) || !strings.Contains(err.Error(), "MANIFEST_UNKNOWN") {
		t.Errorf("Head of the deleted tag: %v", err)
	}

	// The repository deleted: its list answers 404 NAME_UNKNOWN, said as a
	// repository that does not exist.
	if err := s.DeleteRepository(repo); err != nil {
		t.Fatal(err)
	}
	_, err := newClient().ListTags(ctx, ref)
	if !IsNotFound(err) || !strings.Contains(err.Error(), "the repository does not exist there") || !strings.Contains(err.Error(), "NAME_UNKNOWN") {
		t.Errorf("listing the deleted repository: %v", err)
	}
}
