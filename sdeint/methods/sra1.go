package methods

import "github.com/gofast-sde/gofast/sdeint"

func init() {
	register("Rößler's SRA1, strong order 1.5 for additive noise (Lévy areas)", func() sdeint.Method { return SRA1{} })
}

// SRA1 is Rößler's two-stage scheme SRA1 for additive noise (A. Rößler,
// "Runge–Kutta methods for the strong approximation of solutions of
// stochastic differential equations", SIAM J. Numer. Anal. 48(3), 2010, the
// SRA schemes of its section on additive noise), with the embedded error
// estimate of C. Rackauckas & Q. Nie, "Adaptive methods for stochastic
// differential equations via natural embeddings and rejection sampling with
// memory", Discrete Contin. Dyn. Syst. B 22(7), 2017. With χ = ½ΔW + H =
// I_(1,0)/|h| (H the space-time Lévy area, Step.Area):
//
//	k1  = f(t, x)
//	k2  = f(t + ¾h, x + ¾h·k1 + (3/2)·g(t+h)·χ)
//	x'' = x + h·(k1 + 2k2)/3 + g(t+h)·ΔW + (g(t) − g(t+h))·χ
//	E   = δ·h·(k1 + k2) + (g(t) − g(t+h))·χ,   δ = 1/6
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
// It does not apply to multiplicative noise.
//
// The error estimate is the natural embedding of Rackauckas & Nie as their
// StochasticDiffEq.jl computes it: E_N, the β2 terms (the difference from
// the strong order-1 scheme that drops them), plus δ times E_D = h·Σ_i f_i,
// a first-order measure of the drift's contribution. E_D grows as h, so
// ErrQ = 0 on every class (measured by TestSRAErrQ); E_N alone grows as
// h^{3/2} where g depends on t and vanishes where it does not. Two drift and
// two diffusion evaluations per attempt, one Lévy area per Brownian
// component.
//
// On stiff drift the estimate can fail: for f = λx it is δ·λh·x·(2 + ¾λh),
// which vanishes at λh = −8/3, outside the stability interval [−2, 0] of
// Ralston's method, so the controller may accept unstable steps (measured
// with λ = −100: paths that grow without bound at tolerance 1e-1;
// TestSRAStiff). Use SOSRA there.
//
// The default controller is the package's SDE default (controlMainstream):
// δ_i = ε_abs + ε_rel·max(|x_i|, |x_new,i|), PI control P 0.1, I 0.2,
// clamps [0.2, 1.125], a probed first step.
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
}

// Properties describes the method.
func (SRA1) Properties() sdeint.Properties { return sraProperties("sra1", &sra1Tableau, 0) }

// NewStepper returns a stepper for the method.
func (SRA1) NewStepper(d sdeint.Dims, rows int) sdeint.Stepper {
	return newSRAStepper(&sra1Tableau, d, rows)
}
