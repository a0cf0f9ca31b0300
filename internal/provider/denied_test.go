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
