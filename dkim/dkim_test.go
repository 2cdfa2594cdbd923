package dkim_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-msgauth/authres"

	"spflab/dkim"
	"spflab/fakedns"
	"spflab/spf"
)

const message = "From: The CEO <ceo@euston.net>\r\n" +
	"To: staff@euston.net\r\n" +
	"Subject: quarterly figures\r\n" +
	"Date: Tue, 1 Apr 2025 09:00:00 +0000\r\n" +
	"Message-ID: <q1@euston.net>\r\n" +
	"\r\n" +
	"The figures are attached.\r\n"

var (
	rsaOnce sync.Once
	rsaPEM  []byte
)

// rsaKey is a 2048-bit RSA key in PKCS #1 PEM, made once per test binary.
func rsaKey(t testing.TB) *dkim.Key {
	t.Helper()
	rsaOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		rsaPEM = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	})
	return parseKey(t, rsaPEM)
}

// ed25519PEM is an Ed25519 key in PKCS #8 PEM made from seed.
func ed25519PEM(seed byte) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize)))
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func parseKey(t testing.TB, p []byte) *dkim.Key {
	t.Helper()
	k, err := dkim.ParseKey(p)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// zoneWith publishes records, name to TXT text, in a zone; the text is
// split into character-strings of at most 255 octets (RFC 1035 §3.3).
func zoneWith(t testing.TB, records map[string]string) *fakedns.Zone {
	t.Helper()
	var b strings.Builder
	for name, txt := range records {
		if txt == "TIMEOUT" {
			fmt.Fprintf(&b, "%s: [TIMEOUT]\n", name)
			continue
		}
		var parts []string
		for len(txt) > 255 {
			parts, txt = append(parts, fmt.Sprintf("%q", txt[:255])), txt[255:]
		}
		parts = append(parts, fmt.Sprintf("%q", txt))
		fmt.Fprintf(&b, "%s:\n  - TXT: [%s]\n", name, strings.Join(parts, ", "))
	}
	z, err := fakedns.ParseZoneData([]byte(b.String()), t.Name())
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func sign(t testing.TB, msg string, key *dkim.Key, domain, selector string) []byte {
	t.Helper()
	signed, err := dkim.Sign([]byte(msg), dkim.SignOptions{Domain: domain, Selector: selector, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// verify verifies msg and returns its signatures and the words of its
// events.
func verify(t testing.TB, r dkim.Resolver, msg []byte) ([]dkim.Signature, []string) {
	t.Helper()
	var lines []string
	v := &dkim.Verifier{Resolver: r, Listener: func(e dkim.Event) { lines = append(lines, e.Kind.String()+": "+e.String()) }}
	sigs, err := v.Verify(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	return sigs, lines
}

func TestSignVerifyRoundTrip(t *testing.T) {
	tests := []struct {
		name      string
		key       *dkim.Key
		algorithm string
		bits      int
		keyWords  string
	}{
		{"RSA 2048", rsaKey(t), "rsa-sha256", 2048, "2048-bit RSA key"},
		{"Ed25519", parseKey(t, ed25519PEM(7)), "ed25519-sha256", 256, "Ed25519 key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.key.Algorithm(); got != tt.algorithm {
				t.Errorf("Algorithm() = %q, want %q", got, tt.algorithm)
			}
			z := zoneWith(t, map[string]string{"lab._domainkey.euston.net": tt.key.Record()})
			signed := sign(t, message, tt.key, "euston.net", "lab")
			if !bytes.HasPrefix(signed, []byte("DKIM-Signature:")) || !bytes.HasSuffix(signed, []byte(message)) {
				t.Fatalf("Sign did not prepend a DKIM-Signature to the message:\n%s", signed)
			}
			sigs, lines := verify(t, z, signed)
			if len(sigs) != 1 {
				t.Fatalf("Verify = %+v, want one signature", sigs)
			}
			s := sigs[0]
			if s.Result != dkim.Pass || s.Err != nil || s.Domain != "euston.net" || s.Selector != "lab" || s.Identifier != "@euston.net" ||
				s.Algorithm != tt.algorithm || s.BodyHash != dkim.BodyHashMatch || s.KeyBits != tt.bits ||
				!slices.Equal(s.Headers, []string{"From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To", "In-Reply-To", "References", "MIME-Version", "Content-Type"}) {
				t.Errorf("Verify = %+v", s)
			}
			want := []string{
				"signature: DKIM-Signature 1: d=euston.net s=lab a=" + tt.algorithm + " h=From:To:Cc:Subject:Date:Message-ID:Reply-To:In-Reply-To:References:MIME-Version:Content-Type",
				"", // the key query, checked below
				"body-hash: body hash of signature 1: the body matches bh=",
				"verdict: DKIM pass for d=euston.net s=lab: the signature verifies with the " + tt.keyWords,
			}
			if len(lines) != len(want) || !strings.HasPrefix(lines[1], "key-query: key query TXT lab._domainkey.euston.net → \"v=DKIM1; k=") {
				t.Fatalf("events:\n%s", strings.Join(lines, "\n"))
			}
			lines[1] = ""
			if !slices.Equal(lines, want) {
				t.Errorf("events:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func TestVerifyFailures(t *testing.T) {
	key := parseKey(t, ed25519PEM(1))
	other := parseKey(t, ed25519PEM(2))
	signed := sign(t, message, key, "euston.net", "lab")
	published := map[string]string{"lab._domainkey.euston.net": key.Record()}
	tests := []struct {
		name     string
		records  map[string]string
		msg      []byte
		result   dkim.Result
		bodyHash dkim.BodyHash
		event    string // the words of one event of the verification
	}{
		{
			name: "one byte of the body changed in transit", records: published,
			msg:    bytes.Replace(signed, []byte("figures are"), []byte("figures ARE"), 1),
			result: dkim.Fail, bodyHash: dkim.BodyHashMismatch,
			event: "body-hash: body hash of signature 1: the body does not match bh=, it changed after signing",
		},
		{
			name: "a signed header field changed", records: published,
			msg:    bytes.Replace(signed, []byte("quarterly"), []byte("QUARTERLY"), 1),
			result: dkim.Fail, bodyHash: dkim.BodyHashMatch,
			event: "verdict: DKIM fail for d=euston.net s=lab: the signature does not verify with the Ed25519 key: a signed header field changed, or another key signed",
		},
		{
			name: "another key is published", records: map[string]string{"lab._domainkey.euston.net": other.Record()},
			msg: signed, result: dkim.Fail, bodyHash: dkim.BodyHashMatch,
		},
		{
			name: "no key at the selector", records: map[string]string{"other._domainkey.euston.net": key.Record()},
			msg: signed, result: dkim.PermError,
			event: "key-query: key query TXT lab._domainkey.euston.net: no such name",
		},
		{
			name: "the key is revoked", records: map[string]string{"lab._domainkey.euston.net": "v=DKIM1; k=ed25519; p="},
			msg: signed, result: dkim.PermError,
			event: "verdict: DKIM permerror for d=euston.net s=lab: key revoked",
		},
		{
			name: "the key query times out", records: map[string]string{"lab._domainkey.euston.net": "TIMEOUT"},
			msg: signed, result: dkim.TempError,
			event: "key-query: key query TXT lab._domainkey.euston.net: timeout",
		},
		{
			name: "a tag without a value separator", records: published,
			msg:    append([]byte("DKIM-Signature: v=1; a=rsa-sha256; d=euston.net; s=lab; h=from; bh=AAAA; b=AAAA; oops\r\n"), message...),
			result: dkim.Neutral,
			event:  `verdict: DKIM neutral for d=euston.net s=lab: the tag list has a syntax error (RFC 6376 §3.2): the tag "oops" has no "="`,
		},
		{
			name: "From is not signed", records: published,
			msg:    append([]byte("DKIM-Signature: v=1; a=ed25519-sha256; d=euston.net; s=lab; h=subject; bh=AAAA; b=AAAA\r\n"), message...),
			result: dkim.PermError,
			event:  "verdict: DKIM permerror for d=euston.net s=lab: From field not signed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sigs, lines := verify(t, zoneWith(t, tt.records), tt.msg)
			if len(sigs) != 1 || sigs[0].Result != tt.result || sigs[0].BodyHash != tt.bodyHash || sigs[0].Err == nil {
				t.Errorf("Verify = %+v, want %s with body hash %s", sigs, tt.result, tt.bodyHash)
			}
			if tt.event != "" && !slices.Contains(lines, tt.event) {
				t.Errorf("no event %q in\n%s", tt.event, strings.Join(lines, "\n"))
			}
		})
	}
}

func TestVerifyUnsigned(t *testing.T) {
	sigs, lines := verify(t, fakedns.NewZone(), []byte(message))
	if len(sigs) != 1 || sigs[0].Result != dkim.None {
		t.Errorf("Verify = %+v, want one None", sigs)
	}
	if want := []string{"verdict: DKIM none: the message has no DKIM-Signature header field"}; !slices.Equal(lines, want) {
		t.Errorf("events %q, want %q", lines, want)
	}
	if got, want := dkim.AuthResultsClause(sigs[0]), "dkim=none (message not signed)"; got != want {
		t.Errorf("AuthResultsClause = %q, want %q", got, want)
	}
}

// TestVerifySeveral checks two signatures, verified concurrently by
// go-msgauth, reported in header order, and the limit on signatures.
func TestVerifySeveral(t *testing.T) {
	edKey, rKey := parseKey(t, ed25519PEM(3)), rsaKey(t)
	z := zoneWith(t, map[string]string{"ed._domainkey.euston.net": edKey.Record(), "rsa._domainkey.forwarder.example": rKey.Record()})
	signed := sign(t, string(sign(t, message, edKey, "euston.net", "ed")), rKey, "forwarder.example", "rsa")
	sigs, lines := verify(t, z, signed)
	if len(sigs) != 2 || sigs[0].Domain != "forwarder.example" || sigs[1].Domain != "euston.net" || sigs[0].Result != dkim.Pass || sigs[1].Result != dkim.Pass {
		t.Fatalf("Verify = %+v", sigs)
	}
	var order []string
	for _, l := range lines {
		order = append(order, l[:strings.Index(l, ":")])
	}
	want := []string{"signature", "key-query", "body-hash", "verdict", "signature", "key-query", "body-hash", "verdict"}
	if !slices.Equal(order, want) || !strings.Contains(lines[0], "d=forwarder.example") || !strings.Contains(lines[4], "d=euston.net") {
		t.Errorf("events:\n%s", strings.Join(lines, "\n"))
	}

	v := &dkim.Verifier{Resolver: z, MaxSignatures: 1, Listener: func(e dkim.Event) { lines = append(lines, e.String()) }}
	lines = nil
	sigs, err := v.Verify(context.Background(), signed)
	if err != nil || len(sigs) != 1 || sigs[0].Domain != "forwarder.example" {
		t.Fatalf("Verify with MaxSignatures 1 = %+v, %v", sigs, err)
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "DKIM-Signature 2: d=euston.net s=ed a=ed25519-sha256") || !strings.Contains(last, "not verified") {
		t.Errorf("last event %q, want the second signature not verified", last)
	}
}

// A message written with LF line ends signs and verifies as it would on
// the wire, with CRLF.
func TestLFMessage(t *testing.T) {
	key := parseKey(t, ed25519PEM(4))
	z := zoneWith(t, map[string]string{"lab._domainkey.euston.net": key.Record()})
	signed := sign(t, strings.ReplaceAll(message, "\r\n", "\n"), key, "euston.net", "lab")
	if !bytes.HasSuffix(signed, []byte(message)) {
		t.Errorf("signed message not in CRLF form:\n%q", signed)
	}
	lf := bytes.ReplaceAll(signed, []byte("\r\n"), []byte("\n"))
	if sigs, _ := verify(t, z, lf); sigs[0].Result != dkim.Pass {
		t.Errorf("Verify of the LF form = %+v", sigs)
	}
	headerOnly := sign(t, "From: a@euston.net\nSubject: x", key, "euston.net", "lab")
	if sigs, _ := verify(t, z, headerOnly); sigs[0].Result != dkim.Pass {
		t.Errorf("Verify of a message without body = %+v", sigs)
	}
}

func TestAuthResultsClause(t *testing.T) {
	key := rsaKey(t)
	z := zoneWith(t, map[string]string{"lab._domainkey.euston.net": key.Record()})
	signed := sign(t, message, key, "euston.net", "lab")
	tests := []struct {
		msg  []byte
		want string
	}{
		{signed, "dkim=pass (2048-bit RSA key) header.a=rsa-sha256 header.d=euston.net header.i=@euston.net header.s=lab"},
		{bytes.Replace(signed, []byte("attached"), []byte("ATTACHED"), 1),
			"dkim=fail (the body hash does not verify: the body changed after signing) header.a=rsa-sha256 header.d=euston.net header.i=@euston.net header.s=lab"},
	}
	for _, tt := range tests {
		sigs, _ := verify(t, z, tt.msg)
		got := dkim.AuthResultsClause(sigs[0])
		if got != tt.want {
			t.Errorf("AuthResultsClause = %q\nwant                %q", got, tt.want)
		}
		_, results, err := authres.Parse("lab.example; " + got)
		if err != nil || len(results) != 1 {
			t.Fatalf("authres.Parse(%q) = %v, %v", got, results, err)
		}
		if r, ok := results[0].(*authres.DKIMResult); !ok || string(r.Value) != string(sigs[0].Result) || r.Domain != "euston.net" || r.Identifier != "@euston.net" {
			t.Errorf("authres.Parse(%q) = %+v", got, results[0])
		}
	}
}

func TestParseKeyErrors(t *testing.T) {
	ecKey := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: mustPKCS8EC()})
	tests := []struct {
		name, pem, want string
	}{
		{"not PEM", "hello", "no PEM block"},
		{"a certificate", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}})), `type "CERTIFICATE"`},
		{"broken DER", string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte{1, 2, 3}})), "RSA PRIVATE KEY:"},
		{"an ECDSA key", string(ecKey), "want an RSA or Ed25519 key"},
		{"two keys", string(ed25519PEM(1)) + string(ed25519PEM(2)), "text after the PEM block"},
	}
	for _, tt := range tests {
		if _, err := dkim.ParseKey([]byte(tt.pem)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: ParseKey error %v, want one saying %q", tt.name, err, tt.want)
		}
	}
}

func TestSignErrors(t *testing.T) {
	key := parseKey(t, ed25519PEM(5))
	tests := []struct {
		name string
		o    dkim.SignOptions
		want string
	}{
		{"no key", dkim.SignOptions{Domain: "euston.net", Selector: "lab"}, "no key"},
		{"a bad domain", dkim.SignOptions{Domain: "euston net", Selector: "lab", Key: key}, "not a domain name"},
		{"a bad selector", dkim.SignOptions{Domain: "euston.net", Selector: "la;b", Key: key}, "selector"},
		{"From not signed", dkim.SignOptions{Domain: "euston.net", Selector: "lab", Key: key, Headers: []string{"Subject"}}, "must include From"},
		{"a bad header name", dkim.SignOptions{Domain: "euston.net", Selector: "lab", Key: key, Headers: []string{"From", "X: y"}}, "not a header field name"},
	}
	for _, tt := range tests {
		if _, err := dkim.Sign([]byte(message), tt.o); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Sign error %v, want one saying %q", tt.name, err, tt.want)
		}
	}
}

func TestKeyRecord(t *testing.T) {
	ed := parseKey(t, ed25519PEM(9))
	pub := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize)).Public().(ed25519.PublicKey)
	if got, want := ed.Record(), "v=DKIM1; k=ed25519; p="+b64(pub); got != want {
		t.Errorf("Record() = %q, want %q", got, want)
	}
	if got := rsaKey(t).Record(); !strings.HasPrefix(got, "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA") {
		t.Errorf("Record() = %q, want an RSA SubjectPublicKeyInfo", got)
	}
	if got := rsaKey(t).String(); got != "2048-bit RSA key" {
		t.Errorf("String() = %q", got)
	}
}

func TestResolverContract(t *testing.T) {
	var _ dkim.Resolver = spf.Resolver(nil)
	var _ dkim.Resolver = fakedns.NewZone()
}
