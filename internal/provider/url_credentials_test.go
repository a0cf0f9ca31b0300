package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
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
	} {
		var diags []string
		for name, v := range map[string]validator.String{"host": hostValidator, "repository": repositoryValidator} {
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
