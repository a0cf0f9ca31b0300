package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// Docker Hub issues an anonymous token for a repository that does not
// exist and answers its requests 401 with error="insufficient_scope"
// (distribution/distribution#2376); Harbor does the same for an account
// that may not pull a private project (goharbor/harbor#22274). The token
// service accepted the credentials (here, anonymous access), so the
// diagnostic is about the repository, not "Registry Refused the
// Credentials".
func TestAccPinDataSource_repositoryDeniedToIssuedToken(t *testing.T) {
	isolateHome(t)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"token": "anonymous-token-7f3e", "expires_in": 300})
			return
		}
		challenge := fmt.Sprintf(`Bearer realm="%s/token",service="registry.docker.io"`, srv.URL)
		if r.Header.Get("Authorization") == "Bearer anonymous-token-7f3e" {
			challenge += `,scope="repository:prefecthq/prefekt:pull",error="insufficient_scope"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":[{"Type":"repository","Class":"","Name":"prefecthq/prefekt","Action":"pull"}]}]}`)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "prefectimage" {
  repository  = %q
  max_retries = 0
}
data "prefectimage_pin" "test" {
  tag = "3.4.2-python3.12"
}
`, host+"/prefecthq/prefekt"),
			ExpectError: regexp.MustCompile(`(?s)Registry Denied Access to the Repository.*` + regexp.QuoteMeta(host) +
				`.*does\s+not\s+exist.*anonymous\s+access.*Check\s+the\s+repository's\s+name`),
		}},
	})
}

// Amazon ECR refuses a token past its twelve hours 403 DENIED "Your
// authorization token has expired. Reauthenticate and try again."
// (aws/aws-cli#2351; docker/compose-cli#1173 for the 403), its HEAD 403
// without a body (aws/aws-lambda-base-images#220). A pin by tag starts
// with that HEAD: the diagnostic still says the token expired, read from
// the GET's body, rather than only that the credentials do not grant pull
// access.
func TestAccPinDataSource_ecrExpiredToken(t *testing.T) {
	isolateHome(t)
	const expired = "eyJwYXlsb2FkIjoiZXhwaXJlZCJ9-ecr-t0ken"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, p, ok := r.BasicAuth(); !ok || p != expired {
			w.Header().Set("WWW-Authenticate", `Basic realm="https://123456789012.dkr.ecr.us-east-1.amazonaws.com/",service="ecr.amazonaws.com"`)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintln(w, "Not Authorized")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"errors":[{"code":"DENIED","message":"Your authorization token has expired. Reauthenticate and try again."}]}`)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "prefectimage" {
  repository  = %q
  max_retries = 0
  registry_auth {
    address  = %q
    username = "AWS"
    password = %q
  }
}
data "prefectimage_pin" "test" {
  tag = "3.4.2-python3.12"
}
`, host+"/prefecthq/prefect", host, expired),
			ExpectError: regexp.MustCompile(`(?s)Registry Refused the Credentials.*HTTP\s+403.*Your\s+authorization\s+token\s+has\s+expired`),
		}},
	})
}
