package zonedata_test

import (
	"context"
	"fmt"

	"spflab/fakedns/zonedata"
)

func ExampleParse() {
	z, err := zonedata.Parse([]byte(`
euston.net:
  - SPF: v=spf1 ip4:192.0.2.25 -all
  - MX: [10, mail.euston.net]
slow.euston.net:
  - TIMEOUT
`), "euston.yml")
	if err != nil {
		fmt.Println(err)
		return
	}
	txt, _ := z.LookupTXT(context.Background(), "euston.net") // the SPF entry, served as TXT too
	fmt.Println(txt)
	_, err = z.LookupA(context.Background(), "slow.euston.net")
	fmt.Println(err)

	_, err = zonedata.Parse([]byte("euston.net:\n  - A: 192.0.2.300\n"), "bad.yml")
	fmt.Println(err)
	// Output:
	// [v=spf1 ip4:192.0.2.25 -all]
	// A slow.euston.net: timeout
	// bad.yml:2: bad address "192.0.2.300" in A record of euston.net
}
