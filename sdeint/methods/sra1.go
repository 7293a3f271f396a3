package methods

import "github.com/gofast-sde/gofast/sdeint"

func init() {
	register("Rößler's SRA1, strong order 1.5 for additive noise (Lévy areas)", func() sdeint.Method { return SRA1{} })
}

// SRA1 is Rößler's two-stage scheme SRA1 for additive noise (A. Rößler,
// "Runge–Kutta methods for the strong approximation of solutions of
// stochastic differential equations", SIAM J. Numer. Anal. 48(3), 2010, the
// SRA schemes of its section on additive noise), with an embedded
// first-order error estimate. With χ = ½ΔW + H = I_(1,0)/|h| (H the
// space-time Lévy area, Step.Area):
//
//	k1  = f(t, x)
//	k2  = f(t + ¾h, x + ¾h·k1 + (3/2)·g(t+h)·χ)
//	x'' = x + h·(k1 + 2k2)/3 + g(t+h)·ΔW + (g(t) − g(t+h))·χ
//	x'  = x + h·(−k1 + 4k2)/3 + g(t+h)·ΔW
//	E   = x'' − x' = h·(2k1 − 2k2)/3 + (g(t) − g(t+h))·χ
//
// that is c0 = (0, ¾), c1 = (1, 0), A0_21 = ¾, B0_21 = 3/2, α = (⅓, ⅔),
// β1 = (1, 0), β2 = (−1, 1) in the notation of sraTableau. The coefficients
// satisfy Rößler's eight conditions for strong order 1.5 on additive noise
// (checked to rounding by TestSRATableaus).
//
// Orders: strong 1.5 and weak 2 on additive noise (any shape: g(t) scalar,
// diagonal or n×m); strong 2 where the drift is linear in x (the order-1.5
// error terms carry f″ and vanish: measured on additive, additive4 and ou);
// order 2 on ODEs (the deterministic part is Ralston's second-order method).
// It does not apply to multiplicative noise. Two drift and two diffusion
// evaluations per attempt, one Lévy area per Brownian component.
//
// The estimate: x' is a first-order solution from the same two stages
// (drift weights (1 − 1/c0_2, 1/c0_2) = (−⅓, 4/3); noise g·ΔW at the first
// stage's diffusion time, t+h for SRA1), as for SOSRA. E grows as h^{3/2} on additive noise (ErrQ = ½) and h² on
// ODEs (ErrQ = 1), measured by TestSRAErrQ. On f = λx it is x·(λh)²·(−½),
// which vanishes only at h = 0 (TestSRAEmbedded). It replaces the natural
// embedding of C. Rackauckas & Q. Nie (Discrete Contin. Dyn. Syst. B 22(7),
// 2017), δ·h·(k1 + k2) + (g(t) − g(t+h))·χ with δ = 1/6, which grows as h
// and vanishes at λh = −8/3, outside the stability interval [−2, 0]: with
// it the controller accepted unstable steps on stiff drift (paths grew
// without bound at tolerance 1e-1 with λ = 100 on the problem below), and on ou it cost 5.9
// times fixed steps' error at tolerance 1e-4 (docs/methods/sra1.md).
//
// On stiff drift at loose tolerances the estimate, which never vanishes
// but scales with the path's deviation from the forced solution (of size
// σ/√(2|λ|)), stays below the tolerance past the stability limit, and
// unstable steps are accepted: on dX = −λ(X − sin t)dt + ½dW at tolerance
// 1e-1 the variance is 8.3 and 72 times the exact one for λ = 10³, 10⁴
// (TestSRAStiff). SOSRA, stable on [−5.31, 0], is the default for additive
// noise for that reason; on non-stiff problems SRA1 is about 1.4 times more
// accurate at equal work.
//
// The default controller is the package's SDE default (controlMainstream):
// δ_i = ε_abs + ε_rel·max(|x_i|, |x_new,i|), PI control P 0.1, I 0.2
// (k = q+1), clamps [0.2, 1.125], a probed first step.
type SRA1 struct{}

// sra1Tableau is SRA1's tableau (Rößler 2010).
var sra1Tableau = sraTableau{
	c0:                 []float64{0, 3.0 / 4},
	c1:                 []float64{1, 0},
	a0:                 [][]float64{{0, 0}, {3.0 / 4, 0}},
	b0:                 [][]float64{{0, 0}, {3.0 / 2, 0}},
	alpha:              []float64{1.0 / 3, 2.0 / 3},
	beta1:              []float64{1, 0},
	beta2:              []float64{-1, 1},
	deterministicOrder: 2,
	// The embedded first-order solution: drift weights (1 − 1/c0_2,
	// 1/c0_2) = (−⅓, 4/3), and the noise g(t+h)·ΔW of the first stage's
	// diffusion (c1_1 = 1).
	lowAlpha: []float64{-1.0 / 3, 4.0 / 3},
	lowBeta1: []float64{1, 0},
}

// Properties describes the method.
func (SRA1) Properties() sdeint.Properties { return sraProperties("sra1", &sra1Tableau) }

// NewStepper returns a stepper for the method.
func (SRA1) NewStepper(d sdeint.Dims, rows int) sdeint.Stepper {
	return newSRAStepper(&sra1Tableau, d, rows)
}
