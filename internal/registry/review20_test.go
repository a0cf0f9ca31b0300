package registry

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
)

// A registry quoting back a password that holds whitespace (a trailing
// newline, as Terraform's file() keeps; a tab; two spaces): what it said is
// put on one line only after it is scrubbed, or the password, its
// whitespace changed, is no longer found and reaches the message.
func TestReview20SaidScrubbedBeforeOneLine(t *testing.T) {
	for _, password := range []string{"s3cret-Passw0rd\n", "pass  word", "tab\tpass"} {
		c, err := New(Config{Keychain: authn.NewMultiKeychain(), Credentials: []Credential{{Host: zooHost, Username: "me", Password: password}}})
		if err != nil {
			t.Fatal(err)
		}
		c.base = handlerTransport{http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "wrong password "+password+" given")
		})}
		ref, err := ParseRepository(zooHost + "/prefecthq/prefect")
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ListTags(context.Background(), ref)
		if err == nil {
			t.Fatal("no error")
		}
		msg := err.Error()
		if one := strings.Join(strings.Fields(password), " "); strings.Contains(msg, one) {
			t.Errorf("password %q: the message holds it as %q: %s", password, one, msg)
		}
		if !strings.Contains(msg, `The registry said: "UNAUTHORIZED: wrong password [redacted] given".`) {
			t.Errorf("password %q: the message does not say what the registry said, scrubbed: %s", password, msg)
		}
	}
}
