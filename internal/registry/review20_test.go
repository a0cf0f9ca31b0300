package registry

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// A registry quoting back a password that holds whitespace (a trailing
// newline, as Terraform's file() keeps; a tab; two spaces): what it said is
// put on one line only after it is scrubbed, or the password, its
// whitespace changed, is no longer found and reaches the message.
func TestReview20SaidScrubbedBeforeOneLine(t *testing.T) {
	for _, password := range []string{"s3cret-Passw0rd\n", "pass  word", "tab\tpass"} {
		c, err := New(Config{Keychain: authn.NewMultiKeychain(), Credentials: []Credential{{Host: zooHost, Username: "me", Password: password}}})
		if err != nil {
			t.Fatal(err)
		}
		c.base = handlerTransport{http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "wrong password "+password+" given")
		})}
		ref, err := ParseRepository(zooHost + "/prefecthq/prefect")
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ListTags(context.Background(), ref)
		if err == nil {
			t.Fatal("no error")
		}
		msg := err.Error()
		if one := strings.Join(strings.Fields(password), " "); strings.Contains(msg, one) {
			t.Errorf("password %q: the message holds it as %q: %s", password, one, msg)
		}
		if !strings.Contains(msg, `The registry said: "UNAUTHORIZED: wrong password [redacted] given".`) {
			t.Errorf("password %q: the message does not say what the registry said, scrubbed: %s", password, msg)
		}
	}
}

// A message reaches a terminal (Terraform prints a diagnostic's control
// characters as they are: TestAccPinDataSource_errorBodyANSI), where a
// registry's ANSI escapes must not act, and is valid UTF-8: neither the
// cut of a long detail (an unreadable Link header quoted whole, non-ASCII
// included) nor a registry's bytes may break either. (terraform-plugin-go
// forces a diagnostic to valid UTF-8 in any case, toproto.ForceValidUTF8.)
func TestReview20MessageValidAndInert(t *testing.T) {
	for name, answer := range map[string]func(w http.ResponseWriter){
		"link-cut-even": func(w http.ResponseWriter) {
			w.Header().Set("Link", "x"+strings.Repeat("ü", 300))
			writeTags(w, []string{"a"})
		},
		"link-cut-odd": func(w http.ResponseWriter) {
			w.Header().Set("Link", "xy"+strings.Repeat("ü", 300))
			writeTags(w, []string{"a"})
		},
		"invalid-utf8-body": func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte("bad \xff\xfe request"))
		},
		"ansi-body": func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte("\x1b[2J\x1b]0;owned\x07bad\rrequest"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			c, ref := zooClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { answer(w) }), "prefecthq/prefect")
			_, err := c.ListTags(context.Background(), ref)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !utf8.ValidString(msg) {
				t.Errorf("the message is not valid UTF-8: %q", msg)
			}
			if i := strings.IndexFunc(msg, unicode.IsControl); i >= 0 {
				t.Errorf("the message holds the control character %q: %q", msg[i], msg)
			}
		})
	}
}

// Artifact Registry's host written with capitals, as a host may be, or with
// its port: the same registry, whose 10,000-tag cap is an error. Read by
// range, as any other host, its ranges past the cap were silently empty.
func TestReview20ArtifactRegistryHostSpellings(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	h := artifactRegistry(true)(sorted)
	for _, repo := range []string{"US-Docker.PKG.dev/acme/mirror/prefect", "us-docker.pkg.dev:443/acme/mirror/prefect", "GCR.io/acme/prefect", "EU.gcr.io/acme/prefect"} {
		t.Run(repo, func(t *testing.T) {
			t.Parallel()
			for _, mc := range readRanges(func() (*Client, Repository) { return zooClientAt(t, h, repo) }, zooRanges) {
				if msg := mc.check(sorted, false); msg != "" {
					t.Error(msg)
				}
			}
		})
	}
}
