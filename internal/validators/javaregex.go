package validators

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
)

// CheckJavaRegex checks a pattern that a Java server will compile with
// java.util.regex.Pattern, using Go's parser where the two syntaxes agree.
//
// It returns a problem (as the end of a sentence) for syntax Java rejects
// too: unbalanced groups or brackets, dangling quantifiers, bad ranges, a
// "{" that starts no repetition (literal in Go, an error in Java), Go-only
// "(?P<name>" groups. Where Go stops at a construct Java accepts
// (look-around, back-references, possessive quantifiers, atomic groups,
// Java's \p{...} classes and escapes), it returns a warning instead: the
// pattern may be valid, but the rest of it could not be checked here.
func CheckJavaRegex(pattern string) (problem, warning string) {
	if p := javaOnlyErrors(pattern); p != "" {
		return p, ""
	}
	_, err := syntax.Parse(pattern, syntax.Perl)
	if err == nil {
		return "", ""
	}
	var syntaxErr *syntax.Error
	if !errors.As(err, &syntaxErr) {
		return "does not compile: " + err.Error(), ""
	}
	if construct := javaOnlyConstruct(syntaxErr); construct != "" {
		return "", fmt.Sprintf("uses %s (%s), which Java accepts but this provider cannot check; the server checks the pattern when it is applied", construct, syntaxErr.Expr)
	}
	return "does not compile: " + describeSyntaxError(syntaxErr), ""
}

// javaOnlyErrors finds what Go accepts and Java rejects, scanning outside
// character classes and escapes.
func javaOnlyErrors(pattern string) string {
	inClass := false
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '\\':
			if i+1 < len(pattern) && pattern[i+1] == 'Q' {
				end := strings.Index(pattern[i+2:], `\E`)
				if end < 0 {
					return ""
				}
				i += end + 3
				continue
			}
			i++
			// \p{Name}, \x{hex} and \N{name} carry their own braces.
			if i+1 < len(pattern) && strings.IndexByte("pPxN", pattern[i]) >= 0 && pattern[i+1] == '{' {
				if end := strings.IndexByte(pattern[i:], '}'); end >= 0 {
					i += end
				}
			}
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
			if strings.HasPrefix(pattern[i+1:], "]") || strings.HasPrefix(pattern[i+1:], "^]") {
				i += strings.Index(pattern[i:], "]")
			}
		case c == '{':
			if !isRepetition(pattern[i:]) {
				return fmt.Sprintf("has %q at offset %d, which Java reads as the start of a repetition such as {2} or {1,3}; write \\{ for a literal brace", "{", i)
			}
		case strings.HasPrefix(pattern[i:], "(?P<"):
			return fmt.Sprintf("uses a named group \"(?P<\" at offset %d, which Java does not accept; write (?<name>...)", i)
		}
	}
	return ""
}

// isRepetition reports whether s starts with {n}, {n,} or {n,m}.
func isRepetition(s string) bool {
	i := 1
	digits := func() int {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - start
	}
	if digits() == 0 {
		return false
	}
	if i < len(s) && s[i] == ',' {
		i++
		digits()
	}
	return i < len(s) && s[i] == '}'
}

// javaOnlyConstruct names the Java feature behind a Go parse error, or ""
// when Java would reject the pattern as well.
func javaOnlyConstruct(err *syntax.Error) string {
	expr := err.Expr
	switch err.Code {
	case syntax.ErrInvalidPerlOp:
		switch {
		case strings.HasPrefix(expr, "(?=") || strings.HasPrefix(expr, "(?!"):
			return "a look-ahead"
		case strings.HasPrefix(expr, "(?>"):
			return "an atomic group"
		case strings.HasPrefix(expr, "(?") && strings.ContainsAny(expr, "dux"):
			return "a Java-only inline flag"
		}
	case syntax.ErrInvalidNamedCapture:
		// Go reads "(?<" as a named group.
		if strings.HasPrefix(expr, "(?<=") || strings.HasPrefix(expr, "(?<!") {
			return "a look-behind"
		}
	case syntax.ErrInvalidEscape:
		if len(expr) >= 2 {
			switch c := expr[1]; {
			case c >= '1' && c <= '9', c == 'k':
				return "a back-reference"
			case strings.IndexByte("hHRXGZeuc0N", c) >= 0:
				return "a Java escape sequence"
			}
		}
	case syntax.ErrInvalidRepeatOp:
		if strings.HasSuffix(expr, "+") {
			return "a possessive quantifier"
		}
	case syntax.ErrInvalidCharRange:
		if strings.HasPrefix(expr, `\p`) || strings.HasPrefix(expr, `\P`) {
			return "a Java character class"
		}
	case syntax.ErrInvalidRepeatSize:
		i := strings.Index(expr, "{")
		if i < 0 || !isRepetition(expr[i:]) {
			return ""
		}
		var lower, upper int
		if n, _ := fmt.Sscanf(expr[i:], "{%d,%d}", &lower, &upper); n == 2 && upper < lower {
			return "" // Java's "Illegal repetition range"
		}
		if hasCountAbove(err.Expr, 1000) {
			return "a repetition count above 1000"
		}
		// Go also refuses repetitions nested so that they multiply to more
		// than 1000, such as ((a{100}){100}){100}; Java has no such limit.
		return "repetitions nested so deeply that together they repeat more than 1000 times"
	}
	return ""
}

// hasCountAbove reports whether a {n}, {n,} or {n,m} in expr counts above
// limit.
func hasCountAbove(expr string, limit int) bool {
	for _, m := range repetitionCounts.FindAllStringSubmatch(expr, -1) {
		for _, digits := range m[1:] {
			if n, err := strconv.Atoi(digits); err == nil && n > limit {
				return true
			}
		}
	}
	return false
}

var repetitionCounts = regexp.MustCompile(`\{(\d+)(?:,(\d*))?\}`)

// describeSyntaxError words Go's error the way a Java user knows it.
func describeSyntaxError(err *syntax.Error) string {
	switch err.Code {
	case syntax.ErrMissingParen:
		return "a group is not closed (missing \")\")"
	case syntax.ErrUnexpectedParen:
		return "there is a \")\" without a group to close"
	case syntax.ErrMissingBracket:
		return "a character class is not closed (missing \"]\")"
	case syntax.ErrMissingRepeatArgument, syntax.ErrInvalidRepeatOp:
		return fmt.Sprintf("the quantifier in %q has nothing to repeat", err.Expr)
	case syntax.ErrTrailingBackslash:
		return "it ends with a lone backslash"
	}
	return err.Error()
}
