package methods

import (
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/gofast-sde/gofast/sdeint"
)

// driftDiff computes the drift part of the Lamba and RKMil error
// estimates, Euler's local error on the drift, E_d ≈ ½h²·df/dt along the
// path. By default it is the drift's change over the step, taken at a
// state the method has at its end,
//
//	E_d = ½h·(f(t+h, y) − f(t, x)),
//
// with y the step's result for LambaEM and RKMil, whose f(t+h, y) is then
// the next step's first stage, kept in the path's State (first same as
// last), and y the Euler predictor x + h·f + g·ΔW for LambaEulerHeun, which
// evaluates f there anyway. Either way E_d costs no drift evaluation of
// its own, except that LambaEM and RKMil evaluate the first stage on each
// attempt up to and including a path's first acceptance and on each
// first-step probe. With forward it is Lamba's difference
// ½h·(f(t+h, x + h·f) − f(t, x)), one more drift evaluation per attempt
// (Lamba, J. Comput. Appl. Math. 161, 2003; as StochasticDiffEq.jl).
//
// The two agree to O(h³) on ODEs. With noise, f(t+h, y) − f(t, x) also
// holds f_x·g·ΔW, a sample of the size of Euler's L^j f·I_(j,0) term (RMS
// |L^j f|·h^{3/2}/√3), which the forward difference, taken at the
// noise-free x + h·f, leaves out: the step grid then depends on the
// step's own increment, which biases Euler–Maruyama's Itô sums where E_d
// leads the estimate (LambaEM's doc, TestLambaEMDriftLed). Both look
// ahead: a step that ends inside a sharp change of the drift sees it.
// LambaEM on multiplicative noise, whose kept state has order ½, takes the
// drift's change over the previous step instead (previous): no evaluation
// either, and the steps are stopping times, but it sees a change one step
// late (on the drift pulses of `pulse` and `gauss-pulse` adaptive steps
// were then less accurate than fixed ones; docs/methods/lambaem.md). RKMil
// (strong order 1 where it applies, where such a bias vanishes with the
// tolerance) and LambaEulerHeun (whose Heun result misses only the Lévy
// areas) keep the form at the end.
type driftDiff struct {
	xb, fb, tb []float64 // the end state y or x̄, f there, and the end time
	need       []int     // rows without a remembered first stage
	ed         []float64 // E_d per row and component
}

func newDriftDiff(d sdeint.Dims, rows int) driftDiff {
	return driftDiff{
		xb: make([]float64, rows*d.N), fb: make([]float64, rows*d.N), tb: make([]float64, rows),
		need: make([]int, 0, rows), ed: make([]float64, rows*d.N),
	}
}

// driftDiffState is the per-path memory of LambaEM and RKMil
// (Properties.State): N values of f, a step size and a flag. Flag 1: f at
// the path's state, from the end of its last accepted step (the next first
// stage). Flag 2 (LambaEM's previous-step form): f(t′, x′) at the start of
// the path's last accepted step and its size h′. 0: nothing yet.
func driftDiffState(d sdeint.Dims) int { return d.N + 2 }

// The flags of driftDiffState.
const (
	ddFirstStage = 1
	ddPrevious   = 2
)

// driftDiffMaxGrowth is the largest |h/h′| at which the previous-step form
// takes the difference over the previous step. The SDE controllers grow a
// step by at most 9/8, so only a step after one cut at a stop time, or
// under a controller with larger clamps, exceeds it; that step takes
// Lamba's forward difference.
const driftDiffMaxGrowth = 2

// firstStage writes f(t, x) for the step's rows into f: from the path's
// State where the previous step left it (adaptive steps), else evaluated,
// for the rows that need it alone, so that each path's NFE does not depend
// on its neighbours in the batch.
func (dd *driftDiff) firstStage(s *sdeint.Step, f []float64) error {
	k, n := s.K, s.Dims.N
	if !s.Adaptive || s.State == nil {
		return s.Drift(f[:k*n], s.T[:k], s.X[:k*n])
	}
	S := driftDiffState(s.Dims)
	need := dd.need[:0]
	for r := range k {
		if s.State[r*S+n+1] == ddFirstStage {
			copy(f[r*n:(r+1)*n], s.State[r*S:r*S+n])
		} else {
			need = append(need, r)
		}
	}
	switch len(need) {
	case 0:
		return nil
	case k:
		return s.Drift(f[:k*n], s.T[:k], s.X[:k*n])
	}
	for i, r := range need {
		copy(dd.xb[i*n:(i+1)*n], s.X[r*n:(r+1)*n])
		dd.tb[i] = s.T[r]
	}
	if err := s.DriftRows(dd.fb[:len(need)*n], dd.tb[:len(need)], dd.xb[:len(need)*n], need); err != nil {
		return err
	}
	for i, r := range need {
		copy(f[r*n:(r+1)*n], dd.fb[i*n:(i+1)*n])
	}
	return nil
}

// atEnd writes E_d = ½h·(f(t+h, y) − f(t, x)) into dd.ed, evaluating f at
// the rows' end states y (K×N); with fsal it records f(t+h, y) as the
// memory of the proposed state (s.NextState), the next step's first stage.
func (dd *driftDiff) atEnd(s *sdeint.Step, f, y []float64, fsal bool) error {
	k, n := s.K, s.Dims.N
	// At the time the path reaches, exactly: f there is the next step's
	// first stage (Step.TEnd).
	copy(dd.tb[:k], s.TEnd[:k])
	if err := s.Drift(dd.fb[:k*n], dd.tb[:k], y[:k*n]); err != nil {
		return err
	}
	dd.fromEnd(s, f, dd.fb)
	if fsal && s.NextState != nil {
		S := driftDiffState(s.Dims)
		for r := range k {
			copy(s.NextState[r*S:r*S+n], dd.fb[r*n:(r+1)*n])
			s.NextState[r*S+n], s.NextState[r*S+n+1] = s.H[r], ddFirstStage
		}
	}
	return nil
}

// fromEnd writes E_d = ½h·(fy − f) into dd.ed, given f at (t, x) and fy
// at the end of the step.
func (dd *driftDiff) fromEnd(s *sdeint.Step, f, fy []float64) {
	k, n := s.K, s.Dims.N
	for r := range k {
		o := r * n
		floats.SubTo(dd.ed[o:o+n], fy[o:o+n], f[o:o+n])
		floats.Scale(0.5*s.H[r], dd.ed[o:o+n])
	}
}

// forward writes Lamba's E_d = ½h·(f(t+h, x + h·f) − f(t, x)) into dd.ed,
// one more drift evaluation.
func (dd *driftDiff) forward(s *sdeint.Step, f []float64) error {
	k, n := s.K, s.Dims.N
	for r := range k {
		floats.AddScaledTo(dd.xb[r*n:(r+1)*n], s.X[r*n:(r+1)*n], s.H[r], f[r*n:(r+1)*n])
	}
	return dd.atEnd(s, f, dd.xb, false)
}

// previous writes E_d for the step's rows into dd.ed as the drift's change
// over the path's previous accepted step, given f at (t, x),
//
//	E_d = ½h·min(1, h/h′)·(f(t, x) − f(t′, x′)),   h′ = t − t′,  |h| ≤ 2|h′|,
//
// and records (f, h) as the memory of the proposed state. It costs no
// drift evaluation and looks at the previous step's increment only, so the
// steps are stopping times; it sees a change of the drift one step late.
// On a path's first attempts and probes (no previous step), and on a step
// more than driftDiffMaxGrowth times the previous one (after a step cut
// short at a stop time, where h′/h ≪ 1 would blind it), it takes Lamba's
// forward difference instead, one more evaluation, for those rows alone.
// The ratio h/h′ rescales the difference to this step, capped at 1 so that
// a short previous step cannot inflate its f_x·g·ΔW′ part.
func (dd *driftDiff) previous(s *sdeint.Step, f []float64) error {
	k, n, S := s.K, s.Dims.N, driftDiffState(s.Dims)
	need := dd.need[:0]
	for r := range k {
		if s.State == nil || s.State[r*S+n+1] != ddPrevious ||
			math.Abs(s.H[r]) > driftDiffMaxGrowth*math.Abs(s.State[r*S+n]) {
			need = append(need, r)
		}
	}
	for i, r := range need {
		floats.AddScaledTo(dd.xb[i*n:(i+1)*n], s.X[r*n:(r+1)*n], s.H[r], f[r*n:(r+1)*n])
		dd.tb[i] = s.TEnd[r]
	}
	switch len(need) {
	case 0:
	case k:
		if err := s.Drift(dd.fb[:k*n], dd.tb[:k], dd.xb[:k*n]); err != nil {
			return err
		}
	default:
		if err := s.DriftRows(dd.fb[:len(need)*n], dd.tb[:len(need)], dd.xb[:len(need)*n], need); err != nil {
			return err
		}
	}
	next := 0
	for r := range k {
		h, o := s.H[r], r*n
		if next < len(need) && need[next] == r {
			for i := range n {
				dd.ed[o+i] = 0.5 * h * (dd.fb[next*n+i] - f[o+i])
			}
			next++
		} else {
			prev := s.State[r*S : r*S+n]
			c := 0.5 * h * min(1, h/s.State[r*S+n])
			for i := range n {
				dd.ed[o+i] = c * (f[o+i] - prev[i])
			}
		}
		if s.NextState != nil {
			copy(s.NextState[r*S:r*S+n], f[o:o+n])
			s.NextState[r*S+n], s.NextState[r*S+n+1] = h, ddPrevious
		}
	}
	return nil
}
