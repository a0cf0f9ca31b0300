package provider

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// phrase matches words as Terraform prints them, wrapped anywhere.
func phrase(words string) string {
	parts := strings.Fields(words)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return strings.Join(parts, `\s+`)
}

// A registry that redirects its tag list or a manifest to another host,
// which is refused, gets advice that fits: the redirect is the same on
// every try, so the diagnostic says the rule, to write repository with the
// host the registry really is on, or to ask its operator. It said "Check
// that the address names a container registry, or try again later".
func TestAccRedirectRefusedAdvice(t *testing.T) {
	isolateHome(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2/" {
			return
		}
		http.Redirect(w, r, "http://registry.example.test:5000"+r.URL.RequestURI(), http.StatusMovedPermanently)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	for _, block := range []string{`prefect_version = "~> 3.4.0"`, `tag = "3.4.2-python3.12"`} {
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config: "provider \"prefectimage\" {\n  repository = \"" + host + "/prefecthq/prefect\"\n  max_retries = 0\n}\n" +
					"data \"prefectimage_pin\" \"test\" {\n  " + block + "\n}\n",
				ExpectError: regexp.MustCompile(`(?s)` + phrase(host+" redirected the request to another host, registry.example.test:5000, which is refused;") + `.*` +
					phrase("a redirect is followed only on the registry's own host and within the repository, never from HTTPS to plain HTTP.") + `\s+` +
					phrase("If the registry really is where it redirects (its canonical host, say), write repository with that host and path; otherwise ask the registry's operator: retrying gets the same redirect.")),
			}},
		})
	}
}
