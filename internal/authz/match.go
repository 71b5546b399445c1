package authz

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MatchAction reports whether an RBAC action pattern (from actions,
// notActions, dataActions or notDataActions) covers action. Comparison is
// case-insensitive with the same folding as strings.EqualFold, and `*`
// matches any run of characters, `/` included, so
// "Microsoft.KeyVault/vaults/*/read" covers "Microsoft.KeyVault/vaults/secrets/read".
// A pattern without `*` matches exactly what strings.EqualFold accepts.
func MatchAction(pattern, action string) bool {
	return globFold([]rune(pattern), []rune(action))
}

// globFold is the classic single-wildcard glob with backtracking to the last
// star: worst case O(len(p)*len(s)), no recursion, so hostile patterns cannot
// blow the stack. []rune conversion turns each invalid byte into U+FFFD, the
// same thing strings.EqualFold compares, which keeps the two consistent.
func globFold(p, s []rune) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(p) && foldEq(p[pi], s[si]):
			pi++
			si++
		case star >= 0:
			// Let the last star swallow one more character and retry.
			mark++
			pi, si = star+1, mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// foldEq is strings.EqualFold for a single rune pair.
func foldEq(a, b rune) bool {
	if a == b {
		return true
	}
	if a > b {
		a, b = b, a
	}
	if b < utf8.RuneSelf {
		return 'A' <= a && a <= 'Z' && b == a+'a'-'A'
	}
	r := unicode.SimpleFold(a)
	for r != a && r < b {
		r = unicode.SimpleFold(r)
	}
	return r == b
}

// IsAncestorOrSelf reports whether the ARM scope ancestor contains scope:
// equal, or a prefix of it ending on a segment boundary, compared
// case-insensitively ("/subscriptions/S1" contains
// "/subscriptions/s1/resourceGroups/rg" but not "/subscriptions/s10").
// "/" is the root and contains every scope. Trailing slashes are ignored.
// Anything that does not start with "/" is not a scope and contains nothing.
func IsAncestorOrSelf(ancestor, scope string) bool {
	if !strings.HasPrefix(ancestor, "/") || !strings.HasPrefix(scope, "/") {
		return false
	}
	as, ss := strings.TrimRight(ancestor, "/"), strings.TrimRight(scope, "/")
	if isASCII(as) && isASCII(ss) {
		// The common case, without converting to runes.
		if len(ss) < len(as) || !strings.EqualFold(as, ss[:len(as)]) {
			return false
		}
		return len(as) == 0 || len(ss) == len(as) || ss[len(as)] == '/'
	}
	a, s := []rune(as), []rune(ss)
	if len(a) == 0 {
		return true
	}
	if len(s) < len(a) {
		return false
	}
	for i := range a {
		if !foldEq(a[i], s[i]) {
			return false
		}
	}
	return len(s) == len(a) || s[len(a)] == '/'
}

// scopeDepth counts segments, so the most specific of several granting
// assignments can be reported.
func scopeDepth(scope string) int {
	return strings.Count(strings.TrimRight(scope, "/"), "/")
}

// sameScope compares two scopes the way ARM identifies them.
func sameScope(a, b string) bool {
	return IsAncestorOrSelf(a, b) && IsAncestorOrSelf(b, a)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
