package provider

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// What the user may write and what only the provider fills in, as SPEC's
// tables give them: the selector is written (some attributes then filled
// in: repository, flavor, allow_prereleases, tag), the results are read
// only, so that no configuration can set a digest or a ref by hand.
const (
	written = "optional"          // Optional, not Computed
	filled  = "optional+computed" // Optional and Computed: a default or the provider's answer
	read    = "computed"          // Computed only
)

type schemaAttr interface {
	IsOptional() bool
	IsComputed() bool
	IsRequired() bool
	IsSensitive() bool
	GetType() attr.Type
}

func attrMode(a schemaAttr) string {
	switch {
	case a.IsRequired():
		return "required"
	case a.IsOptional() && a.IsComputed():
		return filled
	case a.IsOptional():
		return written
	case a.IsComputed():
		return read
	}
	return "neither"
}

type wantAttr struct {
	mode string
	typ  attr.Type
}

var pinSchemaWant = map[string]wantAttr{
	"repository":               {filled, types.StringType},
	"prefect_version":          {written, types.StringType},
	"python_version":           {written, types.StringType},
	"flavor":                   {filled, types.StringType},
	"allow_prereleases":        {filled, types.BoolType},
	"tag":                      {filled, types.StringType},
	"platform":                 {written, types.StringType},
	"required_platforms":       {written, types.ListType{ElemType: types.StringType}},
	"digest":                   {read, types.StringType},
	"ref":                      {read, types.StringType},
	"tagged_ref":               {read, types.StringType},
	"resolved_prefect_version": {read, types.StringType},
	"resolved_python_version":  {read, types.StringType},
	"platform_digest":          {read, types.StringType},
	"platform_ref":             {read, types.StringType},
	"platform_digests":         {read, types.MapType{ElemType: types.StringType}},
}

func checkAttrs[A schemaAttr](t *testing.T, what string, got map[string]A, want map[string]wantAttr) {
	t.Helper()
	if g, w := slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)); !slices.Equal(g, w) {
		t.Errorf("%s attributes %v, want %v", what, g, w)
	}
	for name, w := range want {
		a, ok := got[name]
		if !ok {
			continue
		}
		if m := attrMode(a); m != w.mode {
			t.Errorf("%s.%s is %s, want %s", what, name, m, w.mode)
		}
		if !a.GetType().Equal(w.typ) {
			t.Errorf("%s.%s is of type %s, want %s", what, name, a.GetType(), w.typ)
		}
		if a.IsSensitive() {
			t.Errorf("%s.%s is sensitive: it holds no secret, and would hide the pin from plans", what, name)
		}
	}
}

func TestSpecSchema_attributeModes(t *testing.T) {
	ctx := context.Background()

	var ds datasource.SchemaResponse
	NewPinDataSource().Schema(ctx, datasource.SchemaRequest{}, &ds)
	checkAttrs(t, "data.prefectimage_pin", ds.Schema.Attributes, pinSchemaWant)

	var rs resource.SchemaResponse
	NewPinResource().Schema(ctx, resource.SchemaRequest{}, &rs)
	want := maps.Clone(pinSchemaWant)
	want["on_drift"] = wantAttr{filled, types.StringType}
	want["upstream_tag"] = wantAttr{read, types.StringType}
	want["upstream_digest"] = wantAttr{read, types.StringType}
	checkAttrs(t, "prefectimage_pin", rs.Schema.Attributes, want)

	var rel datasource.SchemaResponse
	NewReleasesDataSource().Schema(ctx, datasource.SchemaRequest{}, &rel)
	checkAttrs(t, "data.prefectimage_releases", rel.Schema.Attributes, map[string]wantAttr{
		"repository":        {filled, types.StringType},
		"prefect_version":   {written, types.StringType},
		"python_version":    {written, types.StringType},
		"flavor":            {written, types.StringType},
		"allow_prereleases": {filled, types.BoolType},
		"versions":          {read, types.ListType{ElemType: types.StringType}},
		"latest":            {read, types.StringType},
		"releases": {read, types.ListType{ElemType: types.ObjectType{AttrTypes: map[string]attr.Type{
			"version":    types.StringType,
			"prerelease": types.BoolType,
			"images": types.ListType{ElemType: types.ObjectType{AttrTypes: map[string]attr.Type{
				"tag":            types.StringType,
				"python_version": types.StringType,
				"flavor":         types.StringType,
			}}},
		}}}},
	})
}
