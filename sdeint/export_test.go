package sdeint

// RoundRunner exposes one worker's step round to the external benchmarks
// and allocation tests: all paths in one block, one worker.
type RoundRunner struct{ w *worker }

// NewRoundRunner prepares p's paths for stepping round by round.
func NewRoundRunner(p *Problem, m Method, s *Settings) (*RoundRunner, error) {
	s.Workers, s.BatchSize = 1, max(s.Paths, 1)
	sv, err := newSolver(p, m, s)
	if err != nil {
		return nil, err
	}
	w := newWorker(sv, 0)
	w.load(0, sv.paths)
	w.begin() // probe the first steps and propose each path's first attempt
	return &RoundRunner{w: w}, nil
}

// Round attempts one step on every active path and settles it.
func (r *RoundRunner) Round() {
	r.w.round()
	r.w.settle(false)
}

// Active returns the number of paths still running.
func (r *RoundRunner) Active() int { return r.w.k }
