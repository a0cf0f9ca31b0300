package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
)

// identityKeychain is a Docker config entry holding an identity token,
// which go-containerregistry sends as an OAuth 2.0 refresh token (POST).
type identityKeychain struct{ token string }

func (k identityKeychain) Resolve(authn.Resource) (authn.Authenticator, error) {
	return authn.FromConfig(authn.AuthConfig{Username: "<token>", IdentityToken: k.token}), nil
}

// A token service refusing the credentials as OAuth 2.0 words it (RFC 6749
// §5.2: 400 with error="invalid_grant" for a refresh token that expired or
// was revoked) is a refusal of the credentials, said as such with where
// they came from, never "check the registry address and the network".
// Other 400s, those about the client among them, stay the token service's
// fault.
func TestTokenServiceRefusingTheGrantIsACredentialsError(t *testing.T) {
	const identity = "idtok-7d1f0c9e2b5a"
	for _, tc := range []struct {
		body    string
		refused bool
	}{
		{`{"error":"invalid_grant","error_description":"The refresh token has expired"}`, true},
		// The token service quotes the identity token back: scrubbed.
		{`{"error":"invalid_grant","error_description":"refresh token idtok-7d1f0c9e2b5a has expired"}`, true},
		{`{"error":"invalid_client"}`, false},
		{`{"error":"unauthorized_client","error_description":"not allowed"}`, false},
		{`{"error":"invalid_scope"}`, false},
		{`{"error":"invalid_request"}`, false},
		{`bad request`, false},
	} {
		t.Run(tc.body, func(t *testing.T) {
			var realm string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/token" {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusBadRequest)
					fmt.Fprint(w, tc.body)
					return
				}
				if r.Header.Get("Authorization") == "" {
					w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm=%q,service="registry"`, realm))
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(map[string]any{"name": "prefecthq/prefect", "tags": []string{"3.4.2-python3.12"}})
			}))
			defer srv.Close()
			realm = srv.URL + "/token"
			host := strings.TrimPrefix(srv.URL, "http://")
			c, err := New(Config{Keychain: identityKeychain{identity}, MaxRetries: UseDefaultRetries})
			if err != nil {
				t.Fatal(err)
			}
			ref, err := ParseRepository(host + "/prefecthq/prefect")
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ListTags(context.Background(), ref)
			if err == nil {
				t.Fatal("listed tags with a token service refusing every token")
			}
			msg := err.Error()
			if strings.Contains(msg, identity) {
				t.Errorf("the identity token leaked: %s", msg)
			}
			if IsUnauthorized(err) != tc.refused {
				t.Errorf("IsUnauthorized = %v, want %v: %s", !tc.refused, tc.refused, msg)
			}
			if !tc.refused {
				if !strings.Contains(msg, "Check the registry address and the network") {
					t.Errorf("a 400 that refuses no credentials lost its advice: %s", msg)
				}
				return
			}
			for _, want := range []string{"token service (" + host + ") refused the credentials", "HTTP 400 Bad Request", "log in again", "This request used the Docker config"} {
				if !strings.Contains(msg, want) {
					t.Errorf("lacks %q: %s", want, msg)
				}
			}
			if strings.Contains(msg, "Check the registry address and the network") {
				t.Errorf("advises on the address and network for refused credentials: %s", msg)
			}
		})
	}
}
