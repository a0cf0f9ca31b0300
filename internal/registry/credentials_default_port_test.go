package registry

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// A registry_auth address with the default HTTPS port written
// ("reg.example.test:443") and a repository host written without it
// ("reg.example.test/acme/x"), or the other way round: credentials are
// matched to the host as written (as docker login's keys are), so the
// request goes anonymous, and its 401 says to write the address as the
// repository writes its host. It said "the configured credentials for
// reg.example.test:443 are for another port of that host", of the port the
// request went to. Another port keeps that message.
func TestCredentialsWithTheDefaultPortWrittenOtherwiseSayWhatToWrite(t *testing.T) {
	noDockerConfig(t)
	for _, tc := range []struct {
		address, repository string
		says                string
	}{
		{"reg.example.test:443", "reg.example.test/acme/x", "write registry_auth's address as reg.example.test."},
		{"reg.example.test", "reg.example.test:443/acme/x", "write registry_auth's address as reg.example.test:443."},
		{"REG.example.test:443", "reg.example.test/acme/x", "write registry_auth's address as reg.example.test."},
		{"[fd00::a]:443", "[fd00::a]/acme/x", "write registry_auth's address as [fd00::a]."},
		{"reg.example.test:5000", "reg.example.test/acme/x", "for another port of that host"},
		{"reg.example.test", "reg.example.test:5000/acme/x", "for another port of that host"},
	} {
		for _, bearer := range []bool{false, true} {
			t.Run(tc.address+" for "+tc.repository+map[bool]string{false: ", basic", true: ", bearer"}[bearer], func(t *testing.T) {
				host, _, _ := strings.Cut(tc.repository, "/")
				reg := respelledRegistry(host, bearer, false)
				h := &hosts{handlers: map[string]http.Handler{host: reg}}
				c := hostsClient(t, h, Config{MaxRetries: 0, Credentials: []Credential{{Host: tc.address, Username: "u", Password: "p"}}})
				c.pageSize = 2
				got, err := c.ListTags(context.Background(), repoOf(t, tc.repository))
				if err == nil {
					t.Fatalf("listed %v with the credentials for %s, written otherwise", got, tc.address)
				}
				if !strings.Contains(err.Error(), tc.says) {
					t.Errorf("the 401 does not say %q: %v", tc.says, err)
				}
			})
		}
	}
}
