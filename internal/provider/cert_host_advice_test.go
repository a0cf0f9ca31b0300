package provider

import (
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// A registry whose certificate is trusted (ca_certificate_pem) but whose
// token service, on another host, has a certificate issued for other
// names: the advice names the token service's host, whose listing in
// insecure_registries mends it, not the registry's, whose listing does
// not, and does not tell the user to write repository with another name.
func TestCertificateAdviceNamesTheTokenServiceHost(t *testing.T) {
	isolateHome(t)
	srv := httptest.NewUnstartedServer(nil)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	var realmHost string
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/token":
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]string{"token": "tok-1"})
		case r.Header.Get("Authorization") != "Bearer tok-1":
			// httptest's certificate is issued for 127.0.0.1 and
			// example.com, not for localhost.
			w.Header().Set("WWW-Authenticate", `Bearer realm="https://`+realmHost+`/token",service="t"`)
			w.WriteHeader(http.StatusUnauthorized)
		case strings.HasSuffix(r.URL.Path, "/tags/list"):
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"name": "prefecthq/prefect", "tags": []string{"3.1.15-python3.12"}})
		default:
			w.WriteHeader(http.StatusOK)
		}
	})
	srv.StartTLS()
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "https://")
	_, port, _ := strings.Cut(host, ":")
	realmHost = "localhost:" + port
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	repo, err := registry.ParseRepository(host + "/prefecthq/prefect")
	if err != nil {
		t.Fatal(err)
	}
	list := func(insecure ...string) error {
		return listTagsWith(t, repo, registry.Config{MaxRetries: 0, CACertPEM: ca, InsecureHosts: insecure})
	}

	err = list()
	var e *registry.Error
	if !errors.As(err, &e) || !e.CertificateUnverified() {
		t.Fatalf("not a certificate error: %v", err)
	}
	detail := resolveErrorDetail(err)
	for _, want := range []string{
		"the TLS certificate of the registry's token service (" + realmHost + ") could not be verified",
		"have the certificate of " + realmHost + " reissued for localhost",
		"list " + realmHost + " in insecure_registries",
	} {
		if !strings.Contains(detail, want) {
			t.Errorf("detail lacks %q:\n%s", want, detail)
		}
	}
	for _, wrong := range []string{"write repository with a name", "list " + host + " in insecure_registries"} {
		if strings.Contains(detail, wrong) {
			t.Errorf("detail says %q, which cannot mend the token service's certificate:\n%s", wrong, detail)
		}
	}

	// The advice works: the token service's host listed, the tags are read.
	if err := list(realmHost); err != nil {
		t.Errorf("with %s in insecure_registries: %v", realmHost, err)
	}
	// The registry's own listing does not reach its token service.
	if err := list(host); err == nil {
		t.Errorf("with the registry %s in insecure_registries, the token service's certificate was not checked", host)
	}
}

// A loopback registry whose certificate cannot be verified: its error says
// the certificate's failure and what mends it, and nothing else. The
// registry client pings a loopback host over HTTPS and then over plain
// HTTP; the HTTPS server's answer to the plain attempt ("400 Bad Request:
// Client sent an HTTP request to an HTTPS server") was put in the detail
// beside the certificate's failure, as though it were a second fault.
func TestCertificateErrorOfLoopbackSaysOneThing(t *testing.T) {
	isolateHome(t)
	reg := registrytest.New(t, registrytest.WithTLS())
	if err := reg.Seed("prefecthq/prefect", []string{"3.1.15-python3.12"}); err != nil {
		t.Fatal(err)
	}
	_, port, _ := strings.Cut(reg.Host(), ":")
	for _, tc := range []struct {
		host, ca, cause, advice string
	}{
		// An unknown CA: the CA given mends it.
		{reg.Host(), "", "x509: certificate signed by unknown authority", "Add the CA that signed it with ca_certificate_pem"},
		// The CA known, the certificate issued for 127.0.0.1 and
		// example.com, not localhost.
		{"localhost:" + port, reg.CACertPEM(), "not localhost", "write repository with a name it is issued for"},
	} {
		repo, err := registry.ParseRepository(tc.host + "/prefecthq/prefect")
		if err != nil {
			t.Fatal(err)
		}
		err = listTagsWith(t, repo, registry.Config{MaxRetries: 0, CACertPEM: []byte(tc.ca)})
		var e *registry.Error
		if !errors.As(err, &e) || !e.CertificateUnverified() {
			t.Fatalf("%s: not a certificate error: %v", tc.host, err)
		}
		detail := resolveErrorDetail(err)
		for _, want := range []string{"the registry's TLS certificate could not be verified", tc.cause, tc.advice, "list " + tc.host + " in insecure_registries"} {
			if !strings.Contains(detail, want) {
				t.Errorf("%s: the detail lacks %q:\n%s", tc.host, want, detail)
			}
		}
		for _, noise := range []string{"http://", "400", "HTTP request to an HTTPS server"} {
			if strings.Contains(detail, noise) {
				t.Errorf("%s: the detail says %q, the plain-HTTP attempt's answer, beside the certificate's failure:\n%s", tc.host, noise, detail)
			}
		}
	}
}
