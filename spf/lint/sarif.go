package lint

import (
	"io"

	"spflab/finding"
)

// WriteSARIF writes rep as a SARIF 2.1.0 log of one run: every rule in
// the driver, every finding a result at its domain's TXT records
// (finding.ArtifactURI), line 1, the finding's column (1 for a finding
// about the whole record).
func WriteSARIF(w io.Writer, rep *Report) error {
	return finding.WriteSARIF(w, Rules(), rep.Findings)
}
