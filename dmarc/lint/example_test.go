package lint_test

import (
	"context"
	"fmt"
	"os"

	"spflab/dmarc/lint"
	"spflab/fakedns/zonedata"
)

// A record that only monitors, still carries a tag RFC 9989 removed, and
// sends its aggregate reports to a provider that has consented.
func ExampleLinter_Lint() {
	z, err := zonedata.Parse([]byte(`
_dmarc.example.com:
  - TXT: v=DMARC1; p=none; pct=50; rua=mailto:dmarc@reports.example.net
example.com._report._dmarc.reports.example.net:
  - TXT: v=DMARC1
`), "zone.yml")
	if err != nil {
		fmt.Println(err)
		return
	}
	l := lint.Linter{Resolver: z}
	rep, err := l.Lint(context.Background(), "example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	lint.WriteText(os.Stdout, rep)
	// Output:
	// DMARC policy for example.com: "v=DMARC1; p=none; pct=50; rua=mailto:dmarc@reports.example.net" at _dmarc.example.com (organizational domain example.com)
	//   TXT _dmarc.example.com → "v=DMARC1; p=none; pct=50; rua=mailto:dmarc@reports.example.net"
	//   example.com publishes a DMARC record; ignored: column 19: tag "pct": RFC 9989 removed this tag of RFC 7489 (Appendix C.5.2); it is ignored
	//   policy record: _dmarc.example.com (the Author Domain)
	//   TXT _dmarc.com: no such name
	//   organizational domain of example.com: example.com (the domain with a DMARC record and the fewest labels, RFC 9989 §4.10.2 rule 3)
	// report destinations:
	//   rua mailto:dmarc@reports.example.net: reports.example.net, another organization, consents at TXT example.com._report._dmarc.reports.example.net
	//
	// warning DMARC-L006 removed-tag: _dmarc.example.com, column 19, "pct=50": tag "pct": RFC 9989 removed this tag of RFC 7489; it is ignored (RFC 9989 Appendix C.5.2)
	//     v=DMARC1; p=none; pct=50; rua=mailto:dmarc@reports.example.net
	//                       ^^^^^^
	//     fix: remove it: receivers apply the policy to all mail or none; to try a stricter policy first, publish it with t=y
	//
	// info DMARC-L010 policy-none: _dmarc.example.com, column 11, "p=none": p=none asks receivers only to report: mail that fails DMARC is delivered as if there were no record (RFC 9989 §4.7)
	//     v=DMARC1; p=none; pct=50; rua=mailto:dmarc@reports.example.net
	//               ^^^^^^
	//     fix: once the aggregate reports show that your own mail passes, publish p=quarantine, then p=reject
	//
	// 0 errors, 1 warning, 1 info
}
