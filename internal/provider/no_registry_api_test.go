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

// A repository on a host that is no registry (an ordinary web server, a
// mistyped host) fails saying that the host does not answer the registry
// API, /v2/, and what to write: not "Image Tag Not Found" on tag, nor
// "Repository Not Found", which sent the user to check the repository's
// path when its host was wrong. Two web servers: one that answers 404 to
// everything, one with a page at /v2/ and 404 elsewhere.
func TestAccErrors_hostWithoutRegistryAPI(t *testing.T) {
	isolateHome(t)
	const page = "<html><body>Acme Corp</body></html>"
	notFound := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, page)
	}))
	t.Cleanup(notFound.Close)
	welcome := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		if r.URL.Path != "/v2/" {
			w.WriteHeader(http.StatusNotFound)
		}
		fmt.Fprint(w, page)
	}))
	t.Cleanup(welcome.Close)
	host404, hostPage := strings.TrimPrefix(notFound.URL, "http://"), strings.TrimPrefix(welcome.URL, "http://")
	const advice = `it does not answer the registry API (/v2/), which every container registry serves, so it is no registry, or not a registry's own host (a web site, or a registry's web interface). Check the repository's host.`
	const write = `Write repository with the registry's own host before the first '/', such as ghcr.io/acme/prefect or registry.gitlab.com/acme/prefect`
	step := func(config string, parts ...string) resource.TestStep {
		title := "Unable to Resolve Prefect Image"
		if strings.Contains(config, `data "prefectimage_releases"`) {
			title = "Unable to List Prefect Releases" // it resolves no image
		}
		return resource.TestStep{Config: "provider \"prefectimage\" {\n  max_retries = 0\n}\n" + config, ExpectError: titled(title, parts...)}
	}
	rec := &wireRecorder{}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{
			step(fmt.Sprintf(`
data "prefectimage_pin" "test" {
  repository = "%s/acme/prefect"
  tag        = "3-latest"
}
`, host404), host404+` answered GET /v2/, the registry API's base, with HTTP 404 Not Found, and the repository's tag list too: `+advice, write),
			step(fmt.Sprintf(`
data "prefectimage_releases" "test" {
  repository = "%s/acme/prefect"
}
`, host404), host404+` answered GET /v2/, the registry API's base, with HTTP 404 Not Found`, advice, write),
			step(fmt.Sprintf(`
data "prefectimage_pin" "test" {
  repository      = "%s/acme/prefect"
  prefect_version = "3.1.15"
}
`, hostPage), hostPage+` answered GET /v2/, the registry API's base, with a web page (HTML), and this request with HTTP 404 Not Found: `+advice, write),
		},
	})
	if said := rec.text(); regexp.MustCompile(`error: [A-Za-z ]*Not Found: `).MatchString(said) || strings.Contains(said, "does not exist there") || strings.Contains(said, "Acme Corp") {
		t.Errorf("an error still says the repository or tag is not found, or quotes the page:\n%s", said)
	}
}
