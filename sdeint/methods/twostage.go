package methods

import (
	"gonum.org/v1/gonum/floats"

	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/control"
)

// sdeClamps and the PI coefficients sdeP, sdeI are the SDE defaults,
// measured (docs/convergence.md, "Controller defaults"): growth clamped to
// 9/8 per step, shrinking to 1/5, and a low-gain PI controller, P = 0.1,
// I = 0.2 in Diffrax's parametrisation (β1 = 0.3/k on the current error,
// β2 = −0.1/k on the previous one, k = q+1). One path's error estimate is
// one noisy realisation (for Roberts' pair on GBM ∝ x|ΔW² − h|): a lucky
// small estimate must not grow the step much, nor one estimate steer it
// alone. With the ODE codes' integral control and clamps [0.2, 10],
// adaptive steps cost 3–6 times the work of fixed steps at equal error on
// GBM; with these defaults they are within the statistical bar of fixed
// steps on GBM and cubic, and 2–4 times better on a drift pulse.
// StochasticDiffEq.jl's defaults (qmax 9/8, qmin 1/5, β1 = 0.7/p,
// β2 = 0.4/p) measured less efficient on GBM at tolerance 1e-3 (1.3×
// fixed steps' error).
const (
	sdeMinFactor = 0.2
	sdeMaxFactor = 1.125
	sdeP, sdeI   = 0.1, 0.2
)

// controlGGFSDE is the paper's pair's default on ordinary SDEs: the paper's
// tolerance rule with the SDE clamps and PI controller. (The paper's own
// controller — its rule, r = 0.9, no clamps — is what package diffusion
// pins for sampling, where the norm runs over thousands of dimensions.) With the paper's
// controller (integral, r = 0.9, no clamps) adaptive steps cost 1.5–4 times
// fixed steps' error at equal work on additive and ou; with these, 0.9–1.7.
var controlGGFSDE = control.Defaults{Rule: control.RulePaper, Clamped: true,
	MinFactor: sdeMinFactor, MaxFactor: sdeMaxFactor, PCoeff: sdeP, ICoeff: sdeI}

// controlODE is the default of ODE methods (dp5): the mainstream rule,
// integral control with exponent 1/(q+1), clamps [0.2, 10], as the ODE
// codes have it (Hairer, Nørsett & Wanner, Solving ODEs I, §II.4). Their
// error estimates are deterministic, so the SDE clamps would only slow them.
var controlODE = control.Defaults{Rule: control.RuleMainstream, Clamped: true}

// controlMainstream is the default for other adaptive methods: the
// mainstream tolerance rule with the SDE clamps and PI controller (the
// exponents scale with k = q+1 from the method's order table).
var controlMainstream = control.Defaults{Rule: control.RuleMainstream, Clamped: true,
	MinFactor: sdeMinFactor, MaxFactor: sdeMaxFactor, PCoeff: sdeP, ICoeff: sdeI}

// twoStage holds the scratch of a two-stage method: the drift and diffusion
// at (t, x) and at the stage point (t+h, x2), and the stage increments.
type twoStage struct {
	f1, f2, g1, g2 []float64
	k1, k2, x2, t2 []float64
}

func newTwoStage(d sdeint.Dims, rows int) twoStage {
	return twoStage{
		f1: make([]float64, rows*d.N), f2: make([]float64, rows*d.N),
		g1: make([]float64, rows*d.GSize), g2: make([]float64, rows*d.GSize),
		k1: make([]float64, rows*d.N), k2: make([]float64, rows*d.N),
		x2: make([]float64, rows*d.N), t2: make([]float64, rows),
	}
}

// first evaluates f and g at (t, x).
func (w *twoStage) first(s *sdeint.Step) error {
	k := s.K
	if err := s.Drift(w.f1[:k*s.Dims.N], s.T[:k], s.X); err != nil {
		return err
	}
	return s.Diffusion(w.g1[:k*s.Dims.GSize], s.T[:k], s.X)
}

// stage sets the stage point x2 = x + k1 and t2 = t + h.
func (w *twoStage) stage(s *sdeint.Step, k1 []float64) {
	k, n := s.K, s.Dims.N
	floats.AddTo(w.x2[:k*n], s.X[:k*n], k1[:k*n])
	for r := range k {
		w.t2[r] = s.T[r] + s.H[r]
	}
}

// second evaluates f and g at the stage point.
func (w *twoStage) second(s *sdeint.Step) error {
	k := s.K
	if err := s.Drift(w.f2[:k*s.Dims.N], w.t2[:k], w.x2[:k*s.Dims.N]); err != nil {
		return err
	}
	return s.Diffusion(w.g2[:k*s.Dims.GSize], w.t2[:k], w.x2[:k*s.Dims.N])
}

// drift sets dst = h·f row by row.
//
// The element-wise loops of the two-stage pairs use gonum's floats kernels
// (assembly on amd64), bit-identical to plain loops: they multiply and add
// in the same order, without fused multiply-adds. On 64 rows of 3072 they
// measured 2–3× faster for h·f, x + k1 and x + w·g, 10% for ggf's
// combination (BenchmarkKernels). A whole round (BenchmarkRound, 64×3072)
// did not change measurably: these kernels are about 15% of it, drawing
// the increments a third (CPU profile).
func (w *twoStage) drift(dst, f []float64, s *sdeint.Step) {
	n := s.Dims.N
	for r := range s.K {
		floats.ScaleTo(dst[r*n:(r+1)*n], s.H[r], f[r*n:(r+1)*n])
	}
}
