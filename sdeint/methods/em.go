package methods

import (
	"gonum.org/v1/gonum/floats"

	"github.com/gofast-sde/gofast/sdeint"
)

func init() { register("Euler–Maruyama (Itô, fixed steps)", func() sdeint.Method { return EM{} }) }

// EM is the Euler–Maruyama method for Itô SDEs (Kloeden & Platen, Numerical
// Solution of SDEs, 1992, §10.2, eq. 10.2.2):
//
//	X_{n+1} = X_n + f(t_n, X_n)·h + g(t_n, X_n)·ΔW_n.
//
// Strong order 0.5 (1 for additive noise), weak order 1. It has no error
// estimate, so it runs with fixed steps only. One drift evaluation per step.
type EM struct{}

// Properties describes EM.
func (EM) Properties() sdeint.Properties {
	return sdeint.Properties{
		Name:     "em",
		Calculus: sdeint.Ito,
		Orders: orders(
			sdeint.Order{Strong: 1, Weak: 1},   // none
			sdeint.Order{Strong: 1, Weak: 1},   // additive
			sdeint.Order{Strong: 0.5, Weak: 1}, // scalar
			sdeint.Order{Strong: 0.5, Weak: 1}, // commutative diagonal
			sdeint.Order{Strong: 0.5, Weak: 1}, // commutative
			sdeint.Order{Strong: 0.5, Weak: 1}, // non-commutative
		),
	}
}

// NewStepper returns an EM stepper.
func (EM) NewStepper(d sdeint.Dims, rows int) sdeint.Stepper {
	return &emStepper{
		f: make([]float64, rows*d.N),
		g: make([]float64, rows*d.GSize),
	}
}

type emStepper struct{ f, g []float64 }

func (e *emStepper) Step(s *sdeint.Step) error {
	k, n := s.K, s.Dims.N
	if err := emStep(s, e.f, e.g); err != nil {
		return err
	}
	hi := s.High[:k*n]
	if s.Adaptive {
		copy(s.Low[:k*n], hi)
		clear(s.Err[:k*n])
	}
	return nil
}

// emStep evaluates f and g at (t, x) into the scratch f and g and writes
// the Euler–Maruyama step x + h·f + g·ΔW to s.High.
func emStep(s *sdeint.Step, f, g []float64) error {
	k, n := s.K, s.Dims.N
	if err := s.Drift(f[:k*n], s.T[:k], s.X); err != nil {
		return err
	}
	return emFrom(s, f, g)
}

// emFrom evaluates g at (t, x) into the scratch g and writes the
// Euler–Maruyama step x + h·f + g·ΔW to s.High, given f at (t, x).
func emFrom(s *sdeint.Step, f, g []float64) error {
	k, n := s.K, s.Dims.N
	f, g = f[:k*n], g[:k*s.Dims.GSize]
	if err := s.Diffusion(g, s.T[:k], s.X); err != nil {
		return err
	}
	hi := s.High[:k*n]
	for r := range k {
		o := r * n
		floats.AddScaledTo(hi[o:o+n], s.X[o:o+n], s.H[r], f[o:o+n])
	}
	s.Dims.AddNoise(hi, g, s.DW, k)
	return nil
}
