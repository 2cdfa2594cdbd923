package smtpsim_test

import (
	"context"
	"fmt"
	"net/netip"
	"sync"

	"spflab/fakedns"
	"spflab/smtpsim"
)

// The seed's dialogue over real TCP on loopback: the scripted client
// claims the address of www.euston.net with XCLIENT, forges
// honeypot@euston.net, and the SPF check at RCPT refuses it with 550
// (RFC 7208 §8.4). OnEvent receives every step of the session; each Event
// words itself.
func Example() {
	z := fakedns.NewZone()
	z.AddTXT("euston.net", "v=spf1 ip4:192.0.2.25 -all")
	z.AddMX("euston.net", 10, "mail.euston.net")
	www := netip.MustParseAddr("192.0.2.80")
	z.AddAddr("www.euston.net", www)
	z.AddPTR(fakedns.ReverseName(www), "www.euston.net")

	var mu sync.Mutex
	var policy []string
	srv, err := smtpsim.NewServer(smtpsim.Config{Resolver: z, OnEvent: func(e smtpsim.Event) {
		if e.Kind == smtpsim.EventHELO || e.Kind == smtpsim.EventPolicy {
			mu.Lock()
			policy = append(policy, e.String())
			mu.Unlock()
		}
	}})
	if err == nil {
		err = srv.Start()
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	ctx := context.Background()
	c, err := smtpsim.Dial(ctx, srv.Addr().String())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	if _, err := c.XClient(www.String(), "", ""); err != nil {
		fmt.Println(err)
		return
	}
	for _, line := range []string{"HELO mail.euston.net", "MAIL From:honeypot@euston.net", "RCPT To:user@example.com", "QUIT"} {
		r, err := c.Send(line)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(r.Code, r.Enhanced)
	}
	srv.Shutdown(ctx)
	for _, p := range policy {
		fmt.Println(p)
	}
	// Output:
	// 250 2.0.0
	// 250 2.0.0
	// 550 5.7.23
	// 221 2.0.0
	// HELO mail.euston.net: 192.0.2.80 is www.euston.net (reverse DNS confirmed): the HELO name is a lie
	// policy: SPF fail for the mailfrom identity → refuse (5xx) at RCPT (550 5.7.23)
}
