package registry

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A Docker config that cannot be read is an error, as it is for crane and
// docker, never anonymous access; the error names the file and says what
// to do about the config, not to check the registry address and the
// network, which it did (the provider adds the registry_auth advice:
// TestBrokenDockerConfigAdviceNamesRegistryAuth). Credentials given for the
// host are used before the config and so are not hindered by it.
func TestBrokenDockerConfigAdvice(t *testing.T) {
	for name, body := range map[string]string{
		"not JSON":           `{"auths": {`,
		"auth not base64":    `{"auths": {"HOST": {"auth": "!!!"}}}`,
		"auth without colon": `{"auths": {"HOST": {"auth": "bm9jb2xvbg=="}}}`,
		"missing helper":     `{"credsStore": "prefectimage-test-absent"}`,
	} {
		t.Run(name, func(t *testing.T) {
			noDockerConfig(t)
			dir := os.Getenv("DOCKER_CONFIG")
			f := newFake(t, withBasic("me", secret))
			f.setTags("acme/x", []string{"a"})
			file := filepath.Join(dir, "config.json")
			if err := os.WriteFile(file, []byte(strings.ReplaceAll(body, "HOST", f.host)), 0o600); err != nil {
				t.Fatal(err)
			}
			c := newTestClient(t, Config{MaxRetries: 0})
			_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
			if err == nil {
				t.Fatal("a broken Docker config gave access")
			}
			msg := err.Error()
			var e *Error
			if !errors.As(err, &e) || !e.CredentialsUnreadable() {
				t.Errorf("not classified as unreadable credentials: %v", err)
			}
			for _, want := range []string{f.host, "acme/x", "Docker config"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message lacks %q: %s", want, msg)
				}
			}
			if strings.Contains(msg, "network") {
				t.Errorf("message blames the network: %s", msg)
			}
			if name != "missing helper" && !strings.Contains(msg, file) {
				t.Errorf("message does not name %s: %s", file, msg)
			}
			if f.count("ping") != 0 {
				t.Error("a request was sent although the credentials could not be read")
			}
			block := newTestClient(t, Config{Credentials: []Credential{{Host: f.host, Username: "me", Password: secret}}})
			if _, err := block.ListTags(context.Background(), repoOf(t, f.repo("acme/x"))); err != nil {
				t.Errorf("with a registry_auth block for the host: %v", err)
			}
		})
	}
}
