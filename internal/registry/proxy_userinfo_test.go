package registry

import (
	"context"
	"encoding/base64"
	"net/url"
	"testing"
)

// A proxy whose credential is its user name alone, with an empty
// password (an API key as the user: http://KEY:@proxy:8011, or
// http://KEY@proxy), is sent Proxy-Authorization: Basic base64("KEY:"),
// as any other; that header quoted back by the proxy is scrubbed from
// errors and logs as a password's is. addLogin noted nothing for an empty
// password, so it reached both in full.
func TestProxyUserOnlyCredentialsScrubbed(t *testing.T) {
	noDockerConfig(t)
	const key = "zyte-api-key-0123456789abcdef"
	for _, tc := range []struct {
		name string
		user *url.Userinfo
		tls  bool
	}{
		{name: "plain, KEY:@", user: url.UserPassword(key, "")},
		{name: "plain, KEY@", user: url.User(key)},
		{name: "https, KEY:@", user: url.UserPassword(key, ""), tls: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newProxySetup(t, tc.tls)
			// The proxy asks for another key, and quotes what it was sent.
			s.p.user, s.p.pass, s.p.echo = "another-key", "", true
			logs := &logRecorder{}
			u := s.p.url("", "")
			u.User = tc.user
			c := s.client(t, Config{MaxRetries: 0, Logger: logs}, viaAlways(u))
			_, err := c.ListTags(context.Background(), repoOf(t, s.reg+"/acme/x"))
			if err == nil {
				t.Fatal("read through a proxy that refused the key")
			}
			sent := ""
			for _, r := range s.p.requests() {
				sent = r.proxyAuth
			}
			secret := base64.StdEncoding.EncodeToString([]byte(key + ":"))
			if sent != "Basic "+secret {
				t.Fatalf("the proxy was sent Proxy-Authorization %q; want the key's, so the test proves nothing", sent)
			}
			if leaked := hasAny(err.Error(), secret); len(leaked) > 0 {
				t.Errorf("the error holds the proxy's credential %q: %s", leaked, err)
			}
			if leaked := hasAny(logs.text(), secret); len(leaked) > 0 {
				t.Errorf("the log holds the proxy's credential %q:\n%s", leaked, logs.text())
			}
		})
	}
}
