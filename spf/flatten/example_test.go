package flatten_test

import (
	"context"
	"fmt"

	"spflab/fakedns/zonedata"
	"spflab/spf/flatten"
)

// Flatten a record whose include and mx cost three lookups into one
// record that costs none.
func ExampleFlattener_Flatten() {
	z, err := zonedata.Parse([]byte(`
example.com:
  - TXT: v=spf1 include:_spf.mail.example.net mx -all
  - MX: [10, mx.example.com]
mx.example.com:
  - A: 192.0.2.10
_spf.mail.example.net:
  - TXT: v=spf1 ip4:198.51.100.0/25 ip4:198.51.100.128/25 ~all
`), "example.yml")
	if err != nil {
		panic(err)
	}
	res, err := (&flatten.Flattener{Resolver: z}).Flatten(context.Background(), "example.com")
	if err != nil {
		panic(err)
	}
	for _, r := range res.Records {
		fmt.Printf("%s TXT %q\n", r.Name, r.Strings)
	}
	fmt.Println("stale when these change:", res.Sources)
	// Output:
	// example.com TXT ["v=spf1 ip4:192.0.2.10 ip4:198.51.100.0/24 -all"]
	// stale when these change: [example.com _spf.mail.example.net mx.example.com]
}
