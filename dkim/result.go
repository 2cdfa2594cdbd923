package dkim

// Result is the verdict on one signature, a word of RFC 8601 §2.7.1.
type Result string

// The results a Verifier gives (RFC 8601 §2.7.1).
const (
	None      Result = "none"      // the message was not signed
	Pass      Result = "pass"      // the signature verified
	Fail      Result = "fail"      // the body hash or the signature did not verify (RFC 6376 §6.1.3)
	Neutral   Result = "neutral"   // the signature's tag list has syntax errors (RFC 6376 §3.2)
	TempError Result = "temperror" // the key could not be retrieved for now (RFC 6376 §6.1.2, TEMPFAIL)
	PermError Result = "permerror" // the signature or its key cannot be used (RFC 6376 §6.1, PERMFAIL)
)

// BodyHash is the verdict of the body hash check (RFC 6376 §3.7, bh=).
type BodyHash uint8

// The body hash verdicts.
const (
	BodyHashUnchecked BodyHash = iota // verification stopped before the body
	BodyHashMatch                     // the canonicalized body hashes to bh=
	BodyHashMismatch                  // it does not: the body changed after signing
)

var bodyHashNames = [...]string{"unchecked", "match", "mismatch"}

func (b BodyHash) String() string {
	if int(b) < len(bodyHashNames) {
		return bodyHashNames[b]
	}
	return "unknown"
}

// MarshalText names the verdict in JSON.
func (b BodyHash) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// Signature is the verdict on one DKIM-Signature header field (RFC 6376
// §6.1) and what it says, as far as it could be read. A message without
// signatures has a single Signature with Result None.
type Signature struct {
	Result     Result
	Domain     string   // d=, the Signing Domain (SDID)
	Selector   string   // s=
	Identifier string   // i=, the AUID; "@" and the domain when absent
	Algorithm  string   // a=, e.g. "rsa-sha256"
	Headers    []string // h=, the signed header field names
	BodyHash   BodyHash
	// KeyAlgorithm ("rsa" or "ed25519") and KeyBits (the RSA modulus size,
	// 256 for Ed25519) describe the public key retrieved, when one was.
	KeyAlgorithm string
	KeyBits      int
	Err          error // why the result is not Pass
}
