package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// Every argument a user may leave out says, on its Registry page, what
// leaving it out means: its description states its default ("Defaults to
// …"), as the house style asks. An argument whose page is silent leaves a
// reader to guess whether leaving it out means nothing or something.
func TestDocsOptionalArgumentsStateTheirDefault(t *testing.T) {
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	schemas := map[string]*tfprotov6.Schema{"provider": resp.Provider}
	for name, s := range resp.ResourceSchemas {
		schemas["resource "+name] = s
	}
	for name, s := range resp.DataSourceSchemas {
		schemas["data source "+name] = s
	}
	checked := 0
	var walk func(where string, b *tfprotov6.SchemaBlock)
	walk = func(where string, b *tfprotov6.SchemaBlock) {
		for _, a := range b.Attributes {
			if !a.Optional {
				continue
			}
			checked++
			if !strings.Contains(a.Description, "Defaults to") && !strings.Contains(a.Description, "(the default)") {
				t.Errorf("%s: %s is optional, and its description does not say what leaving it out means:\n%s", where, a.Name, a.Description)
			}
		}
		for _, nb := range b.BlockTypes {
			if nb.MinItems == 0 {
				checked++
				if !strings.Contains(nb.Block.Description, "Defaults to") {
					t.Errorf("%s: block %s may be left out, and its description does not say what leaving it out means:\n%s", where, nb.TypeName, nb.Block.Description)
				}
			}
			walk(where+" "+nb.TypeName, nb.Block)
		}
	}
	for where, s := range schemas {
		walk(where, s.Block)
	}
	if checked < 20 {
		t.Fatalf("checked %d optional arguments; the schemas hold more", checked)
	}
}
