package scenarios

import (
	"context"
	"errors"
	"io"

	"spflab/smtpsim"
)

// Transcript is a whole run of a scenario: every step, and the messages
// the server stored.
type Transcript struct {
	Scenario *Scenario
	Steps    []Step
	Messages []smtpsim.Message
}

// Run runs a scenario from its setup to its end.
func Run(ctx context.Context, sc *Scenario, opts Options) (*Transcript, error) {
	r, err := Start(ctx, sc, opts)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	t := &Transcript{Scenario: sc}
	for {
		st, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		t.Steps = append(t.Steps, st)
		if err != nil {
			return t, err
		}
	}
	t.Messages = r.Messages()
	return t, nil
}

// Events returns the events of every step, in order.
func (t *Transcript) Events() []Event {
	var out []Event
	for _, st := range t.Steps {
		out = append(out, st.Events...)
	}
	return out
}

// Checks returns the outcome of every expectation, in order.
func (t *Transcript) Checks() []Check {
	var out []Check
	for _, st := range t.Steps {
		out = append(out, st.Checks...)
	}
	return out
}

// Failed returns the expectations that were not met.
func (t *Transcript) Failed() []Check {
	var out []Check
	for i := range t.Steps {
		out = append(out, t.Steps[i].Failed()...)
	}
	return out
}
