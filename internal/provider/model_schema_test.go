package provider

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The framework maps state onto a model struct by its tfsdk tags and only
// complains when a Get or Set meets the mismatch at run time, in whichever
// code path first touches it. This test compares each model with its schema
// up front: every tag names an attribute or block, every attribute or block
// has a field, and each field's type fits, recursively into nested objects.

// models are the structs that each resource's and data source's Read and
// Create (or Configure, for the provider) decode into, by type name. A new
// resource or data source fails the test until it is listed here.
var models = map[string]any{
	"applinks": applinksProviderModel{},

	"applinks_application_link":                applicationLinkResourceModel{},
	"applinks_oauth_consumer":                  oauthConsumerResourceModel{},
	"applinks_oauth2_client":                   oauth2ClientResourceModel{},
	"applinks_oauth2_outgoing_link":            oauth2OutgoingLinkResourceModel{},
	"applinks_whitelist":                       allowlistResourceModel{},
	"applinks_whitelist_rule":                  allowlistRuleResourceModel{},
	"applinks_entity_link":                     entityLinkResourceModel{},
	"applinks_application_link_whitelist_rule": applicationLinkAllowlistRuleResourceModel{},

	"data.applinks_application_link_status": applicationLinkStatusDataSourceModel{},
	"data.applinks_application_links":       applicationLinksDataSourceModel{},
	"data.applinks_oauth_consumers":         oauthConsumersDataSourceModel{},
	"data.applinks_server":                  serverDataSourceModel{},
	"data.applinks_whitelist_check":         allowlistCheckDataSourceModel{},
	"data.applinks_whitelist_rules":         allowlistRulesDataSourceModel{},
	"data.applinks_entity_links":            entityLinksDataSourceModel{},
	"data.applinks_oauth2_clients":          oauth2ClientsDataSourceModel{},
	"data.applinks_oauth2_outgoing_links":   oauth2OutgoingLinksDataSourceModel{},
}

// schemaObjects is the object type of the provider's schema and of each
// resource's and data source's, keyed as models is.
func schemaObjects(t *testing.T) map[string]tftypes.Object {
	t.Helper()
	ctx := context.Background()
	p := newWithEnv("test", "none", mapEnv(nil))()
	objects := map[string]tftypes.Object{}
	add := func(name string, typ attr.Type) {
		object, ok := typ.TerraformType(ctx).(tftypes.Object)
		if !ok {
			t.Fatalf("%s: schema type %s is not an object", name, typ)
		}
		if _, twice := objects[name]; twice {
			t.Fatalf("%s is registered twice", name)
		}
		objects[name] = object
	}

	var providerSchema fwprovider.SchemaResponse
	p.Schema(ctx, fwprovider.SchemaRequest{}, &providerSchema)
	add("applinks", providerSchema.Schema.Type())
	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "applinks"}, &meta)
		var resp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &resp)
		add(meta.TypeName, resp.Schema.Type())
	}
	for _, newDataSource := range p.DataSources(ctx) {
		d := newDataSource()
		var meta datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "applinks"}, &meta)
		var resp datasource.SchemaResponse
		d.Schema(ctx, datasource.SchemaRequest{}, &resp)
		add("data."+meta.TypeName, resp.Schema.Type())
	}
	return objects
}

func TestModelsMatchSchemas(t *testing.T) {
	t.Parallel()
	objects := schemaObjects(t)
	for name, object := range objects {
		model, ok := models[name]
		if !ok {
			t.Errorf("%s has no model listed in models", name)
			continue
		}
		for _, problem := range modelProblems(name, reflect.TypeOf(model), object) {
			t.Error(problem)
		}
	}
	for name := range models {
		if _, ok := objects[name]; !ok {
			t.Errorf("models lists %s, which the provider does not register", name)
		}
	}
}

// The comparison must be able to fail: a misspelt tag, a missing field, a
// field of the wrong type and the same faults one level down each give a
// problem.
func TestModelProblemsFindsMismatches(t *testing.T) {
	t.Parallel()
	schema := tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"name":    tftypes.String,
		"primary": tftypes.Bool,
		"links": tftypes.List{ElementType: tftypes.Object{AttributeTypes: map[string]tftypes.Type{
			"id":      tftypes.String,
			"rpc_url": tftypes.String,
		}}},
	}}
	type misspeltEntry struct {
		ID     types.String `tfsdk:"id"`
		RPCURL types.String `tfsdk:"rpcurl"`
	}
	type badModel struct {
		Name     types.Int64     `tfsdk:"name"`
		Links    []misspeltEntry `tfsdk:"links"`
		Untagged types.Bool
	}
	got := modelProblems("bad", reflect.TypeOf(badModel{}), schema)
	for _, want := range []string{
		`bad: field Untagged has no tfsdk tag`,
		`bad.name: field Name is of type`,
		`bad: attribute "primary" has no field`,
		`bad.links: field RPCURL is tagged "rpcurl", which the schema does not have`,
		`bad.links: attribute "rpc_url" has no field`,
	} {
		if !slices.ContainsFunc(got, func(p string) bool { return strings.HasPrefix(p, want) }) {
			t.Errorf("no problem starting %q in:\n  %s", want, strings.Join(got, "\n  "))
		}
	}
	if len(modelProblems("link", reflect.TypeOf(applicationLinkResourceModel{}), schema)) == 0 {
		t.Error("the link model matches a schema it does not implement")
	}
}

var attrValueType = reflect.TypeFor[attr.Value]()

// modelProblems compares a model struct with a schema object, both ways.
func modelProblems(where string, model reflect.Type, object tftypes.Object) []string {
	if model.Kind() != reflect.Struct {
		return []string{fmt.Sprintf("%s: model is a %s, not a struct", where, model)}
	}
	var problems []string
	tagged := map[string]bool{}
	for i := range model.NumField() {
		field := model.Field(i)
		if !field.IsExported() {
			continue
		}
		tag, ok := field.Tag.Lookup("tfsdk")
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s: field %s has no tfsdk tag", where, field.Name))
			continue
		case tag == "-":
			continue
		}
		tagged[tag] = true
		attrType, ok := object.AttributeTypes[tag]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: field %s is tagged %q, which the schema does not have", where, field.Name, tag))
			continue
		}
		problems = append(problems, fieldProblems(where+"."+tag, field, field.Type, attrType)...)
	}
	for name := range object.AttributeTypes {
		if !tagged[name] {
			problems = append(problems, fmt.Sprintf("%s: attribute %q has no field", where, name))
		}
	}
	slices.Sort(problems)
	return problems
}

// fieldProblems checks that a field's Go type can hold the attribute's
// values: a framework value of the same kind, a slice for a list or set, a
// struct for an object, which is then compared attribute by attribute.
func fieldProblems(where string, field reflect.StructField, goType reflect.Type, attrType tftypes.Type) []string {
	mismatch := []string{fmt.Sprintf("%s: field %s is of type %s, which cannot hold %s", where, field.Name, goType, attrType)}
	if goType.Implements(attrValueType) {
		if goType.Kind() == reflect.Interface {
			return nil // any value fits, as far as the Go type says
		}
		zero, _ := reflect.Zero(goType).Interface().(attr.Value)
		if !sameKind(zero.Type(context.Background()).TerraformType(context.Background()), attrType) {
			return mismatch
		}
		return nil
	}
	switch goType.Kind() {
	case reflect.Pointer:
		return fieldProblems(where, field, goType.Elem(), attrType)
	case reflect.Slice:
		switch collection := attrType.(type) {
		case tftypes.List:
			return fieldProblems(where, field, goType.Elem(), collection.ElementType)
		case tftypes.Set:
			return fieldProblems(where, field, goType.Elem(), collection.ElementType)
		}
	case reflect.Struct:
		if object, ok := attrType.(tftypes.Object); ok {
			return modelProblems(where, goType, object)
		}
	}
	return mismatch
}

// sameKind compares primitive types exactly and collections and objects by
// kind alone, since a framework value's zero does not know its element type.
func sameKind(got, want tftypes.Type) bool {
	switch want.(type) {
	case tftypes.List, tftypes.Set, tftypes.Map, tftypes.Object, tftypes.Tuple:
		return reflect.TypeOf(got) == reflect.TypeOf(want)
	}
	return got.Is(want)
}
