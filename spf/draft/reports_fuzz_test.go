package draft

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzReport: any bytes as a report give senders or errors that name the
// report, never a panic; every sender has an address and a name to check.
func FuzzReport(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0" encoding="windows-1252"?><feedback><record><row><source_ip>192.0.2.1</source_ip><count>3</count></row>` +
		`<identifiers><envelope_from></envelope_from><header_from>example.com</header_from></identifiers>` +
		`<auth_results><spf><domain>mail.example.com</domain><scope>helo</scope><result>pass</result></spf></auth_results></record></feedback>`))
	f.Add([]byte("<feedback><record><row><source_ip>2001:db8::1</source_ip><count>x</count></row></record></feedback>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &reportReader{out: &Reports{}, seen: map[senderKey]int{}}
		r.report(bytes.NewReader(data), "fuzz.xml")
		for _, e := range r.out.Errors {
			if !strings.HasPrefix(e.Error(), "fuzz.xml") {
				t.Fatalf("error %q does not name the report", e)
			}
		}
		for _, s := range r.out.Senders {
			if !s.IP.IsValid() || (s.MailFrom == "" && s.HELO == "") || s.Count < 0 {
				t.Fatalf("sender %+v", s)
			}
		}
	})
}
