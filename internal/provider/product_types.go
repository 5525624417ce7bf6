package provider

// productTypes maps the provider's type vocabulary to the applinks type ids
// on the wire. Bitbucket keeps its pre-rebrand id "stash" in the API, which
// users should not have to know.
var productTypes = []struct {
	name   string
	typeID string
}{
	{"jira", "jira"},
	{"confluence", "confluence"},
	{"bitbucket", "stash"},
	{"bamboo", "bamboo"},
	{"fecru", "fecru"},
	{"crowd", "crowd"},
	{"generic", "generic"},
}

// typeNameForID returns the provider's name for a wire type id, or the id
// itself for types the provider does not know (refapp, plugin-defined types),
// so that nothing the server reports is lost.
func typeNameForID(typeID string) string {
	for _, t := range productTypes {
		if t.typeID == typeID {
			return t.name
		}
	}
	return typeID
}

// productTypeList renders the type names for descriptions, from the same
// slice that validation uses.
func productTypeList() string {
	return backtickList(productTypeNames())
}

// typeIDForName returns the wire type id for a type name of the provider.
func typeIDForName(name string) string {
	for _, t := range productTypes {
		if t.name == name {
			return t.typeID
		}
	}
	return name
}

// productTypeNames lists the provider's type names for OneOf validators.
func productTypeNames() []string {
	names := make([]string, 0, len(productTypes))
	for _, t := range productTypes {
		names = append(names, t.name)
	}
	return names
}
