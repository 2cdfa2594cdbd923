package dkim

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
)

// minRSABits is the smallest RSA key RFC 8301 §3.2 lets a signer use.
const minRSABits = 1024

// Key is a DKIM signing key: RSA (RFC 6376 §3.3.1, RFC 8301) or Ed25519
// (RFC 8463).
type Key struct {
	signer crypto.Signer
}

// ParseKey reads a private key in PEM: an "RSA PRIVATE KEY" (PKCS #1) or a
// "PRIVATE KEY" (PKCS #8) holding an RSA or Ed25519 key. An RSA key must
// have at least 1024 bits (RFC 8301 §3.2).
func ParseKey(pemData []byte) (*Key, error) {
	block, rest := pem.Decode(pemData)
	if block == nil {
		return nil, errors.New("dkim key: no PEM block")
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return nil, errors.New("dkim key: text after the PEM block")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("dkim key: a PEM block of type %q; want \"RSA PRIVATE KEY\" or \"PRIVATE KEY\"", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("dkim key: %s: %w", block.Type, err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if bits := k.N.BitLen(); bits < minRSABits {
			return nil, fmt.Errorf("dkim key: a %d-bit RSA key is too short; RFC 8301 §3.2 requires %d bits or more", bits, minRSABits)
		}
		return &Key{signer: k}, nil
	case ed25519.PrivateKey:
		return &Key{signer: k}, nil
	}
	return nil, fmt.Errorf("dkim key: a %T; want an RSA or Ed25519 key", key)
}

// Algorithm is the a= tag the key signs with: "rsa-sha256" or
// "ed25519-sha256" (RFC 6376 §3.3, RFC 8463 §3).
func (k *Key) Algorithm() string { return k.keyType() + "-sha256" }

// keyType is the k= tag of the key record (RFC 6376 §3.6.1).
func (k *Key) keyType() string {
	if _, ok := k.signer.Public().(ed25519.PublicKey); ok {
		return "ed25519"
	}
	return "rsa"
}

// String describes the key: "2048-bit RSA key" or "Ed25519 key".
func (k *Key) String() string {
	bits := 256
	if pub, ok := k.signer.Public().(*rsa.PublicKey); ok {
		bits = pub.N.BitLen()
	}
	return keyWords(k.keyType(), bits)
}

// Record returns the TXT record that publishes the key's public half at
// selector._domainkey.domain (RFC 6376 §3.6.1): "v=DKIM1; k=rsa; p=..."
// with the SubjectPublicKeyInfo of an RSA key, or the 32 raw bytes of an
// Ed25519 key (RFC 8463 §4.2).
func (k *Key) Record() string {
	var der []byte
	switch pub := k.signer.Public().(type) {
	case ed25519.PublicKey:
		der = pub
	default:
		der, _ = x509.MarshalPKIXPublicKey(pub) // an RSA key always marshals
	}
	return "v=DKIM1; k=" + k.keyType() + "; p=" + base64.StdEncoding.EncodeToString(der)
}

// describeKey reads the algorithm and size of the public key in a key
// record (RFC 6376 §3.6.1), for the words of a verdict; "" when it cannot.
func describeKey(record string) (algorithm string, bits int) {
	tags, _ := parseTags(record)
	der, err := base64.StdEncoding.DecodeString(stripSpace(tags["p"]))
	if err != nil || len(der) == 0 {
		return "", 0
	}
	switch k := stripSpace(tags["k"]); k {
	case "", "rsa":
		pub, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			if p1, err1 := x509.ParsePKCS1PublicKey(der); err1 == nil {
				pub = p1
			}
		}
		if r, ok := pub.(*rsa.PublicKey); ok {
			return "rsa", r.N.BitLen()
		}
	case "ed25519":
		if len(der) == ed25519.PublicKeySize {
			return "ed25519", 256
		}
	}
	return "", 0
}
