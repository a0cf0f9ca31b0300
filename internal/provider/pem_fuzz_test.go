package provider

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
)

// FuzzPEMValidator: a ca_certificate_pem the validator takes is one the
// registry client takes (registry.New, which Configure calls with it), so
// that no CA passes validate and then fails Configure off the attribute;
// one it refuses is refused naming ca_certificate_pem.
func FuzzPEMValidator(f *testing.F) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fuzz CA"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		f.Fatal(err)
	}
	ca := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	for _, s := range []string{
		ca, ca + ca, ca + ca[:len(ca)/2], "junk\n" + ca + "junk", strings.ReplaceAll(ca, "\n", "\r\n"),
		"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" + ca, "hello", "",
		strings.Replace(ca, "CERTIFICATE", "TRUSTED CERTIFICATE", 2), "  " + ca,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := pemValidator.check(s)
		if err != nil {
			if !strings.Contains(err.Error(), "ca_certificate_pem") {
				t.Fatalf("pemValidator(%q) = %v: does not name ca_certificate_pem", s, err)
			}
			return
		}
		if _, err := registry.New(registry.Config{CACertPEM: []byte(s)}); err != nil {
			t.Fatalf("pemValidator(%q) took it; the registry client refuses it: %v", s, err)
		}
	})
}
