package emulator

import (
	"net/http"
	"testing"
)

func TestNewUserDirectory(t *testing.T) {
	tests := []struct {
		name    string
		extra   []User
		wantErr string
	}{
		{name: "extras are added", extra: []User{{Name: "ops", Password: "pw", Token: "ops-token", Admin: true}}},
		{name: "fixed name", extra: []User{{Name: "admin", Password: "pw"}}, wantErr: `emulator: duplicate user "admin"`},
		{name: "repeated name", extra: []User{{Name: "a", Password: "1"}, {Name: "a", Password: "2"}}, wantErr: `emulator: duplicate user "a"`},
		{name: "token in use", extra: []User{{Name: "ops", Password: "pw", Token: "admin-token"}}, wantErr: `emulator: user "ops": token already in use`},
		{name: "no password", extra: []User{{Name: "ops"}}, wantErr: `emulator: user "ops" needs a name and a password`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := newUserDirectory(tt.extra)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ops := d.byToken("ops-token")
			if ops == nil || ops != d.byPassword("ops", "pw") || !ops.isAdmin() || ops.isSysadmin() {
				t.Errorf("extra user not usable: %+v", ops)
			}
			if len(fixedUsers) != 3 {
				t.Error("extras leaked into the fixed users")
			}
		})
	}
}

func TestOptionsUsersLogIn(t *testing.T) {
	srv := startTestServer(t, Options{Users: []User{{Name: "tracer", Password: "s3cret", Token: "tracer-token", SystemAdmin: true}}}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()
	for _, headers := range []map[string]string{
		{"Authorization": "Basic dHJhY2VyOnMzY3JldA==", "Accept": "application/json"},
		{"Authorization": "Bearer tracer-token", "Accept": "application/json"},
	} {
		resp, body := send(t, base, testRequest{path: "/rest/applinks/1.0/authenticationinfo", headers: headers})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-AUSERNAME") != "tracer" {
			t.Errorf("%s: status %d, user %q, body %s", headers["Authorization"], resp.StatusCode, resp.Header.Get("X-AUSERNAME"), body)
		}
	}
}

func TestAuthenticateRequest(t *testing.T) {
	tests := []struct {
		name          string
		authorization string
		wantUser      string
		wantErr       bool
	}{
		{name: "no credentials", authorization: ""},
		{name: "admin by password", authorization: "Basic YWRtaW46YWRtaW4=", wantUser: "admin"},
		{name: "manager by password", authorization: "Basic bWFuYWdlcjptYW5hZ2Vy", wantUser: "manager"},
		{name: "user by password", authorization: "Basic dXNlcjp1c2Vy", wantUser: "user"},
		{name: "scheme is case-insensitive", authorization: "basic dXNlcjp1c2Vy", wantUser: "user"},
		{name: "admin token", authorization: "Bearer admin-token", wantUser: "admin"},
		{name: "wrong password", authorization: "Basic dXNlcjphZG1pbg==", wantErr: true},
		{name: "unknown user", authorization: "Basic Ym9iOmJvYg==", wantErr: true},
		{name: "not base64", authorization: "Basic !!!", wantErr: true},
		{name: "no colon", authorization: "Basic YWRtaW4=", wantErr: true},
		{name: "unknown token", authorization: "Bearer user", wantErr: true},
		{name: "other scheme is ignored", authorization: "Negotiate abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodGet, "http://x/", nil)
			if tt.authorization != "" {
				r.Header.Set("Authorization", tt.authorization)
			}
			u, err := userDirectory(fixedUsers).authenticate(r)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error %v", err, tt.wantErr)
			}
			got := ""
			if u != nil {
				got = u.name
			}
			if got != tt.wantUser {
				t.Errorf("user = %q, want %q", got, tt.wantUser)
			}
		})
	}
}

func TestUserRoles(t *testing.T) {
	tests := []struct {
		name                  string
		wantAdmin, wantSysadm bool
	}{
		{name: "admin", wantAdmin: true, wantSysadm: true},
		{name: "manager", wantAdmin: true},
		{name: "user"},
	}
	for _, tt := range tests {
		u := userDirectory(fixedUsers).byPassword(tt.name, tt.name)
		if u == nil {
			t.Fatalf("%s cannot log in", tt.name)
		}
		if u.isAdmin() != tt.wantAdmin || u.isSysadmin() != tt.wantSysadm {
			t.Errorf("%s: admin %v sysadmin %v; want %v %v", tt.name, u.isAdmin(), u.isSysadmin(), tt.wantAdmin, tt.wantSysadm)
		}
	}
	var anonymous *user
	if anonymous.isAdmin() || anonymous.isSysadmin() {
		t.Error("anonymous has admin rights")
	}
}

// os_username and os_password in the query log in as Basic auth does, under
// the same rules: a wrong password is a 401, the admin interceptor and the
// XSRF filter treat the caller as they treat a Basic one.
func TestQueryParameterLogin(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()
	call := func(method, path string, headers map[string]string) (*http.Response, string) {
		t.Helper()
		all := map[string]string{"Accept": "application/json"}
		for name, value := range headers {
			all[name] = value
		}
		return send(t, base, testRequest{method: method, path: path, headers: all})
	}
	const links = "/rest/applinks/1.0/applicationlink"
	tests := []struct {
		name, query string
		wantStatus  int
		wantUser    string
		wantBody    string
	}{
		{name: "admin", query: "?os_username=admin&os_password=admin", wantStatus: http.StatusOK, wantUser: "admin", wantBody: `{"applicationLinks":[]}`},
		{name: "among other parameters", query: "?expand=x&os_username=manager&os_password=manager", wantStatus: http.StatusOK, wantUser: "manager"},
		{name: "wrong password", query: "?os_username=admin&os_password=nope", wantStatus: http.StatusUnauthorized, wantUser: "anonymous", wantBody: jsonAuthRequired},
		{name: "unknown user", query: "?os_username=bob&os_password=bob", wantStatus: http.StatusUnauthorized, wantUser: "anonymous", wantBody: jsonAuthRequired},
		{name: "no admin rights", query: "?os_username=user&os_password=user", wantStatus: http.StatusUnauthorized, wantUser: "user",
			wantBody: `{"status-code":401,"message":"You must be an administrator to access this resource"}`},
		{name: "no password: no login", query: "?os_username=admin", wantStatus: http.StatusUnauthorized, wantUser: "anonymous", wantBody: jsonAuthRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := call(http.MethodGet, links+tt.query, nil)
			if resp.StatusCode != tt.wantStatus || resp.Header.Get("X-AUSERNAME") != tt.wantUser || tt.wantBody != "" && body != tt.wantBody {
				t.Errorf("status %d, X-AUSERNAME %q, body %s\nwant %d, %q, %s", resp.StatusCode, resp.Header.Get("X-AUSERNAME"), body, tt.wantStatus, tt.wantUser, tt.wantBody)
			}
		})
	}
	resp, _ := call(http.MethodGet, links+"?os_username=admin&os_password=nope", nil)
	if got := resp.Header.Get("X-Seraph-LoginReason"); got != "AUTHENTICATED_FAILED" {
		t.Errorf("X-Seraph-LoginReason after a wrong password = %q", got)
	}
	// A body-less POST needs the XSRF header, as it does with Basic auth.
	const disable = "/rest/whitelist/latest/disable?os_username=admin&os_password=admin"
	if resp, body := call(http.MethodPost, disable, nil); resp.StatusCode != http.StatusForbidden || body != "XSRF check failed" {
		t.Errorf("POST without the XSRF header: %d %s", resp.StatusCode, body)
	}
	if resp, body := call(http.MethodPost, disable, map[string]string{"X-Atlassian-Token": "no-check"}); resp.StatusCode != http.StatusOK {
		t.Errorf("POST with the XSRF header: %d %s", resp.StatusCode, body)
	}
}
