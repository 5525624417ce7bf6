package emulator

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// user is an account an instance knows. The products distinguish "admin"
// (SAL UserManager.isAdmin, e.g. Jira Administrators) from "system
// administrator" (isSystemAdmin); applinks treats either as an admin, while
// sysadmin-only operations need the latter.
type user struct {
	name                string
	password            string
	administrator       bool
	systemAdministrator bool
	// personalAccessTokens are accepted as "Authorization: Bearer <token>".
	personalAccessTokens []string
	// oauth2Scope is the scope of the OAuth 2.0 access token the request
	// came with, whose rights are already capped (oauth2_server.go); empty
	// for other credentials.
	oauth2Scope string
}

// isAdmin mirrors AdminUIAuthenticator.isAdmin: admin or system admin.
func (u *user) isAdmin() bool {
	return u != nil && (u.administrator || u.systemAdministrator)
}

func (u *user) isSysadmin() bool {
	return u != nil && u.systemAdministrator
}

// User is an extra account that Options.Users adds to every instance, next
// to the fixed admin, manager and user.
type User struct {
	Name     string
	Password string
	// Token, when set, is a personal access token for "Authorization:
	// Bearer <token>".
	Token string
	// Admin makes the user an administrator (e.g. Jira Administrators).
	Admin bool
	// SystemAdmin makes the user a system administrator.
	SystemAdmin bool
}

// fixedUsers exist on every instance so that tests can rely on these
// credentials without configuration.
var fixedUsers = []*user{
	{name: "admin", password: "admin", systemAdministrator: true, personalAccessTokens: []string{"admin-token"}},
	{name: "manager", password: "manager", administrator: true},
	{name: "user", password: "user"},
}

// userDirectory is the set of accounts one instance knows.
type userDirectory []*user

// newUserDirectory combines the fixed users with the configured extras,
// refusing names or tokens that would make a login ambiguous.
func newUserDirectory(extra []User) (userDirectory, error) {
	directory := slices.Clone(userDirectory(fixedUsers))
	for _, u := range extra {
		switch {
		case u.Name == "" || u.Password == "":
			return nil, fmt.Errorf("emulator: user %q needs a name and a password", u.Name)
		case directory.byName(u.Name) != nil:
			return nil, fmt.Errorf("emulator: duplicate user %q", u.Name)
		case u.Token != "" && directory.byToken(u.Token) != nil:
			return nil, fmt.Errorf("emulator: user %q: token already in use", u.Name)
		}
		added := &user{name: u.Name, password: u.Password, administrator: u.Admin, systemAdministrator: u.SystemAdmin}
		if u.Token != "" {
			added.personalAccessTokens = []string{u.Token}
		}
		directory = append(directory, added)
	}
	return directory, nil
}

// errBadCredentials means the request presented credentials that match no
// user; the products reject such requests outright rather than treating
// them as anonymous.
var errBadCredentials = errors.New("bad credentials")

// authenticate resolves the caller from a query login or from Basic or
// Bearer credentials. It returns nil and no error for an anonymous request.
func (d userDirectory) authenticate(r *http.Request) (*user, error) {
	if name, password, ok := queryLogin(r); ok {
		if u := d.byPassword(name, password); u != nil {
			return u, nil
		}
		return nil, errBadCredentials
	}
	header := r.Header.Get("Authorization")
	if header == "" {
		return nil, nil
	}
	scheme, credentials, _ := strings.Cut(header, " ")
	credentials = strings.TrimSpace(credentials)
	switch strings.ToLower(scheme) {
	case "basic":
		decoded, err := base64.StdEncoding.DecodeString(credentials)
		if err != nil {
			return nil, errBadCredentials
		}
		name, password, ok := strings.Cut(string(decoded), ":")
		if !ok {
			return nil, errBadCredentials
		}
		if u := d.byPassword(name, password); u != nil {
			return u, nil
		}
		return nil, errBadCredentials
	case "bearer":
		if u := d.byToken(credentials); u != nil {
			return u, nil
		}
		return nil, errBadCredentials
	default:
		// Inferred: Seraph only understands Basic (and PATs as Bearer); any
		// other scheme is ignored and the request proceeds anonymously.
		return nil, nil
	}
}

// queryLogin returns the os_username and os_password parameters of the
// query, Seraph's login by request parameters, which the products accept on
// any request (Atlassian's own integration tests against Jira and
// Confluence log in so). It is Basic auth's older sibling and the emulator
// holds it to the same rules: a wrong password is the same 401, and the
// admin checks and the XSRF filter see the same caller. Only both
// parameters together are a login attempt, as Seraph's login filter needs
// both. Inferred: the login filter runs before anything reads the
// Authorization header, so a query login wins over Basic or Bearer
// credentials; and only the query counts, not a form-encoded body.
func queryLogin(r *http.Request) (name, password string, ok bool) {
	query := r.URL.Query()
	if !query.Has("os_username") || !query.Has("os_password") {
		return "", "", false
	}
	return query.Get("os_username"), query.Get("os_password"), true
}

func (d userDirectory) byName(name string) *user {
	for _, u := range d {
		if u.name == name {
			return u
		}
	}
	return nil
}

// byPassword returns the user whose credentials match, or nil.
func (d userDirectory) byPassword(name, password string) *user {
	u := d.byName(name)
	if u == nil || subtle.ConstantTimeCompare([]byte(u.password), []byte(password)) != 1 {
		return nil
	}
	return u
}

func (d userDirectory) byToken(token string) *user {
	for _, u := range d {
		for _, t := range u.personalAccessTokens {
			if subtle.ConstantTimeCompare([]byte(t), []byte(token)) == 1 {
				return u
			}
		}
	}
	return nil
}
