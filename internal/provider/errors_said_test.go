package provider

import (
	"fmt"
	"net"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// A loopback registry that is not running (a port nothing listens on) is
// the first error many users meet. go-containerregistry pings it over
// HTTPS and over plain HTTP, and the detail said the same failure twice,
// one `Get "…": dial tcp …: connection refused` after the other. It is said
// once, naming both addresses.
func TestAccErrors_closedPortSaidOnce(t *testing.T) {
	isolateHome(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := l.Addr().String()
	l.Close() // nothing listens there now
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "prefectimage" {
  max_retries = 0
}

data "prefectimage_pin" "test" {
  repository = "%s/prefecthq/prefect"
}
`, host),
			ExpectError: titled("Unable to Resolve Prefect Image", fmt.Sprintf(`Could not list tags in repository %[1]s/prefecthq/prefect on registry %[1]s:`+
				` Get "https://%[1]s/v2/" and "http://%[1]s/v2/": dial tcp %[1]s: connect: connection refused.`+
				` Check the registry address and the network, or try again later.`, host)),
		}},
	})
}

// titled matches an error of that summary whose detail holds message,
// however Terraform wrapped its lines.
func titled(summary, message string) *regexp.Regexp {
	return regexp.MustCompile(`Error: ` + regexp.QuoteMeta(summary) + `\n(?s:.*?)` + wrapped(message).String())
}
