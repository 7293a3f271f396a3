package methods

import (
	"github.com/gofast-sde/gofast/sdeint"
)

func init() {
	register("Euler–Heun with Lamba's error estimate (Stratonovich, adaptive, any noise)", func() sdeint.Method { return LambaEulerHeun{} })
}

// LambaEulerHeun is the Euler–Heun (stochastic Heun) method for
// Stratonovich SDEs with Lamba's adaptive error estimate, the Stratonovich
// counterpart of LambaEM (as StochasticDiffEq.jl's LambaEulerHeun; Lamba,
// J. Comput. Appl. Math. 161, 2003). The kept result is EulerHeun's:
//
//	x̄       = x + h·f(t, x) + g(t, x)·ΔW
//	x_{n+1} = x + ½h·(f(t, x) + f(t+h, x̄)) + ½(g(t, x) + g(t+h, x̄))·ΔW
//
// and the error estimate, component by component, is
//
//	E_d = ½h·(f(t+h, x̄) − f(t, x))
//	E_n = (√3/2)·|h|·(Σ_{j,k} (L^j g^k)²)^½,   L^j g^k ≈ (g^k(t, x + g^j√|h|) − g^k(t, x))/√|h|
//	E   = |E_d| + E_n
//
// E_d is Euler's local error on the drift, the Heun corrector's drift
// minus the predictor's, from the two drift evaluations the result makes
// anyway (Lamba's ½h·(f(t+h, x + h·f) − f), a third evaluation, with
// ForwardDrift);
// E_n is the size of the Stratonovich terms Σ L^j g^k·J_(j,k) that the
// Euler predictor misses and the Heun corrector adds (√3/2·|h| is the root mean square of
// J_(j,j) = ΔW_j²/2). StochasticDiffEq.jl uses the realised ½L¹g·ΔW²;
// gofast uses its conditional root mean square given (t, x, h), so that
// the estimate, like LambaEM's, looks at the Brownian increment only
// through f_x·g·ΔW in E_d, and adaptive stepping stays consistent on
// every noise class, including non-commutative noise where the result has
// order ½ (see LambaEM and Order.Adaptive).
//
// Orders as EulerHeun: strong 1 for additive, scalar, commutative diagonal
// and commutative noise, ½ for non-commutative noise, 2 for ODEs; weak 1
// (2 for additive noise and ODEs). The estimate grows as h^(q+1) with
// q = 0 for multiplicative noise, q = ½ for additive noise (E_d ≈
// ½h·f_x·g·ΔW) and q = 1 for ODEs.
// Cost per attempt: two drift evaluations for the result (a third for E_d
// with ForwardDrift); two
// diffusion evaluations for the result and one (scalar and diagonal
// shapes) or m (general shape) for E_n.
type LambaEulerHeun struct {
	// ForwardDrift takes E_d from a third drift evaluation per attempt,
	// as Lamba and StochasticDiffEq.jl do (see LambaEM.ForwardDrift).
	ForwardDrift bool
}

// Properties describes the method.
func (m LambaEulerHeun) Properties() sdeint.Properties {
	return sdeint.Properties{
		Name:     "lambaeulerheun",
		Calculus: sdeint.Stratonovich,
		Adaptive: true,
		Orders: orders(
			sdeint.Order{Strong: 2, Weak: 2, ErrQ: 1, Adaptive: true},   // none
			sdeint.Order{Strong: 1, Weak: 2, ErrQ: 0.5, Adaptive: true}, // additive
			sdeint.Order{Strong: 1, Weak: 1, ErrQ: 0, Adaptive: true},   // scalar
			sdeint.Order{Strong: 1, Weak: 1, ErrQ: 0, Adaptive: true},   // commutative diagonal
			sdeint.Order{Strong: 1, Weak: 1, ErrQ: 0, Adaptive: true},   // commutative
			sdeint.Order{Strong: 0.5, Weak: 1, ErrQ: 0, Adaptive: true}, // non-commutative
		),
		Control: controlMainstream,
	}
}

// NewStepper returns a stepper for the method.
func (m LambaEulerHeun) NewStepper(d sdeint.Dims, rows int) sdeint.Stepper {
	return &lambaEulerHeunStepper{two: newTwoStage(d, rows), est: newLambaEstimate(d, rows), forward: m.ForwardDrift}
}

type lambaEulerHeunStepper struct {
	two     twoStage
	est     lambaEstimate
	forward bool
}

func (st *lambaEulerHeunStepper) Step(s *sdeint.Step) error {
	k, n := s.K, s.Dims.N
	if err := heunStep(&st.two, s); err != nil {
		return err
	}
	if !s.Adaptive {
		return nil
	}
	copy(s.Low[:k*n], s.High[:k*n])
	if st.forward {
		if err := st.est.dd.forward(s, st.two.f1); err != nil {
			return err
		}
	} else {
		// f at the predictor x̄ = x + h·f + g·ΔW, the second stage.
		st.est.dd.fromEnd(s, st.two.f1, st.two.f2)
	}
	return st.est.estimate(s.Err[:k*n], s, st.two.g1[:k*s.Dims.GSize], lambaStratRMS)
}
