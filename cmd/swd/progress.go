package main

import "github.com/welfare-district/swd/internal/progress"

// stageBars shows one progress bar per stage of a step on a terminal.
type stageBars struct {
	g    *GlobalOptions
	cur  string
	bar  *progress.Bar
	last int64
}

func newStageBars(g *GlobalOptions) *stageBars { return &stageBars{g: g} }

// update is a pipeline.ProgressFunc.
func (s *stageBars) update(stage string, done, total int64) {
	if stage != s.cur {
		s.bar.Finish()
		s.cur, s.last = stage, 0
		s.bar = progress.New(s.g.Stderr, s.g.Quiet, total, stage)
	}
	s.bar.Add(int(done - s.last))
	s.last = done
}

// finish completes the last bar.
func (s *stageBars) finish() { s.bar.Finish() }
