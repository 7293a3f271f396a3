package problems

import (
	"math"

	"github.com/gofast-sde/gofast/sdeint"
)

// The problem registers itself here, in its own file, so that it adds no
// line to the registry literal that other problems edit.
func init() { registry["gbm-torchsde"] = GBMTorchsde }

// GBMTorchsde is geometric Brownian motion in Itô form with the parameters
// of issue 9's comparison with torchsde: dX = μX dt + σX dW, μ = 0.5,
// σ = 1, X(0) = 1, on [0, 1]. Exact: X_t = exp((μ − σ²/2)t + σW_t) = exp(W_t),
// E X_t = e^{μt}, Var X_t = e^{2μt}(e^{σ²t} − 1). Scalar noise,
// commutative. The peer figures (torchsde 0.2.6, one step size for the
// batch, 10⁴ paths): adaptive Milstein at tolerance 1e-3, 135 drift calls
// per path, mean |X(1) − exact| = 1.0e-2; adaptive SRK (SRI2), 630 calls,
// 2.4e-3 (gofast issue 9; see docs/convergence.md).
func GBMTorchsde() *Problem {
	const mu, sigma, x0 = 0.5, 1.0, 1.0
	return &Problem{
		Name:        "gbm-torchsde",
		Description: "geometric Brownian motion, Itô: dX = 0.5 X dt + 1.0 X dW, X(0) = 1, t in [0, 1] (issue 9's torchsde comparison)",
		Reference:   "gofast issue 9 (the problem of its torchsde 0.2.6 figures); " + refKP,
		SDE: sdeint.Problem{
			Dim:       1,
			Noise:     sdeint.Noise{Shape: sdeint.ScalarNoise, Commutative: true},
			Calculus:  sdeint.Ito,
			T0:        0,
			T1:        1,
			X0:        []float64{x0},
			Drift:     sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = mu * x[0] }),
			Diffusion: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = sigma * x[0] }),
		},
		Solution: func(dst []float64, t float64, w []float64) {
			dst[0] = x0 * math.Exp((mu-sigma*sigma/2)*t+sigma*w[0])
		},
		Mean: func(dst []float64, t float64) { dst[0] = x0 * math.Exp(mu*t) },
		Var: func(dst []float64, t float64) {
			dst[0] = x0 * x0 * math.Exp(2*mu*t) * math.Expm1(sigma*sigma*t)
		},
	}
}
