package smtpsim

import (
	"context"
	"fmt"
	"net/netip"
	"runtime"
	"runtime/debug"

	"spflab/spf"
)

// An SPF evaluation runs deep: the evaluator's frames take several KiB of
// stack, more than a new goroutine starts with. On a session's goroutine
// (go-smtp starts one per connection) every evaluation would grow the
// stack, copying it at its deepest. So the server keeps a few evaluator
// goroutines, whose stacks grow once and stay grown, and hands each
// evaluation to an idle one; the session waits for the outcome, so its
// events still come one at a time and in order. When none is idle (each
// waits for DNS), the session evaluates on its own goroutine: a slow
// resolver never holds up another session.

// evaluation is one SPF check handed to an evaluator: the checker and its
// arguments, then its outcome. A session has one and reuses it.
type evaluation struct {
	ck         spf.Checker
	ctx        context.Context
	identity   spf.Identity
	ip         netip.Addr
	helo, from string

	outcome spf.Outcome
	failed  *evaluatorPanic
	done    chan struct{} // one token once the outcome is in
}

// run evaluates on the calling goroutine.
func (e *evaluation) run() {
	if e.identity == spf.IdentityHELO {
		e.outcome = e.ck.CheckHELO(e.ctx, e.ip, e.helo)
		return
	}
	e.outcome = e.ck.Check(e.ctx, e.ip, e.helo, e.from)
}

// evaluatorPanic is a panic of an evaluation on an evaluator, raised again
// on the session's goroutine, where go-smtp recovers and logs it.
type evaluatorPanic struct {
	value any
	stack []byte
}

func (p *evaluatorPanic) String() string {
	return fmt.Sprintf("%v [on an SPF evaluator goroutine]\n%s", p.value, p.stack)
}

// evaluate runs e on an idle evaluator, or on the calling goroutine when
// none is idle, and returns its outcome.
func (s *Server) evaluate(e *evaluation) spf.Outcome {
	if e.done == nil {
		e.done = make(chan struct{}, 1)
	}
	select {
	case s.evaluations <- e:
		<-e.done
		if p := e.failed; p != nil {
			e.failed = nil
			panic(p)
		}
	default:
		e.run()
	}
	return e.outcome
}

// startEvaluators starts one evaluator per processor; they end when
// s.evaluatorsQuit is closed.
func (s *Server) startEvaluators() {
	for range runtime.GOMAXPROCS(0) {
		s.serving.Add(1)
		go s.evaluator()
	}
}

func (s *Server) evaluator() {
	defer s.serving.Done()
	for {
		select {
		case e := <-s.evaluations:
			s.runEvaluation(e)
		case <-s.evaluatorsQuit:
			return
		}
	}
}

func (s *Server) runEvaluation(e *evaluation) {
	defer func() {
		if v := recover(); v != nil {
			e.failed = &evaluatorPanic{value: v, stack: debug.Stack()}
		}
		e.done <- struct{}{}
	}()
	e.run()
}
