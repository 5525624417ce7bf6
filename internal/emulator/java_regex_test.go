package emulator

import "testing"

func TestCompileJavaRegex(t *testing.T) {
	tests := []struct {
		pattern  string
		wantErr  string // Java's message, "" when valid
		runnable bool
		matches  []string
		misses   []string
	}{
		{pattern: `https?://(www\.)?example\.com/.*`, runnable: true, matches: []string{"http://example.com/", "https://www.example.com/x"}, misses: []string{"https://example.com", "xhttps://example.com/"}},
		{pattern: `a|b`, runnable: true, matches: []string{"a", "b"}, misses: []string{"ab"}},
		{pattern: `(?i)ABC`, runnable: true, matches: []string{"abc"}},
		{pattern: `(?<host>[a-z]+)\.example`, runnable: true, matches: []string{"api.example"}},
		{pattern: `\Qa.b\E.c`, runnable: true, matches: []string{"a.bxc"}, misses: []string{"axbxc"}},
		{pattern: `[a[bc]]x`, runnable: true, matches: []string{"bx", "ax"}, misses: []string{"dx"}},
		{pattern: `\p{Alpha}+\d{2}`, runnable: true, matches: []string{"abc12"}, misses: []string{"ab1"}},
		{pattern: `\u0041\x42\0103`, runnable: true, matches: []string{"ABC"}},
		{pattern: `a\/b\-c`, runnable: true, matches: []string{"a/b-c"}},
		{pattern: `\h\R`, runnable: true, matches: []string{" \r\n", "\t\n"}},
		{pattern: `a{2,3}?`, runnable: true, matches: []string{"aa"}},
		// Java-only: valid, not runnable.
		{pattern: `(?=x)x`},
		{pattern: `(?<!a)b`},
		{pattern: `(a)\1`},
		{pattern: `a*+b`},
		{pattern: `(?>ab)`},
		{pattern: `\p{javaLowerCase}`},
		{pattern: `a{1001}`},
		// Counts Java multiplies without limit and RE2 refuses beyond 1000.
		{pattern: `https://((a{100}){100}){100}\.example\.com`},
		{pattern: `(a{50}){50,}`},
		{pattern: `[a-z&&[^x]]`},
		// Genuinely invalid.
		{pattern: `(abc`, wantErr: "Unclosed group near index 4\n(abc"},
		{pattern: `abc)`, wantErr: "Unmatched closing ')' near index 2\nabc)\n  ^"},
		{pattern: `[abc`, wantErr: "Unclosed character class near index 3\n[abc\n   ^"},
		{pattern: `*abc`, wantErr: "Dangling meta character '*' near index 0\n*abc\n^"},
		{pattern: `a**`, wantErr: "Dangling meta character '*' near index 2\na**\n  ^"},
		{pattern: `x{abc}`, wantErr: "Illegal repetition near index 1\nx{abc}\n ^"},
		{pattern: `${host}`, wantErr: "Illegal repetition near index 1\n${host}\n ^"},
		{pattern: `a{3,1}`, wantErr: "Illegal repetition range near index 1\na{3,1}\n ^"},
		{pattern: `((a{100}){100}){100}(`, wantErr: "Unclosed group near index 21\n((a{100}){100}){100}("},
		{pattern: `((a{100}){100}){3,1}`, wantErr: "Illegal repetition range near index 15\n((a{100}){100}){3,1}\n               ^"},
		{pattern: `[z-a]`, wantErr: "Illegal character range near index 3\n[z-a]\n   ^"},
		{pattern: `abc\`, wantErr: "Unexpected internal error near index 4\nabc\\"},
		{pattern: `\y`, wantErr: "Illegal/unsupported escape sequence near index 1\n\\y\n ^"},
		{pattern: `(?P<n>x)`, wantErr: "Unknown inline modifier near index 2\n(?P<n>x)\n  ^"},
		{pattern: `\p{Nope}`, wantErr: "Unknown character property name {Nope} near index 7\n\\p{Nope}\n       ^"},
		{pattern: `\k<a`, wantErr: "named capturing group is missing trailing '>' near index 4\n\\k<a"},
	}
	for _, tt := range tests {
		re, syntaxErr := compileJavaRegex(tt.pattern, false)
		switch {
		case tt.wantErr != "":
			if syntaxErr == nil || syntaxErr.Error() != tt.wantErr {
				t.Errorf("%q: error %v, want %q", tt.pattern, syntaxErr, tt.wantErr)
			}
			continue
		case syntaxErr != nil:
			t.Errorf("%q: unexpected error %q", tt.pattern, syntaxErr)
			continue
		case (re != nil) != tt.runnable:
			t.Errorf("%q: runnable %t, want %t", tt.pattern, re != nil, tt.runnable)
			continue
		}
		for _, s := range tt.matches {
			if !re.MatchString(s) {
				t.Errorf("%q does not match %q", tt.pattern, s)
			}
		}
		for _, s := range tt.misses {
			if re.MatchString(s) {
				t.Errorf("%q matches %q", tt.pattern, s)
			}
		}
	}
}
