package dmarc

import (
	"strings"
	"unicode/utf8"
)

// toASCII converts the U-labels of a domain name to A-labels, "xn--"
// followed by the label's Punycode (RFC 5890 §2.3.2.1, RFC 3492). The name
// is lower-cased first; no further IDNA mapping or validation is done.
func toASCII(domain string) (string, bool) {
	if !utf8.ValidString(domain) {
		return "", false
	}
	labels := strings.Split(strings.ToLower(domain), ".")
	for i, l := range labels {
		for j := 0; j < len(l); j++ {
			if l[j] >= utf8.RuneSelf {
				labels[i] = "xn--" + punycode(l)
				break
			}
		}
	}
	return strings.Join(labels, "."), true
}

// The parameters of Punycode (RFC 3492 §5).
const (
	pcBase        = 36
	pcTMin        = 1
	pcTMax        = 26
	pcSkew        = 38
	pcDamp        = 700
	pcInitialBias = 72
	pcInitialN    = 128
)

// punycode encodes a label (RFC 3492 §6.3).
func punycode(label string) string {
	runes := []rune(label)
	var out []byte
	for _, r := range runes {
		if r < 0x80 {
			out = append(out, byte(r))
		}
	}
	b := len(out)
	h := b
	if b > 0 {
		out = append(out, '-')
	}
	n, delta, bias := rune(pcInitialN), 0, pcInitialBias
	for h < len(runes) {
		m := rune(0x10FFFF)
		for _, r := range runes {
			if r >= n && r < m {
				m = r
			}
		}
		delta += int(m-n) * (h + 1)
		n = m
		for _, r := range runes {
			if r < n {
				delta++
			}
			if r != n {
				continue
			}
			q := delta
			for k := pcBase; ; k += pcBase {
				t := k - bias
				if t < pcTMin {
					t = pcTMin
				} else if t > pcTMax {
					t = pcTMax
				}
				if q < t {
					break
				}
				out = append(out, pcDigit(t+(q-t)%(pcBase-t)))
				q = (q - t) / (pcBase - t)
			}
			out = append(out, pcDigit(q))
			bias = pcAdapt(delta, h+1, h == b)
			delta = 0
			h++
		}
		delta++
		n++
	}
	return string(out)
}

// pcAdapt is the bias adaptation function (RFC 3492 §6.1).
func pcAdapt(delta, points int, first bool) int {
	if first {
		delta /= pcDamp
	} else {
		delta /= 2
	}
	delta += delta / points
	k := 0
	for delta > ((pcBase-pcTMin)*pcTMax)/2 {
		delta /= pcBase - pcTMin
		k += pcBase
	}
	return k + (pcBase-pcTMin+1)*delta/(delta+pcSkew)
}

func pcDigit(d int) byte {
	if d < 26 {
		return byte('a' + d)
	}
	return byte('0' + d - 26)
}
