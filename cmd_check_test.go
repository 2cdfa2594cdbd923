package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"spflab/dkim"
	"spflab/spf"
	"spflab/spf/draft"
)

func TestCheckCommand(t *testing.T) {
	dns := serveWorld(t, liveWorld)
	tests := []struct {
		name   string
		args   []string
		status int
		stdout []string
	}{
		{"include resolved over loopback DNS", []string{"check", "example.com", "--dns", dns, "--ip", "203.0.113.7", "--sender", "alice@example.com", "--helo", "mail.example.org"}, 0, []string{
			"check_host(203.0.113.7, example.com, alice@example.com)\n",
			`DNS TXT example.com → "v=spf1 ip4:192.0.2.0/24 include:_spf.example.net mx -all", "google-site-verification=abc"`,
			"ip4:192.0.2.0/24: no match: 203.0.113.7 not in 192.0.2.0/24 [lookups 0/10, void 0/2]\n",
			"include:_spf.example.net: evaluate the record of _spf.example.net\n",
			"  check_host(203.0.113.7, _spf.example.net, alice@example.com)\n",
			"    check_host(203.0.113.7, _spf2.example.net, alice@example.com)\n",
			"    ip4:203.0.113.0/24: match → pass: 203.0.113.7 in 203.0.113.0/24 [lookups 2/10, void 0/2]\n",
			"include:_spf.example.net: match → pass: _spf.example.net returned pass [lookups 2/10, void 0/2]\n",
			"result:       pass\nmechanism:    include:_spf.example.net\n",
			"lookups:      2/10 DNS-querying terms, 0/2 void\n",
			"Received-SPF: pass (spflab.invalid: domain of alice@example.com designates 203.0.113.7 as permitted sender) client-ip=203.0.113.7;",
		}},
		{"the draft overlaid", []string{"check", "example.com", "--dns", dns, "--ip", "203.0.113.7", "--record", "v=spf1 ip4:192.0.2.0/24 mx -all"}, 1, []string{
			"check_host(203.0.113.7, example.com, postmaster@example.com)\n",
			`DNS TXT example.com → "google-site-verification=abc", "v=spf1 ip4:192.0.2.0/24 mx -all"`,
			"DNS MX example.com → mx1.example.com, mx2.example.com\n",
			"DNS A mx1.example.com → 192.0.2.10\n",
			"-all: match → fail: all matches every address [lookups 1/10, void 0/2]\n",
			"result:       fail\nmechanism:    -all\n",
			"explanation:  example.com does not designate 203.0.113.7 as a permitted sender\n",
			"Received-SPF: fail (spflab.invalid: domain of postmaster@example.com does not designate 203.0.113.7 as permitted sender)",
		}},
		{"a timeout is a temperror naming the name", []string{"check", "example.com", "--dns", dns, "--timeout", "250ms", "--ip", "203.0.113.7", "--record", "v=spf1 include:slow.example.net -all"}, 4, []string{
			"  DNS TXT slow.example.net → ",
			"result:       temperror\n",
			`problem:      example.com: "include:slow.example.net" at column 8: TXT slow.example.net: timeout or server failure: no answer from ` + dns,
			"Received-SPF: temperror (",
		}},
		{"softfail", []string{"check", "example.com", "--dns", dns, "--ip", "192.0.2.99", "--record", "v=spf1 ~all"}, 1, []string{"result:       softfail\n"}},
		{"neutral", []string{"check", "neutral.example.org", "--dns", dns, "--ip", "192.0.2.99"}, 3, []string{"result:       neutral\n"}},
		{"none", []string{"check", "none.example.org", "--dns", dns, "--ip", "192.0.2.99"}, 3, []string{"no usable record → none: no SPF record", "result:       none\n"}},
		{"permerror", []string{"check", "broken.example.org", "--dns", dns, "--ip", "192.0.2.99"}, 4, []string{
			`record v=spf1 ip4:192.0.2.300 -all → permerror at column 12: invalid address "192.0.2.300"`, "result:       permerror\n"}},
		{"the null sender checks HELO", []string{"check", "example.com", "--dns", dns, "--ip", "192.0.2.10", "--sender", "<>", "--helo", "mx1.example.com"}, 3, []string{
			"check_host(192.0.2.10, mx1.example.com, postmaster@mx1.example.com)\n", "identity=helo",
		}},
		{"IPv6 and a BIND zone", []string{"check", "example.com", "--zone", filepath.Join("testdata", "draft", "example.com.zone"), "--ip", "2001:db8::10"}, 0, []string{
			"DNS AAAA mx1.example.com → 2001:db8::10\n", "result:       pass\nmechanism:    mx\n",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := spflab(tt.args...)
			if code != tt.status {
				t.Errorf("exit status %d, want %d; stderr %s", code, tt.status, stderr)
			}
			wantInOrder(t, stdout, tt.stdout...)
		})
	}
}

func TestCheckCommandJSON(t *testing.T) {
	dns := serveWorld(t, liveWorld)
	code, stdout, stderr := spflab("check", "example.com", "--json", "--dns", dns, "--ip", "198.51.100.4", "--sender", "bob@example.com", "--helo", "out.example.net")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var out struct {
		Result      spf.Result `json:"result"`
		Mechanism   string     `json:"mechanism"`
		DNSTerms    int        `json:"dns_terms"`
		ReceivedSPF string     `json:"received_spf"`
		Trace       []struct {
			Kind   string `json:"kind"`
			Depth  int    `json:"depth"`
			Term   string `json:"term"`
			Match  bool   `json:"match"`
			Reason string `json:"reason"`
		} `json:"trace"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.Result != spf.Pass || out.Mechanism != "include:_spf.example.net" || out.DNSTerms != 1 ||
		!strings.HasPrefix(out.ReceivedSPF, "pass (spflab.invalid: domain of bob@example.com designates 198.51.100.4") {
		t.Errorf("got %+v", out)
	}
	var matched bool
	for _, e := range out.Trace {
		if e.Kind == "term" && e.Depth == 1 && e.Term == "ip4:198.51.100.0/24" {
			matched = e.Match && e.Reason == "198.51.100.4 in 198.51.100.0/24"
		}
	}
	if !matched {
		t.Errorf("the trace lacks the matching ip4 term at depth 1: %+v", out.Trace)
	}
}

// TestCompareCommand compares a draft over a senders file of a few
// thousand rows, resolving over DNS on loopback.
func TestCompareCommand(t *testing.T) {
	dns := serveWorld(t, liveWorld)
	path := filepath.Join(t.TempDir(), "senders.tsv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "helo\tclient_ip\tmail_from") // a header in another order
	// The draft drops mx and narrows 192.0.2.0/24 to /25:
	// 192.0.2.0-127 pass → pass, 192.0.2.128-255 pass → fail (mx1 and mx2
	// at .10 and .11 stay in the /25), 203.0.113.x pass → pass, other
	// addresses fail → fail, and the bad rows are skipped.
	const n = 4000
	want := map[[2]spf.Result]int{}
	var badLines []int
	line := 1
	for i := range n {
		line++
		switch i % 4 {
		case 0:
			fmt.Fprintf(w, "mail.example.com\t192.0.2.%d\tu%d@example.com\n", i%128, i)
			want[[2]spf.Result{spf.Pass, spf.Pass}]++
		case 1:
			fmt.Fprintf(w, "mail.example.com\t192.0.2.%d\tu%d@example.com\n", 128+i%128, i)
			want[[2]spf.Result{spf.Pass, spf.Fail}]++
		case 2:
			fmt.Fprintf(w, "out.example.net\t203.0.113.%d\t<n%d@example.com>\n", i%256, i)
			want[[2]spf.Result{spf.Pass, spf.Pass}]++
		case 3:
			if i%400 == 3 {
				fmt.Fprintf(w, "x.example.org\t10.1.%d\tspoof@example.com\n", i)
				badLines = append(badLines, line)
				continue
			}
			fmt.Fprintf(w, "x.example.org\t10.1.2.%d\tspoof@example.com\n", i%256)
			want[[2]spf.Result{spf.Fail, spf.Fail}]++
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	args := []string{"check", "example.com", "--dns", dns, "--record", "v=spf1 ip4:192.0.2.0/25 include:_spf.example.net -all", "--compare", "--senders", path}
	code, stdout, stderr := spflab(append(args, "--json")...)
	if code != 1 {
		t.Fatalf("exit status %d, want 1 (rows change); stderr %s", code, stderr)
	}
	var rep draft.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Rows != n-len(badLines) || rep.BadRows != len(badLines) || rep.Changed != want[[2]spf.Result{spf.Pass, spf.Fail}] ||
		len(rep.Changes) != 1 || rep.Changes[0].From != spf.Pass || rep.Changes[0].To != spf.Fail ||
		rep.Published[spf.Pass] != want[[2]spf.Result{spf.Pass, spf.Pass}]+want[[2]spf.Result{spf.Pass, spf.Fail}] ||
		rep.Draft[spf.Fail] != want[[2]spf.Result{spf.Pass, spf.Fail}]+want[[2]spf.Result{spf.Fail, spf.Fail}] {
		t.Errorf("report: rows %d bad %d changed %d changes %+v published %v draft %v; want %v", rep.Rows, rep.BadRows, rep.Changed, len(rep.Changes), rep.Published, rep.Draft, want)
	}
	for i, l := range badLines {
		if i >= len(rep.Bad) || rep.Bad[i].Line != l {
			t.Errorf("bad row %d: %+v, want line %d", i, rep.Bad, l)
		}
	}
	if got := strings.Count(stderr, "is not an IP address (skipped)\n"); got != len(badLines) {
		t.Errorf("stderr reports %d bad rows, want %d:\n%s", got, len(badLines), stderr)
	}
	wantInOrder(t, stderr, fmt.Sprintf("spflab check: %s:%d: ", path, badLines[0]), fmt.Sprintf("spflab check: %s:%d: ", path, badLines[1]))

	// The text report.
	code, stdout, _ = spflab(append(args, "--examples", "2")...)
	if code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	changed := want[[2]spf.Result{spf.Pass, spf.Fail}]
	wantInOrder(t, stdout,
		fmt.Sprintf("example.com: the draft changes the result of %d of %d rows (%d bad rows skipped)\n", changed, n-len(badLines), len(badLines)),
		fmt.Sprintf("pass → fail: %d rows\n", changed),
		"  line 3  192.0.2.129  u1@example.com  helo mail.example.com  pass (ip4:192.0.2.0/24) → fail (-all)\n",
		"  line 7  192.0.2.133  u5@example.com  helo mail.example.com  pass (ip4:192.0.2.0/24) → fail (-all)\n",
		fmt.Sprintf("  and %d more\n", changed-2),
		"result      published      draft\n",
		fmt.Sprintf("%d changed, %d unchanged, %d bad rows skipped\n", changed, n-len(badLines)-changed, len(badLines)),
	)

	// A file of only bad rows compares nothing: exit status 2 (issue 11).
	allBad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(allBad, []byte("ip,sender,helo\n10.1.2,a@example.com,h.example.com\nnope,b@example.com,h.example.com\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = spflab("check", "example.com", "--dns", dns, "--record", "v=spf1 -all", "--compare", "--senders", allBad)
	if code != exitUsage || stdout != "" || !strings.HasSuffix(stderr, "spflab check: "+allBad+": no usable row (2 bad rows skipped): nothing was compared\n") {
		t.Errorf("only bad rows: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	// A draft that changes nothing: exit status 0.
	same := "v=spf1 ip4:192.0.2.0/24 include:_spf.example.net mx -all"
	code, stdout, _ = spflab("check", "example.com", "--dns", dns, "--record", same, "--compare", "--senders", path)
	if code != 0 || !strings.Contains(stdout, "the draft changes the result of 0 of") {
		t.Errorf("unchanged draft: exit %d, stdout %s", code, stdout)
	}
}

// TestAuthoritativeDNS: --dns may name an authoritative server, which
// refuses names outside its zones (issue 13): the check does not give up
// before it starts, and a REFUSED for a name the check needs is a
// temperror that names that name.
func TestAuthoritativeDNS(t *testing.T) {
	handler := func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg).SetReply(req)
		m.Authoritative = true
		q := req.Question[0]
		switch name := strings.ToLower(q.Name); {
		case name == "example.com." && q.Qtype == dns.TypeTXT:
			m.Answer = []dns.RR{&dns.TXT{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60}, Txt: []string{"v=spf1 ip4:192.0.2.0/24 -all"}}}
		case name == "refer.example.com." && q.Qtype == dns.TypeTXT:
			m.Answer = []dns.RR{&dns.TXT{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60}, Txt: []string{"v=spf1 include:other.example.net -all"}}}
		case !dns.IsSubDomain("example.com.", name):
			m.Rcode, m.Authoritative = dns.RcodeRefused, false
		}
		w.WriteMsg(m)
	}
	addr := serveHandler(t, handler)

	for _, tt := range []struct {
		args   []string
		status int
		stdout []string
	}{
		{[]string{"check", "example.com", "--dns", addr, "--ip", "192.0.2.7"}, 0, []string{"result:       pass\n"}},
		{[]string{"lint", "example.com", "--dns", addr}, 0, []string{"0 errors, 0 warnings"}},
		{[]string{"check", "refer.example.com", "--dns", addr, "--ip", "192.0.2.7"}, 4, []string{
			"result:       temperror\n",
			"TXT other.example.net: timeout or server failure: REFUSED from " + addr + ": it neither serves this name nor resolves it for us",
		}},
	} {
		code, stdout, stderr := spflab(tt.args...)
		if code != tt.status {
			t.Errorf("%s: exit status %d, want %d; stderr %s", tt.args, code, tt.status, stderr)
		}
		wantInOrder(t, stdout, tt.stdout...)
	}
}

// serveHandler serves DNS over UDP on loopback with handler, a server that
// answers whatever the test makes it answer, and returns its address.
func serveHandler(t *testing.T, handler dns.HandlerFunc) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: handler}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	done := make(chan struct{})
	go func() { srv.ActivateAndServe(); close(done) }()
	<-started
	t.Cleanup(func() { srv.Shutdown(); <-done })
	return pc.LocalAddr().String()
}

// TestDeadline: a hostile server answers every include late, each answer
// well within --timeout, so that the record would take seconds; --deadline
// ends check and lint with a temperror that says so (issue 11).
func TestDeadline(t *testing.T) {
	t.Parallel() // it waits for late answers
	// example.com (answered at once) includes s0.example.net, which
	// includes s1.example.net, ...: twenty answers 100ms late each.
	addr := serveHandler(t, func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg).SetReply(req)
		q := req.Question[0]
		next := -1
		if q.Name != "example.com." {
			time.Sleep(100 * time.Millisecond)
			if _, err := fmt.Sscanf(q.Name, "s%d.example.net.", &next); err != nil {
				next = -2
			}
		}
		if q.Qtype == dns.TypeTXT && next >= -1 && next < 20 {
			m.Answer = []dns.RR{&dns.TXT{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60},
				Txt: []string{fmt.Sprintf("v=spf1 include:s%d.example.net -all", next+1)}}}
		}
		w.WriteMsg(m)
	})
	// Reached while waiting for an answer, or (rarely) between two
	// queries: "before the query was sent".
	const reached = "timeout or server failure: deadline 250ms reached "
	code, stdout, stderr := spflab("check", "example.com", "--dns", addr, "--timeout", "1s", "--deadline", "250ms", "--ip", "192.0.2.1")
	if code != exitError {
		t.Errorf("check: exit status %d, want %d; stderr %s", code, exitError, stderr)
	}
	wantInOrder(t, stdout, "result:       temperror\n", "problem:      example.com: ", reached)

	code, stdout, stderr = spflab("lint", "example.com", "--dns", addr, "--timeout", "1s", "--deadline", "250ms")
	if code != exitErrors {
		t.Errorf("lint: exit status %d, want %d; stderr %s", code, exitErrors, stderr)
	}
	wantInOrder(t, stdout, "error SPF-L006 lookup-failed: ", reached)
	wantInOrder(t, stderr, "spflab lint: deadline 250ms reached: the lookups after it failed, the report is incomplete\n")
}

// TestCompareReports: --senders may name DMARC aggregate reports (a
// directory of .xml, .xml.gz and .zip); changes are weighed by messages,
// and the malformed report and record are named and skipped.
func TestCompareReports(t *testing.T) {
	zone := filepath.Join(t.TempDir(), "world.yml")
	if err := os.WriteFile(zone, []byte(liveWorld), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("testdata", "dmarc")
	args := []string{"check", "example.com", "--zone", zone, "--compare", "--senders", dir, "--record", "v=spf1 ip4:192.0.2.0/25 include:_spf.example.net -all"}
	code, stdout, stderr := spflab(args...)
	if code != exitFail {
		t.Errorf("exit %d, want %d; stderr %s", code, exitFail, stderr)
	}
	google := filepath.Join(dir, "google.com!example.com!1764547200!1764633599.xml.gz")
	wantInOrder(t, stdout,
		"example.com: the draft changes the result of 3 of 7 sources (12,413 of 26,446 messages)\n",
		"pass → fail: 3 sources, 12,413 messages\n",
		google+" record 2", "192.0.2.200  example.com  helo -  pass (ip4:192.0.2.0/24) → fail (-all)  12,008 messages\n",
		google+" record 3", "192.0.2.201", "400 messages\n",
		"record 1", "192.0.2.250", "5 messages\n",
		"sources             7          7\n",
		"3 changed (12,413 messages), 4 unchanged\n")
	zip := filepath.Join(dir, "reports.zip")
	wantInOrder(t, stderr,
		"spflab check: "+zip+":yahoo.com!example.com!1764547200!1764633599.xml: record 3 <row><source_ip>: \"192.0.2.999\" is not an IP address (skipped)\n",
		"spflab check: "+zip+":broken.example!example.com!1764547200!1764633599.xml:26: not well-formed XML: element <record> closed by </recrod> (skipped)\n")

	code, stdout, _ = spflab(append(args, "--json")...)
	var rep draft.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != exitFail || !rep.Weighted || rep.Messages != 26446 ||
		len(rep.Changes) != 1 || rep.Changes[0].Messages != 12413 || rep.Changes[0].Rows[0].Count != 12008 {
		t.Errorf("--json: exit %d, %+v (%v)", code, rep, err)
	}

	// Only a malformed report: nothing to compare, exit status 2.
	bad := filepath.Join(t.TempDir(), "bad.xml")
	if err := os.WriteFile(bad, []byte("<feedback><record>"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = spflab("check", "example.com", "--zone", zone, "--compare", "--senders", bad, "--record", "v=spf1 -all")
	if code != exitUsage || stdout != "" || !strings.HasSuffix(stderr, bad+": no usable row (0 records of 0 reports, 1 problem skipped): nothing was compared\n") {
		t.Errorf("a malformed report alone: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// messageWorld is the zone of the check --from and --message tests, as
// README's examples use it.
var messageWorld = filepath.Join("testdata", "message", "world.yml")

// signMessage signs message as euston.net with the key of
// testdata/message/lab.pem, whose public half world.yml publishes, puts
// returnPath on top, changes what edit says after signing, and writes it
// to a file.
func signMessage(t *testing.T, returnPath, message string, edit func([]byte) []byte) string {
	t.Helper()
	pemData, err := os.ReadFile(filepath.Join("testdata", "message", "lab.pem"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := dkim.ParseKey(pemData)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := dkim.Sign([]byte(message), dkim.SignOptions{Domain: "euston.net", Selector: "lab", Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		signed = edit(signed)
	}
	path := filepath.Join(t.TempDir(), "message.eml")
	if err := os.WriteFile(path, append([]byte(returnPath), signed...), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const invoice = "From: euston.net billing <billing@euston.net>\nTo: user@example.com\nSubject: Invoice 2008-002\n\nAmount due: 1000 EUR.\n"

// TestCheckDMARC: after SPF, check --from evaluates DMARC for the SPF
// identity and check --message verifies DKIM too, each step in its own
// words; the exit status is DMARC's. Over a zone file and over DNS on
// loopback.
func TestCheckDMARC(t *testing.T) {
	world, err := os.ReadFile(messageWorld)
	if err != nil {
		t.Fatal(err)
	}
	dns := serveWorld(t, string(world))
	tampered := signMessage(t, "Return-Path: <billing@euston.net>\n", invoice, func(m []byte) []byte {
		return bytes.Replace(m, []byte("1000 EUR"), []byte("9000 EUR"), 1)
	})
	nullSender := signMessage(t, "Return-Path: <>\n", invoice, nil)
	signed := filepath.Join("testdata", "message", "signed.eml")
	tests := []struct {
		name   string
		args   []string
		status int
		stdout []string
	}{
		{"a forged From: SPF passes for the forger, DMARC fails, p=reject", []string{"check", "euston.net", "--ip", "203.0.113.66", "--sender", "x@forger.example", "--from", "ceo@euston.net"}, 1, []string{
			"result:       pass\n",
			"\nDMARC:\n  Author Domain euston.net (the domain of the From: address, RFC 9989 §5.3.1)\n",
			`  TXT _dmarc.euston.net → "v=DMARC1; p=reject; rua=mailto:dmarc@euston.net"` + "\n",
			"  SPF forger.example vs euston.net: relaxed, organizational domains differ (forger.example, euston.net) → not aligned\n",
			"  policy p=reject of euston.net → reject\n",
			"  DMARC fail for euston.net: no authenticated identifier is aligned with euston.net → reject\n",
			"\ndmarc:        fail (no aligned identifier, policy reject from euston.net) header.from=euston.net policy.dmarc=reject\n",
			"disposition:  reject\n",
			"Authentication-Results: spflab.invalid; spf=pass (domain of x@forger.example designates 203.0.113.66 as permitted sender) smtp.mailfrom=forger.example; dmarc=fail (",
		}},
		{"relaxed alignment: bounce@mail.euston.net for news@euston.net", []string{"check", "mail.euston.net", "--ip", "192.0.2.25", "--sender", "bounce@mail.euston.net", "--from", "Newsletter <news@euston.net>"}, 0, []string{
			"  SPF mail.euston.net vs euston.net: relaxed, same organizational domain (euston.net) → aligned\n",
			"  DMARC pass for euston.net: SPF aligned\n",
			"dmarc:        pass (aligned SPF) header.from=euston.net policy.dmarc=none\ndisposition:  none\n",
		}},
		{"p=none only monitors", []string{"check", "news.example", "--ip", "203.0.113.66", "--sender", "x@forger.example", "--from", "a@news.example"}, 3, []string{
			"  policy p=none of news.example → none\n", "dmarc:        fail (", "disposition:  none\n",
		}},
		{"no DMARC record", []string{"check", "plain.example", "--ip", "198.51.100.30", "--sender", "a@plain.example", "--from", "a@plain.example"}, 3, []string{
			"  no DMARC record for plain.example or the domains above it: DMARC does not apply (RFC 9989 §4.10.1)\n",
			"dmarc:        none (no DMARC record for plain.example) header.from=plain.example\n",
		}},
		{"a signed message from euston.net's server", []string{"check", "--message", signed, "--ip", "192.0.2.25"}, 0, []string{
			"check_host(192.0.2.25, mail.euston.net, bounce@mail.euston.net)\n",
			"result:       pass\n",
			"\nDKIM:\n  DKIM-Signature 1: d=euston.net s=lab a=ed25519-sha256 h=From:To:",
			`  key query TXT lab._domainkey.euston.net → "v=DKIM1; k=ed25519; p=`,
			"  body hash of signature 1: the body matches bh=\n",
			"  DKIM pass for d=euston.net s=lab: the signature verifies with the Ed25519 key\n",
			"\nDMARC:\n",
			"  DKIM d=euston.net s=lab vs euston.net: relaxed, identical → aligned\n",
			"  DMARC pass for euston.net: SPF and DKIM d=euston.net aligned\n",
			"\ndkim:         pass (Ed25519 key) header.a=ed25519-sha256 header.d=euston.net header.i=@euston.net header.s=lab\n",
			"dmarc:        pass (aligned SPF and DKIM euston.net)",
			"Authentication-Results: spflab.invalid; spf=pass (", "; dkim=pass (Ed25519 key) ", "; dmarc=pass (",
		}},
		{"forwarded: SPF fails, DKIM survives, DMARC passes", []string{"check", "--message", signed, "--ip", "198.51.100.7", "--helo", "fwd.example.org"}, 0, []string{
			"result:       fail\n",
			"  DKIM pass for d=euston.net s=lab",
			"  SPF mail.euston.net: fail, not an authenticated identifier → not aligned\n",
			"  DMARC pass for euston.net: DKIM d=euston.net aligned\n",
		}},
		{"--sender in place of the Return-Path", []string{"check", "--message", signed, "--ip", "203.0.113.66", "--sender", "x@forger.example"}, 0, []string{
			"check_host(203.0.113.66, forger.example, x@forger.example)\n",
			"  DMARC pass for euston.net: DKIM d=euston.net aligned\n",
		}},
		{"one byte changed in transit", []string{"check", "--message", tampered, "--ip", "192.0.2.99"}, 1, []string{
			"check_host(192.0.2.99, euston.net, billing@euston.net)\n",
			"result:       fail\n",
			"  body hash of signature 1: the body does not match bh=, it changed after signing\n",
			"  DKIM fail for d=euston.net s=lab: ",
			"  DMARC fail for euston.net: no authenticated identifier is aligned with euston.net → reject\n",
			"dkim:         fail (", "disposition:  reject\n",
		}},
		{"the null sender: SPF checks the HELO name", []string{"check", "--message", nullSender, "--ip", "192.0.2.25", "--helo", "mail.euston.net"}, 0, []string{
			"check_host(192.0.2.25, mail.euston.net, postmaster@mail.euston.net)\n",
			"identity=helo",
			"  DKIM pass for d=euston.net s=lab",
			"  SPF mail.euston.net vs euston.net: relaxed, same organizational domain (euston.net) → aligned\n",
			"smtp.helo=mail.euston.net",
		}},
	}
	for _, tt := range tests {
		for _, where := range [][]string{{"--zone", messageWorld}, {"--dns", dns}} {
			t.Run(tt.name+" "+where[0], func(t *testing.T) {
				code, stdout, stderr := spflab(append(tt.args, where...)...)
				if code != tt.status {
					t.Errorf("exit status %d, want %d; stderr %s", code, tt.status, stderr)
				}
				wantInOrder(t, stdout, tt.stdout...)
			})
		}
	}
}

// TestCheckDMARCJSON: the JSON of check --message has the DKIM verdicts
// and the DMARC outcome with their steps, that of check --from no DKIM
// part; every key is snake_case.
func TestCheckDMARCJSON(t *testing.T) {
	signed := filepath.Join("testdata", "message", "signed.eml")
	code, stdout, stderr := spflab("check", "--message", signed, "--ip", "192.0.2.25", "--zone", messageWorld, "--json")
	if code != 0 {
		t.Fatalf("exit status %d; stderr %s", code, stderr)
	}
	if bad := badKeys(t, stdout); len(bad) > 0 {
		t.Errorf("keys not in snake_case: %s", strings.Join(bad, ", "))
	}
	type step struct {
		Kind string `json:"kind"`
		Text string `json:"text"`
	}
	var out struct {
		Result  spf.Result `json:"result"`
		Message string     `json:"message"`
		DKIM    *struct {
			Signatures []struct {
				Result      string `json:"result"`
				Domain      string `json:"domain"`
				Selector    string `json:"selector"`
				BodyHash    string `json:"body_hash"`
				KeyBits     int    `json:"key_bits"`
				AuthResults string `json:"auth_results"`
			} `json:"signatures"`
			Trace []step `json:"trace"`
		} `json:"dkim"`
		DMARC *struct {
			Result       string   `json:"result"`
			Disposition  string   `json:"disposition"`
			AuthorDomain string   `json:"author_domain"`
			PolicyDomain string   `json:"policy_domain"`
			Record       string   `json:"record"`
			SPFAligned   bool     `json:"spf_aligned"`
			DKIMAligned  []string `json:"dkim_aligned"`
			AuthResults  string   `json:"auth_results"`
			Trace        []step   `json:"trace"`
		} `json:"dmarc"`
		AuthenticationResults string `json:"authentication_results"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.Result != spf.Pass || out.Message != signed || out.DKIM == nil || out.DMARC == nil {
		t.Fatalf("got %s", stdout)
	}
	if s := out.DKIM.Signatures; len(s) != 1 || s[0].Result != "pass" || s[0].Domain != "euston.net" || s[0].Selector != "lab" ||
		s[0].BodyHash != "match" || s[0].KeyBits != 256 || !strings.HasPrefix(s[0].AuthResults, "dkim=pass ") {
		t.Errorf("signatures %+v", s)
	}
	if d := out.DMARC; d.Result != "pass" || d.Disposition != "none" || d.AuthorDomain != "euston.net" || d.PolicyDomain != "euston.net" ||
		!strings.HasPrefix(d.Record, "v=DMARC1; p=reject") || !d.SPFAligned || !slices.Equal(d.DKIMAligned, []string{"euston.net"}) ||
		!strings.HasPrefix(d.AuthResults, "dmarc=pass ") {
		t.Errorf("dmarc %+v", d)
	}
	if len(out.DKIM.Trace) != 4 || out.DKIM.Trace[3].Kind != "verdict" || len(out.DMARC.Trace) == 0 || out.DMARC.Trace[0].Kind != "author" ||
		out.DMARC.Trace[len(out.DMARC.Trace)-1].Text != "DMARC pass for euston.net: SPF and DKIM d=euston.net aligned" {
		t.Errorf("traces: dkim %+v\ndmarc %+v", out.DKIM.Trace, out.DMARC.Trace)
	}
	if !strings.HasPrefix(out.AuthenticationResults, "spflab.invalid; spf=pass ") || !strings.Contains(out.AuthenticationResults, "; "+out.DKIM.Signatures[0].AuthResults+"; "+out.DMARC.AuthResults) {
		t.Errorf("authentication_results %q", out.AuthenticationResults)
	}

	code, stdout, _ = spflab("check", "euston.net", "--ip", "203.0.113.66", "--sender", "x@forger.example", "--from", "ceo@euston.net", "--zone", messageWorld, "--json")
	var from struct {
		From  string          `json:"from"`
		DKIM  json.RawMessage `json:"dkim"`
		DMARC struct {
			Result      string `json:"result"`
			Disposition string `json:"disposition"`
		} `json:"dmarc"`
	}
	if err := json.Unmarshal([]byte(stdout), &from); err != nil || code != 1 || from.From != "ceo@euston.net" || from.DKIM != nil ||
		from.DMARC.Result != "fail" || from.DMARC.Disposition != "reject" {
		t.Errorf("--from --json: exit %d, %+v (%v)", code, from, err)
	}
	if bad := badKeys(t, stdout); len(bad) > 0 {
		t.Errorf("keys not in snake_case: %s", strings.Join(bad, ", "))
	}
}

// TestCheckMessageStdin: --message - reads the message from standard
// input.
func TestCheckMessageStdin(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "message", "signed.eml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = saved }()
	code, stdout, stderr := spflab("check", "--message", "-", "--ip", "192.0.2.25", "--zone", messageWorld)
	if code != 0 {
		t.Fatalf("exit status %d; stderr %s", code, stderr)
	}
	wantInOrder(t, stdout, "check_host(192.0.2.25, mail.euston.net, bounce@mail.euston.net)\n", "dkim:         pass ", "dmarc:        pass ")
}
