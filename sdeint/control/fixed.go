package control

import "math"

// Fixed is the Controller of fixed steps: each attempt ends at the next
// point of Grid (or at the path's next stop, if that comes first) and is
// accepted without an error estimate. An attempt that was not finite ends
// the path, as there is no smaller step to retry with. Grid must run
// strictly monotonically from the problem's T0 to its T1; the solver builds
// one from sdeint.Settings.Steps or Grid, with the save times merged in.
type Fixed struct {
	Grid []float64
}

var _ Controller = (*Fixed)(nil)

// StateSize returns 1: a path's memory is the index of its grid point.
func (c *Fixed) StateSize() int { return 1 }

// UsesError returns false.
func (c *Fixed) UsesError() bool { return false }

// Start puts the path on the first grid point; fixed steps have no
// step-size proposal.
func (c *Fixed) Start(state []float64, t0, t1 float64) float64 {
	state[0] = 0
	return 0
}

// Propose ends the attempt at the next grid point, or at stop if that comes
// first. It ends the path past the end of the grid.
func (c *Fixed) Propose(state []float64, t, stop float64) (tEnd, hTry float64, ok bool) {
	i := int(state[0]) + 1
	if i >= len(c.Grid) {
		return t, 0, false
	}
	tEnd = c.Grid[i]
	if (tEnd-stop)*(stop-t) > 0 {
		tEnd = stop
	}
	return tEnd, math.Abs(tEnd - t), true
}

// Decide accepts a finite attempt and stops the path after one that was not.
func (c *Fixed) Decide(state []float64, t, tEnd, err float64) (Decision, float64) {
	if !(err <= math.MaxFloat64) {
		return Stop, 0
	}
	if i := int(state[0]) + 1; i < len(c.Grid) && tEnd == c.Grid[i] {
		state[0] = float64(i)
	}
	return Accept, 0
}
