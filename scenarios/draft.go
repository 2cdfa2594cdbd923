package scenarios

import (
	"context"

	"spflab/fakedns"
	"spflab/spf"
	"spflab/spf/lint"
)

// A DraftReview is what a lesson says about a draft record for one of its
// domains: the engine's verdict for the lesson's client, and the lint of
// the draft.
type DraftReview struct {
	// Verdict holds the engine's own events that say what the record
	// gives: the check, the record when it is not usable (none, permerror,
	// temperror) and the result, all at the top level of the evaluation.
	Verdict []spf.Event
	// Lint is the lint of the draft, nil when the draft is not an SPF
	// record (RFC 7208 §4.5) or the lint failed (LintErr).
	Lint    *lint.Report
	LintErr error
}

// ReviewDraft checks draft as domain's record for the scenario's client,
// and lints it, against the scenario's zone with the other domains'
// drafts (others, by domain) in place: what the lab's record editor
// shows before the dialogue runs again.
func (sc *Scenario) ReviewDraft(ctx context.Context, domain, draft string, others map[string]string) DraftReview {
	all := make(map[string]string, len(others)+1)
	for d, t := range others {
		all[d] = t
	}
	all[domain] = draft
	var r DraftReview
	c := spf.Checker{Resolver: fakedns.WithDrafts(sc.Zone, all), Listener: func(e *spf.Event) {
		switch {
		case e.Depth != 0:
		case e.Kind == spf.EventCheck && len(r.Verdict) == 0,
			e.Kind == spf.EventRecord && e.Result != "",
			e.Kind == spf.EventResult:
			r.Verdict = append(r.Verdict, *e)
		}
	}}
	c.CheckHost(ctx, sc.Client, domain, "postmaster@"+domain, domain)
	if spf.IsSPFRecord(draft) {
		l := lint.Linter{Resolver: fakedns.WithDrafts(sc.Zone, others)}
		r.Lint, r.LintErr = l.Draft(ctx, domain, draft)
	}
	return r
}
