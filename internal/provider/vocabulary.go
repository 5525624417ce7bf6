package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// vocabulary is an enumeration in the provider's words and the products'
// values for it on the wire. One slice gives the validator, the list in the
// descriptions and the mapping both ways, so that what is documented, what
// is accepted and what is sent cannot drift apart. The wire type is a
// parameter because OAuth levels travel as a set of flags, not a string.
type vocabulary[W comparable] struct {
	terms []term[W]
}

// term is one value of a vocabulary. A description is given where the
// name alone does not say what the value does; then every term has one.
type term[W comparable] struct {
	name        string
	wire        W
	description string
}

// Names lists the names in their documented order.
func (v vocabulary[W]) Names() []string {
	names := make([]string, len(v.terms))
	for i, t := range v.terms {
		names[i] = t.name
	}
	return names
}

// MarkdownList renders the names for a description: "`a`, `b`", or, for
// described terms, "`a`: what a does; `b`: what b does", with semicolons
// since the descriptions hold commas.
func (v vocabulary[W]) MarkdownList() string {
	if len(v.terms) == 0 || v.terms[0].description == "" {
		return backtickList(v.Names())
	}
	items := make([]string, len(v.terms))
	for i, t := range v.terms {
		items[i] = "`" + t.name + "`: " + t.description
	}
	return strings.Join(items, "; ")
}

// Validator accepts exactly the names.
func (v vocabulary[W]) Validator() validator.String {
	return stringvalidator.OneOf(v.Names()...)
}

// ToWire returns the wire value of a name, and false for a name outside
// the vocabulary.
func (v vocabulary[W]) ToWire(name string) (W, bool) {
	for _, t := range v.terms {
		if t.name == name {
			return t.wire, true
		}
	}
	var none W
	return none, false
}

// FromWire returns the name of a wire value, and false for a value outside
// the vocabulary.
func (v vocabulary[W]) FromWire(wire W) (string, bool) {
	for _, t := range v.terms {
		if t.wire == wire {
			return t.name, true
		}
	}
	return "", false
}

// nameOrWire names a wire string, passing through the ones the provider
// has no name for (refapp, plugin-defined types, a new kind of rule) so
// that nothing the server reports is lost.
func nameOrWire(v vocabulary[string], wire string) string {
	if name, ok := v.FromWire(wire); ok {
		return name
	}
	return wire
}

// wireOrName is the reverse of nameOrWire: a name outside the vocabulary is
// a wire string that nameOrWire passed through.
func wireOrName(v vocabulary[string], name string) string {
	if wire, ok := v.ToWire(name); ok {
		return wire
	}
	return name
}

// backtickList renders values as Markdown code, comma-separated, for the
// descriptions of enumerations.
func backtickList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "`" + v + "`"
	}
	return strings.Join(quoted, ", ")
}
