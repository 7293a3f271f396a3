package convergence

import (
	"math"

	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
)

// pulseProblem is a problem with two time scales and an exact solution,
// written here until the problem library has one: GBM whose drift rate has
// a sharp Gaussian pulse, dX = a(t)X dt + bX dW with
// a(t) = a₀ + A·exp(−((t − t₀)/w)²), a₀ = 0.1, A = 15, t₀ = 0.5, w = 0.02,
// b = 0.2, X(0) = 1, Itô, on [0, 1]. Exact (Itô's formula for log X):
// X_t = exp(∫₀ᵗ a − b²t/2 + bW_t) with
// ∫₀ᵗ a = a₀t + A·w·(√π/2)·(erf((t − t₀)/w) + erf(t₀/w)). The pulse lasts
// about 2w = 0.04 and multiplies X by e^{A·w·√π} ≈ 1.70; fixed steps must
// resolve it everywhere, adaptive ones only where it is.
func pulseProblem() *problems.Problem {
	const a0, amp, t0, w, b = 0.1, 15.0, 0.5, 0.02, 0.2
	rate := func(t float64) float64 { u := (t - t0) / w; return a0 + amp*math.Exp(-u*u) }
	integral := func(t float64) float64 {
		return a0*t + amp*w*math.Sqrt(math.Pi)/2*(math.Erf((t-t0)/w)+math.Erf(t0/w))
	}
	return &problems.Problem{
		Name:        "pulse-test",
		Description: "GBM with a drift pulse: dX = (0.1 + 15 exp(−((t−0.5)/0.02)²))X dt + 0.2X dW, X(0) = 1, Itô, t in [0, 1]",
		SDE: sdeint.Problem{
			Dim: 1, Noise: sdeint.Noise{Shape: sdeint.ScalarNoise, Commutative: true}, Calculus: sdeint.Ito,
			T0: 0, T1: 1, X0: []float64{1},
			Drift:     sdeint.Lift(1, 1, func(dst []float64, t float64, x []float64) { dst[0] = rate(t) * x[0] }),
			Diffusion: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = b * x[0] }),
		},
		Solution: func(dst []float64, t float64, w []float64) { dst[0] = math.Exp(integral(t) - b*b*t/2 + b*w[0]) },
		Mean:     func(dst []float64, t float64) { dst[0] = math.Exp(integral(t)) },
	}
}
