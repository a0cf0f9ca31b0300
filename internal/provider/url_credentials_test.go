package provider

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// A host or repository written as a URL with credentials in it
// (https://user:token@registry/…, as pip, git and Renovate take them) is
// refused, and the error does not quote the token back: it did, in full,
// in "Invalid Registry Host" and "Invalid Repository".
func TestProvider_credentialsInAddressNotEchoed(t *testing.T) {
	const token = "Url-T0ken-Passw0rd"
	ctx := context.Background()
	for _, s := range []string{
		"https://me:" + token + "@ghcr.io",
		"me:" + token + "@ghcr.io",
		"me:" + token + "@registry.internal:5000",
		"https://me:" + token + "@ghcr.io/acme/prefect",
		"me:" + token + "@ghcr.io/acme/prefect",
		"me:" + token + "@localhost:5000/acme/prefect",
		// A token alone before '@', as GitHub's and GitLab's clone URLs
		// take one: no colon, and quoted back whole before.
		token + "@ghcr.io",
		token + "@registry.internal:5000",
		token + "@ghcr.io/acme/prefect",
		token + "@localhost:5000/acme/prefect",
		token + "@ghcr.io/acme/prefect@sha256:" + strings.Repeat("a", 64),
	} {
		var diags []string
		for name, v := range map[string]validator.String{"host": hostValidator, "repository": repositoryValidator, "pin repository": selectorRepositoryValidator} {
			resp := &validator.StringResponse{}
			v.ValidateString(ctx, validator.StringRequest{Path: path.Root(name), ConfigValue: types.StringValue(s)}, resp)
			if !resp.Diagnostics.HasError() {
				t.Errorf("%s %q accepted", name, s)
			}
			for _, d := range resp.Diagnostics {
				diags = append(diags, d.Summary()+": "+d.Detail())
			}
		}
		lresp := &validator.ListResponse{}
		list, _ := types.ListValueFrom(ctx, types.StringType, []string{s})
		hostListValidator{}.ValidateList(ctx, validator.ListRequest{Path: path.Root("insecure_registries"), ConfigValue: list}, lresp)
		for _, d := range lresp.Diagnostics {
			diags = append(diags, d.Summary()+": "+d.Detail())
		}
		for _, d := range diags {
			if strings.Contains(d, token) {
				t.Errorf("%q: the error quotes the token: %s", s, d)
			}
			if !strings.Contains(d, "registry_auth") {
				t.Errorf("%q: the error does not say where credentials go: %s", s, d)
			}
		}
	}
	// A digest after '@' is no credential: its own advice stays.
	resp := &validator.StringResponse{}
	repositoryValidator.ValidateString(ctx, validator.StringRequest{Path: path.Root("repository"),
		ConfigValue: types.StringValue("prefect:3.1@sha256:" + strings.Repeat("a", 64))}, resp)
	if d := resp.Diagnostics; !d.HasError() || strings.Contains(d[0].Detail(), "registry_auth") {
		t.Errorf("a tag and digest: %v", d)
	}
}

// An image given to set_image_default or set_variable_defaults, an import
// ID and PREFECTIMAGE_REPOSITORY with credentials before the host (a
// user:password or a token alone) are refused without quoting them: the
// functions quoted the image whole ("the image \"me:…@ghcr.io/…\" has an
// invalid digest"), and the import ID and the variable a token alone.
func TestCredentialsInImageOrImportIDNotEchoed(t *testing.T) {
	const token = "Url-T0ken-Passw0rd"
	template := `{"variables": {"properties": {"image": {"type": "string"}}}}`
	for _, s := range []string{
		token + "@ghcr.io/acme/prefect:3.1.15-python3.12",
		token + "@ghcr.io/acme/prefect@" + sidDigest,
		token + "@localhost:5000/acme/prefect:3.1.15-python3.12@" + sidDigest,
		"me:" + token + "@ghcr.io/acme/prefect:3.1.15-python3.12",
		"me:" + token + "@ghcr.io/acme/prefect@" + sidDigest,
		"https://me:" + token + "@ghcr.io/acme/prefect@" + sidDigest,
		"https://" + token + "@ghcr.io/acme/prefect:3.1.15-python3.12",
	} {
		for name, resp := range map[string]function.RunResponse{
			"set_image_default":     runSetImageDefault(template, s),
			"set_variable_defaults": runSetVariableDefaults(template, tfObject(map[string]attr.Value{"image": types.StringValue(s)})),
		} {
			if resp.Error == nil {
				t.Errorf("%s(%q) accepted", name, s)
				continue
			}
			if strings.Contains(resp.Error.Text, token) {
				t.Errorf("%s(%q): the error quotes the token: %s", name, s, resp.Error.Text)
			}
			if !strings.Contains(resp.Error.Text, "credentials") {
				t.Errorf("%s(%q): the error does not say it holds credentials: %s", name, s, resp.Error.Text)
			}
		}
		_, err := parseImportID(s)
		if err == nil || strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "registry_auth") {
			t.Errorf("import ID %q: %v", s, err)
		}
	}
}

// Through the Terraform CLI with TF_LOG=trace: a token alone before the
// host (no colon) in repository, a registry_auth address, an
// insecure_registries entry and an image given to set_image_default is
// refused at validate on its attribute, and neither what the provider
// sends back nor the trace log holds the token. Each error quoted it
// whole, and so the log line terraform-plugin-go writes for each
// diagnostic.
func TestAccCredentials_tokenAloneBeforeHostNotEchoed(t *testing.T) {
	isolateHome(t)
	const token = "ghp_T0kenAl0neS3cret"
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "trace")
	t.Setenv("TF_LOG_PATH", logFile)
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	// In a variable, as tokens are kept: a token written in the
	// configuration is in its source lines, which Terraform shows with
	// its errors and the test framework logs.
	t.Setenv("TF_VAR_token", token)
	const tokenVariable = `
variable "token" {
  type      = string
  sensitive = true
}
`
	rec := &wireRecorder{}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: rec.factories(),
		Steps: []resource.TestStep{{
			// Terraform stops at the provider block's errors, before it
			// validates the data source: a step each.
			Config: tokenVariable + `
data "prefectimage_pin" "test" {
  repository = "${var.token}@ghcr.io/acme/prefect"
  tag        = "3-latest"
}

output "template" {
  value     = provider::prefectimage::set_image_default(jsonencode({ variables = { properties = { image = {} } } }), "${var.token}@ghcr.io/acme/prefect:3-latest")
  sensitive = true
}
`,
			ExpectError: regexp.MustCompile(`Invalid Repository`),
		}, {
			Config: tokenVariable + `
provider "prefectimage" {
  insecure_registries = ["${var.token}@registry.internal:5000"]
  registry_auth {
    address  = "${var.token}@ghcr.io"
    username = "me"
    password = "pw"
  }
}

data "prefectimage_releases" "test" {}
`,
			ExpectError: regexp.MustCompile(`Invalid Registry Host`),
		}},
	})
	said := rec.text()
	for _, want := range []string{
		"Invalid Repository: the repository holds credentials",
		"Invalid Registry Host: the address holds credentials",
		"Invalid Registry Host: the host holds credentials",
		"function error: the image holds credentials",
	} {
		if !strings.Contains(said, want) {
			t.Errorf("the provider did not say %q; it said:\n%s", want, said)
		}
	}
	if strings.Contains(said, token) {
		t.Errorf("the provider's diagnostics quote the token:\n%s", said)
	}
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(log, []byte("[TRACE]")) || !bytes.Contains(log, []byte("holds credentials")) {
		t.Errorf("the trace log (%d bytes) lacks Terraform's lines or the provider's diagnostics, so it shows nothing", len(log))
	}
	for _, line := range strings.Split(string(log), "\n") {
		if strings.Contains(line, token) {
			t.Errorf("trace log line holds the token: %.400s", line)
		}
	}
}
