package dkim_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"spflab/dkim"
	"spflab/fakedns"
)

// The lab signs a message for euston.net, publishes the selector's key in
// an in-memory zone, verifies the message, then verifies it again after one
// byte of the body changed in transit.
func Example() {
	der, _ := x509.MarshalPKCS8PrivateKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize)))
	key, err := dkim.ParseKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		panic(err)
	}
	zone, err := fakedns.ParseZoneData([]byte("lab._domainkey.euston.net: [TXT: \""+key.Record()+"\"]"), "example")
	if err != nil {
		panic(err)
	}
	msg := "From: ceo@euston.net\r\nTo: staff@euston.net\r\nSubject: hello\r\n\r\nHello, world.\r\n"
	signed, err := dkim.Sign([]byte(msg), dkim.SignOptions{Domain: "euston.net", Selector: "lab", Key: key, Headers: []string{"From", "To", "Subject"}})
	if err != nil {
		panic(err)
	}
	v := &dkim.Verifier{Resolver: zone, Listener: func(e dkim.Event) { fmt.Println(e.String()) }}
	sigs, _ := v.Verify(context.Background(), signed)
	fmt.Println(dkim.AuthResultsClause(sigs[0]))

	sigs, _ = v.Verify(context.Background(), bytes.Replace(signed, []byte("Hello,"), []byte("Hello!"), 1))
	fmt.Println(dkim.AuthResultsClause(sigs[0]))
	// Output:
	// DKIM-Signature 1: d=euston.net s=lab a=ed25519-sha256 h=From:To:Subject
	// key query TXT lab._domainkey.euston.net → "v=DKIM1; k=ed25519; p=iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w="
	// body hash of signature 1: the body matches bh=
	// DKIM pass for d=euston.net s=lab: the signature verifies with the Ed25519 key
	// dkim=pass (Ed25519 key) header.a=ed25519-sha256 header.d=euston.net header.i=@euston.net header.s=lab
	// DKIM-Signature 1: d=euston.net s=lab a=ed25519-sha256 h=From:To:Subject
	// key query TXT lab._domainkey.euston.net → "v=DKIM1; k=ed25519; p=iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w="
	// body hash of signature 1: the body does not match bh=, it changed after signing
	// DKIM fail for d=euston.net s=lab: the body hash does not verify: the body changed after signing
	// dkim=fail (the body hash does not verify: the body changed after signing) header.a=ed25519-sha256 header.d=euston.net header.i=@euston.net header.s=lab
}
