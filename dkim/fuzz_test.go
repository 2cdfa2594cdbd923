package dkim_test

import (
	"context"
	"testing"

	"spflab/dkim"
)

// FuzzVerify checks that any message verifies to one verdict per
// signature, or a single none, or an error for an unreadable header;
// never a panic. The seed corpus holds a message signed with the key of
// seed 42 at lab._domainkey.euston.net.
func FuzzVerify(f *testing.F) {
	f.Add([]byte(message))
	f.Add([]byte("DKIM-Signature: v=1; a=rsa-sha256; d=euston.net; s=lab; h=from; bh=AAAA; b=AAAA\r\n" + message))
	key := parseKey(f, ed25519PEM(42))
	z := zoneWith(f, map[string]string{"lab._domainkey.euston.net": key.Record()})
	v := &dkim.Verifier{Resolver: z, Listener: func(e dkim.Event) { _ = e.String() }}
	f.Fuzz(func(t *testing.T, msg []byte) {
		sigs, err := v.Verify(context.Background(), msg)
		if err != nil {
			return
		}
		if len(sigs) == 0 {
			t.Fatalf("Verify(%q) gave no verdict", msg)
		}
		for _, s := range sigs {
			switch s.Result {
			case dkim.Pass, dkim.Fail, dkim.Neutral, dkim.TempError, dkim.PermError, dkim.None:
			default:
				t.Fatalf("Verify(%q): result %q", msg, s.Result)
			}
			if (s.Err == nil) != (s.Result == dkim.Pass) {
				t.Fatalf("Verify(%q): %s with error %v", msg, s.Result, s.Err)
			}
		}
	})
}
