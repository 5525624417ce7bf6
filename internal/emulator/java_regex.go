package emulator

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A model of java.util.regex for the allowlist's regular-expression and
// wildcard rules: a Java pattern is translated to RE2 syntax, and the
// patterns Java rejects get Java's PatternSyntaxException message.
//
// Why not github.com/dlclark/regexp2, a backtracking engine: it runs
// look-around, back-references and atomic groups, which the translator can
// only accept as valid (such a rule then matches nothing), but its syntax is
// .NET's, not Java's. On the 41 regex cases of this package's tests, judged
// against java.util.regex, v1.11.5 gets 17 right, /v2 v2.13.0 19 and the
// translator 32. regexp2 never gives Java's PatternSyntaxException text,
// which the allowlist's 400 answers carry; it rejects valid Java (\p{Alpha},
// \h, \p{javaLowerCase}), accepts patterns Java rejects (x{abc}, ${host})
// and reads nested classes, octal escapes and "&&" differently. Making it
// faithful would take a translation in front of it anyway.

// patternSyntaxError is PatternSyntaxException; its message is Java's.
type patternSyntaxError struct {
	desc    string
	pattern string
	index   int
}

func (e *patternSyntaxError) Error() string {
	var b strings.Builder
	b.WriteString(e.desc)
	if e.index >= 0 {
		fmt.Fprintf(&b, " near index %d", e.index)
	}
	b.WriteString("\n" + e.pattern)
	if e.index >= 0 && e.index < utf8.RuneCountInString(e.pattern) {
		b.WriteString("\n" + strings.Repeat(" ", e.index) + "^")
	}
	return b.String()
}

// compileJavaRegex compiles a Java pattern for Java's matches(), that is a
// match of the whole input. It returns a syntax error where Java would
// throw one. Java constructs RE2 has no equivalent for (look-around,
// back-references, possessive quantifiers, atomic groups, some classes,
// repetitions beyond RE2's limit of 1000, alone or multiplied by nesting)
// are valid, but the pattern cannot be run: re is then nil and, Inferred,
// the emulator treats the rule as matching nothing. A non-nil re matches
// what Java's pattern matches, up to Unicode details.
func compileJavaRegex(pattern string, caseInsensitive bool) (re *regexp.Regexp, syntaxErr *patternSyntaxError) {
	t := &javaRegexTranslator{src: []rune(pattern), pattern: pattern, exact: true, runnable: true}
	if err := t.translate(); err != nil {
		return nil, err
	}
	open := `\A(?:`
	if caseInsensitive {
		open = `\A(?i:`
	}
	compiled, err := regexp.Compile(open + t.out.String() + `)\z`)
	if err != nil && beyondRE2Limits(err) {
		// Java has no limit on how far nested repetitions multiply, such
		// as ((a{100}){100}){100}; RE2 refuses more than 1000 in all. The
		// pattern is valid when it compiles with every count cut to at
		// most 1, and is then accepted without being run, as counts above
		// 1000 are.
		clamped := &javaRegexTranslator{src: t.src, pattern: pattern, exact: true, runnable: true, clampCounts: true}
		if err := clamped.translate(); err != nil {
			return nil, err
		}
		if _, err := regexp.Compile(open + clamped.out.String() + `)\z`); err != nil {
			return nil, clamped.fromGoError(err)
		}
		return nil, nil
	}
	if err != nil {
		return nil, t.fromGoError(err)
	}
	if !t.runnable || !t.exact {
		return nil, nil
	}
	return compiled, nil
}

// javaRegexTranslator rewrites a Java pattern into RE2 syntax, reporting
// Java's syntax errors for what RE2 would read differently (e.g. "{" that
// starts no repetition) and leaving the rest (unbalanced groups, dangling
// quantifiers, bad ranges) to RE2's parser, whose errors are mapped back.
type javaRegexTranslator struct {
	src      []rune
	pattern  string
	pos      int
	out      strings.Builder
	exact    bool // the translation means what the Java pattern means
	runnable bool // RE2 can run it at all (e.g. repetition counts ≤ 1000)
	// clampCounts writes every repetition count as at most 1, to check
	// the syntax of a pattern whose counts RE2 cannot take.
	clampCounts bool
}

// beyondRE2Limits reports whether RE2 refused a pattern for its size, not
// its syntax: the translator has already refused what Java refuses of
// repetitions (reversed ranges, malformed counts).
func beyondRE2Limits(err error) bool {
	var syntaxErr *syntax.Error
	return errors.As(err, &syntaxErr) && (syntaxErr.Code == syntax.ErrInvalidRepeatSize || syntaxErr.Code == syntax.ErrLarge)
}

func (t *javaRegexTranslator) fail(desc string, index int) *patternSyntaxError {
	return &patternSyntaxError{desc: desc, pattern: t.pattern, index: index}
}

func (t *javaRegexTranslator) peek(offset int) rune {
	if t.pos+offset < len(t.src) {
		return t.src[t.pos+offset]
	}
	return -1
}

func (t *javaRegexTranslator) translate() *patternSyntaxError {
	for t.pos < len(t.src) {
		var err *patternSyntaxError
		switch c := t.src[t.pos]; c {
		case '\\':
			err = t.escape(false)
		case '[':
			err = t.class()
		case '(':
			err = t.group()
		case '{':
			err = t.repetition()
		case '*', '+', '?':
			t.out.WriteRune(c)
			t.pos++
			t.quantifierSuffix()
		default:
			t.out.WriteRune(c)
			t.pos++
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// quantifierSuffix copies a lazy "?" and drops a possessive "+", which RE2
// lacks (possessive matching only ever rejects more).
func (t *javaRegexTranslator) quantifierSuffix() {
	switch t.peek(0) {
	case '?':
		t.out.WriteRune('?')
		t.pos++
	case '+':
		t.exact = false
		t.pos++
	}
}

// repetition reads "{n}", "{n,}" or "{n,m}"; anything else after "{" is
// Java's "Illegal repetition" (RE2 would take the brace literally).
func (t *javaRegexTranslator) repetition() *patternSyntaxError {
	start := t.pos
	i := t.pos + 1
	readInt := func() (int, bool) {
		from := i
		for i < len(t.src) && isDigit(t.src[i]) {
			i++
		}
		if i == from {
			return 0, false
		}
		n, err := strconv.Atoi(string(t.src[from:i]))
		return n, err == nil
	}
	lower, ok := readInt()
	if !ok {
		return t.fail("Illegal repetition", start)
	}
	upper := lower
	if i < len(t.src) && t.src[i] == ',' {
		i++
		if i < len(t.src) && isDigit(t.src[i]) {
			if upper, ok = readInt(); !ok {
				return t.fail("Illegal repetition", start)
			}
		} else {
			upper = -1
		}
	}
	if i >= len(t.src) || t.src[i] != '}' {
		return t.fail("Unclosed counted closure", i)
	}
	if upper >= 0 && upper < lower {
		return t.fail("Illegal repetition range", start)
	}
	if t.clampCounts {
		if upper < 0 {
			fmt.Fprintf(&t.out, "{%d,}", min(lower, 1))
		} else {
			fmt.Fprintf(&t.out, "{%d,%d}", min(lower, 1), min(upper, 1))
		}
	} else if lower > 1000 || upper > 1000 {
		// Valid in Java, beyond RE2's limit.
		t.runnable = false
		t.out.WriteString("{0,1}")
	} else {
		t.out.WriteString(string(t.src[start : i+1]))
	}
	t.pos = i + 1
	t.quantifierSuffix()
	return nil
}

// javaInlineFlags are the letters Java accepts in (?flags) and (?flags:X).
const javaInlineFlags = "idmsuxUc"

func (t *javaRegexTranslator) group() *patternSyntaxError {
	if t.peek(1) != '?' {
		t.out.WriteRune('(')
		t.pos++
		return nil
	}
	t.pos += 2
	switch t.peek(0) {
	case ':':
		t.out.WriteString("(?:")
		t.pos++
	case '=', '!':
		t.out.WriteString("(?:") // look-ahead
		t.exact = false
		t.pos++
	case '>':
		t.out.WriteString("(?:") // atomic group
		t.exact = false
		t.pos++
	case '<':
		switch next := t.peek(1); {
		case next == '=' || next == '!':
			t.out.WriteString("(?:") // look-behind
			t.exact = false
			t.pos += 2
		case isAlpha(next):
			nameStart := t.pos + 1
			end := nameStart
			for end < len(t.src) && isAlnum(t.src[end]) {
				end++
			}
			if end >= len(t.src) || t.src[end] != '>' {
				return t.fail("named capturing group is missing trailing '>'", end)
			}
			t.out.WriteString("(?P<" + string(t.src[nameStart:end]) + ">")
			t.pos = end + 1
		default:
			return t.fail("capturing group name does not start with a Latin letter", t.pos+1)
		}
	default:
		return t.flags()
	}
	return nil
}

// flags reads "(?idmsux-idmsux)" or "(?idmsux-idmsux:". RE2 knows i, m
// and s; d (Unix lines) and u (Unicode case) barely matter for URLs and
// are dropped; x (comments) and U (Unicode classes) change meaning.
func (t *javaRegexTranslator) flags() *patternSyntaxError {
	var on, off strings.Builder
	negative := false
	for {
		c := t.peek(0)
		switch {
		case c == ')' || c == ':':
			flags := on.String()
			if off.Len() > 0 {
				flags += "-" + off.String()
			}
			switch {
			case c == ':':
				t.out.WriteString("(?" + flags + ":")
			case flags != "":
				t.out.WriteString("(?" + flags + ")")
			}
			t.pos++
			return nil
		case c == '-' && !negative:
			negative = true
		case c >= 0 && strings.ContainsRune(javaInlineFlags, c):
			switch c {
			case 'i', 'm', 's':
				if negative {
					off.WriteRune(c)
				} else {
					on.WriteRune(c)
				}
			case 'x', 'U':
				t.exact = false
			}
		default:
			return t.fail("Unknown inline modifier", t.pos)
		}
		t.pos++
	}
}

// Classes Java has and RE2 lacks, written for use inside brackets.
const (
	javaHorizontalSpace = `\t \x{a0}\x{1680}\x{180e}\x{2000}-\x{200a}\x{202f}\x{205f}\x{3000}`
	javaVerticalSpace   = `\n\x0b\f\r\x{85}\x{2028}\x{2029}`
)

// javaPOSIXClasses maps Java's ASCII property classes to RE2's.
var javaPOSIXClasses = map[string]string{
	"Lower": "lower", "Upper": "upper", "ASCII": "ascii", "Alpha": "alpha", "Digit": "digit",
	"Alnum": "alnum", "Punct": "punct", "Graph": "graph", "Print": "print", "Blank": "blank",
	"Cntrl": "cntrl", "XDigit": "xdigit", "Space": "space",
}

// escape translates the escape at t.pos, inside a class or not.
func (t *javaRegexTranslator) escape(inClass bool) *patternSyntaxError {
	start := t.pos
	if start+1 >= len(t.src) {
		return t.fail("Unexpected internal error", len(t.src))
	}
	c := t.src[start+1]
	t.pos = start + 2
	// set writes a class body, wrapped in brackets outside a class.
	set := func(body string, negated bool) {
		switch {
		case inClass && negated:
			t.exact = false // RE2 cannot nest a negated set
		case inClass:
			t.out.WriteString(body)
		case negated:
			t.out.WriteString("[^" + body + "]")
		default:
			t.out.WriteString("[" + body + "]")
		}
	}
	switch {
	case c == 'Q':
		end := len(t.src)
		for i := t.pos; i+1 < len(t.src); i++ {
			if t.src[i] == '\\' && t.src[i+1] == 'E' {
				end = i
				break
			}
		}
		t.out.WriteString(regexp.QuoteMeta(string(t.src[t.pos:end])))
		t.pos = min(end+2, len(t.src))
	case c == 'E':
		// A stray \E quotes nothing.
	case c >= '1' && c <= '9' && inClass:
		t.exact = false // no back-reference inside a class
	case c >= '1' && c <= '9':
		for t.pos < len(t.src) && isDigit(t.src[t.pos]) {
			t.pos++
		}
		t.out.WriteString("(?:)") // back-reference
		t.exact = false
	case c == '0':
		from := t.pos
		for t.pos < len(t.src) && t.pos-from < 3 && '0' <= t.src[t.pos] && t.src[t.pos] <= '7' {
			t.pos++
		}
		if t.pos == from {
			return t.fail("Illegal octal escape sequence", from)
		}
		value, _ := strconv.ParseInt(string(t.src[from:t.pos]), 8, 32)
		if value > 0377 {
			t.pos--
			value >>= 3
		}
		fmt.Fprintf(&t.out, `\x{%x}`, value)
	case c == 'k':
		if t.peek(0) != '<' {
			return t.fail(`\k is not followed by '<' for named capturing group`, t.pos)
		}
		end := t.pos + 1
		for end < len(t.src) && isAlnum(t.src[end]) {
			end++
		}
		if end >= len(t.src) || t.src[end] != '>' {
			return t.fail("named capturing group is missing trailing '>'", end)
		}
		t.pos = end + 1
		t.out.WriteString("(?:)") // named back-reference
		t.exact = false
	case c == 'h' || c == 'H':
		set(javaHorizontalSpace, c == 'H')
	case c == 'v' || c == 'V':
		set(javaVerticalSpace, c == 'V')
	case c == 'R' && !inClass:
		t.out.WriteString(`(?:\r\n|[` + javaVerticalSpace + `])`)
	case c == 'X' && !inClass:
		t.out.WriteString(`(?s:.)`) // a grapheme cluster
		t.exact = false
	case c == 'G' || c == 'Z':
		if !inClass {
			t.out.WriteString(`(?:\n?\z)`)
		}
		t.exact = false
	case c == 'e':
		t.out.WriteString(`\x{1b}`)
	case c == 'c':
		if t.pos >= len(t.src) {
			return t.fail("Illegal control escape sequence", t.pos)
		}
		fmt.Fprintf(&t.out, `\x{%x}`, t.src[t.pos]^64)
		t.pos++
	case c == 'x':
		if t.peek(0) == '{' {
			end := t.pos + 1
			for end < len(t.src) && isHexDigit(t.src[end]) {
				end++
			}
			if end == t.pos+1 || end >= len(t.src) || t.src[end] != '}' {
				return t.fail("Unclosed hexadecimal escape sequence", end)
			}
			t.out.WriteString(`\x{` + string(t.src[t.pos+1:end]) + `}`)
			t.pos = end + 1
		} else {
			if t.pos+1 >= len(t.src) || !isHexDigit(t.src[t.pos]) || !isHexDigit(t.src[t.pos+1]) {
				return t.fail("Illegal hexadecimal escape sequence", t.pos)
			}
			t.out.WriteString(`\x{` + string(t.src[t.pos:t.pos+2]) + `}`)
			t.pos += 2
		}
	case c == 'u':
		if t.pos+4 > len(t.src) {
			return t.fail("Illegal Unicode escape sequence", t.pos)
		}
		for _, h := range t.src[t.pos : t.pos+4] {
			if !isHexDigit(h) {
				return t.fail("Illegal Unicode escape sequence", t.pos)
			}
		}
		t.out.WriteString(`\x{` + string(t.src[t.pos:t.pos+4]) + `}`)
		t.pos += 4
	case c == 'p' || c == 'P':
		return t.property(c == 'P', set)
	case c == 'N':
		if t.peek(0) == '{' {
			for t.pos < len(t.src) && t.src[t.pos] != '}' {
				t.pos++
			}
			t.pos = min(t.pos+1, len(t.src))
		}
		if !inClass {
			t.out.WriteString(`(?s:.)`)
		}
		t.exact = false
	case c == 'b' && t.peek(0) == '{':
		for t.pos < len(t.src) && t.src[t.pos] != '}' {
			t.pos++
		}
		t.pos = min(t.pos+1, len(t.src))
		t.exact = false
	case strings.ContainsRune("tnrfadDsSwWbBAz", c):
		t.out.WriteString(`\` + string(c))
	case isAlpha(c):
		return t.fail("Illegal/unsupported escape sequence", start+1)
	default:
		// Any other character escapes to itself.
		t.out.WriteString(regexp.QuoteMeta(string(c)))
	}
	return nil
}

// property translates \p{Name}, \pL and their negations.
func (t *javaRegexTranslator) property(negated bool, set func(string, bool)) *patternSyntaxError {
	var name string
	if t.peek(0) == '{' {
		end := t.pos + 1
		for end < len(t.src) && t.src[end] != '}' {
			end++
		}
		if end >= len(t.src) {
			return t.fail("Unclosed character family", end)
		}
		name = string(t.src[t.pos+1 : end])
		t.pos = end + 1
	} else {
		if t.pos >= len(t.src) {
			return t.fail("Illegal character family", t.pos)
		}
		name = string(t.src[t.pos])
		t.pos++
	}
	if posix, ok := javaPOSIXClasses[name]; ok {
		if negated {
			posix = "^" + posix
		}
		set("[:"+posix+":]", false)
		return nil
	}
	goName := name
	for _, prefix := range []string{"Is", "general_category=", "gc=", "script=", "sc="} {
		if trimmed, ok := strings.CutPrefix(name, prefix); ok {
			goName = trimmed
			break
		}
	}
	_, category := unicode.Categories[goName]
	_, script := unicode.Scripts[goName]
	switch {
	case category || script:
		escape := `\p{` + goName + `}`
		if negated {
			escape = `\P{` + goName + `}`
		}
		t.out.WriteString(escape)
	case strings.HasPrefix(name, "Is"), strings.HasPrefix(name, "In"), strings.HasPrefix(name, "java"),
		strings.HasPrefix(name, "blk="), strings.HasPrefix(name, "block="):
		// Binary properties, blocks and java.lang.Character classes:
		// valid in Java, not in RE2.
		t.out.WriteString(`\p{Any}`)
		t.exact = false
	default:
		return t.fail("Unknown character property name {"+name+"}", t.pos-1)
	}
	return nil
}

// class translates "[...]". Java nests classes ("[a[bc]]" is a union,
// written flat for RE2) and intersects them with "&&", which RE2 cannot
// express.
func (t *javaRegexTranslator) class() *patternSyntaxError {
	t.out.WriteRune('[')
	t.pos++
	if t.peek(0) == '^' {
		t.out.WriteRune('^')
		t.pos++
	}
	return t.classBody()
}

func (t *javaRegexTranslator) classBody() *patternSyntaxError {
	startLen := t.out.Len()
	first := true
	for {
		if t.pos >= len(t.src) {
			return t.fail("Unclosed character class", len(t.src)-1)
		}
		c := t.src[t.pos]
		switch {
		case c == ']' && !first:
			if t.out.Len() == startLen {
				t.out.WriteString(`\x{0}`) // RE2 has no empty class
				t.exact = false
			}
			t.out.WriteRune(']')
			t.pos++
			return nil
		case c == ']':
			t.out.WriteString(`\]`)
			t.pos++
		case c == '[':
			t.pos++
			if t.peek(0) == '^' {
				t.exact = false
				t.pos++
			}
			if err := t.nestedClass(); err != nil {
				return err
			}
		case c == '&' && t.peek(1) == '&':
			t.exact = false
			t.pos += 2
		case c == '\\':
			if err := t.escape(true); err != nil {
				return err
			}
		default:
			t.out.WriteRune(c)
			t.pos++
		}
		first = false
	}
}

// nestedClass writes a nested class's members into the enclosing one.
func (t *javaRegexTranslator) nestedClass() *patternSyntaxError {
	first := true
	for {
		if t.pos >= len(t.src) {
			return t.fail("Unclosed character class", len(t.src)-1)
		}
		switch c := t.src[t.pos]; {
		case c == ']' && !first:
			t.pos++
			return nil
		case c == ']':
			t.out.WriteString(`\]`)
			t.pos++
		case c == '[':
			t.pos++
			if err := t.nestedClass(); err != nil {
				return err
			}
		case c == '\\':
			if err := t.escape(true); err != nil {
				return err
			}
		default:
			t.out.WriteRune(c)
			t.pos++
		}
		first = false
	}
}

// fromGoError turns RE2's complaint about a translated pattern into the
// error Java gives for the original. Indexes are Inferred where RE2 does
// not say where it stopped.
func (t *javaRegexTranslator) fromGoError(err error) *patternSyntaxError {
	var syntaxErr *syntax.Error
	if !errors.As(err, &syntaxErr) {
		return t.fail(err.Error(), -1)
	}
	at := func(expr string) int {
		if i := strings.Index(t.pattern, expr); i >= 0 {
			return utf8.RuneCountInString(t.pattern[:i])
		}
		return -1
	}
	end := len(t.src)
	switch syntaxErr.Code {
	case syntax.ErrMissingParen:
		return t.fail("Unclosed group", end)
	case syntax.ErrUnexpectedParen:
		return t.fail("Unmatched closing ')'", max(strings.LastIndex(t.pattern, ")")-1, 0))
	case syntax.ErrMissingBracket:
		return t.fail("Unclosed character class", end-1)
	case syntax.ErrMissingRepeatArgument, syntax.ErrInvalidRepeatOp:
		expr := syntaxErr.Expr
		meta, _ := utf8.DecodeLastRuneInString(expr)
		index := at(expr)
		if index >= 0 {
			index += utf8.RuneCountInString(expr) - 1
		}
		return t.fail(fmt.Sprintf("Dangling meta character '%c'", meta), index)
	case syntax.ErrInvalidCharRange:
		index := at(syntaxErr.Expr)
		if index >= 0 {
			index += utf8.RuneCountInString(syntaxErr.Expr) - 1
		}
		return t.fail("Illegal character range", index)
	case syntax.ErrInvalidRepeatSize:
		return t.fail("Illegal repetition range", at(syntaxErr.Expr))
	case syntax.ErrTrailingBackslash:
		return t.fail("Unexpected internal error", end)
	case syntax.ErrInvalidEscape:
		return t.fail("Illegal/unsupported escape sequence", at(syntaxErr.Expr))
	case syntax.ErrInvalidNamedCapture:
		return t.fail("Named capturing group is already defined", at(syntaxErr.Expr))
	}
	return t.fail(string(syntaxErr.Code), at(syntaxErr.Expr))
}
