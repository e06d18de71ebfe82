package main

import (
	"github.com/welfare-district/swd/internal/progress"
	"github.com/welfare-district/swd/linkage"
)

// stageBars shows one progress bar per stage of a step on a terminal.
type stageBars struct {
	g   *GlobalOptions
	cur string
	bar *progress.Bar
}

func newStageBars(g *GlobalOptions) *stageBars { return &stageBars{g: g} }

// update is a pipeline.ProgressFunc.
func (s *stageBars) update(stage string, done, total int64) {
	if stage != s.cur {
		s.bar.Finish()
		s.cur = stage
		s.bar = progress.New(s.g.Stderr, s.g.Quiet, total, stage).Unit(stageUnit(stage))
	}
	s.bar.Set(done, 0)
}

// finish completes the last bar.
func (s *stageBars) finish() { s.bar.Finish() }

// stageUnit is what a stage's progress counts: rows, files, fields, or
// the unit of a linkage stage.
func stageUnit(stage string) string {
	switch stage {
	case "encoding":
		return "records"
	case "reading encoded files":
		return "files"
	case "attacking name fields":
		return "fields"
	}
	return linkage.StageUnit(stage)
}
