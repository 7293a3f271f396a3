// Package methods holds gofast's step methods for package sdeint.
//
// Each method is one file: the scheme with its citation, its Properties
// (calculus, error estimate, the Lévy areas or random signs it needs, a
// table of strong and weak orders and error-estimate growth per noise
// class, the noise classes it does not apply to, its default controller),
// its stepper, and an init function that registers it by name (ByName,
// Names). sdeint.Solve uses the table to refuse unsuitable problems and to
// pick the controller exponent 1/(q+1).
//
//	name            method                                 calculus      strong order          adaptive
//	em              Euler–Maruyama                         Itô           ½ (1 additive)        no
//	eulerheun       Euler–Heun (stochastic Heun)           Stratonovich  1 commutative, ½      no
//	ggf             EM + Heun, the "Gotta Go Fast" pair    Stratonovich  1 commutative, ½      yes
//	                (Jolicoeur-Martineau et al. 2021)      (Itô if additive)
//	roberts         EM + Roberts' Itô improved Euler       Itô           1 scalar/diagonal, ½  yes
//	rkmil           derivative-free Milstein               Itô           1 scalar/diagonal     yes
//	rkmil-strat     derivative-free Milstein               Stratonovich  1 scalar/diagonal     yes
//	lambaem         EM with Lamba's estimate               Itô           ½, any noise          yes
//	lambaeulerheun  Euler–Heun with Lamba's estimate       Stratonovich  1 commutative, ½      yes
//	sra1, sosra     Rößler's SRA1; stability-optimized     Itô           1.5, additive only    yes
//	                SRA (Rackauckas & Nie)
//	sriw1, sosri    Rößler's SRIW1; stability-optimized    Itô           1.5 scalar/diagonal   yes
//	                SRI (Rackauckas & Nie)
//	bs3, dp5        Bogacki–Shampine 3(2), Dormand–Prince  —             3, 5 (ODEs only)      yes
//	                5(4)
//
// docs/methods/ has a page per method with its measured orders. With fixed
// steps, adaptive methods step with their high-order result and no error
// control.
package methods

import (
	"github.com/gofast-sde/gofast/sdeint"
)

// Default returns the method gofast uses when none is named: the best
// applicable adaptive method, as measured in docs/convergence.md ("Default
// methods": each adaptive solve's error against the best fixed-step error
// of any method at the same NFE), with robustness first:
//
//	ODEs                                  dp5
//	additive noise                        sosra (order 1.5; the most robust on stiff drift)
//	Itô, scalar or commutative diagonal   sriw1 (order 1.5; beats sosri, roberts, rkmil on gbm, cubic, wave)
//	Itô, other noise                      lambaem (the only method adaptive there)
//	Stratonovich, commutative             ggf
//	Stratonovich, other noise             lambaeulerheun
//
// StochasticDiffEq.jl picks SOSRI for diagonal Itô noise; on gofast's
// problems SRIW1 is 3–6 times more accurate than SOSRI at equal work and is
// the more robust on stiff-quadratic (docs/methods/sosri.md). For additive
// noise SRA1 is about 1.4 times more accurate than SOSRA at equal work on
// the non-stiff additive and ou problems, but on stiff drift at loose
// tolerances its shorter stability interval inflates the variance (8.3
// and 72 times the exact one at λ = 10³, 10⁴, tolerance 1e-1, against
// SOSRA's 1.25 and 1.91: TestSRAStiff), so SOSRA stays the default.
func Default(p *sdeint.Problem) sdeint.Method {
	switch c := p.Noise.Class(p.Dim); {
	case c == sdeint.ClassNone:
		return DP5{}
	case c == sdeint.ClassAdditive:
		return SOSRA{}
	case p.Calculus == sdeint.Stratonovich && c == sdeint.ClassNoncommutative:
		return LambaEulerHeun{}
	case p.Calculus == sdeint.Stratonovich:
		return GGF{}
	case c == sdeint.ClassScalar || c == sdeint.ClassDiagonal:
		return SRIW1{}
	}
	return LambaEM{}
}

// orders builds an order table from one entry per noise class, in the order
// none, additive, scalar, commutative diagonal, commutative,
// non-commutative.
func orders(o ...sdeint.Order) (t [sdeint.NumNoiseClasses]sdeint.Order) {
	copy(t[:], o)
	return t
}

func grow(s []float64, n int) []float64 {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]float64, n)
}
