package registry

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// A registry_auth address with the default HTTPS port written
// ("reg.example.test:443") is the host of a repository written without it
// ("reg.example.test/acme/x"), and the other way round: the same host and
// port, as the same-host rules of Links and redirects already take it
// (TestRedteam17RespelledHostKeepsCredentials). Another port stays another
// host. Before, the credentials were not sent, and the 401 said "the
// configured credentials for reg.example.test:443 are for another port of
// that host", of the port the request went to.
func TestCredentialsForTheDefaultPortMatchTheHostWithoutIt(t *testing.T) {
	noDockerConfig(t)
	for _, tc := range []struct {
		address, repository string
		same                bool
	}{
		{"reg.example.test:443", "reg.example.test/acme/x", true},
		{"reg.example.test", "reg.example.test:443/acme/x", true},
		{"REG.example.test:443", "reg.example.test/acme/x", true},
		{"[fd00::a]:443", "[fd00::a]/acme/x", true},
		{"reg.example.test:5000", "reg.example.test/acme/x", false},
		{"reg.example.test", "reg.example.test:5000/acme/x", false},
	} {
		for _, bearer := range []bool{false, true} {
			t.Run(tc.address+" for "+tc.repository+map[bool]string{false: ", basic", true: ", bearer"}[bearer], func(t *testing.T) {
				host, _, _ := strings.Cut(tc.repository, "/")
				reg := respelledRegistry(host, bearer, false)
				h := &hosts{handlers: map[string]http.Handler{host: reg}}
				c := hostsClient(t, h, Config{MaxRetries: 0, Credentials: []Credential{{Host: tc.address, Username: "u", Password: "p"}}})
				c.pageSize = 2
				got, err := c.ListTags(context.Background(), repoOf(t, tc.repository))
				switch {
				case tc.same && (err != nil || strings.Join(got, " ") != "a1 a2 a3 a4"):
					t.Fatalf("got %v, %v; want the four tags, with the credentials for %s\n%s", got, err, tc.address, strings.Join(h.requests(), "\n"))
				case !tc.same && err == nil:
					t.Fatalf("listed %v with the credentials for %s, another port", got, tc.address)
				case !tc.same && !strings.Contains(err.Error(), "for another port of that host"):
					t.Errorf("the 401 does not say the credentials are for another port: %v", err)
				}
			})
		}
	}
}
