package methods

import (
	"gonum.org/v1/gonum/floats"

	"github.com/gofast-sde/gofast/sdeint"
)

func init() {
	register("Euler–Heun, the stochastic Heun method (Stratonovich, fixed steps)", func() sdeint.Method { return EulerHeun{} })
}

// EulerHeun is the Euler–Heun (stochastic Heun) method for Stratonovich
// SDEs (Kloeden & Platen, Numerical Solution of SDEs, 1992, §11.1, the
// Heun-type scheme that converges to the Stratonovich solution; as
// StochasticDiffEq.jl's EulerHeun):
//
//	x̄       = x + h·f(t, x) + g(t, x)·ΔW                      (Euler predictor)
//	x_{n+1} = x + ½h·(f(t, x) + f(t+h, x̄)) + ½(g(t, x) + g(t+h, x̄))·ΔW
//
// The trapezoidal average of g is what makes the result converge to the
// Stratonovich solution. Strong order 1 for additive, scalar, commutative
// diagonal and commutative noise (the products ½ΔW_jΔW_k it implies are
// the symmetric parts of the iterated Stratonovich integrals, which is all
// commutative noise needs), ½ for non-commutative noise (the Lévy areas are
// missing); weak order 1, 2 for additive noise and ODEs (Kloeden & Platen
// §15.1; with no noise it is Heun's method, order 2). It has no error
// estimate, so it runs with fixed steps only; its adaptive relatives are
// ggf (the same result with the paper's embedded estimate) and
// lambaeulerheun. Two drift and two diffusion evaluations per step.
type EulerHeun struct{}

// Properties describes the method.
func (EulerHeun) Properties() sdeint.Properties {
	return sdeint.Properties{
		Name:     "eulerheun",
		Calculus: sdeint.Stratonovich,
		Orders: orders(
			sdeint.Order{Strong: 2, Weak: 2},   // none: Heun's method
			sdeint.Order{Strong: 1, Weak: 2},   // additive
			sdeint.Order{Strong: 1, Weak: 1},   // scalar
			sdeint.Order{Strong: 1, Weak: 1},   // commutative diagonal
			sdeint.Order{Strong: 1, Weak: 1},   // commutative
			sdeint.Order{Strong: 0.5, Weak: 1}, // non-commutative
		),
	}
}

// NewStepper returns a stepper for the method.
func (EulerHeun) NewStepper(d sdeint.Dims, rows int) sdeint.Stepper {
	return &eulerHeunStepper{two: newTwoStage(d, rows)}
}

type eulerHeunStepper struct{ two twoStage }

func (st *eulerHeunStepper) Step(s *sdeint.Step) error {
	k, n := s.K, s.Dims.N
	if err := heunStep(&st.two, s); err != nil {
		return err
	}
	if s.Adaptive {
		copy(s.Low[:k*n], s.High[:k*n])
		clear(s.Err[:k*n])
	}
	return nil
}

// heunStep writes the stochastic Heun result into s.High, leaving f and g
// at (t, x) in w.f1 and w.g1. Shared by EulerHeun and LambaEulerHeun.
func heunStep(w *twoStage, s *sdeint.Step) error {
	k, n := s.K, s.Dims.N
	if err := w.first(s); err != nil {
		return err
	}
	k1, k2 := w.k1[:k*n], w.k2[:k*n]
	w.drift(k1, w.f1, s)
	s.Dims.AddNoise(k1, w.g1, s.DW, k)
	w.stage(s, k1)
	if err := w.second(s); err != nil {
		return err
	}
	w.drift(k2, w.f2, s)
	s.Dims.AddNoise(k2, w.g2, s.DW, k)
	hi := s.High[:k*n]
	floats.AddTo(hi, k1, k2)
	floats.AddScaledTo(hi, s.X[:k*n], 0.5, hi)
	return nil
}
