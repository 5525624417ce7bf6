// Package customtypes holds string types whose values have more than one
// spelling. Their semantic equality lets the framework keep the spelling
// already in the plan or state when the server answers with another
// spelling of the same value, after Create, Read and Update alike.
package customtypes

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/applinks-iac/terraform-provider-applinks/internal/validators"
)

var (
	_ basetypes.StringTypable                    = RSAPublicKeyType{}
	_ basetypes.StringValuableWithSemanticEquals = RSAPublicKey{}
)

// RSAPublicKeyType is the type of an OAuth consumer's RSA public key, which
// users give as PEM or as bare base64 and the products return as bare
// base64 without line breaks.
type RSAPublicKeyType struct {
	basetypes.StringType
}

func (t RSAPublicKeyType) String() string {
	return "customtypes.RSAPublicKeyType"
}

func (t RSAPublicKeyType) Equal(o attr.Type) bool {
	other, ok := o.(RSAPublicKeyType)
	return ok && t.StringType.Equal(other.StringType)
}

func (t RSAPublicKeyType) ValueType(_ context.Context) attr.Value {
	return RSAPublicKey{}
}

func (t RSAPublicKeyType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return RSAPublicKey{StringValue: in}, nil
}

func (t RSAPublicKeyType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	value, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	stringValue, ok := value.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", value)
	}
	return RSAPublicKey{StringValue: stringValue}, nil
}

// RSAPublicKey is a value of RSAPublicKeyType.
type RSAPublicKey struct {
	basetypes.StringValue
}

// NewRSAPublicKeyValue returns a known key spelt as given.
func NewRSAPublicKeyValue(key string) RSAPublicKey {
	return RSAPublicKey{StringValue: basetypes.NewStringValue(key)}
}

// NewRSAPublicKeyNull returns a null key.
func NewRSAPublicKeyNull() RSAPublicKey {
	return RSAPublicKey{StringValue: basetypes.NewStringNull()}
}

func (v RSAPublicKey) Type(_ context.Context) attr.Type {
	return RSAPublicKeyType{}
}

func (v RSAPublicKey) Equal(o attr.Value) bool {
	other, ok := o.(RSAPublicKey)
	return ok && v.StringValue.Equal(other.StringValue)
}

// StringSemanticEquals reports whether both values spell the same RSA
// public key, as validators.ParseRSAPublicKey reads them: PEM and bare
// base64, with or without line breaks. A value that is not a usable key
// equals no other spelling.
func (v RSAPublicKey) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	other, ok := newValuable.(RSAPublicKey)
	if !ok || !known(v.StringValue) || !known(other.StringValue) {
		return false, nil
	}
	return validators.SameRSAPublicKey(v.ValueString(), other.ValueString()), nil
}

func known(v basetypes.StringValue) bool {
	return !v.IsNull() && !v.IsUnknown()
}
