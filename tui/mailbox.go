package tui

import (
	"bytes"
	"fmt"
	"strings"

	"spflab/smtpsim"
)

// mailbox is the monitor's view of the messages the server stored, like a
// local mail catcher: a list, and one message opened with its header
// fields.
type mailbox struct {
	msgs []smtpsim.Message
	cur  int   // the message selected in the list
	open bool  // the selected message is shown
	pg   pager // the message shown
}

// load takes the messages stored now, keeping the selection on the same
// message where it can.
func (mb *mailbox) load(msgs []smtpsim.Message) {
	var id uint64
	if mb.cur < len(mb.msgs) {
		id = mb.msgs[mb.cur].ID
	}
	mb.msgs, mb.cur = msgs, max(len(msgs)-1, 0)
	for i, m := range msgs {
		if m.ID == id {
			mb.cur = i
		}
	}
}

// field returns the value of the first header field called name that the
// server prepended, "" for none.
func field(m *smtpsim.Message, name string) string {
	for _, f := range m.Fields {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// subject returns the message's Subject, "" for none.
func subject(m *smtpsim.Message) string {
	h, err := m.Header()
	if err != nil {
		return ""
	}
	return h.Get("Subject")
}

// listLines draws one line per message: its number, the client, the
// envelope, the SPF result of Received-SPF and the subject.
func (mb *mailbox) listLines(th *theme, width int) []string {
	if len(mb.msgs) == 0 {
		return []string{th.dim.on("No message stored yet: a session that ends its DATA with \".\" stores one.")}
	}
	var out []string
	for i := range mb.msgs {
		m := &mb.msgs[i]
		mark := "  "
		if i == mb.cur {
			mark = th.selected.on("▶ ")
		}
		from := m.MailFrom
		if from == "" {
			from = "<>"
		}
		result, _, _ := strings.Cut(field(m, "Received-SPF"), " ")
		segs := []seg{
			{fmt.Sprintf("#%-4d %-15s ", m.ID, m.ClientIP), th.text},
			{fmt.Sprintf("SPF %-9s", result), th.resultPaint(result)},
			{" " + from + " → " + strings.Join(m.Recipients, ", "), th.text},
		}
		if s := subject(m); s != "" {
			segs = append(segs, seg{"  " + s, th.dim})
		}
		out = append(out, fit(mark+renderSegs(cleanSegs(segs)), width))
	}
	return out
}

// messageLines draws a stored message: the envelope, the header fields,
// those the server added first, then the body.
func messageLines(th *theme, m *smtpsim.Message, width int) []string {
	from := m.MailFrom
	if from == "" {
		from = "<>"
	}
	client := m.ClientIP.String()
	if m.ClientName != "" {
		client = m.ClientName + " [" + client + "]"
	}
	var out []string
	for _, l := range [][2]string{
		{"client", client + ", HELO " + m.HELO},
		{"envelope", "MAIL FROM " + from + ", RCPT TO " + strings.Join(m.Recipients, ", ")},
		{"stored", fmt.Sprintf("message %d of session %d, %d bytes", m.ID, m.Session, len(m.Data))},
	} {
		out = append(out, wrapLine(seg{l[0] + " ", th.dim}, seg{l[1], th.text}, width)...)
	}
	out = append(out, "")
	header, body, _ := bytes.Cut(m.Data, []byte("\r\n\r\n"))
	if _, err := m.Header(); err != nil {
		out = append(out, wrapText("The header cannot be read: "+err.Error(), th.warnText, width)...)
		body = m.Data
	} else {
		// The fields in their order, unfolded (net/mail's map loses it);
		// those the server added stand out.
		for _, line := range unfold(string(header)) {
			name, value, _ := strings.Cut(line, ":")
			p := th.result
			if field(m, name) != "" {
				p = th.accent
			}
			out = append(out, wrapLine(seg{name + ":", p}, seg{value, th.text}, width)...)
		}
	}
	out = append(out, "")
	for _, l := range strings.Split(strings.TrimRight(string(body), "\r\n"), "\n") {
		out = append(out, wrapText(strings.TrimSuffix(l, "\r"), th.dim, width)...)
	}
	return out
}

// wrapLine wraps a name and a value with a hanging indent.
func wrapLine(name, value seg, width int) []string {
	return appendHang(nil, cleanSegs([]seg{name, value}), width, 4)
}

// unfold returns the header fields of a header, one a line (RFC 5322
// §2.2.3).
func unfold(header string) []string {
	var out []string
	for _, l := range strings.Split(header, "\r\n") {
		if (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) && len(out) > 0 {
			out[len(out)-1] += " " + strings.TrimSpace(l)
			continue
		}
		out = append(out, l)
	}
	return out
}
