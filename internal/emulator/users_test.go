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
