package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// A registry whose error answer holds ANSI escapes: Terraform prints a
// diagnostic's control characters as they are, so the terminal would act on
// them (colour, a window title). The diagnostic still says what the
// registry answered, each control character a space.
func TestAccPinDataSource_errorBodyANSI(t *testing.T) {
	isolateHome(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2/" {
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, "\x1b[31mRED\x1b[0m \x1b]0;title\x07 bad")
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "prefectimage" {
  repository          = %q
  insecure_registries = [%q]
  max_retries         = 0
}
data "prefectimage_pin" "test" {
  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
}
`, host+"/prefecthq/prefect", host),
			// A space where each ESC was: \s does not match ESC.
			ExpectError: regexp.MustCompile(`(?s)HTTP\s+400\s+Bad\s+Request.*Request:\s+\[31mRED\s+\[0m\s+\]0;title\s+bad`),
		}},
	})
}
