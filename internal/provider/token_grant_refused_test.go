package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// A Docker config's identity token that its registry's token service
// refuses as OAuth 2.0 says it (400, error="invalid_grant": the refresh
// token expired or was revoked) fails the plan as refused credentials,
// with where credentials come from, not as a fault of the address or the
// network; the token appears nowhere.
func TestAccTokenServiceRefusingAnIdentityToken(t *testing.T) {
	dockerConfig := isolateHome(t)
	const identity = "idtok-5e0b8a3f9c21"
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"invalid_grant","error_description":"The refresh token has expired"}`)
			return
		}
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="%s/token",service="registry"`, srv.URL))
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	cfg, err := json.Marshal(map[string]any{"auths": map[string]any{host: map[string]string{"identitytoken": identity}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dockerConfig, "config.json"), cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	rec := &wireRecorder{}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "prefectimage" {
  repository  = %q
  max_retries = 0
}
data "prefectimage_pin" "test" {
  prefect_version = "~> 3.4.0"
}
`, host+"/"+prefectRepo),
			ExpectError: regexp.MustCompile(`(?s)Registry Refused the Credentials.*` + regexp.QuoteMeta(host) +
				`.*refused\s+the\s+credentials.*error="invalid_grant".*log\s+in\s+again.*registry_auth\s+block\s+for`),
		}},
	})
	if strings.Contains(rec.text(), identity) {
		t.Errorf("the identity token reached a diagnostic:\n%s", rec.text())
	}
	if strings.Contains(rec.text(), "Check the registry address and the network") {
		t.Errorf("refused credentials advised as a fault of the address or network:\n%s", rec.text())
	}
}
