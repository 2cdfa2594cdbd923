package dkim

import (
	"strings"

	"github.com/emersion/go-msgauth/authres"
)

// AuthResultsClause returns the dkim= clause of an Authentication-Results
// header field for s (RFC 8601 §2.7.1), with the reason in a comment, e.g.
// "dkim=pass (2048-bit RSA key) header.a=rsa-sha256 header.d=euston.net
// header.i=@euston.net header.s=lab", or "dkim=none (message not signed)".
func AuthResultsClause(s Signature) string {
	var params map[string]string
	words := "message not signed"
	if s.Result != None {
		params = map[string]string{"header.d": s.Domain, "header.i": s.Identifier, "header.s": s.Selector, "header.a": s.Algorithm}
		words = keyWords(s.KeyAlgorithm, s.KeyBits)
		if s.Err != nil {
			words = s.Err.Error()
		}
	}
	clause := authres.Format("", []authres.Result{&authres.GenericResult{Method: "dkim", Value: authres.ResultValue(s.Result), Params: params}})
	clause = strings.TrimSpace(strings.TrimPrefix(clause, "; "))
	method, props, _ := strings.Cut(clause, " ")
	return strings.TrimSpace(method + " (" + escapeComment(words) + ") " + props)
}

// escapeComment makes s the text of an RFC 5322 comment (§3.2.2):
// parentheses and backslashes quoted. A semicolon, legal in a comment,
// becomes a comma, as simple parsers split clauses at every semicolon.
var escapeComment = strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`, ";", ",", "\r", "", "\n", "").Replace
