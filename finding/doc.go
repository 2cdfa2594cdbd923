// Package finding is the shared vocabulary of spflab's linters: a Rule
// with a stable ID, a severity and the RFC section that explains it, a
// Finding of that rule at a record's term and column with a fix, and the
// writers that lay findings out — as text with a caret under the column
// (WriteText) and as SARIF 2.1.0 for code-scanning UIs (WriteSARIF).
//
// Package spf/lint (RFC 7208) and package dmarc/lint (RFC 9989) each own
// their rules; they share this package so that their findings read, print
// and serialise alike and can be reported together.
package finding
