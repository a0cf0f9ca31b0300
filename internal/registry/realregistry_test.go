package registry

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/distributiontest"
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

// Paging through distribution's own Link headers (2 tags a page), a HEAD
// for the digest and the index's platforms, over verified HTTPS on
// 127.0.0.1 with the CA and a registry_auth credential.
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
