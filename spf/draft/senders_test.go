package draft

import (
	"errors"
	"io"
	"net/netip"
	"strings"
	"testing"
)

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		line   string
		comma  byte
		header bool
		cols   [numCols]int
	}{
		{"192.0.2.1,a@example.com,mail.example.com", ',', false, [numCols]int{0, 1, 2}},
		{"192.0.2.1\ta@example.com\tmail.example.com\n", '\t', false, [numCols]int{0, 1, 2}},
		{"192.0.2.1;a@example.com;mail.example.com\r\n", ';', false, [numCols]int{0, 1, 2}},
		{`"192.0.2.1","a,b@example.com"`, ',', false, [numCols]int{0, 1, 2}},
		{"ip,sender,helo", ',', true, [numCols]int{0, 1, 2}},
		{"HELO\tClient-IP\tMail_From", '\t', true, [numCols]int{1, 2, 0}},
		{"date,client_ip,envelope-from,ehlo,size", ',', true, [numCols]int{1, 2, 3}},
		{"ip", ',', true, [numCols]int{0, -1, -1}},
		{"sender,helo", ',', false, [numCols]int{0, 1, 2}}, // no ip column: a row, and a bad one
		{"not-an-ip,a@example.com,x", ',', false, [numCols]int{0, 1, 2}},
		{`"ip,"broken`, ',', false, [numCols]int{0, 1, 2}},
	}
	for _, tt := range tests {
		f, header := DetectFormat([]byte(tt.line))
		if f.Comma != tt.comma || header != tt.header || f.Header != header || f.cols != tt.cols {
			t.Errorf("DetectFormat(%q) = comma %q header %v cols %v, want %q %v %v", tt.line, f.Comma, header, f.cols, tt.comma, tt.header, tt.cols)
		}
	}
}

func TestParseRow(t *testing.T) {
	header, _ := DetectFormat([]byte("date,ip,sender,helo"))
	tsv, _ := DetectFormat([]byte("192.0.2.1\tx@example.com"))
	tests := []struct {
		name   string
		f      Format
		line   string
		want   Sender
		skip   bool
		reason string // of the RowError, "" for none
	}{
		{name: "csv", f: DefaultFormat, line: "192.0.2.1,alice@example.com,mail.example.com\n",
			want: Sender{IP: netip.MustParseAddr("192.0.2.1"), MailFrom: "alice@example.com", HELO: "mail.example.com"}},
		{name: "crlf and spaces", f: DefaultFormat, line: " 192.0.2.1 , alice@example.com ,mail.example.com \r\n",
			want: Sender{IP: netip.MustParseAddr("192.0.2.1"), MailFrom: "alice@example.com", HELO: "mail.example.com"}},
		{name: "ipv6 in brackets, angle brackets", f: DefaultFormat, line: "[2001:db8::1],<bob@example.com>,mx.example.com",
			want: Sender{IP: netip.MustParseAddr("2001:db8::1"), MailFrom: "bob@example.com", HELO: "mx.example.com"}},
		{name: "v4-mapped is unmapped", f: DefaultFormat, line: "::ffff:192.0.2.7,a@example.com",
			want: Sender{IP: netip.MustParseAddr("192.0.2.7"), MailFrom: "a@example.com"}},
		{name: "null sender", f: DefaultFormat, line: "192.0.2.1,<>,mail.example.com",
			want: Sender{IP: netip.MustParseAddr("192.0.2.1"), HELO: "mail.example.com"}},
		{name: "empty sender", f: DefaultFormat, line: "192.0.2.1,,mail.example.com",
			want: Sender{IP: netip.MustParseAddr("192.0.2.1"), HELO: "mail.example.com"}},
		{name: "two fields", f: DefaultFormat, line: "192.0.2.1,a@example.com",
			want: Sender{IP: netip.MustParseAddr("192.0.2.1"), MailFrom: "a@example.com"}},
		{name: "quoted with comma and quote", f: DefaultFormat, line: `"192.0.2.1","""odd,one""@example.com",h.example.com`,
			want: Sender{IP: netip.MustParseAddr("192.0.2.1"), MailFrom: `"odd,one"@example.com`, HELO: "h.example.com"}},
		{name: "tsv", f: tsv, line: "192.0.2.1\ta@example.com\tmail.example.com",
			want: Sender{IP: netip.MustParseAddr("192.0.2.1"), MailFrom: "a@example.com", HELO: "mail.example.com"}},
		{name: "header columns", f: header, line: "2024-05-01,198.51.100.9,c@example.org,out.example.org",
			want: Sender{IP: netip.MustParseAddr("198.51.100.9"), MailFrom: "c@example.org", HELO: "out.example.org"}},
		{name: "blank", f: DefaultFormat, line: "  \r\n", skip: true},
		{name: "comment", f: DefaultFormat, line: "# exported from the mail log", skip: true},

		{name: "bad ip", f: DefaultFormat, line: "192.0.2.300,a@example.com,h", reason: `"192.0.2.300" is not an IP address`},
		{name: "zone", f: DefaultFormat, line: "fe80::1%eth0,a@example.com,h", reason: `"fe80::1%eth0" is not an IP address`},
		{name: "no ip", f: DefaultFormat, line: ",a@example.com,h", reason: "no IP address"},
		{name: "ip only", f: DefaultFormat, line: "192.0.2.1", reason: "neither a sender nor a HELO name"},
		{name: "too many fields", f: DefaultFormat, line: "192.0.2.1,a@example.com,h,extra", reason: "4 fields; want ip, sender, helo"},
		{name: "header field count", f: header, line: "2024-05-01,198.51.100.9,c@example.org", reason: "3 fields; the header has 4"},
		{name: "unclosed quote", f: DefaultFormat, line: `192.0.2.1,"a@example.com,h`, reason: "column 11: a quote that is not closed on this line"},
		{name: "text after quote", f: DefaultFormat, line: `192.0.2.1,"a"b,h`, reason: "column 14: text after a closing quote"},
		{name: "stray quote", f: DefaultFormat, line: `192.0.2.1,a"b,h`, reason: "field 2: a quote inside an unquoted field"},
		{name: "space in sender", f: DefaultFormat, line: `192.0.2.1,"a b@example.com",h`, reason: `sender "a b@example.com": contains a space`},
		{name: "control in helo", f: DefaultFormat, line: "192.0.2.1,a@example.com,h\x01x", reason: `HELO name "h\x01x": contains the control character 0x01`},
		{name: "too long", f: DefaultFormat, line: "192.0.2.1,a@example.com," + strings.Repeat("h", maxLine), reason: "longer than 16384 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := ParseRow([]byte(tt.line), 7, &tt.f)
			if tt.reason != "" {
				var re *RowError
				if !errors.As(err, &re) {
					t.Fatalf("got %+v, %v; want a RowError %q", got, err, tt.reason)
				}
				if re.Line != 7 || re.Reason != tt.reason {
					t.Errorf("RowError = line %d %q, want line 7 %q", re.Line, re.Reason, tt.reason)
				}
				if want := "line 7: " + tt.reason; re.Error() != want {
					t.Errorf("Error() = %q, want %q", re.Error(), want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ok == tt.skip {
				t.Fatalf("ok = %v, want %v", ok, !tt.skip)
			}
			if tt.skip {
				return
			}
			tt.want.Line = 7
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestReader(t *testing.T) {
	input := "# senders of May\n" +
		"\n" +
		"ip,sender,helo\n" + // line 3: header
		"192.0.2.1,a@example.com,mail.example.com\n" +
		"bogus,a@example.com,mail.example.com\n" + // line 5: bad
		strings.Repeat("x", 70<<10) + "\n" + // line 6: longer than the read buffer
		"2001:db8::2,,mail.example.com" // line 7, no newline at the end
	r := NewReader(strings.NewReader(input))
	type item struct {
		line int
		bad  string
	}
	var got []item
	for {
		s, err := r.Next()
		if err == io.EOF {
			break
		}
		var re *RowError
		switch {
		case errors.As(err, &re):
			got = append(got, item{re.Line, re.Reason})
		case err != nil:
			t.Fatal(err)
		default:
			got = append(got, item{s.Line, ""})
		}
	}
	want := []item{{4, ""}, {5, `"bogus" is not an IP address`}, {6, "longer than 16384 bytes"}, {7, ""}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("item %d = %v, want %v", i, got[i], want[i])
		}
	}
	if f := r.Format(); f == nil || !f.Header {
		t.Errorf("Format() = %+v, want the header found", f)
	}
}
