package dmarc

import (
	"strings"

	"github.com/emersion/go-msgauth/authres"
)

// AuthResultsClause returns the dmarc= clause of an Authentication-Results
// header field for o (RFC 8601 §2.7, RFC 9989 §9.1, §9.2), e.g.
// "dmarc=fail (no aligned identifier, policy reject) header.from=euston.net
// policy.dmarc=reject". policy.dmarc is the disposition, given when a
// record applied.
func AuthResultsClause(o Outcome) string {
	params := map[string]string{"header.from": o.AuthorDomain}
	if o.Record != nil {
		params["policy.dmarc"] = string(o.Disposition)
	}
	clause := authres.Format("", []authres.Result{&authres.GenericResult{Method: "dmarc", Value: authres.ResultValue(o.Result), Params: params}})
	clause = strings.TrimSpace(strings.TrimPrefix(clause, "; "))
	method, props, _ := strings.Cut(clause, " ")
	return strings.TrimSpace(method + " (" + escapeComment(comment(o)) + ") " + props)
}

// comment says in words why o has its result.
func comment(o Outcome) string {
	switch o.Result {
	case Pass:
		var ids []string
		if o.SPFAligned {
			ids = append(ids, "SPF")
		}
		for _, d := range o.DKIMAligned {
			ids = append(ids, "DKIM "+d)
		}
		return "aligned " + strings.Join(ids, " and ")
	case Fail:
		s := "no aligned identifier, policy " + string(o.Policy) + " from " + o.PolicyDomain
		if o.Disposition != o.Policy {
			s += " lowered to " + string(o.Disposition) + " for testing"
		}
		return s
	case None:
		return "no DMARC record for " + o.AuthorDomain
	}
	if o.Err != nil {
		return o.Err.Error()
	}
	return string(o.Result)
}

// escapeComment makes s the text of an RFC 5322 comment (§3.2.2):
// parentheses and backslashes quoted. A semicolon, legal in a comment,
// becomes a comma, as simple parsers split clauses at every semicolon.
var escapeComment = strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`, ";", ",", "\r", "", "\n", "").Replace
