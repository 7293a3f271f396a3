package control

import (
	"errors"
	"fmt"
	"math"
)

// Adaptive is the built-in error-based Controller: integral control
// h ← θ·h·E^(−β1) (B2 = B3 = 0), or PI (B3 = 0) and PID control
// h ← θ·h·E_n^(−β1)·E_{n−1}^(−β2)·E_{n−2}^(−β3) on accepted steps
// (Söderlind, ACM TOMS 29(1), 2003, in the parametrisation of Diffrax's
// PIDController; see Settings.PCoeff). The factor is clamped to
// [MinFactor, MaxFactor], a rejected step never grows, and an attempt that
// was not finite shrinks the step by MinFactor (0.2 when unclamped).
// NewAdaptive resolves it from Settings and a method's Defaults.
//
// With Auto set, each path's first step size is estimated by probing the
// method (AutoStarter): H0 is then only the first probe's size.
type Adaptive struct {
	Safety     float64
	B1, B2, B3 float64 // exponents of E_n, E_{n−1}, E_{n−2}
	PID        bool    // B2 or B3 in use
	MinFactor  float64 // 0 when unclamped
	MaxFactor  float64 // +Inf when unclamped
	H0         float64
	HMin       float64
	HMax       float64 // +Inf when unset
	// Auto asks the solver to estimate each path's first step size
	// (Settings.H0 unset); Order is the k of the estimate's growth E ∝ |h|^k
	// the probes and PI/PID control after a rejection assume (0 means 1),
	// FirstTarget the error norm the probes aim at and
	// FirstSpan the largest first step as a fraction of the span
	// (Settings.FirstTarget, FirstSpan).
	Auto                   bool
	Order                  float64
	FirstTarget, FirstSpan float64
}

var (
	_ Controller  = (*Adaptive)(nil)
	_ AutoStarter = (*Adaptive)(nil)
)

// The memory of a path under Adaptive.
const (
	adH       = iota // proposed |h| for the next attempt
	adTry            // |h| of the current attempt before it was clipped to its stop
	adClipped        // 1 if the current attempt was clipped to land on its stop
	adSpan           // |T1 − T0|: the largest proposal
	adE1             // State.E1
	adE2             // State.E2
	adBad            // the shortest probe that was not finite (0: none)
	adCap            // the largest first step: FirstSpan·span, at least a few ulps of t
	adSize
)

// Validate reports fields that would make the controller misbehave: a
// zero or partly filled Adaptive would propose steps of size 0 (every path
// "step size collapsed") or NaN. The solver calls it on a plugged
// Adaptive (sdeint.Settings.Controller) before any work; NewAdaptive's
// results always pass.
func (c *Adaptive) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("control: Adaptive."+format, a...)) }
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if !(c.Safety > 0 && c.Safety <= 1) {
		bad("Safety = %v, want a value in (0, 1]", c.Safety)
	}
	if !(c.B1 > 0) || !finite(c.B1) || !finite(c.B2) || !finite(c.B3) {
		bad("B1, B2, B3 = %v, %v, %v, want B1 finite > 0 and B2, B3 finite", c.B1, c.B2, c.B3)
	}
	if !(c.MinFactor >= 0 && c.MinFactor < 1) || !(c.MaxFactor > 1) {
		bad("MinFactor, MaxFactor = %v, %v, want 0 ≤ MinFactor < 1 < MaxFactor ≤ ∞", c.MinFactor, c.MaxFactor)
	}
	if !(c.H0 > 0) || !finite(c.H0) {
		bad("H0 = %v, want finite > 0", c.H0)
	}
	if !(c.HMin >= 0) || !finite(c.HMin) {
		bad("HMin = %v, want finite ≥ 0", c.HMin)
	} else if !(c.HMax >= c.HMin && c.HMax > 0) {
		bad("HMax = %v, want > 0 and ≥ HMin (+Inf for no bound)", c.HMax)
	}
	if (c.Auto || c.PID) && (!(c.Order >= 0) || !finite(c.Order)) {
		bad("Order = %v, want finite ≥ 0 with Auto or PID (0 means 1)", c.Order)
	}
	if c.Auto {
		if !(c.FirstTarget > 0) || !finite(c.FirstTarget) {
			bad("FirstTarget = %v, want finite > 0 with Auto", c.FirstTarget)
		}
		if !(c.FirstSpan > 0 && c.FirstSpan <= 1) {
			bad("FirstSpan = %v, want a value in (0, 1] with Auto", c.FirstSpan)
		}
	}
	return errors.Join(errs...)
}

// StateSize returns the float64s of a path's memory: its step size, the
// current attempt, the span, the PID memory (State) and the probes' bound.
func (c *Adaptive) StateSize() int { return adSize }

// UsesError returns true.
func (c *Adaptive) UsesError() bool { return true }

// Start sets the step size to H0 (with Auto, the first probe's size: H0
// within HMax and FirstSpan·span, at least HMin) and clears the PID
// memory.
func (c *Adaptive) Start(state []float64, t0, t1 float64) float64 {
	var s State
	s.Reset()
	span := math.Abs(t1 - t0)
	// The first-step cap must move t: on a span of a few ulps,
	// FirstSpan·span would be below the spacing of floats at t0.
	tmax := max(math.Abs(t0), math.Abs(t1))
	ulp := math.Nextafter(tmax, math.Inf(1)) - tmax
	state[adCap] = min(span, max(span*c.FirstSpan, 16*ulp))
	h := c.H0
	if c.Auto {
		h = max(min(h, c.HMax, state[adCap]), c.HMin)
	}
	state[adH], state[adTry], state[adClipped] = h, 0, 0
	state[adSpan] = span
	state[adE1], state[adE2] = s.E1, s.E2
	state[adBad] = 0
	return h
}

// AutoStart reports whether the first step size is to be estimated (Auto).
func (c *Adaptive) AutoStart() bool { return c.Auto }

// Probe constants (measured: docs/convergence.md, "The first step").
const (
	// MaxProbes is the most probes NextProbe asks for per path.
	MaxProbes = 3
	// probeMaxChange is the largest change of size from one probe to the
	// next.
	probeMaxChange = 100.0
)

// NextProbe returns the size of the next probe after the n-th probe
// (n = 1, 2, …) of size h gave error norm err (+Inf if it was not finite or
// left the domain), or, with done, the path's first step size. The next
// size solves E(h') = FirstTarget for E ∝ |h|^Order, changing h by at
// most a factor of 100 and kept within [HMin, min(HMax, FirstSpan·span)]
// and below half the shortest probe that was not finite; the probes end when the prediction is within a factor 2 of h, when it
// cannot move, when it grows past that upper bound (which is then the first
// step), or after MaxProbes.
func (c *Adaptive) NextProbe(state []float64, h, err float64, n int) (next float64, done bool) {
	k := c.Order
	if !(k > 0) {
		k = 1
	}
	var r float64
	switch {
	case !(err >= 0 && err <= math.MaxFloat64):
		r = 1 / probeMaxChange
		if b := state[adBad]; b == 0 || h < b {
			state[adBad] = h
		}
	case err == 0:
		r = probeMaxChange
	default:
		r = min(max(math.Pow(c.FirstTarget/err, 1/k), 1/probeMaxChange), probeMaxChange)
	}
	hi := min(c.HMax, state[adCap])
	if b := state[adBad]; b > 0 {
		hi = min(hi, b/2) // never back to a size that was not finite
	}
	hi = max(hi, c.HMin)
	next = min(max(h*r, c.HMin), hi)
	// Done when the prediction is near, cannot move, or lies beyond the
	// cap: then the capped step's predicted error is below the target, and
	// checking it would cost as much as its rejection.
	done = n >= MaxProbes || next == h || (r >= 0.5 && r <= 2) || (r > 1 && h*r > hi)
	return next, done
}

// SetStep sets the path's next proposal to h (after Start, before the
// first Propose), within [HMin, HMax] and the span.
func (c *Adaptive) SetStep(state []float64, h float64) {
	state[adH] = min(max(h, c.HMin), c.HMax, state[adSpan])
}

// Propose attempts the path's step size, HMax applied, or lands on stop if
// that is as near. The step collapses if it is not positive, below HMin, or
// too small to move t.
func (c *Adaptive) Propose(state []float64, t, stop float64) (tEnd, hTry float64, ok bool) {
	dir := 1.0
	if stop < t {
		dir = -1
	}
	h := min(state[adH], c.HMax)
	if h >= (stop-t)*dir {
		state[adTry], state[adClipped] = h, 0
		if h > (stop-t)*dir {
			state[adClipped] = 1
		}
		return stop, h, true
	}
	if !(h > 0) || t+dir*h == t || h < c.HMin {
		return t, h, false
	}
	state[adTry], state[adClipped] = h, 0
	return t + dir*h, h, true
}

// Decide accepts an error norm ≤ 1 and scales the step by Factor. The
// factor applies to the attempt's own length, so a step shortened to land on
// a stop counts with its shortened size; after such a step is accepted the
// proposal is at least the unclipped one it replaced (the shortened step
// says nothing about the step size). Proposals are capped at the span.
func (c *Adaptive) Decide(state []float64, t, tEnd, err float64) (Decision, float64) {
	accept := c.Accept(err)
	s := State{E1: state[adE1], E2: state[adE2]}
	f := c.Factor(err, accept, &s)
	state[adE1], state[adE2] = s.E1, s.E2
	hTry, clipped := state[adTry], state[adClipped] != 0
	h := hTry
	if clipped {
		h = math.Abs(tEnd - t)
	}
	h *= f
	if accept && clipped {
		h = max(h, hTry)
	}
	// An error of 0 gives an infinite factor without clamps (the next
	// step goes to its stop) and MaxFactor with them.
	h = min(h, state[adSpan])
	state[adH] = h
	if !accept {
		return Reject, h
	}
	return Accept, h
}

// State is a path's controller memory: its previous accepted error norms.
type State struct {
	E1, E2 float64
}

// Reset prepares s for a new path.
func (s *State) Reset() { s.E1, s.E2 = 1, 1 }

// Accept reports whether an error norm accepts the step: 0 ≤ err ≤ 1 (a
// negative norm, from a faulty plugged norm, is treated like NaN).
func (c *Adaptive) Accept(err float64) bool { return err >= 0 && err <= 1 }

// Factor returns the step-size factor after an attempt with error norm err,
// accepted or not, and updates the path's memory. An error of zero gives
// +Inf (the largest step allowed), or MaxFactor when clamped; a rejected
// step never grows; PID memory is used and updated on accepted steps only,
// and after a rejection PI and PID control retry with θ·E^(−max(β1, 1/k)),
// integral control's step for the estimate's growth k (Order).
func (c *Adaptive) Factor(err float64, accepted bool, s *State) float64 {
	var f float64
	switch {
	case !(err >= 0 && err <= math.MaxFloat64):
		// NaN, Inf or a negative norm (from a faulty plugged norm): a
		// stage left the domain of f or g, or the estimate overflowed.
		// Reject and shrink by MinFactor (0.2 when unclamped), as
		// Diffrax's PIDController does with factormin.
		f = c.MinFactor
		if f == 0 {
			f = nonFiniteFactor
		}
		return f
	case err == 0:
		f = math.Inf(1)
	case !accepted && c.PID:
		// Retry with the step the estimate asks for, as integral control
		// with exponent 1/k would (or β1 if that is larger). The low PI
		// gains average the estimate's noise over accepted steps; on a
		// rejection they shrank the step by E^(−β1) only, β1 = 0.3/k at
		// the SDE defaults, and the retry was often rejected again
		// (docs/convergence.md, "Controller defaults").
		f = c.Safety * math.Pow(err, -max(c.B1, 1/c.order()))
		if !(f > 0) {
			// Underflow (a tiny plugged Order, or an enormous E): shrink
			// by the non-finite factor rather than to a step of 0.
			f = nonFiniteFactor
		}
	case accepted && c.PID:
		f = c.Safety * powNeg(err, c.B1) * powNeg(s.E1, c.B2) * powNeg(s.E2, c.B3)
		if math.IsNaN(f) {
			// Inf·0 from extreme coefficients and errors: keep the step.
			f = 1
		}
	default:
		f = c.Safety * powNeg(err, c.B1)
	}
	if !accepted {
		f = min(f, 1)
	}
	f = min(max(f, c.MinFactor), c.MaxFactor)
	if accepted && c.PID {
		// Remember at least 1e-4, as Hairer's DOPRI5 does (facold): a
		// tiny remembered error would stall the step size for good.
		s.E2 = s.E1
		s.E1 = max(err, 1e-4)
	}
	return f
}

// order returns k of the estimate's growth E ∝ |h|^k (Order; 0 means 1).
func (c *Adaptive) order() float64 {
	if c.Order > 0 {
		return c.Order
	}
	return 1
}

// nonFiniteFactor shrinks the step after a non-finite error when the
// controller has no MinFactor.
const nonFiniteFactor = 0.2

// powNeg returns x^(−b) for x > 0, faster than math.Pow for the exponents
// controllers use: this runs once per attempt of every path.
func powNeg(x, b float64) float64 {
	switch b {
	case 0:
		return 1
	case 1:
		return 1 / x
	case 0.5:
		return 1 / math.Sqrt(x)
	}
	return math.Exp(-b * math.Log(x))
}
