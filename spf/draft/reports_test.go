package draft_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"spflab/spf"
	"spflab/spf/draft"
)

// aggregate writes a DMARC aggregate report of records, each given as
// the XML inside <record>.
func aggregate(records ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">
  <version>1.0</version>
  <report_metadata><org_name>receiver.example</org_name><report_id>r1</report_id></report_metadata>
  <policy_published><domain>example.com</domain><p>none</p></policy_published>
`)
	for _, r := range records {
		b.WriteString("  <record>" + r + "</record>\n")
	}
	b.WriteString("</feedback>\n")
	return b.String()
}

// record writes a record's XML: source IP, count, identifiers and SPF
// results ("scope:domain" or "domain").
func record(ip string, count int, envelopeFrom *string, spfs ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<row><source_ip>%s</source_ip><count>%d</count></row><identifiers>", ip, count)
	if envelopeFrom != nil {
		fmt.Fprintf(&b, "<envelope_from>%s</envelope_from>", *envelopeFrom)
	}
	b.WriteString("<header_from>header.example.com</header_from></identifiers><auth_results>")
	for _, s := range spfs {
		scope, domain, ok := strings.Cut(s, ":")
		if !ok {
			fmt.Fprintf(&b, "<spf><domain>%s</domain><result>pass</result></spf>", s)
			continue
		}
		fmt.Fprintf(&b, "<spf><domain>%s</domain><scope>%s</scope><result>pass</result></spf>", domain, scope)
	}
	b.WriteString("</auth_results>")
	return b.String()
}

func ptr(s string) *string { return &s }

func gzipped(t *testing.T, data string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(data))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zipped(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, data := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadReports(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	write("a.xml", []byte(aggregate(
		record("192.0.2.1", 100, ptr("example.com"), "mfrom:example.com"),
		record("192.0.2.2", 7, nil, "mfrom:bounce.example.com", "helo:mail.example.com"), // envelope from the SPF mfrom domain
		record("192.0.2.3", 2, nil),                                       // nothing but header_from
		record("192.0.2.4", 1, ptr(""), "helo:mail.example.com"),          // the null sender: its HELO
		record("192.0.2.999", 1, ptr("example.com")),                      // bad
		record("192.0.2.5", -1, ptr("example.com")),                       // bad
		record("::ffff:192.0.2.1", 20, ptr("EXAMPLE.com"), "example.com"), // the first sender again
	)))
	write("sub/b.xml.gz", gzipped(t, aggregate(record("2001:db8::1", 3, ptr("example.com")))))
	write("c.zip", zipped(t, map[string][]byte{
		"c1.xml":    []byte(aggregate(record("192.0.2.1", 1000, ptr("example.com")))),
		"c2.xml.gz": gzipped(t, "<feedback><record><row><source_ip>192.0.2.9"),
	}))
	write("d.xml", []byte("<html>not a report</html>"))
	write("e.xml", []byte(aggregate()))
	write("notes.txt", []byte("ignored"))
	write("f.xml", []byte(strings.Replace(aggregate(record("192.0.2.7", 1, ptr("x y.example"))), "UTF-8", "windows-1252", 1)))

	rep, err := draft.ReadReports(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range rep.Senders {
		got = append(got, fmt.Sprintf("%s %s %s %d", s.IP, s.MailFrom, s.HELO, s.Count))
	}
	want := []string{
		"192.0.2.1 example.com  1120",
		"192.0.2.2 bounce.example.com mail.example.com 7",
		"192.0.2.3 header.example.com  2",
		"192.0.2.4  mail.example.com 1",
		"2001:db8::1 example.com  3",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("senders:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rep.Files != 4 || rep.Records != 7 {
		t.Errorf("%d reports, %d records; want 4, 7", rep.Files, rep.Records)
	}
	var errs []string
	for _, e := range rep.Errors {
		errs = append(errs, strings.TrimPrefix(e.Error(), dir+string(filepath.Separator)))
	}
	wantErrs := []string{
		`a.xml: record 5 <row><source_ip>: "192.0.2.999" is not an IP address`,
		`a.xml: record 6 <row><count>: "-1" is not a message count`,
		`c.zip:c2.xml.gz:1: not well-formed XML: unexpected EOF`,
		`d.xml: not a DMARC aggregate report: expected element type <feedback> but have <html>`,
		`e.xml: <feedback>: no <record>`,
		`f.xml: record 1 <identifiers>: envelope sender "x y.example" is not a domain name`,
	}
	if strings.Join(errs, "\n") != strings.Join(wantErrs, "\n") {
		t.Errorf("errors:\n%s\nwant\n%s", strings.Join(errs, "\n"), strings.Join(wantErrs, "\n"))
	}
	if _, err := draft.ReadReports(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing path: no error")
	}
}

// TestReadReportsBomb: a gzip report that expands past the budget (here
// lowered to 1 MB) is refused by name, not read to its end.
func TestReadReportsBomb(t *testing.T) {
	defer draft.SetMaxReportSize(1 << 20)()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(`<feedback><record><row><source_ip>`))
	zw.Write(bytes.Repeat([]byte("1"), 2<<20))
	zw.Close()
	path := filepath.Join(t.TempDir(), "bomb.xml.gz")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := draft.ReadReports(path)
	if err != nil || len(rep.Errors) != 1 || !strings.HasSuffix(rep.Errors[0].Error(), "bomb.xml.gz: larger than 1 MB once decompressed") {
		t.Errorf("%v %+v", err, rep)
	}
}

// TestRunSenders weighs a comparison by messages.
func TestRunSenders(t *testing.T) {
	c := newCompare(worldResolver(t))
	c.Examples = 1
	senders := []draft.Sender{
		{IP: netipAddr("192.0.2.200"), MailFrom: "example.com", Count: 400, Source: "a.xml record 1"},   // pass → softfail
		{IP: netipAddr("192.0.2.201"), MailFrom: "example.com", Count: 12000, Source: "a.xml record 2"}, // pass → softfail
		{IP: netipAddr("192.0.2.1"), MailFrom: "example.com", Count: 50000, Source: "b.xml record 1"},   // pass → pass
		{IP: netipAddr("203.0.113.5"), MailFrom: "example.com", Count: 3, Source: "b.xml record 2"},     // fail → softfail
	}
	rep, err := c.RunSenders(context.Background(), senders)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Weighted || rep.Rows != 4 || rep.Messages != 62403 || rep.Changed != 3 || rep.ChangedMessages != 12403 || len(rep.Changes) != 2 {
		t.Fatalf("report %+v", rep)
	}
	ch := rep.Changes[0]
	if ch.From != spf.Pass || ch.To != spf.Softfail || ch.Count != 2 || ch.Messages != 12400 || len(ch.Rows) != 1 || ch.Rows[0].Source != "a.xml record 2" {
		t.Errorf("first change %+v: want pass → softfail, 2 sources, 12400 messages, the heaviest row first", ch)
	}
	if ch := rep.Changes[1]; ch.From != spf.Fail || ch.Messages != 3 {
		t.Errorf("second change %+v", ch)
	}
}

func netipAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
