package methods

import (
	"gonum.org/v1/gonum/floats"

	"github.com/gofast-sde/gofast/sdeint"
)

func init() {
	register("EM + stochastic Heun, the Gotta Go Fast pair (Stratonovich; Itô if additive)", func() sdeint.Method { return GGF{} })
}

// GGF is the adaptive pair of "Gotta Go Fast When Generating Data with
// Score-Based Models" (Jolicoeur-Martineau, Li, Piché-Taillefer, Kachman &
// Mitliagkas 2021, arXiv:2105.14080, Algorithm 1): Euler–Maruyama as the low
// order method and the stochastic improved Euler (Heun) method as the high
// order one, both driven by the same increment ΔW:
//
//	K1  = h·f(t, x)         + g(t, x)·ΔW
//	K2  = h·f(t+h, x+K1)    + g(t+h, x+K1)·ΔW
//	x'  = x + K1                        (low order)
//	x'' = x + (K1 + K2)/2               (high order, kept: extrapolation)
//	E   = x'' − x' = (K2 − K1)/2        (error vector, noise terms included)
//
// Heun with one shared increment converges to the Stratonovich solution
// (Kloeden & Platen 1992, §11.1), so the pair applies to Stratonovich SDEs,
// and to Itô SDEs with additive noise (where the two calculi agree) — the
// reverse-time diffusion SDEs of score-based models. Strong order of the
// result: 1 for additive and commutative noise, 0.5 otherwise; weak order 1
// (2 for additive noise, Kloeden & Platen §15.1). The error estimate grows as
// h^(q+1) with q = 0 for multiplicative noise and q = ½ for additive noise.
// Two drift and two diffusion evaluations per attempt.
//
// On ordinary SDEs the solver's default for this pair keeps the paper's
// tolerance δ_i = max(ε_abs, ε_rel·max(|x'_i|, |x'prev_i|)) but steps with
// the measured SDE controller: PI (P = 0.1, I = 0.2), clamps [0.2, 1.125],
// safety 0.9 (docs/convergence.md, "Controller defaults"). Diffusion
// sampling (package diffusion) pins the paper's own controller: exponent
// r = 0.9, safety θ = 0.9, no clamps and no minimum step.
type GGF struct {
	// NoExtrapolation keeps the low-order proposal x' on acceptance
	// instead of x'' (an ablation in the paper's appendix). The kept state is
	// then Euler–Maruyama's, which converges to the Itô solution, so this
	// variant declares Itô.
	NoExtrapolation bool
	// Lamba uses the deterministic, "Lamba-like" error estimate of the
	// paper's appendix (after Lamba, J. Comput. Appl. Math. 161, 2003): the
	// second stage is evaluated at x̄ = x + h·f(t, x) without noise and
	// E = h·(f(t+h, x̄) − f(t, x))/2; the noise ½(g(t, x) + g(t+h, x̄))·ΔW is
	// added to both proposals. The paper applies it to additive noise. With
	// multiplicative noise the noise-free stage makes the result converge to
	// the Itô solution with strong order 0.5, so this variant declares Itô.
	Lamba bool
}

// Properties describes the pair. The ablation variants keep a result that
// converges to the Itô solution when the noise is multiplicative (see their
// fields), so they declare Itô; for additive noise, their intended use, the
// calculi agree.
func (m GGF) Properties() sdeint.Properties {
	p := sdeint.Properties{
		Name:     "ggf",
		Calculus: sdeint.Stratonovich,
		Adaptive: true,
		Orders: orders(
			sdeint.Order{Strong: 2, Weak: 2, ErrQ: 1, Adaptive: true},   // none
			sdeint.Order{Strong: 1, Weak: 2, ErrQ: 0.5, Adaptive: true}, // additive
			sdeint.Order{Strong: 1, Weak: 1, ErrQ: 0, Adaptive: true},   // scalar
			sdeint.Order{Strong: 1, Weak: 1, ErrQ: 0, Adaptive: true},   // commutative diagonal
			sdeint.Order{Strong: 1, Weak: 1, ErrQ: 0, Adaptive: true},   // commutative
			sdeint.Order{Strong: 0.5, Weak: 1, ErrQ: 0},                 // non-commutative
		),
		Control: controlGGFSDE,
	}
	multiplicative := func(c int) bool {
		return sdeint.NoiseClass(c) != sdeint.ClassNone && sdeint.NoiseClass(c) != sdeint.ClassAdditive
	}
	if m.Lamba {
		// A noise-free stage: Itô, strong order ½ for multiplicative noise,
		// and a deterministic error estimate that grows as h² whatever the
		// noise. It does not look at the increment, so adaptive steps
		// stay consistent.
		p.Calculus = sdeint.Ito
		for c := range p.Orders {
			p.Orders[c].ErrQ = 1
			if multiplicative(c) {
				p.Orders[c].Strong, p.Orders[c].Weak = 0.5, 1
			}
		}
	}
	if m.NoExtrapolation {
		// The kept state is Euler–Maruyama's: Itô, strong order ½ for
		// multiplicative noise; unless the estimate is Lamba's, the grid
		// then depends on the increments and adaptive steps are biased.
		p.Calculus = sdeint.Ito
		for c := range p.Orders {
			if multiplicative(c) {
				p.Orders[c].Strong, p.Orders[c].Weak = 0.5, 1
				p.Orders[c].Adaptive = p.Orders[c].Adaptive && m.Lamba
			}
		}
	}
	return p
}

// NewStepper returns a stepper for the pair.
func (m GGF) NewStepper(d sdeint.Dims, rows int) sdeint.Stepper {
	return &ggfStepper{opt: m, two: newTwoStage(d, rows)}
}

type ggfStepper struct {
	opt GGF
	two twoStage
}

func (st *ggfStepper) Step(s *sdeint.Step) error {
	w := &st.two
	k, n := s.K, s.Dims.N
	if err := w.first(s); err != nil {
		return err
	}
	// K1 = h·f1 + g1·ΔW; the second stage starts from x + K1, or from the
	// noise-free x + h·f1 for the Lamba-like variant.
	k1, k2 := w.k1[:k*n], w.k2[:k*n]
	w.drift(k1, w.f1, s)
	if st.opt.Lamba {
		w.stage(s, k1)
		s.Dims.AddNoise(k1, w.g1, s.DW, k)
	} else {
		s.Dims.AddNoise(k1, w.g1, s.DW, k)
		w.stage(s, k1)
	}
	if err := w.second(s); err != nil {
		return err
	}
	w.drift(k2, w.f2, s)
	s.Dims.AddNoise(k2, w.g2, s.DW, k)
	// x'' = x + ½(K1 + K2), x' = x + K1, E = ½(K2 − K1).
	x, hi := s.X[:k*n], s.High[:k*n]
	floats.AddTo(hi, k1, k2)
	floats.AddScaledTo(hi, x, 0.5, hi)
	if !s.Adaptive {
		return nil
	}
	lo, e := s.Low[:k*n], s.Err[:k*n]
	floats.AddTo(lo, x, k1)
	floats.SubTo(e, k2, k1)
	floats.Scale(0.5, e)
	if st.opt.Lamba {
		f1, f2 := w.f1[:k*n], w.f2[:k*n]
		for r := range k {
			h := 0.5 * s.H[r]
			for i := r * n; i < (r+1)*n; i++ {
				e[i] = h * (f2[i] - f1[i])
			}
		}
	}
	if st.opt.NoExtrapolation {
		copy(hi, lo)
	}
	return nil
}
