package provider

// productTypes maps the provider's type vocabulary to the applinks type ids
// on the wire. Bitbucket keeps its pre-rebrand id "stash" in the API, which
// users should not have to know. Types the provider does not know (refapp,
// plugin-defined types) are reported by their ids, through nameOrWire.
var productTypes = vocabulary[string]{terms: []term[string]{
	{name: "jira", wire: "jira"},
	{name: "confluence", wire: "confluence"},
	{name: "bitbucket", wire: "stash"},
	{name: "bamboo", wire: "bamboo"},
	{name: "fecru", wire: "fecru"},
	{name: "crowd", wire: "crowd"},
	{name: "generic", wire: "generic"},
}}
