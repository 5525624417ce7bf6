package validators

import (
	"strings"
	"testing"
)

func TestCheckJavaRegex(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern     string
		wantProblem string
		wantWarning string
	}{
		{pattern: `https://(www\.)?example\.com/.*`},
		{pattern: `https?://[a-z]+\.example\.com(:\d{2,5})?/api/.*`},
		{pattern: `(?<host>[a-z]+)\.example\.com`},
		{pattern: `\Q{literal}\E`},
		{pattern: `[{}]+`},
		{pattern: `\x{41}\p{L}`},
		{pattern: `a{1001}`, wantWarning: "a repetition count above 1000"},
		// Each count is 100; only their product passes Go's limit.
		{pattern: `https://((a{100}){100}){100}\.example\.com`, wantWarning: "repetitions nested so deeply that together they repeat more than 1000 times"},
		{pattern: `(?=x)x`, wantWarning: "a look-ahead"},
		{pattern: `(?<!admin)/.*`, wantWarning: "a look-behind"},
		{pattern: `(?>ab)c`, wantWarning: "an atomic group"},
		{pattern: `(a)\1`, wantWarning: "a back-reference"},
		{pattern: `a*+b`, wantWarning: "a possessive quantifier"},
		{pattern: `\p{Alpha}+`, wantWarning: "a Java character class"},
		{pattern: `\h+`, wantWarning: "a Java escape sequence"},
		{pattern: `(?u)a`, wantWarning: "a Java-only inline flag"},
		{pattern: `(abc`, wantProblem: `does not compile: a group is not closed (missing ")")`},
		{pattern: `abc)`, wantProblem: `there is a ")" without a group to close`},
		{pattern: `[abc`, wantProblem: `a character class is not closed`},
		{pattern: `*abc`, wantProblem: `the quantifier in "*" has nothing to repeat`},
		{pattern: `a**`, wantProblem: `the quantifier in "**" has nothing to repeat`},
		{pattern: `abc\`, wantProblem: "ends with a lone backslash"},
		{pattern: `\y`, wantProblem: "invalid escape sequence"},
		{pattern: `[z-a]`, wantProblem: "invalid character class range"},
		{pattern: `a{3,1}`, wantProblem: "invalid repeat count"},
		{pattern: `https://x/{id}`, wantProblem: `has "{" at offset 10, which Java reads as the start of a repetition`},
		{pattern: `(?P<n>x)`, wantProblem: `"(?P<" at offset 0, which Java does not accept`},
	}
	for _, tt := range tests {
		problem, warning := CheckJavaRegex(tt.pattern)
		switch {
		case tt.wantProblem == "" && problem != "":
			t.Errorf("%q: unexpected problem %q", tt.pattern, problem)
		case tt.wantProblem != "" && !strings.Contains(problem, tt.wantProblem):
			t.Errorf("%q: problem %q, want it to contain %q", tt.pattern, problem, tt.wantProblem)
		case tt.wantWarning == "" && warning != "":
			t.Errorf("%q: unexpected warning %q", tt.pattern, warning)
		case tt.wantWarning != "" && !strings.Contains(warning, tt.wantWarning):
			t.Errorf("%q: warning %q, want it to contain %q", tt.pattern, warning, tt.wantWarning)
		}
	}
}
