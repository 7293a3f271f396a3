// Package problems is gofast's library of SDEs whose answers are known
// exactly: the solution as a function of the Brownian path, exact moments,
// or both. The parameters are those the anchor toolkits test with
// (StochasticDiffEq.jl's SDEProblemLibrary), so results compare directly.
package problems

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/gofast-sde/gofast/sdeint"
)

// Problem is an SDE together with what is known about it exactly.
type Problem struct {
	// Name is the short name, as the command line spells it.
	Name string
	// Description is a one-line summary with the parameters.
	Description string
	// Reference cites where the problem and its parameters come from.
	Reference string
	// SDE is the problem to solve; X0 holds the initial state.
	SDE sdeint.Problem
	// Solution, when not nil, writes the exact solution at time t on the
	// Brownian path whose value is w = W(t) − W(T0) (m values).
	Solution func(dst []float64, t float64, w []float64)
	// Mean and Var, when not nil, write the exact mean and variance of each
	// component at time t.
	Mean, Var func(dst []float64, t float64)
	// Expect lists test functions with an exact expectation E[φ(X_t)].
	Expect []Expectation
	// Stationary, when not nil, is the unnormalised stationary density of a
	// scalar problem.
	Stationary func(x float64) float64
	// Transition, when not nil, is the exact transition law: it writes to
	// dst a draw of X(t+h) given X(t) = x, made from the independent
	// standard normals z (m values). Repeated, it samples the exact law of
	// the solution on any grid.
	Transition func(dst []float64, t, h float64, x, z []float64)
}

// Expectation is a test function φ with its exact expectation E[φ(X_t)].
type Expectation struct {
	// Name names φ, e.g. "x₁" or "h(asinh x)".
	Name string
	// Phi evaluates φ at a state (Dim values).
	Phi func(x []float64) float64
	// Value is E[φ(X_t)] at time t.
	Value func(t float64) float64
}

var registry = map[string]func() *Problem{
	"gbm":             GBM,
	"gbm-strat":       GBMStrat,
	"gbm-matrix":      GBMMatrix,
	"cubic":           Cubic,
	"wave":            Wave,
	"additive":        Additive,
	"additive4":       Additive4,
	"weak-sinh":       WeakSinh,
	"linear10":        Linear10,
	"two-noise":       TwoNoise,
	"ou":              OU,
	"stiff-quadratic": StiffQuadratic,
	"lorenz":          Lorenz,
	"double-well":     DoubleWell,
	"cir":             CIR,
	"sqrt-decay":      SqrtDecay,
	"pulse":           Pulse,
	"gauss-pulse":     GaussPulse,
	"stiff-additive":  StiffAdditive,
}

// ByName returns a new instance of the problem with the given short name.
func ByName(name string) (*Problem, error) {
	if f, ok := registry[strings.ToLower(name)]; ok {
		return f(), nil
	}
	return nil, fmt.Errorf("problems: unknown problem %q (want one of %s)", name, strings.Join(Names(), ", "))
}

// Names lists the problem names ByName accepts, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for k := range registry {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// References shared by several problems.
const (
	refSDEPL = "SDEProblemLibrary (SciML DiffEqProblemLibrary.jl), "
	refKP    = "Kloeden & Platen, Numerical Solution of Stochastic Differential Equations (Springer, 1992), ch. 4"
)

// GBM parameters (SDEProblemLibrary's prob_sde_linear).
const (
	gbmAlpha = 1.01
	gbmBeta  = 0.87
	gbmX0    = 0.5
)

// GBM is geometric Brownian motion in Itô form, dX = αX dt + βX dW,
// α = 1.01, β = 0.87, X(0) = ½, on [0, 1]:
// X_t = X₀ exp((α − β²/2)t + βW_t), E X_t = X₀e^{αt},
// Var X_t = X₀²e^{2αt}(e^{β²t} − 1). Scalar noise, commutative.
// Reference: SDEProblemLibrary's prob_sde_linear, the problem
// StochasticDiffEq.jl's convergence tests use; Kloeden & Platen (1992), ch. 4.
func GBM() *Problem {
	return itoGBM("gbm", "geometric Brownian motion, Itô: dX = 1.01 X dt + 0.87 X dW, X(0) = 0.5, t in [0, 1]",
		refSDEPL+"prob_sde_linear; "+refKP, gbmAlpha, gbmBeta, gbmX0)
}

// itoGBM is the Itô GBM dX = aX dt + bX dW, X(0) = x0, on [0, 1], with its
// exact solution on the path and its moments.
func itoGBM(name, desc, ref string, a, b, x0 float64) *Problem {
	return &Problem{
		Name:        name,
		Description: desc,
		Reference:   ref,
		SDE: sdeint.Problem{
			Dim:       1,
			Noise:     sdeint.Noise{Shape: sdeint.ScalarNoise, Commutative: true},
			Calculus:  sdeint.Ito,
			T0:        0,
			T1:        1,
			X0:        []float64{x0},
			Drift:     sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = a * x[0] }),
			Diffusion: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = b * x[0] }),
		},
		Solution: func(dst []float64, t float64, w []float64) {
			dst[0] = x0 * math.Exp((a-b*b/2)*t+b*w[0])
		},
		Mean: func(dst []float64, t float64) { dst[0] = x0 * math.Exp(a*t) },
		Var: func(dst []float64, t float64) {
			dst[0] = x0 * x0 * math.Exp(2*a*t) * math.Expm1(b*b*t)
		},
	}
}

// GBMStrat is geometric Brownian motion in Stratonovich form,
// dX = αX dt + βX∘dW with GBM's parameters: X_t = X₀ exp(αt + βW_t),
// E X_t = X₀e^{(α+β²/2)t}, Var X_t = X₀²e^{(2α+β²)t}(e^{β²t} − 1).
// Reference: SDEProblemLibrary's prob_sde_linear_stratonovich.
func GBMStrat() *Problem {
	p := GBM()
	a, b := gbmAlpha, gbmBeta
	p.Name = "gbm-strat"
	p.Description = "geometric Brownian motion, Stratonovich: dX = 1.01 X dt + 0.87 X∘dW, X(0) = 0.5, t in [0, 1]"
	p.Reference = refSDEPL + "prob_sde_linear_stratonovich; " + refKP
	p.SDE.Calculus = sdeint.Stratonovich
	p.Solution = func(dst []float64, t float64, w []float64) {
		dst[0] = gbmX0 * math.Exp(a*t+b*w[0])
	}
	p.Mean = func(dst []float64, t float64) { dst[0] = gbmX0 * math.Exp((a+b*b/2)*t) }
	p.Var = func(dst []float64, t float64) {
		dst[0] = gbmX0 * gbmX0 * math.Exp((2*a+b*b)*t) * math.Expm1(b*b*t)
	}
	return p
}

// Additive is the scalar additive-noise problem with time-dependent
// coefficients of SDEProblemLibrary (prob_sde_additive; Rößler, SIAM J.
// Numer. Anal. 48(3), 2010):
// dX = (β/√(1+t) − X/(2(1+t)))dt + αβ/√(1+t) dW, α = 0.1, β = 0.05, X(0) = 1,
// on [0, 1]: X_t = X₀/√(1+t) + β(t + αW_t)/√(1+t), E X_t = (X₀ + βt)/√(1+t),
// Var X_t = α²β²t/(1+t). Itô and Stratonovich agree.
func Additive() *Problem {
	const a, b, x0 = 0.1, 0.05, 1.0
	return &Problem{
		Name:        "additive",
		Description: "additive noise: dX = (β/√(1+t) − X/(2(1+t)))dt + αβ/√(1+t) dW, α = 0.1, β = 0.05, X(0) = 1, t in [0, 1]",
		Reference:   refSDEPL + "prob_sde_additive; Rößler, SIAM J. Numer. Anal. 48(3), 2010 (SRA methods)",
		SDE: sdeint.Problem{
			Dim:   1,
			Noise: sdeint.Noise{Shape: sdeint.ScalarNoise, Additive: true, Commutative: true},
			T0:    0,
			T1:    1,
			X0:    []float64{x0},
			Drift: sdeint.Lift(1, 1, func(dst []float64, t float64, x []float64) {
				dst[0] = b/math.Sqrt(1+t) - x[0]/(2*(1+t))
			}),
			Diffusion: sdeint.Lift(1, 1, func(dst []float64, t float64, _ []float64) {
				dst[0] = a * b / math.Sqrt(1+t)
			}),
		},
		Solution: func(dst []float64, t float64, w []float64) {
			dst[0] = x0/math.Sqrt(1+t) + b*(t+a*w[0])/math.Sqrt(1+t)
		},
		Mean: func(dst []float64, t float64) { dst[0] = (x0 + b*t) / math.Sqrt(1+t) },
		Var:  func(dst []float64, t float64) { dst[0] = a * a * b * b * t / (1 + t) },
	}
}

// OU is the Ornstein–Uhlenbeck process dX = θ(μ − X)dt + σ dW, θ = 1,
// μ = 1.2, σ = 0.3, X(0) = 2, on [0, 1]. Its solution depends on the whole
// Brownian path, not on W(t) alone, so only moments are exact:
// E X_t = μ + (X₀ − μ)e^{−θt}, Var X_t = σ²(1 − e^{−2θt})/(2θ); the
// stationary law is N(μ, σ²/(2θ)), density ∝ exp(−θ(x − μ)²/σ²); the
// transition is Gaussian: X(t+h) | X(t) = x ~ N(μ + (x − μ)e^{−θh},
// σ²(1 − e^{−2θh})/(2θ)).
// Reference: Uhlenbeck & Ornstein, Phys. Rev. 36, 823 (1930); the
// parameters are gofast's (references.md §3, item 7).
func OU() *Problem {
	const theta, mu, sigma, x0 = 1.0, 1.2, 0.3, 2.0
	return &Problem{
		Name:        "ou",
		Description: "Ornstein–Uhlenbeck: dX = 1 (1.2 − X)dt + 0.3 dW, X(0) = 2, t in [0, 1]",
		Reference:   "Uhlenbeck & Ornstein, Phys. Rev. 36, 823 (1930); parameters: gofast references.md §3 item 7",
		SDE: sdeint.Problem{
			Dim:   1,
			Noise: sdeint.Noise{Shape: sdeint.ScalarNoise, Additive: true, Commutative: true},
			T0:    0,
			T1:    1,
			X0:    []float64{x0},
			Drift: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) {
				dst[0] = theta * (mu - x[0])
			}),
			Diffusion: sdeint.Lift(1, 1, func(dst []float64, _ float64, _ []float64) {
				dst[0] = sigma
			}),
		},
		Mean: func(dst []float64, t float64) { dst[0] = mu + (x0-mu)*math.Exp(-theta*t) },
		Var: func(dst []float64, t float64) {
			dst[0] = -sigma * sigma * math.Expm1(-2*theta*t) / (2 * theta)
		},
		Stationary: func(x float64) float64 { return math.Exp(-theta * (x - mu) * (x - mu) / (sigma * sigma)) },
		Transition: func(dst []float64, _, h float64, x, z []float64) {
			sd := sigma * math.Sqrt(-math.Expm1(-2*theta*h)/(2*theta))
			dst[0] = mu + (x[0]-mu)*math.Exp(-theta*h) + sd*z[0]
		},
	}
}
