package lint_test

import (
	"context"
	"fmt"
	"os"

	"spflab/fakedns"
	"spflab/spf/lint"
)

// A draft record, linted against an in-memory zone before it is
// published.
func ExampleLinter_Draft() {
	z, err := fakedns.ParseZoneData([]byte(`
example.com:
  - MX: [10, mail.example.com]
mail.example.com:
  - A: 192.0.2.10
_spf.example.net:
  - TXT: v=spf1 ip4:198.51.100.0/24 -all
`), "zone.yml")
	if err != nil {
		fmt.Println(err)
		return
	}
	l := lint.Linter{Resolver: z}
	rep, err := l.Draft(context.Background(), "example.com", "v=spf1 mx include:_spf.example.net ptr ?all")
	if err != nil {
		fmt.Println(err)
		return
	}
	lint.WriteText(os.Stdout, rep)
	// Output:
	// example.com (draft): "v=spf1 mx include:_spf.example.net ptr ?all" (3 lookups; 257 IPv4 addresses, and what ptr, exists or macros add)
	//   mx                        lookup #1; 1 host: mail.example.com (1 address)
	//   include:_spf.example.net  lookup #2
	//     _spf.example.net: "v=spf1 ip4:198.51.100.0/24 -all" (0 lookups; 256 IPv4 addresses)
	//       ip4:198.51.100.0/24
	//       -all
	//   ptr                       lookup #3; looks up the client's PTR names, up to 10, and their addresses
	//   ?all
	//
	// DNS-querying terms: 3/10   void lookups: 0/2
	// authorised: 257 IPv4 addresses, and what ptr, exists or macros add
	//
	// warning SPF-L016 ptr: example.com, column 36, "ptr": ptr is slow, unreliable and puts load on the DNS servers of the client's network; RFC 7208 says not to use it (RFC 7208 §5.5)
	//     v=spf1 mx include:_spf.example.net ptr ?all
	//                                        ^^^
	//     fix: list the senders' addresses with ip4/ip6, or name them with the a mechanism
	//
	// warning SPF-L018 all-neutral: example.com, column 40, "?all": "?all" makes every other host neutral: receivers treat it like no SPF record at all (RFC 7208 §5.1)
	//     v=spf1 mx include:_spf.example.net ptr ?all
	//                                            ^^^^
	//     fix: use "-all" (or "~all" while you test)
	//
	// 0 errors, 2 warnings, 0 info
}
