package provider

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// Credentials from a credential helper the Docker config names
// (credsStore), a password with JSON and regex specials and a non-ASCII
// letter: a bearer registry refuses the repository with 403 and quotes the
// bearer token, the password JSON-escaped (\", \\, \u00e9) and the basic
// credentials in base64's URL alphabet without padding. Through the
// Terraform CLI with TF_LOG=trace the plan fails with the quote scrubbed,
// naming the Docker config as the credentials' source, and neither the
// diagnostics nor the trace log (Terraform's lines and the provider's)
// hold the password, the basic credentials in any of those forms or the
// token.
func TestAccRedteam53a_credentialHelperSecretsNotInTrace(t *testing.T) {
	dockerConfig := isolateHome(t)
	const user, password = "helper-user", `Hé"lp\er+pw.*`
	basic := user + ":" + password
	answer, err := json.Marshal(map[string]string{"ServerURL": "", "Username": user, "Secret": password})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dockerConfig, "answer.json"), answer, 0o600); err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf("#!/bin/sh\ncat >/dev/null\ncat %q\n", filepath.Join(dockerConfig, "answer.json"))
	if err := os.WriteFile(filepath.Join(dockerConfig, "docker-credential-rt53a"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dockerConfig+string(os.PathListSeparator)+os.Getenv("PATH"))
	if err := os.WriteFile(filepath.Join(dockerConfig, "config.json"), []byte(`{"credsStore":"rt53a"}`), 0o600); err != nil {
		t.Fatal(err)
	}

	escaped := `H\u00e9\"lp\\er+pw.*`
	urlBasic := base64.RawURLEncoding.EncodeToString([]byte(basic))
	reg := newSeededRegistry(t, []string{"3.1.15-python3.12"}, registrytest.WithBearerAuth(user, password), registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") || !strings.Contains(r.URL.Path, "/manifests/") {
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `{"errors":[{"code":"DENIED","message":"denied: %s for password %s (basic %s)"}]}`,
				strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), escaped, urlBasic)
		})
	}))
	secrets := secretScan{
		password, escaped, reg.Token(), urlBasic,
		base64.StdEncoding.EncodeToString([]byte(basic)),
		base64.RawStdEncoding.EncodeToString([]byte(basic)),
	}

	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "trace")
	t.Setenv("TF_LOG_PATH", logFile)
	t.Setenv("TF_ACC_LOG_PATH", logFile)

	rec := &wireRecorder{}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "prefectimage" {
  repository      = %q
  request_timeout = "5s"
  max_retries     = 0
}

data "prefectimage_pin" "test" {
  tag = "3.1.15-python3.12"
}
`, reg.Host()+"/"+prefectRepo),
			ExpectError: regexp.MustCompile(`(?s)used\s+the\s+Docker\s+config.*denied:\s+\[redacted\]\s+for\s+password\s+\[redacted\]\s+\(basic\s+\[redacted\]\)`),
		}},
	})
	if t.Failed() {
		return
	}
	if !strings.Contains(rec.text(), "the Docker config") {
		t.Errorf("the diagnostics do not name the Docker config as the credentials' source:\n%s", rec.text())
	}
	if found := secrets.find([]byte(rec.text())); len(found) > 0 {
		t.Errorf("diagnostics hold secrets %q:\n%s", found, rec.text())
	}
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"[TRACE]", "registry request", "registry authenticated", "the Docker config"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("the trace log (%d bytes) lacks %q, so it does not show what it should", len(log), want)
		}
	}
	for _, line := range strings.Split(string(log), "\n") {
		if found := secrets.find([]byte(line)); len(found) > 0 {
			t.Errorf("trace log line holds %q: %.400s", found, line)
		}
	}
}
