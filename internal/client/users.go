package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// jiraUserPath is Jira's user lookup. The applinks APIs have none, and the
// consumer API stores any executing user name (design/api.md §6.1), so a
// name the instance lacks is found only by asking the product itself.
const jiraUserPath = "rest/api/2/user"

// JiraUserExists reports whether a Jira instance has a user of that name:
// false only for the product's own 404 (ErrNotFound, which a bare 404 page
// is not), and an error for any other failure, which callers take as "not
// known". Other products have other user APIs; do not ask them this one.
func (c *Client) JiraUserExists(ctx context.Context, name string) (bool, error) {
	var user struct {
		Name string `json:"name"`
	}
	_, err := c.do(ctx, call{method: http.MethodGet, path: jiraUserPath, query: url.Values{"username": {name}}}, &user)
	switch {
	case errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}
