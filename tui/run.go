package tui

import (
	"context"
	"errors"

	tea "charm.land/bubbletea/v2"

	"spflab/scenarios"
)

// Run runs the lab on the lessons of file until the learner quits or ctx
// ends. progOpts go to tea.NewProgram (tests give input, output and a
// window size).
func Run(ctx context.Context, file *scenarios.File, opts Options, progOpts ...tea.ProgramOption) error {
	m, err := New(ctx, file, opts)
	if err != nil {
		return err
	}
	p := tea.NewProgram(m, append([]tea.ProgramOption{tea.WithContext(ctx)}, progOpts...)...)
	final, err := p.Run()
	if fm, ok := final.(*Model); ok {
		fm.Close()
	}
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // interrupted: a normal way to leave
	}
	return err
}
