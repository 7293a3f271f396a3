package methods

import (
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/gofast-sde/gofast/sdeint"
)

// driftDiff computes the drift part of the Lamba and RKMil error
// estimates, Euler's local error on the drift, E_d ≈ ½h²·df/dt along the
// path. By default it is the backward difference over the path's previous
// accepted step,
//
//	E_d = ½h·min(1, h/h′)·(f(t, x) − f(t′, x′)),   h′ = t − t′,  |h| ≤ 2|h′|,
//
// which costs no drift evaluation: f(t, x) is the step's own first stage
// and f(t′, x′) is remembered in the path's State. On a path's first
// attempts and its first-step probes (no previous step), after a step
// more than twice shorter (driftDiffMaxGrowth), and always with forward,
// it is Lamba's forward difference ½h·(f(t+h, x + h·f) − f(t, x)),
// one more drift evaluation (Lamba, J. Comput. Appl. Math. 161, 2003; as
// StochasticDiffEq.jl). The two agree to O(h³) on ODEs. With noise,
// f(t, x) − f(t′, x′) also holds f_x·g·ΔW′, so the backward difference
// adds a sample of the size of Euler's L^j f·I_(j,0) term (RMS
// |L^j f|·h^{3/2}/√3), which the forward difference, taken at the
// noise-free x + h·f, leaves out; it looks at the previous step's
// increment only, so the step sizes stay stopping times. The ratio
// h/h′ rescales the difference to this step; it is capped at 1 so that a
// short previous step cannot blow up the f_x·g·ΔW′ part. Above the cap
// the difference ≈ h′·df/dt understates ½h·df/dt by h′/h, so a step more
// than driftDiffMaxGrowth times the previous one (the step after one cut
// short at a stop time, where h′ can be 1e-9 of h) takes the forward
// difference instead: the estimate then never sees less than half the
// drift's change.
type driftDiff struct {
	xb, fb, tb []float64 // x̄ = x + h·f, f(t+h, x̄), t+h for the rows that need them
	need       []int     // rows that take the forward difference
	ed         []float64 // E_d per row and component
}

func newDriftDiff(d sdeint.Dims, rows int) driftDiff {
	return driftDiff{
		xb: make([]float64, rows*d.N), fb: make([]float64, rows*d.N), tb: make([]float64, rows),
		need: make([]int, 0, rows), ed: make([]float64, rows*d.N),
	}
}

// driftDiffMaxGrowth is the largest |h/h′| at which driftDiff takes the
// backward difference. The SDE controllers grow a step by at most 9/8, so
// only a step after one cut at a stop time, or under a controller with
// larger clamps, exceeds it.
const driftDiffMaxGrowth = 2

// driftDiffState is the per-path memory of driftDiff (Properties.State):
// f(t′, x′) at the start of the path's last accepted step, that step's
// size h′, and a flag that says they are valid.
func driftDiffState(d sdeint.Dims) int { return d.N + 2 }

// drift writes E_d for the step's rows into dd.ed, given f at (t, x), and
// records (f, h) as the memory of the proposed state (s.NextState).
func (dd *driftDiff) drift(s *sdeint.Step, f []float64, forward bool) error {
	k, n, S := s.K, s.Dims.N, driftDiffState(s.Dims)
	need := dd.need[:0]
	for r := range k {
		if forward || s.State == nil || s.State[r*S+n+1] != 1 ||
			math.Abs(s.H[r]) > driftDiffMaxGrowth*math.Abs(s.State[r*S+n]) {
			need = append(need, r)
		}
	}
	// Gather the rows that need x̄ and evaluate them alone: each path's
	// NFE must not depend on its neighbours in the batch.
	for i, r := range need {
		floats.AddScaledTo(dd.xb[i*n:(i+1)*n], s.X[r*n:(r+1)*n], s.H[r], f[r*n:(r+1)*n])
		dd.tb[i] = s.T[r] + s.H[r]
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
			s.NextState[r*S+n], s.NextState[r*S+n+1] = h, 1
		}
	}
	return nil
}
