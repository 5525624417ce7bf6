package emulator

import "testing"

func TestParseJavaURI(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string
		host    string
		port    int
		auth    string
	}{
		{in: "https://www.example.com", host: "www.example.com", port: -1, auth: "www.example.com"},
		{in: "http://user:pw@Example.COM:8080/a%20b?x=1#f", host: "Example.COM", port: 8080, auth: "user:pw@Example.COM:8080"},
		{in: "http://[::1]:7990/x", host: "[::1]", port: 7990, auth: "[::1]:7990"},
		{in: "http://127.0.0.1/", host: "127.0.0.1", port: -1, auth: "127.0.0.1"},
		// Registry-based authorities have no host.
		{in: "http://ex_ample.com/", host: "", port: -1, auth: "ex_ample.com"},
		{in: "http://host:abc/", host: "", port: -1, auth: "host:abc"},
		{in: "http://1.2.3/", host: "", port: -1, auth: "1.2.3"},
		{in: "http:///path", host: "", port: -1},
		{in: "relative/path", port: -1},
		{in: "mailto:a@b.example", port: -1},
		{in: "", port: -1},
		{in: "http://a b.example/", wantErr: "Illegal character in authority at index 8: http://a b.example/"},
		{in: "http://example.com/a b", wantErr: "Illegal character in path at index 20: http://example.com/a b"},
		{in: "http://example.com/?q=a b", wantErr: "Illegal character in query at index 23: http://example.com/?q=a b"},
		{in: "http://example.com/#a#b", wantErr: "Illegal character in fragment at index 21: http://example.com/#a#b"},
		{in: "http://example.com/%zz", wantErr: "Malformed escape pair at index 19: http://example.com/%zz"},
		{in: "http://", wantErr: "Expected authority at index 7: http://"},
		{in: "http:", wantErr: "Expected scheme-specific part at index 5: http:"},
		{in: ":x", wantErr: "Expected scheme name at index 0: :x"},
		{in: "1http://x", wantErr: "Illegal character in scheme name at index 0: 1http://x"},
		{in: "http://[::1/", wantErr: "Expected closing bracket for IPv6 address at index 11: http://[::1/"},
		{in: "http://{x}/", wantErr: "Illegal character in authority at index 7: http://{x}/"},
	}
	for _, tt := range tests {
		u, err := parseJavaURI(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%q: error %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if u.host != tt.host || u.port != tt.port || orEmpty(u.authority) != tt.auth {
			t.Errorf("%q: host %q port %d authority %q, want %q %d %q", tt.in, u.host, u.port, orEmpty(u.authority), tt.host, tt.port, tt.auth)
		}
	}
}
