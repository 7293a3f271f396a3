package problems

import (
	"math"

	"github.com/gofast-sde/gofast/sdeint"
)

// CIR parameters: Feller's condition 2κθ ≥ σ² holds (0.4 ≥ 0.09), so the
// process stays positive.
const (
	cirKappa = 2.0
	cirTheta = 0.1
	cirSigma = 0.3
	cirX0    = 0.1
)

// CIR is the Cox–Ingersoll–Ross process dX = κ(θ − X)dt + σ√X dW, κ = 2,
// θ = 0.1, σ = 0.3, X(0) = 0.1, Itô, on [0, 1]. Feller's condition
// 2κθ ≥ σ² holds, so X stays positive; a discrete step can still propose a
// negative state, where the diffusion, written as a user would write it,
// σ·math.Sqrt(x), is NaN. The solution depends on the whole path; the
// moments are exact (from the linear moment equations):
// E X_t = θ + (X₀ − θ)e^{−κt},
// Var X_t = (X₀σ²/κ)(e^{−κt} − e^{−2κt}) + (θσ²/2κ)(1 − e^{−κt})².
//
// InDomain (x ≥ 0) is set, by measurement: with the default method
// (roberts) over 10⁴ paths (seed 1, default controller), rejecting NaN
// stages alone lost 1 path at tolerance 1e-2 (0 at 1e-3 and 1e-4) and let 9
// paths end on an accepted negative state (a proposal is finite even when
// below 0: the √ is taken at the stages, not at the proposal); with
// InDomain no path is lost and none ends negative, at 1e-2, 1e-3 and 1e-4
// (TestCIRDomainLong; TestCIRNoPathsLost checks it by default).
// Reference: Cox, Ingersoll & Ross, Econometrica 53(2), 385 (1985); the
// parameters are those of gofast issue 9.
func CIR() *Problem {
	k, th, s, x0 := cirKappa, cirTheta, cirSigma, cirX0
	return &Problem{
		Name:        "cir",
		Description: "Cox–Ingersoll–Ross, Itô: dX = 2 (0.1 − X)dt + 0.3 √X dW, X(0) = 0.1, t in [0, 1] (Feller holds)",
		Reference:   "Cox, Ingersoll & Ross, Econometrica 53(2), 385 (1985); parameters: gofast issue 9",
		SDE: sdeint.Problem{
			Dim:      1,
			Noise:    sdeint.Noise{Shape: sdeint.ScalarNoise, Commutative: true},
			Calculus: sdeint.Ito,
			T0:       0,
			T1:       1,
			X0:       []float64{x0},
			Drift:    sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = k * (th - x[0]) }),
			Diffusion: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) {
				dst[0] = s * math.Sqrt(x[0])
			}),
			InDomain: func(_ float64, x []float64) bool { return x[0] >= 0 },
		},
		Mean: func(dst []float64, t float64) { dst[0], _ = cirMoments(x0, t) },
		Var:  func(dst []float64, t float64) { _, dst[0] = cirMoments(x0, t) },
	}
}

// cirMoments returns the mean and variance at time t of CIR's process from
// x0, from the linear moment equations dm/dt = κ(θ − m),
// dv/dt = −2κv + σ²m (Itô), m(0) = x0, v(0) = 0; TestCIRMoments checks
// both, and against the exact noncentral χ² law.
func cirMoments(x0, t float64) (mean, vr float64) {
	k, th, s := cirKappa, cirTheta, cirSigma
	e := math.Exp(-k * t)
	return th + (x0-th)*e, x0*s*s/k*(e-e*e) + th*s*s/(2*k)*(1-e)*(1-e)
}

// SqrtDecay is dX = −√X dt + 0.01 dW, X(0) = 1, Itô, on [0, 1.5]. Without
// noise the solution is (1 − t/2)², which stays positive on [0, 1.5]
// (0.0625 at the end), where the drift's √ is still defined; the small
// noise makes paths near the end come within a few noise widths (√1.5·0.01
// ≈ 0.012, against 0.0625) of 0, so a step that overshoots proposes a
// negative state, where math.Sqrt is NaN. Nothing is known exactly about
// the SDE's law (no closed-form solution or moments), so it has no
// solution, moments or expectations: it is a robustness problem (a solver
// must finish every path at its default settings), not one for convergence
// studies. To first order in the noise, E X_t ≈ (1 − t/2)².
// Reference: gofast issue 9 (a square-root drift that a step can overshoot).
func SqrtDecay() *Problem {
	return &Problem{
		Name:        "sqrt-decay",
		Description: "square-root decay, Itô: dX = −√X dt + 0.01 dW, X(0) = 1, t in [0, 1.5] (noise-free solution (1 − t/2)²)",
		Reference:   "gofast issue 9 (robustness: a proposal below 0 makes the drift NaN)",
		SDE: sdeint.Problem{
			Dim:      1,
			Noise:    sdeint.Noise{Shape: sdeint.ScalarNoise, Additive: true, Commutative: true},
			Calculus: sdeint.Ito,
			T0:       0,
			T1:       1.5,
			X0:       []float64{1},
			Drift:    sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = -math.Sqrt(x[0]) }),
			Diffusion: sdeint.Lift(1, 1, func(dst []float64, _ float64, _ []float64) {
				dst[0] = 0.01
			}),
		},
	}
}

// Pulse parameters: a slow growth a0 with a pulse of total weight 2c and
// width w at t0, and a mild noise b.
const (
	pulseA0 = 0.5
	pulseC  = 1.0
	pulseW  = 0.005
	pulseT0 = 0.3
	pulseB  = 0.2
	pulseX0 = 1.0
)

// pulseA is A(t) = ∫₀^t a(s) ds = a0·t + c(tanh((t − t0)/w) + tanh(t0/w)).
func pulseA(t float64) float64 {
	return pulseA0*t + pulseC*(math.Tanh((t-pulseT0)/pulseW)+math.Tanh(pulseT0/pulseW))
}

// Pulse is geometric Brownian motion with a sharp drift pulse, a problem of
// two time scales: dX = a(t)X dt + bX dW, Itô, on [0, 1], X(0) = 1, with
// a(t) = a0 + (c/w)·sech²((t − t0)/w), a0 = 0.5, c = 1, w = 0.005,
// t0 = 0.3, b = 0.2. The pulse multiplies X by e^{2c} ≈ 7.4 within a few
// widths of t0 (its peak rate c/w = 200), while away from it the
// coefficients change on the scale of the span. Exact on the path:
// X_t = X₀ exp(A(t) − b²t/2 + bW_t) with
// A(t) = a0·t + c(tanh((t − t0)/w) + tanh(t0/w)), so
// E X_t = X₀e^{A(t)}, Var X_t = X₀²e^{2A(t)}(e^{b²t} − 1).
// Fixed steps must resolve the pulse's width everywhere; adaptive steps need
// to shrink only near t0, but must not step over it. Measured with roberts
// over 1000 paths (TestPulseWorkPrecisionLong), mean |X(T) − exact| × NFE:
// fixed 300, 1000, 3000 steps 499, 174, 59; adaptive at the defaults at
// tolerances 1e-3, 1e-4, 1e-5: 7.0, 3.6, 1.6 (two thirds of the accepted
// steps within 10 widths of the pulse), but at 1e-2 66, with 22 of the
// 1000 paths stepping over the pulse; the controller before issue 9
// (integral, factor up to 10) stepped over it on most paths at 1e-2 and
// 1e-3 (177, 1090) and on some at 1e-4 and 1e-5 (722, 74).
// Reference: gofast issue 9 (a problem with multiple time scales and an
// exact answer); the construction is GBM's (Kloeden & Platen 1992, ch. 4)
// with a time-dependent drift.
func Pulse() *Problem {
	b := pulseB
	return &Problem{
		Name:        "pulse",
		Description: "GBM with a drift pulse, Itô: dX = (0.5 + (1/0.005) sech²((t − 0.3)/0.005)) X dt + 0.2 X dW, X(0) = 1, t in [0, 1]",
		Reference:   "gofast issue 9 (multiple time scales, exact solution); " + refKP,
		SDE: sdeint.Problem{
			Dim:      1,
			Noise:    sdeint.Noise{Shape: sdeint.ScalarNoise, Commutative: true},
			Calculus: sdeint.Ito,
			T0:       0,
			T1:       1,
			X0:       []float64{pulseX0},
			Drift: sdeint.Lift(1, 1, func(dst []float64, t float64, x []float64) {
				s := 1 / math.Cosh((t-pulseT0)/pulseW)
				dst[0] = (pulseA0 + pulseC/pulseW*s*s) * x[0]
			}),
			Diffusion: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = b * x[0] }),
		},
		Solution: func(dst []float64, t float64, w []float64) {
			dst[0] = pulseX0 * math.Exp(pulseA(t)-b*b*t/2+b*w[0])
		},
		Mean: func(dst []float64, t float64) { dst[0] = pulseX0 * math.Exp(pulseA(t)) },
		Var: func(dst []float64, t float64) {
			dst[0] = pulseX0 * pulseX0 * math.Exp(2*pulseA(t)) * math.Expm1(b*b*t)
		},
	}
}

// Gaussian drift-pulse parameters (GaussPulse).
const (
	gpA0  = 0.1
	gpAmp = 15.0
	gpT0  = 0.5
	gpW   = 0.02
	gpB   = 0.2
)

// gaussPulseA is ∫₀^t a(s) ds = a0·t + A·w·(√π/2)·(erf((t − t0)/w) + erf(t0/w)).
func gaussPulseA(t float64) float64 {
	return gpA0*t + gpAmp*gpW*math.Sqrt(math.Pi)/2*(math.Erf((t-gpT0)/gpW)+math.Erf(gpT0/gpW))
}

// GaussPulse is geometric Brownian motion whose drift rate has a Gaussian
// pulse, the multi-scale problem of the acceptance bar of issue 9
// (docs/convergence.md): dX = a(t)X dt + bX dW, Itô, on [0, 1], X(0) = 1,
// with a(t) = a0 + A·exp(−((t − t0)/w)²), a0 = 0.1, A = 15, t0 = 0.5,
// w = 0.02, b = 0.2. The pulse lasts about 2w and multiplies X by
// e^{A·w·√π} ≈ 1.70; milder and wider than Pulse's (which a first step
// that is too long can miss), it tests how steps follow a coefficient that
// changes smoothly by a factor 150. Exact on the path (Itô's formula for
// log X): X_t = exp(∫₀ᵗa − b²t/2 + bW_t) with
// ∫₀ᵗa = a0·t + A·w·(√π/2)·(erf((t − t0)/w) + erf(t0/w)), so
// E X_t = e^{∫₀ᵗa}, Var X_t = e^{2∫₀ᵗa}(e^{b²t} − 1).
// Reference: gofast issue 9; the construction is GBM's (Kloeden & Platen
// 1992, ch. 4) with a time-dependent drift.
func GaussPulse() *Problem {
	b := gpB
	return &Problem{
		Name:        "gauss-pulse",
		Description: "GBM with a Gaussian drift pulse, Itô: dX = (0.1 + 15 exp(−((t − 0.5)/0.02)²)) X dt + 0.2 X dW, X(0) = 1, t in [0, 1]",
		Reference:   "gofast issue 9 (multiple time scales, exact solution); " + refKP,
		SDE: sdeint.Problem{
			Dim:      1,
			Noise:    sdeint.Noise{Shape: sdeint.ScalarNoise, Commutative: true},
			Calculus: sdeint.Ito,
			T0:       0,
			T1:       1,
			X0:       []float64{1},
			Drift: sdeint.Lift(1, 1, func(dst []float64, t float64, x []float64) {
				u := (t - gpT0) / gpW
				dst[0] = (gpA0 + gpAmp*math.Exp(-u*u)) * x[0]
			}),
			Diffusion: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = b * x[0] }),
		},
		Solution: func(dst []float64, t float64, w []float64) {
			dst[0] = math.Exp(gaussPulseA(t) - b*b*t/2 + b*w[0])
		},
		Mean: func(dst []float64, t float64) { dst[0] = math.Exp(gaussPulseA(t)) },
		Var: func(dst []float64, t float64) {
			dst[0] = math.Exp(2*gaussPulseA(t)) * math.Expm1(b*b*t)
		},
	}
}

// StiffAdditive is dX = −λ(X − sin t)dt + σ dW, λ = 100, σ = ½, X(0) = 1,
// Itô, on [0, 1]: additive noise with a stiff linear drift that pulls X
// toward sin t on the time scale 1/λ = 0.01. Explicit methods are stable
// only for λ|h| below their real stability bound (2 for Heun-type and SRA1,
// 5.31 for SOSRA), so at loose tolerances their steps sit near it. With
// x_p(t) = λ(λ sin t − cos t)/(λ² + 1), the forced solution, the exact
// transition is X(t+h) | X(t) = x ~ N(x_p(t+h) + (x − x_p(t))e^{−λh},
// σ²(1 − e^{−2λh})/(2λ)), so E X_t = x_p(t) + (X₀ − x_p(0))e^{−λt} and
// Var X_t = σ²(1 − e^{−2λt})/(2λ). Its solution depends on the whole
// Brownian path, so only moments and the transition are exact.
// Reference: the stiff additive test of gofast's TestSRAStiff
// (sdeint/methods; docs/methods/sosra.md), after the stiff linear test
// equations of Rackauckas & Nie, arXiv:1804.04344.
func StiffAdditive() *Problem {
	const lambda, sigma, x0 = 100.0, 0.5, 1.0
	xp := func(t float64) float64 { return lambda * (lambda*math.Sin(t) - math.Cos(t)) / (lambda*lambda + 1) }
	vr := func(h float64) float64 { return -sigma * sigma * math.Expm1(-2*lambda*h) / (2 * lambda) }
	return &Problem{
		Name:        "stiff-additive",
		Description: "stiff additive noise: dX = −100(X − sin t)dt + 0.5 dW, X(0) = 1, t in [0, 1]",
		Reference:   "gofast TestSRAStiff; stiff linear tests after Rackauckas & Nie, arXiv:1804.04344",
		SDE: sdeint.Problem{
			Dim:   1,
			Noise: sdeint.Noise{Shape: sdeint.ScalarNoise, Additive: true, Commutative: true},
			T0:    0,
			T1:    1,
			X0:    []float64{x0},
			Drift: sdeint.Lift(1, 1, func(dst []float64, t float64, x []float64) {
				dst[0] = -lambda * (x[0] - math.Sin(t))
			}),
			Diffusion: sdeint.Lift(1, 1, func(dst []float64, _ float64, _ []float64) {
				dst[0] = sigma
			}),
		},
		Mean: func(dst []float64, t float64) { dst[0] = xp(t) + (x0-xp(0))*math.Exp(-lambda*t) },
		Var:  func(dst []float64, t float64) { dst[0] = vr(t) },
		Transition: func(dst []float64, t, h float64, x, z []float64) {
			dst[0] = xp(t+h) + (x[0]-xp(t))*math.Exp(-lambda*h) + math.Sqrt(vr(h))*z[0]
		},
	}
}
