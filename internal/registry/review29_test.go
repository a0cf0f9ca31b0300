package registry

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
)

// A Docker config entry's registrytoken is sent as the bearer token
// itself, the token service never asked (go-containerregistry's
// bearerTransport.refresh). The registry's 401 error="invalid_token" to
// it refuses that stored token (expired, or for another registry): the
// credentials, which the user can renew. It was reported as the registry
// refusing a token its own token service had just issued, "neither the
// repository nor the credentials are at fault; tell the registry's
// operator".
func TestRegistryTokenFromConfigRefusedAsInvalid(t *testing.T) {
	noDockerConfig(t)
	writeDockerConfig(t, `{"auths":{"`+expHost+`":{"registrytoken":"tok-stored-`+secret+`"}}}`)
	reg := &expiringRegistry{life: 4, tags: expiringTags(), store: newZooStore(), never: true}
	ts := &issuer{}
	h := &hosts{handlers: map[string]http.Handler{expHost: reg, expAuth: ts}}
	c := hostsClient(t, h, Config{Keychain: authn.DefaultKeychain, MaxRetries: 0})
	_, err := c.ListTags(context.Background(), repoOf(t, expHost+"/"+zooRepo))
	if err == nil {
		t.Fatal("listed; want the registry's refusal")
	}
	if n := ts.n.Load(); n != 0 {
		t.Fatalf("the token service was asked %d times; the stored registry token is sent instead", n)
	}
	msg := err.Error()
	e := new(Error)
	if !errors.As(err, &e) || e.TokenInvalid() || e.TokenRefused() || !IsUnauthorized(err) {
		t.Errorf("%s\nwant a refusal of the credentials, not of a token the token service issued", msg)
	}
	for _, bad := range []string{"had just issued", "Neither the repository nor the credentials", "its token service issued", secret} {
		if strings.Contains(msg, bad) {
			t.Errorf("%s\nsays %q", msg, bad)
		}
	}
	if !strings.Contains(msg, "the Docker config") {
		t.Errorf("%s\ndoes not name the Docker config", msg)
	}
}

// A credential helper whose answer is followed by more output on stdout
// (a wrapper script's notice, a second line) gives its credentials, as
// docker-credential-helpers' client reads the first JSON value and no
// more. Run here since helpers are run by authfile, it failed "answered
// with no JSON credentials".
func TestCredentialHelperAnswerFollowedByMoreOutput(t *testing.T) {
	f := newFake(t, withBasic("me", secret))
	f.setTags("acme/x", []string{"a"})
	noDockerConfig(t)
	writeDockerConfig(t, `{"credHelpers":{"`+f.host+`":"chatty"}}`)
	helperScript(t, "chatty", "cat >/dev/null\necho '{\"ServerURL\":\"x\",\"Username\":\"me\",\"Secret\":\""+secret+"\"}'\necho 'note: credentials cached for 12h'\n")
	c := newTestClient(t, Config{MaxRetries: 0})
	got, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	if err != nil || len(got) != 1 {
		t.Fatalf("got %v, %v; want the tag", got, err)
	}
}
