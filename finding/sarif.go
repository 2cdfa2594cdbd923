package finding

import (
	"encoding/json"
	"io"
)

// The parts of SARIF 2.1.0 (OASIS, "Static Analysis Results Interchange
// Format") that a lint fills. Code-scanning UIs show a result at its
// artifact's region; a record is one line, so a finding is at line 1 and
// its column.

// SARIFSchema and SARIFVersion identify the SARIF format WriteSARIF
// writes.
const (
	SARIFSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	SARIFVersion = "2.1.0"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string       `json:"id"`
	Name                 string       `json:"name"`
	ShortDescription     sarifMessage `json:"shortDescription"`
	HelpURI              string       `json:"helpUri"`
	DefaultConfiguration sarifConfig  `json:"defaultConfiguration"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int           `json:"startLine"`
	StartColumn int           `json:"startColumn"`
	Snippet     *sarifMessage `json:"snippet,omitempty"`
}

// sarifLevel is the SARIF level of a severity.
func sarifLevel(s Severity) string {
	if s == SeverityInfo {
		return "note"
	}
	return string(s)
}

// ArtifactURI is the pseudo-URI that stands for the TXT records of a name
// in SARIF: "dns:///example.com/TXT", "dns:///_dmarc.example.com/TXT".
func ArtifactURI(name string) string { return "dns:///" + name + "/TXT" }

// WriteSARIF writes findings as a SARIF 2.1.0 log of one run: every rule
// in the driver, every finding a result at its domain's TXT records
// (ArtifactURI), line 1, the finding's column (1 for a finding about the
// whole record). The findings' rules must be among rules.
func WriteSARIF(w io.Writer, rules []Rule, findings []Finding) error {
	driver := sarifDriver{Name: "spflab", InformationURI: "https://www.rfc-editor.org/rfc/rfc7208"}
	index := map[string]int{}
	for i, r := range rules {
		index[r.ID] = i
		driver.Rules = append(driver.Rules, sarifRule{ID: r.ID, Name: r.Name, ShortDescription: sarifMessage{r.Summary},
			HelpURI: r.HelpURI(), DefaultConfiguration: sarifConfig{sarifLevel(r.Severity)}})
	}
	results := []sarifResult{}
	for _, f := range findings {
		region := sarifRegion{StartLine: 1, StartColumn: max(f.Column, 1)}
		if f.Record != "" {
			region.Snippet = &sarifMessage{f.Record}
		}
		results = append(results, sarifResult{
			RuleID: f.ID, RuleIndex: index[f.ID], Level: sarifLevel(f.Severity),
			Message: sarifMessage{f.Where() + ": " + f.Message + " (" + f.Ref() + "). Fix: " + f.Fix},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: ArtifactURI(f.Domain)},
				Region:           region,
			}}},
		})
	}
	log := sarifLog{Schema: SARIFSchema, Version: SARIFVersion,
		Runs: []sarifRun{{Tool: sarifTool{Driver: driver}, Results: results}}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}
