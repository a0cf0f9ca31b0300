package distributiontest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// The server speaks TLS with the generated CA, wants the htpasswd
// credentials, keeps what Push writes, and moves a tag pushed again.
func TestServer(t *testing.T) {
	s := Start(t)
	digests, err := s.Seed("prefecthq/prefect", []string{"3.1.15-python3.12", "3-latest"})
	if err != nil {
		t.Fatal(err)
	}
	if digests["3.1.15-python3.12"] == digests["3-latest"] {
		t.Error("two tags share a digest")
	}
	if d, err := s.Digest("prefecthq/prefect", "3-latest"); err != nil || d != digests["3-latest"] {
		t.Errorf("Digest: %s, %v; want %s", d, err, digests["3-latest"])
	}
	moved, err := s.Push("prefecthq/prefect", "3-latest")
	if err != nil || moved == digests["3-latest"] {
		t.Errorf("pushing again: %s, %v", moved, err)
	}

	repo, _ := name.NewRepository(s.Repository("prefecthq/prefect"))
	tags, err := remote.List(repo, s.remoteOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"3-latest", "3.1.15-python3.12"}; !slices.Equal(tags, want) {
		t.Errorf("tags %v, want %v", tags, want)
	}

	// A wrong password is refused with 401.
	_, err = remote.List(repo, remote.WithTransport(s.Transport()), remote.WithAuth(&authn.Basic{Username: s.Username, Password: "wrong"}))
	var te *transport.Error
	if !errors.As(err, &te) || te.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: %v", err)
	}

	// Nothing but the generated CA trusts the certificate.
	_, err = (&http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}}).Get("https://" + s.Host + "/v2/")
	var uae x509.UnknownAuthorityError
	if !errors.As(err, &uae) {
		t.Errorf("the system pool trusted the server: %v", err)
	}

	s.Stop()
	if _, err := s.Digest("prefecthq/prefect", "3-latest"); err == nil {
		t.Error("the server still answers after Stop")
	}
}

// In proxy mode the server pulls through from its upstream with the
// credentials it is given: a HEAD by tag asks upstream every time and GETs
// the manifest upstream only the first time; tags are listed upstream.
// Without the credentials the upstream refuses it.
func TestProxy(t *testing.T) {
	upstream := registrytest.New(t, registrytest.WithBearerAuth("hub-bot", "hub-secret"))
	if err := upstream.Seed("prefecthq/prefect", []string{"3.4.25-python3.12", "3-latest"}); err != nil {
		t.Fatal(err)
	}
	want, err := upstream.Digest("prefecthq/prefect", "3-latest")
	if err != nil {
		t.Fatal(err)
	}
	proxy := StartProxy(t, Upstream{URL: upstream.URL(), Username: "hub-bot", Password: "hub-secret"})
	for i := range 2 {
		if d, err := proxy.Digest("prefecthq/prefect", "3-latest"); err != nil || d != want {
			t.Fatalf("HEAD %d through the proxy: %s, %v; want %s", i+1, d, err, want)
		}
		if c := upstream.Counts(); c.Head != i+1 || c.Get != 1 {
			t.Errorf("after HEAD %d through the proxy, upstream saw %d HEAD and %d GET; want %d and 1", i+1, c.Head, c.Get, i+1)
		}
	}
	tags, err := proxy.Tags("prefecthq/prefect")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"3-latest", "3.4.25-python3.12"}; !slices.Equal(tags, want) {
		t.Errorf("tags through the proxy %v, want %v", tags, want)
	}

	anonymous := StartProxy(t, Upstream{URL: upstream.URL()})
	if d, err := anonymous.Digest("prefecthq/prefect", "3-latest"); err == nil {
		t.Errorf("a proxy without the upstream's credentials resolved %s", d)
	}
}

// Without the binary a test skips with the install command, or fails when
// PREFECTIMAGE_REQUIRE_REAL_REGISTRY=1, as in CI.
func TestMissingBinary(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for _, tc := range []struct {
		require string
		want    string
	}{
		{"", "skip"},
		{"0", "skip"},
		{"1", "fatal"},
	} {
		t.Run("require="+tc.require, func(t *testing.T) {
			t.Setenv(RequireEnv, tc.require)
			rec := &recordingTB{TB: t}
			func() {
				defer func() {
					if r := recover(); r != nil && r != errStopped {
						panic(r)
					}
				}()
				Start(rec)
			}()
			if rec.how != tc.want {
				t.Fatalf("Start %sped, want %s (%s)", rec.how, tc.want, rec.msg)
			}
			if !strings.Contains(rec.msg, "apt-get install -y docker-registry") {
				t.Errorf("message does not say how to install: %s", rec.msg)
			}
			if tc.want == "fatal" && !strings.Contains(rec.msg, RequireEnv) {
				t.Errorf("message does not name %s: %s", RequireEnv, rec.msg)
			}
		})
	}
}

var errStopped = errors.New("stopped")

// recordingTB records Skipf and Fatalf instead of ending the test.
type recordingTB struct {
	testing.TB
	how, msg string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Skipf(format string, args ...any) {
	r.how, r.msg = "skip", fmt.Sprintf(format, args...)
	panic(errStopped)
}

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.how, r.msg = "fatal", fmt.Sprintf(format, args...)
	panic(errStopped)
}

// A Certificate shapes the server's certificate, still signed by its CA:
// for localhost alone, it is refused for 127.0.0.1 by name; expired, by
// date. The helper's own requests go through either way.
func TestStartWithCertificate(t *testing.T) {
	named := StartWithCertificate(t, Certificate{Names: []string{"localhost"}})
	expired := StartWithCertificate(t, Certificate{Expired: true})
	for _, s := range []*Server{named, expired} {
		pushed, err := s.Push("prefecthq/prefect", "3-latest")
		if err != nil {
			t.Fatal(err)
		}
		if d, err := s.Digest("prefecthq/prefect", "3-latest"); err != nil || d != pushed {
			t.Errorf("Digest: %s, %v; want %s", d, err, pushed)
		}
	}
	get := func(s *Server) error {
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM([]byte(s.CACertPEM))
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
		resp, err := c.Get("https://" + s.Host + "/v2/")
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	var he x509.HostnameError
	if err := get(named); !errors.As(err, &he) || !slices.Equal(he.Certificate.DNSNames, []string{"localhost"}) || len(he.Certificate.IPAddresses) != 0 {
		t.Errorf("a certificate for localhost reached as 127.0.0.1: %v", err)
	}
	var ie x509.CertificateInvalidError
	if err := get(expired); !errors.As(err, &ie) || ie.Reason != x509.Expired {
		t.Errorf("an expired certificate: %v", err)
	}
}

// CI builds every distribution v3 version the tests run, and no other:
// .ci/run's loop names V3Versions.
func TestCIBuildsV3Versions(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	want := "for v in " + strings.Join(V3Versions, " ") + "; do .ci/tool registry \"$v\""
	if !strings.Contains(string(b), want) {
		t.Errorf(".ci/run does not build the distribution v3 versions the tests run (%v): want a line with %q", V3Versions, want)
	}
}

// Without distribution v3's binary, StartV3 skips saying how to build it,
// or fails when PREFECTIMAGE_REQUIRE_REAL_REGISTRY=1.
func TestMissingV3Binary(t *testing.T) {
	t.Setenv(ToolsCacheEnv, t.TempDir())
	for _, tc := range []struct{ require, want string }{{"", "skip"}, {"1", "fatal"}} {
		t.Run("require="+tc.require, func(t *testing.T) {
			t.Setenv(RequireEnv, tc.require)
			rec := &recordingTB{TB: t}
			func() {
				defer func() {
					if r := recover(); r != nil && r != errStopped {
						panic(r)
					}
				}()
				StartV3(rec, "3.1.2", "")
			}()
			if rec.how != tc.want || !strings.Contains(rec.msg, ".ci/tool registry 3.1.2") {
				t.Errorf("StartV3 %sped, want %s, saying how to build it: %s", rec.how, tc.want, rec.msg)
			}
		})
	}
}

// Tags reads every page of a distribution v3 server's list, which sends a
// Link past its page size. Before, Tags was remote.List, which refuses the
// https Link of a loopback registry's second page ("pagination URL scheme
// "https" does not match registry scheme "http"": go-containerregistry
// takes a loopback host for plain HTTP), so it failed on every v3 list
// longer than a page.
func TestV3TagsReadsEveryPage(t *testing.T) {
	want := slices.Sorted(slices.Values(tagcatalog.Prefect()))[:2500]
	for _, version := range V3Versions {
		t.Run("v"+version, func(t *testing.T) {
			s := StartV3(t, version, "")
			if _, err := s.SeedAlike("prefecthq/prefect", want); err != nil {
				t.Fatal(err)
			}
			got, err := s.Tags("prefecthq/prefect")
			if err != nil {
				t.Fatal(err)
			}
			if slices.Sort(got); !slices.Equal(got, want) {
				t.Errorf("Tags listed %d tags, want the %d seeded", len(got), len(want))
			}
			if _, err := s.Tags("prefecthq/nosuch"); err == nil || !strings.Contains(err.Error(), "404") {
				t.Errorf("Tags of a repository that does not exist: %v, want the 404", err)
			}
		})
	}
}
