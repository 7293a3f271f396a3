package control

import "fmt"

// Controller chooses the steps of each path: where the next attempt ends,
// and whether to keep it given its error norm. The integral, PI and PID
// controllers (Adaptive) and fixed steps (Fixed) implement it; a user's own
// controller plugs into the solver through sdeint.Settings.Controller.
//
// A Controller is shared by the solver's goroutines and must not change once
// the solve has begun. A path's memory is its own slice of StateSize()
// float64s, given to every call for that path: the solver allocates it once
// per row, so a controller that keeps its memory there steps without
// allocating. The calls for one path come in the order Start, then
// Propose and Decide alternately.
type Controller interface {
	// StateSize returns the number of float64s of memory a path needs.
	StateSize() int
	// UsesError reports whether Decide reads the error norm. If not, the
	// method skips its error estimate and Decide sees err = 0, or +Inf
	// for an attempt that was not finite; such a controller should not
	// Reject (it would propose the same step again): fixed steps.
	UsesError() bool
	// Start prepares the memory of a path integrated from t0 to t1 and
	// returns its step-size proposal |h| (PathStats.H until the first
	// attempt; 0 if the controller has none).
	Start(state []float64, t0, t1 float64) (h float64)
	// Propose returns the end tEnd of the next attempt from the path's
	// time t. The attempt must move toward stop, the next time the path
	// must land on (a save time or T1), and must not pass it: tEnd is
	// strictly between t and stop, or stop itself (sdeint.Solve stops
	// with FuncError on a tEnd past stop). hTry is the step size
	// |h| the controller wanted before shortening it to land on stop
	// (TraceEntry.HTry). ok = false ends the path: its step size
	// collapsed to hTry.
	Propose(state []float64, t, stop float64) (tEnd, hTry float64, ok bool)
	// Decide judges the attempt from t to tEnd with error norm err (+Inf
	// when a stage or a proposal held NaN or Inf or left the problem's
	// domain), updates the memory, and returns its verdict and the next
	// step-size proposal |h| (PathStats.H).
	Decide(state []float64, t, tEnd, err float64) (d Decision, h float64)
}

// AutoStarter is a Controller that lets the solver choose each path's first
// step size by probing the method (Adaptive with Settings.H0 unset). Before
// a path's first attempt the solver runs trial steps of the method from the
// path's initial state, with a typical Brownian increment instead of the
// path's own (each component ΔW = √(2|h|), so that ΔW² − |h| = |h|, about
// the mean size of |ΔW² − |h||, 0.97|h|; Lévy areas of one standard
// deviation, signs +1),
// and keeps none of them: the path's Brownian motion is untouched. The first
// probe has Start's size; NextProbe turns each probe's error norm into the
// next size until it says done, and SetStep sets the path's first proposal.
// A probe that holds NaN or Inf, or leaves the problem's domain, has error
// +Inf. The probes' evaluations count in the path's NFE (PathStats.Probes).
// A controller that wraps Adaptive must forward these methods too, or its
// paths start from Start's size (H0's default, 0.01) without probes.
type AutoStarter interface {
	Controller
	// AutoStart reports whether the solver should probe.
	AutoStart() bool
	// NextProbe returns the size of the next probe, or with done the first
	// step size, after the n-th probe (from 1) of size h had error norm err.
	NextProbe(state []float64, h, err float64, n int) (next float64, done bool)
	// SetStep sets the path's first step-size proposal to h.
	SetStep(state []float64, h float64)
}

// Decision is a controller's verdict on an attempted step.
type Decision int

const (
	Accept Decision = iota // keep the step: the path moves to its end
	Reject                 // discard it and make another attempt from the same time
	// Stop discards the attempt and ends the path: NotFinite if the
	// attempt was not finite, else StepCollapse. It is not counted as a
	// rejection.
	Stop
)

func (d Decision) String() string {
	switch d {
	case Accept:
		return "accept"
	case Reject:
		return "reject"
	case Stop:
		return "stop"
	}
	return fmt.Sprintf("Decision(%d)", int(d))
}
