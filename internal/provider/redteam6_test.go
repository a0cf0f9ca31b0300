package provider

import (
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// sha512Names makes a registry name its manifests by sha512, as zot and
// distribution 3 can: a manifest answered by tag or by sha256 digest says
// the sha512 digest of its body in Docker-Content-Digest, and a manifest
// request by that sha512 digest is answered with the same body.
func sha512Names() registrytest.Option {
	var mu sync.Mutex
	byDigest := map[string]*httptest.ResponseRecorder{}
	return registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, ref, ok := strings.Cut(r.URL.Path, "/manifests/")
			if !ok {
				next.ServeHTTP(w, r)
				return
			}
			var rec *httptest.ResponseRecorder
			if strings.HasPrefix(ref, "sha512:") {
				mu.Lock()
				rec = byDigest[ref]
				mu.Unlock()
				if rec == nil {
					w.WriteHeader(http.StatusNotFound)
					return
				}
			} else {
				rec = httptest.NewRecorder()
				get := r.Clone(r.Context())
				get.Method = http.MethodGet
				next.ServeHTTP(rec, get)
				if rec.Code != http.StatusOK {
					w.WriteHeader(rec.Code)
					_, _ = w.Write(rec.Body.Bytes())
					return
				}
				sum := sha512.Sum512(rec.Body.Bytes())
				ref = "sha512:" + hex.EncodeToString(sum[:])
				mu.Lock()
				byDigest[ref] = rec
				mu.Unlock()
			}
			w.Header().Set("Content-Type", rec.Header().Get("Content-Type"))
			w.Header().Set("Content-Length", fmt.Sprint(rec.Body.Len()))
			w.Header().Set("Docker-Content-Digest", ref)
			w.WriteHeader(http.StatusOK)
			if r.Method == http.MethodGet {
				_, _ = w.Write(rec.Body.Bytes())
			}
		})
	})
}

// A pin to a registry that names its manifests by sha512 holds a sha512
// digest, and its own tagged_ref imports: into a state that has it, and
// into an empty one, after which the same configuration plans nothing.
// Before the fix every such import was an Invalid Import ID ("is not a
// sha256 digest"), so a pin the provider made could not be imported.
func TestAccRedteam6_importSha512Pin(t *testing.T) {
	isolateHome(t)
	reg := newSeededRegistry(t, driftTags, sha512Names())
	const tag = "3.4.2-python3.12"
	config := pinConfig(reg, `  tag = "`+tag+`"`)
	var taggedRef string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("digest"), knownvalue.StringRegexp(regexp.MustCompile(`^sha512:[0-9a-f]{128}$`))),
			},
			Check: func(s *terraform.State) error {
				taggedRef = s.RootModule().Resources[pinAddress].Primary.Attributes["tagged_ref"]
				return nil
			},
		}, {
			Config:                               config,
			ResourceName:                         pinAddress,
			ImportState:                          true,
			ImportStateIdFunc:                    func(*terraform.State) (string, error) { return taggedRef, nil },
			ImportStateVerify:                    true,
			ImportStateVerifyIdentifierAttribute: "digest",
		}},
	})

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{importPin(config, taggedRef), {
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pinAddress, plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pinAddress, tfjsonpath.New("tagged_ref"), knownvalue.StringExact(taggedRef)),
			},
		}},
	})
}
