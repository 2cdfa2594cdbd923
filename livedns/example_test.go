package livedns_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"

	"spflab/fakedns"
	"spflab/livedns"
	"spflab/spf"
)

// A Client asks real DNS servers; here a fakedns server on loopback plays
// the rest of the world. The client implements spf.Resolver, so the SPF
// evaluator runs over it.
func ExampleClient() {
	z := fakedns.NewZone()
	z.AddTXT("euston.net", "v=spf1 ip4:192.0.2.25 -all")
	srv, err := fakedns.Serve(z, "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	c := livedns.NewClient(srv.Addr())
	txt, err := c.LookupTXT(context.Background(), "euston.net")
	fmt.Println(txt, err)
	_, err = c.LookupTXT(context.Background(), "your.friend")
	fmt.Println(errors.Is(err, spf.ErrNoSuchName))

	checker := spf.Checker{Resolver: c}
	o := checker.Check(context.Background(), netip.MustParseAddr("192.0.2.80"), "www.euston.net", "honeypot@euston.net")
	fmt.Println(o.Result)
	// Output:
	// [v=spf1 ip4:192.0.2.25 -all] <nil>
	// true
	// fail
}

// ClientFromResolvConf takes the servers of the system's resolver, here of
// a resolv.conf written for the example.
func ExampleClientFromResolvConf() {
	path := filepath.Join(os.TempDir(), "livedns-example-resolv.conf")
	os.WriteFile(path, []byte("nameserver 192.0.2.53\nnameserver 2001:db8::53\noptions timeout:3\n"), 0o644)
	defer os.Remove(path)
	c, err := livedns.ClientFromResolvConf(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Servers, c.Timeout)
	// Output:
	// [192.0.2.53:53 [2001:db8::53]:53] 3s
}

// Ping tells whether a DNS server is there before a check relies on it:
// any answer counts, even REFUSED from an authoritative server asked about
// a name outside its zones.
func ExampleClient_Ping() {
	srv, err := fakedns.Serve(fakedns.NewZone(), "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	fmt.Println(livedns.NewClient(srv.Addr()).Ping(context.Background(), "euston.net"))
	// Output:
	// <nil>
}
