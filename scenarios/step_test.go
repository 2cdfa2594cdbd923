package scenarios

import "testing"

// TestStepArg: the argument of a command as the server reads it.
func TestStepArg(t *testing.T) {
	tests := []struct{ verb, line, want string }{
		{"HELO", "HELO mail.euston.net", "mail.euston.net"},
		{"EHLO", "ehlo  pc.home ", "pc.home"},
		{"MAIL", "MAIL From:honeypot@euston.net", "honeypot@euston.net"},
		{"MAIL", "MAIL From: <honeypot@euston.net> SIZE=100", "honeypot@euston.net"},
		{"MAIL", "MAIL FROM:<>", "<>"},
		{"RCPT", "RCPT To: <user@example.com>", "user@example.com"},
		{"MAIL", "MAIL", ""},
		{"HELO", "HELO", ""},
	}
	for _, tt := range tests {
		st := DialogueStep{Kind: StepSend, Line: tt.line}
		if st.Verb() != tt.verb {
			t.Errorf("Verb(%q) = %q, want %q", tt.line, st.Verb(), tt.verb)
		}
		if got := st.Arg(); got != tt.want {
			t.Errorf("Arg(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}
