package draft

import (
	"archive/zip"
	"bufio"
	"cmp"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Budgets of ReadReports: a report larger than maxReportSize once
// decompressed, or an archive of more than maxArchiveEntries files, is
// refused, so that a small compressed file cannot exhaust memory.
var maxReportSize int64 = 32 << 20 // a variable for the tests

const (
	maxArchiveEntries = 1000
	maxReportFiles    = 100000
	maxCount          = 1 << 40 // messages in one record
)

// ReportError is a DMARC aggregate report, or a record of one, that could
// not be used. It is skipped; the rest is read.
type ReportError struct {
	File string `json:"file"` // the file, with the archive entry: "week.zip:google.com!example.com!1.xml"
	// Element says where in the report: "record 3 <row><source_ip>";
	// "" for the report as a whole.
	Element string `json:"element,omitempty"`
	Line    int    `json:"line,omitempty"` // for a report that is not well-formed XML
	Reason  string `json:"reason"`
}

func (e *ReportError) Error() string {
	switch {
	case e.Line > 0:
		return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Reason
	case e.Element != "":
		return e.File + ": " + e.Element + ": " + e.Reason
	}
	return e.File + ": " + e.Reason
}

// Reports are the senders of DMARC aggregate reports.
type Reports struct {
	// Senders has one row per source IP, envelope sender and HELO name,
	// in the order first seen, with the messages of every record of
	// them summed in Count.
	Senders []Sender
	Files   int // reports read
	Records int // records used
	Errors  []*ReportError
}

// IsReportPath reports whether path names DMARC aggregate reports rather
// than a senders file: a directory, or a file named .xml, .xml.gz or
// .zip.
func IsReportPath(path string) bool {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return true
	}
	return reportName(path)
}

func reportName(name string) bool {
	name = strings.ToLower(name)
	return strings.HasSuffix(name, ".xml") || strings.HasSuffix(name, ".xml.gz") || strings.HasSuffix(name, ".zip")
}

// ReadReports reads the DMARC aggregate reports (RFC 9990, and RFC 7489
// appendix C before it) at path: an .xml file, an .xml.gz, a .zip of
// them, or a directory holding any of these (other files in it are
// ignored). From each record it takes the source IP, the message count,
// the envelope sender (identifiers/envelope_from, else the domain of an
// SPF result of scope mfrom, else identifiers/header_from) and the HELO
// name (the domain of an SPF result of scope helo). A report or record
// that cannot be used is named in Errors and skipped. The error is for a
// path that cannot be read at all.
func ReadReports(path string) (*Reports, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	r := &reportReader{out: &Reports{}, seen: map[senderKey]int{}}
	if !fi.IsDir() {
		r.file(path)
		return r.out, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && reportName(p) {
			if files = append(files, p); len(files) > maxReportFiles {
				return fmt.Errorf("more than %d reports", maxReportFiles)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(files)
	for _, f := range files {
		r.file(f)
	}
	return r.out, nil
}

type senderKey struct {
	ip             netip.Addr
	mailFrom, helo string
}

type reportReader struct {
	out  *Reports
	seen map[senderKey]int // index in out.Senders
}

func (r *reportReader) fail(file, element string, line int, format string, args ...any) {
	r.out.Errors = append(r.out.Errors, &ReportError{File: file, Element: element, Line: line, Reason: fmt.Sprintf(format, args...)})
}

// file reads one file: a report, plain or gzip, or a zip archive of them.
func (r *reportReader) file(path string) {
	f, err := os.Open(path)
	if err != nil {
		r.fail(path, "", 0, "%v", err)
		return
	}
	defer f.Close()
	if strings.HasSuffix(strings.ToLower(path), ".zip") {
		fi, err := f.Stat()
		if err != nil {
			r.fail(path, "", 0, "%v", err)
			return
		}
		zr, err := zip.NewReader(f, fi.Size())
		if err != nil {
			r.fail(path, "", 0, "not a zip archive: %v", err)
			return
		}
		if len(zr.File) > maxArchiveEntries {
			r.fail(path, "", 0, "%d files in the archive: more than %d", len(zr.File), maxArchiveEntries)
			return
		}
		for _, zf := range zr.File {
			if zf.FileInfo().IsDir() {
				continue
			}
			name := path + ":" + zf.Name
			rc, err := zf.Open()
			if err != nil {
				r.fail(name, "", 0, "%v", err)
				continue
			}
			r.report(rc, name)
			rc.Close()
		}
		return
	}
	r.report(f, path)
}

// report reads one report, gzip-compressed or not (told by its magic
// bytes, RFC 1952 §2.3.1), within maxReportSize.
func (r *reportReader) report(in io.Reader, name string) {
	br := bufio.NewReader(in)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			r.fail(name, "", 0, "not gzip: %v", err)
			return
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	lr := &io.LimitedReader{R: br, N: maxReportSize + 1}
	var fb feedback
	dec := xml.NewDecoder(lr)
	dec.CharsetReader = charsetReader
	err := dec.Decode(&fb)
	var se *xml.SyntaxError
	switch {
	case lr.N <= 0:
		r.fail(name, "", 0, "larger than %d MB once decompressed", maxReportSize>>20)
		return
	case errors.As(err, &se):
		r.fail(name, "", se.Line, "not well-formed XML: %s", se.Msg)
		return
	case err != nil:
		r.fail(name, "", 0, "not a DMARC aggregate report: %v", err)
		return
	}
	if len(fb.Records) == 0 {
		r.fail(name, "<feedback>", 0, "no <record>")
		return
	}
	r.out.Files++
	for i, rec := range fb.Records {
		r.record(name, i+1, &rec)
	}
}

// feedback is the part of an aggregate report compare uses (RFC 9990
// §3.1; the namespace is not checked, so that reports of RFC 7489's
// format read alike).
type feedback struct {
	XMLName xml.Name       `xml:"feedback"`
	Records []reportRecord `xml:"record"`
}

type reportRecord struct {
	Row struct {
		SourceIP *string `xml:"source_ip"`
		Count    *string `xml:"count"`
	} `xml:"row"`
	Identifiers struct {
		EnvelopeFrom *string `xml:"envelope_from"`
		HeaderFrom   string  `xml:"header_from"`
	} `xml:"identifiers"`
	SPF []struct {
		Domain string `xml:"domain"`
		Scope  string `xml:"scope"`
	} `xml:"auth_results>spf"`
}

// record takes the sender of one record.
func (r *reportReader) record(name string, n int, rec *reportRecord) {
	where := func(el string) string { return "record " + strconv.Itoa(n) + " " + el }
	if rec.Row.SourceIP == nil {
		r.fail(name, where("<row>"), 0, "no <source_ip>")
		return
	}
	ipText := strings.TrimSpace(*rec.Row.SourceIP)
	ip, err := netip.ParseAddr(ipText)
	if err != nil || ip.Zone() != "" {
		r.fail(name, where("<row><source_ip>"), 0, "%s is not an IP address", strconv.Quote(clip(ipText)))
		return
	}
	if rec.Row.Count == nil {
		r.fail(name, where("<row>"), 0, "no <count>")
		return
	}
	count, err := strconv.ParseInt(strings.TrimSpace(*rec.Row.Count), 10, 64)
	if err != nil || count < 0 || count > maxCount {
		r.fail(name, where("<row><count>"), 0, "%s is not a message count", strconv.Quote(clip(*rec.Row.Count)))
		return
	}
	var mfrom, helo string
	for _, s := range rec.SPF {
		switch strings.ToLower(strings.TrimSpace(s.Scope)) {
		case "helo":
			helo = cmp.Or(helo, s.Domain)
		case "mfrom", "":
			mfrom = cmp.Or(mfrom, s.Domain)
		}
	}
	from := strings.TrimSpace(rec.Identifiers.HeaderFrom)
	if mfrom = strings.TrimSpace(mfrom); mfrom != "" {
		from = mfrom
	}
	if e := rec.Identifiers.EnvelopeFrom; e != nil {
		// Present: the envelope sender, "" for the null sender, whose
		// HELO name is checked instead (RFC 7208 §2.4).
		if from = strings.TrimSpace(*e); from == "" && helo == "" {
			from = strings.TrimSpace(rec.Identifiers.HeaderFrom)
		}
	}
	helo = strings.TrimSpace(helo)
	for _, v := range []struct{ el, name string }{{"envelope sender", from}, {"HELO name", helo}} {
		if i := badNameByte([]byte(v.name)); i >= 0 || !utf8.ValidString(v.name) || len(v.name) > 255 {
			r.fail(name, where("<identifiers>"), 0, "%s %s is not a domain name", v.el, strconv.Quote(clip(v.name)))
			return
		}
	}
	if from == "" && helo == "" {
		r.fail(name, where("<identifiers>"), 0, "no envelope_from, header_from or SPF domain")
		return
	}
	r.out.Records++
	key := senderKey{ip.Unmap(), strings.ToLower(from), strings.ToLower(helo)}
	if i, ok := r.seen[key]; ok {
		r.out.Senders[i].Count = min(r.out.Senders[i].Count+int(count), maxCount)
		return
	}
	r.seen[key] = len(r.out.Senders)
	r.out.Senders = append(r.out.Senders, Sender{IP: ip.Unmap(), MailFrom: from, HELO: helo, Count: int(count), Source: name + " record " + strconv.Itoa(n)})
}

func clip(s string) string {
	if len(s) > 100 {
		return s[:100] + "..."
	}
	return s
}

// charsetReader reads the encodings reports declare besides UTF-8: ASCII
// and Latin-1 (windows-1252 read as Latin-1: the names and addresses a
// report holds are ASCII).
func charsetReader(charset string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "us-ascii", "ascii", "iso-8859-1", "latin1", "windows-1252", "cp1252":
		data, err := io.ReadAll(in)
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		for _, c := range data {
			b.WriteRune(rune(c))
		}
		return strings.NewReader(b.String()), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", charset)
}
