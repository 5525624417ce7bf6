package client

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// The OAuth 2.0 creates and the secret reset are POSTs (and a PUT) without
// an idempotency key, and nothing in a client or a configuration says who
// made it (design/api.md §10.2, §10.5). Names are unique on an instance for
// both, so a lost answer is settled by the name: an object found under it
// afterwards is this create's only if nothing held the name just before
// the create and it holds everything the create sent. Anything else may be
// someone else's, and is reported (OAuth2ConflictError), never adopted and
// never deleted.

// OAuth2ConflictError is the ErrCreateConflict of an OAuth 2.0 create: after
// a lost answer the instance holds an object of the name that this create
// cannot be shown to have made.
type OAuth2ConflictError struct {
	Kind, ID, Name string
	// Why says what rules out that this create made it.
	Why string
}

func (e *OAuth2ConflictError) Error() string {
	return fmt.Sprintf("%s %q (id %s) %s: %s", e.Kind, e.Name, e.ID, e.Why, ErrCreateConflict)
}

func (e *OAuth2ConflictError) Unwrap() error { return ErrCreateConflict }

// CreateOAuth2ClientOnce creates an incoming client, never twice. It reads
// the clients first; when the answer to the create is lost, a client of
// the name is adopted only if none had the name before and its redirects
// and scope are the ones sent, and otherwise nothing is created again while
// the outcome stays unknown (CreateOnce). A name already taken before is
// left for the instance to refuse, with its own words.
//
// It costs one listing more than a bare create, and one after each lost
// answer.
func (c *Client) CreateOAuth2ClientOnce(ctx context.Context, in OAuth2ClientInput) (*OAuth2Client, bool, error) {
	before, err := c.OAuth2ClientByName(ctx, in.Name)
	if err != nil {
		return nil, false, err
	}
	return CreateOnce(ctx, c,
		func(ctx context.Context) (*OAuth2Client, error) { return c.CreateOAuth2Client(ctx, in) },
		func(ctx context.Context) (*OAuth2Client, bool, error) {
			found, err := c.OAuth2ClientByName(ctx, in.Name)
			switch {
			case err != nil || found == nil:
				return nil, false, err
			case before != nil:
				return nil, false, &OAuth2ConflictError{Kind: "incoming OAuth 2.0 client", ID: found.ID, Name: found.Name,
					Why: "already existed before this create"}
			case !slices.Equal(found.Redirects, in.Redirects) || found.Scope != in.Scope:
				return nil, false, &OAuth2ConflictError{Kind: "incoming OAuth 2.0 client", ID: found.ID, Name: found.Name,
					Why: fmt.Sprintf("has the redirects %s and scope %s, not those this create sent",
						strings.Join(found.Redirects, ", "), found.Scope)}
			}
			return found, true, found.check()
		})
}

// CreateOAuth2ConfigOnce creates an outgoing configuration, never twice.
// The caller has found no configuration of the name just before
// (OAuth2ConfigByName), so one found under it after a lost answer is this
// create's if it holds what the create sent; its redirect URI suffix,
// fresh from the instance unless the user chose it, makes the match all
// but certain.
func (c *Client) CreateOAuth2ConfigOnce(ctx context.Context, in OAuth2ConfigInput) (*OAuth2Config, bool, error) {
	return CreateOnce(ctx, c,
		func(ctx context.Context) (*OAuth2Config, error) { return c.CreateOAuth2Config(ctx, in) },
		func(ctx context.Context) (*OAuth2Config, bool, error) {
			found, err := c.OAuth2ConfigByName(ctx, in.Name)
			if err != nil || found == nil {
				return nil, false, err
			}
			var differences []string
			add := func(differs bool, field string) {
				if differs {
					differences = append(differences, field)
				}
			}
			add(found.Type != in.Type, "type")
			add(found.ClientID != in.ClientID, "client id")
			add(found.AuthorizationEndpoint != in.AuthorizationEndpoint, "authorization endpoint")
			add(found.TokenEndpoint != in.TokenEndpoint, "token endpoint")
			add(!slices.Equal(found.Scopes, in.Scopes) && len(found.Scopes)+len(in.Scopes) > 0, "scopes")
			add(found.RedirectURISuffix != in.RedirectURISuffix, "redirect URI suffix")
			if len(differences) > 0 {
				return nil, false, &OAuth2ConflictError{Kind: "outgoing OAuth 2.0 link", ID: found.ID, Name: found.Name,
					Why: "differs from what this create sent in its " + strings.Join(differences, ", ")}
			}
			return found, true, nil
		})
}

// ResetOAuth2ClientSecretOnce resets a client's secret, never twice: a
// second reset would replace the secret the first one made, which nobody
// has seen. When the answer is lost, the client is read: a secret other
// than oldSecret shows the reset was made (by this call, or by an
// administrator at the same moment, which leaves the same result: a new
// secret, the old one refused), and the same secret shows it was not.
func (c *Client) ResetOAuth2ClientSecretOnce(ctx context.Context, id, clientID, oldSecret string) (*OAuth2Client, error) {
	ctx = withCallSecrets(ctx, oldSecret)
	reset, _, err := CreateOnce(ctx, c,
		func(ctx context.Context) (*OAuth2Client, error) { return c.ResetOAuth2ClientSecret(ctx, clientID) },
		func(ctx context.Context) (*OAuth2Client, bool, error) {
			found, err := c.OAuth2Client(ctx, id)
			if err != nil || found.ClientSecret == oldSecret {
				return nil, false, err
			}
			return found, true, nil
		})
	return reset, err
}
