package emulator

import "testing"

func TestGenerateApplicationID(t *testing.T) {
	tests := []struct {
		url  string
		want string
	}{
		// Vectors from design/api.md (design/api.md §2.1).
		{url: "http://jira.example.com", want: "da2ba910-6b7f-3e7d-873f-9fc7a90c771b"},
		{url: "https://confluence.example.com/wiki", want: "80b89917-61f7-322e-b6eb-60fdedbedcbb"},
		// Trailing slashes and dot segments normalise away.
		{url: "http://jira.example.com/", want: "da2ba910-6b7f-3e7d-873f-9fc7a90c771b"},
		{url: "http://jira.example.com///", want: "da2ba910-6b7f-3e7d-873f-9fc7a90c771b"},
		{url: "https://confluence.example.com/x/../wiki/./", want: "80b89917-61f7-322e-b6eb-60fdedbedcbb"},
		{url: "https://confluence.example.com//wiki", want: "80b89917-61f7-322e-b6eb-60fdedbedcbb"},
	}
	for _, tt := range tests {
		if got := GenerateApplicationID(tt.url); got != tt.want {
			t.Errorf("GenerateApplicationID(%q) = %s, want %s", tt.url, got, tt.want)
		}
	}
	if GenerateApplicationID("http://JIRA.example.com") == GenerateApplicationID("http://jira.example.com") {
		t.Error("host case must matter: Java's normalize does not lower-case it")
	}
}

func TestNormaliseURI(t *testing.T) {
	tests := []struct{ in, want string }{
		{in: "http://h", want: "http://h"},
		{in: "http://h/a/b/../c", want: "http://h/a/c"},
		{in: "http://h/../a", want: "http://h/../a"},
		{in: "http://h/a/./b/.", want: "http://h/a/b/"},
		{in: "http://h/a//b?x=/../#f", want: "http://h/a/b?x=/../#f"},
		{in: "http://h/wiki/é", want: "http://h/wiki/%C3%A9"},
		{in: "mailto:a/../b", want: "mailto:a/../b"},
	}
	for _, tt := range tests {
		if got := normaliseURI(tt.in); got != tt.want {
			t.Errorf("normaliseURI(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNewRandomUUID(t *testing.T) {
	a, err := newRandomUUID()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := newRandomUUID()
	if !uuidV4Pattern.MatchString(a) || a == b {
		t.Errorf("newRandomUUID() = %q, %q; want distinct v4 UUIDs", a, b)
	}
}
