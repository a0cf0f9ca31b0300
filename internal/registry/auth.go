package registry

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Where the credentials of a request came from, as error messages say it.
const (
	sourceBlock     = "a registry_auth block"
	sourceKeychain  = "the Docker config"
	sourceAnonymous = "anonymous access"
)

// repoTransport is the authenticated round tripper of one repository, made
// once per Client by go-containerregistry's transport.NewWithContext (ping,
// then token exchange for bearer registries).
type repoTransport struct {
	client *http.Client
}

// transportFor returns the repository's authenticated transport, doing the
// ping and the token exchange on first use. Concurrent first callers share
// one handshake; a failed handshake is tried again by the next caller.
func (c *Client) transportFor(ctx context.Context, ref repoRef) (*repoTransport, error) {
	return c.auths.Get(ctx, ref.key, func(ctx context.Context) (*repoTransport, error) {
		auth, source, err := c.authenticator(ctx, ref)
		if err != nil {
			return nil, &answerError{msg: "the credentials could not be read from the Docker config", cause: err}
		}
		c.sources.Store(ref.key, source)
		scopes := []string{ref.repo.Scope(transport.PullScope)}
		fields := map[string]any{"registry": ref.registry, "repository": ref.written, "credentials": source}
		var rt http.RoundTripper
		err = c.retry(ctx, fields, func(actx context.Context) error {
			start := time.Now()
			t, err := transport.NewWithContext(actx, ref.repo.Registry, auth, c.base, scopes)
			if err != nil {
				c.debug(ctx, "registry authentication failed", with(fields, map[string]any{
					"elapsed_ms": time.Since(start).Milliseconds(), "error": c.scrub(err.Error()),
				}))
				return err
			}
			c.debug(ctx, "registry authenticated", with(fields, map[string]any{
				"elapsed_ms": time.Since(start).Milliseconds(),
			}))
			rt = t
			return nil
		})
		if err != nil {
			return nil, err
		}
		return &repoTransport{client: &http.Client{Transport: rt}}, nil
	})
}

// authenticator picks the credentials for the repository's registry: the
// first Credential for its host, else the keychain, else anonymous.
func (c *Client) authenticator(ctx context.Context, ref repoRef) (authn.Authenticator, string, error) {
	host, err := normalizeHostPort(ref.repo.RegistryStr())
	if err == nil {
		for _, cr := range c.creds {
			if k, err := normalizeHostPort(cr.Host); err == nil && k == host {
				return authn.FromConfig(authn.AuthConfig{Username: cr.Username, Password: cr.Password}),
					fmt.Sprintf("%s for %s", sourceBlock, cr.Host), nil
			}
		}
	}
	auth, err := authn.Resolve(ctx, c.keychain, ref.repo)
	if err != nil {
		return nil, "", err
	}
	if auth == authn.Anonymous || auth == nil {
		return authn.Anonymous, sourceAnonymous, nil
	}
	return auth, sourceKeychain, nil
}
