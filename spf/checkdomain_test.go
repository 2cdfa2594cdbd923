package spf

import (
	"strings"
	"testing"
)

func TestCheckDomain(t *testing.T) {
	label63 := strings.Repeat("a", 63)
	tests := []struct {
		domain string
		want   error
	}{
		{"example.com", nil},
		{"example.com.", nil},
		{"a.b.example.com", nil},
		{label63 + ".example.com", nil},
		{"", errEmptyDomain},
		{".", errEmptyDomain},
		{strings.Repeat("a.", 127) + "com", errLongDomain},
		{"a..example.com", errEmptyLabel},
		{".example.com", errEmptyLabel},
		{"example.com..", errEmptyLabel},
		{label63 + "a.example.com", errLongLabel},
		{"example." + label63 + "a", errLongLabel},
		{"localhost", errNotFQDN},
		{"example.123", errBadTopLabel},
		{"example.-com", errBadTopLabel},
	}
	for _, tt := range tests {
		if got := checkDomain(tt.domain); got != tt.want {
			t.Errorf("checkDomain(%q) = %v, want %v", tt.domain, got, tt.want)
		}
	}
}
