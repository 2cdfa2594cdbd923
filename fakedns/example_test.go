package fakedns_test

import (
	"context"
	"fmt"
	"net/netip"
	"sync"

	"spflab/fakedns"
	"spflab/livedns"
)

// A zone is built with plain values and answers the lookups of
// spf.Resolver, here the TXT record of the seed's euston.net.
func Example() {
	z := fakedns.NewZone()
	z.AddTXT("euston.net", "v=spf1 ip4:192.0.2.25 -all")
	z.AddMX("euston.net", 10, "mail.euston.net")
	z.AddAddr("mail.euston.net", netip.MustParseAddr("192.0.2.25"))
	z.AddPTR(fakedns.ReverseName(netip.MustParseAddr("192.0.2.25")), "mail.euston.net")

	txt, err := z.LookupTXT(context.Background(), "Euston.NET.")
	fmt.Println(txt, err)
	_, err = z.LookupTXT(context.Background(), "your.friend")
	fmt.Println(err)
	// Output:
	// [v=spf1 ip4:192.0.2.25 -all] <nil>
	// TXT your.friend: no such name
}

// A Server puts a zone on real DNS, UDP and TCP on one port: here on a
// port of loopback the system picks, asked by the live client. OnQuery
// sees every query; Query.String words it in one line, Outcome is its
// part after the arrow.
func ExampleServer() {
	z := fakedns.NewZone()
	z.AddTXT("euston.net", "v=spf1 ip4:192.0.2.25 -all")
	var mu sync.Mutex
	var outcomes []string
	srv := &fakedns.Server{Zone: z, OnQuery: func(q fakedns.Query) {
		mu.Lock()
		outcomes = append(outcomes, q.Type+" "+q.Name+" → "+q.Outcome())
		mu.Unlock()
	}}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		fmt.Println(err)
		return
	}
	c := livedns.NewClient(srv.Addr())
	txt, err := c.LookupTXT(context.Background(), "euston.net")
	fmt.Println(txt, err)
	srv.Shutdown(context.Background()) // OnQuery runs after the answer is sent: wait for it
	mu.Lock()
	fmt.Println(outcomes)
	mu.Unlock()
	// Output:
	// [v=spf1 ip4:192.0.2.25 -all] <nil>
	// [TXT euston.net. → NOERROR: TXT "v=spf1 ip4:192.0.2.25 -all"]
}

// Records gives a name's records as plain data; String is their one
// canonical text, safe for a terminal whatever the zone holds.
func ExampleZone_Records() {
	z := fakedns.NewZone()
	z.AddMX("euston.net", 10, "mail.euston.net")
	z.AddTXT("euston.net", "v=spf1 ip4:192.0.2.25 -all")
	z.AddTXT("euston.net", "bell\a")
	for _, r := range z.Records("euston.net") {
		fmt.Println(r)
	}
	// Output:
	// MX 10 mail.euston.net
	// TXT "v=spf1 ip4:192.0.2.25 -all"
	// TXT "bell\007"
}

// WithDrafts answers "what happens if I publish this?": the draft
// replaces the published SPF record, the other TXT records stay.
func ExampleWithDrafts() {
	z := fakedns.NewZone()
	z.AddTXT("euston.net", "v=spf1 ip4:192.0.2.25 -all")
	z.AddTXT("euston.net", "google-site-verification=abc")
	r := fakedns.WithDrafts(z, map[string]string{"Euston.net": "v=spf1 mx -all"})
	txt, _ := r.LookupTXT(context.Background(), "euston.net")
	fmt.Printf("%q\n", txt)
	// Output:
	// ["google-site-verification=abc" "v=spf1 mx -all"]
}

func ExampleParseReverseName() {
	ip, ok := fakedns.ParseReverseName("80.2.0.192.in-addr.arpa.")
	fmt.Println(ip, ok, fakedns.ReverseName(ip))
	_, ok = fakedns.ParseReverseName("www.euston.net")
	fmt.Println(ok)
	// Output:
	// 192.0.2.80 true 80.2.0.192.in-addr.arpa
	// false
}
