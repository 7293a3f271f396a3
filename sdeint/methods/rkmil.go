package methods

import (
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/gofast-sde/gofast/sdeint"
)

func init() {
	register("derivative-free Milstein (Itô; scalar and commutative diagonal noise; adaptive)", func() sdeint.Method { return RKMil{} })
	register("derivative-free Milstein (Stratonovich; scalar and commutative diagonal noise; adaptive)", func() sdeint.Method { return RKMil{Stratonovich: true} })
}

// RKMil is the derivative-free Milstein scheme of Kloeden & Platen
// (Numerical Solution of SDEs, 1992, §11.1, eq. 11.1.3; StochasticDiffEq.jl's
// RKMil), a Runge–Kutta form of Milstein's method that replaces g·g′ by a
// difference quotient. For Itô SDEs:
//
//	ȳ       = x + h·f(t, x) + g(t, x)·√|h|                    (supporting value)
//	x_{n+1} = x + h·f(t, x) + g(t, x)·ΔW + (g(t, ȳ) − g(t, x))·(ΔW² − |h|)/(2√|h|)
//
// The correction is ½·g·g′·(ΔW² − |h|) up to O(h^{3/2}) terms that all
// carry the factor ΔW² − |h| and so have mean zero, which keeps Milstein's
// strong order 1.
//
// For Stratonovich SDEs (Stratonovich: true, name "rkmil-strat") the
// Milstein term is ½·g·g′·ΔW², whose factor ΔW² has mean |h|, so the
// difference quotient must be accurate to O(h), not O(√h): a one-sided
// quotient (g(t, x + g√|h|) − g)/√|h| = g·g′ + ½g″g²√|h| + O(h) leaves a
// term ¼g″g²√|h|·ΔW² of mean ¼g″g²|h|^{3/2} per step, O(√h) globally
// (measured: strong order 0.54 on cubic in Stratonovich form, whose g″ ≠ 0;
// 0.97 on GBM, whose g″ = 0). gofast therefore takes the central quotient,
// with supporting values ȳ± = x ± g(t, x)·√|h| and no drift:
//
//	x_{n+1} = x + h·f(t, x) + g(t, x)·ΔW + (g(t, ȳ+) − g(t, ȳ−))·ΔW²/(4√|h|)
//
// whose quotient is g·g′ + O(h). (StochasticDiffEq.jl's RKMil uses the
// one-sided quotient in its Stratonovich variant.)
//
// Both variants have Milstein's strong order 1 for scalar noise and,
// component by component, for commutative diagonal noise, where g_i
// depends on x_i only; weak order 1. For additive noise the correction
// vanishes (g(t, ȳ) = g(t, x)) and the scheme is Euler–Maruyama, of strong order 1 there; for ODEs it is
// Euler's method. It is wrong for general commutative and for
// non-commutative noise, which need the cross terms L^j g^k·I_(j,k), so it
// declares those classes not applicable.
//
// Error estimate (adaptive stepping), component by component:
//
//	E_d = ½h·(f(t+h, x_{n+1}) − f(t, x))                Euler's error on the drift
//	E_n = |g(t, ȳ₂) − 2g(t, ȳ) + g(t, x)|·√(|h|/6)       (Stratonovich: √(5|h|/12))
//	ȳ₂  = ȳ + h·f + g(t, ȳ)·√|h|                        (Stratonovich: ȳ+ + g(t, ȳ+)·√|h|)
//	E   = |E_d| + E_n
//
// (Stratonovich: ȳ+ in place of ȳ in E_n.) The second difference is
// L¹L¹g·|h| + O(|h|^{3/2}) with L¹ = g·∂ₓ (the drift shifts in ȳ and ȳ₂
// cancel in it), so E_n is |L¹L¹g| times the root mean square of the
// triple integral I_(1,1,1) = (ΔW³ − 3hΔW)/6 (h³/6; for
// J_(1,1,1) = ΔW³/6, 5h³/12): the size of the first term of Milstein's
// local error that comes from the noise alone. StochasticDiffEq.jl's RKMil
// adds, with a weight δ on E_d, the heuristic |ΔW|³·(g(t, ȳ) − g)²/(6h),
// which grows like h^{3/2} too but scales as x² rather than x and looks at
// the increment. gofast's E_n looks only at (t, x, h); E_d looks at the
// increment through f_x·g·ΔW, of E_n's order (the scheme has strong order
// 1 on the noise classes it applies to, where the bias of a grid that
// depends on the increments vanishes with the tolerance; Gaines & Lyons
// 1997, Order.Adaptive). E_d is the drift's change over the step, taken at the
// result, whose f the next step reuses as its first stage (driftDiff, as
// in LambaEM; Lamba's ½h·(f(t+h, x + h·f) − f), one more evaluation, with
// ForwardDrift). It holds f_x·g·ΔW as well, a sample of the size of the
// local error's L¹f·I_(1,0) term; it does not see L⁰g·I_(0,1): the
// estimate is a measure of the local error's size, not a bound. Growth:
// E ∝ h^{3/2} (q = ½) for multiplicative and additive noise, E = |E_d| ∝ h²
// (q = 1) for ODEs. Taking E_d from a drift evaluation instead doubled the
// NFE per step: efficiency against fixed steps on gbm at tolerances 1e-2 /
// 1e-3 / 1e-4 went from 2.44 / 2.09 / 1.93 to 1.33 / 0.98 / 1.07
// (docs/methods/rkmil.md).
//
// Cost per attempt: one drift and two diffusion evaluations for the
// result (three for the Stratonovich variant), one more diffusion
// evaluation for the estimate, and one more drift evaluation on a path's
// attempts up to its first acceptance and on its probes (or with
// ForwardDrift).
type RKMil struct {
	// Stratonovich selects the Stratonovich variant ("rkmil-strat").
	Stratonovich bool
	// ForwardDrift takes E_d from one more drift evaluation per attempt,
	// as LambaEM.ForwardDrift does; an ablation (it doubles the NFE).
	ForwardDrift bool
}

// Properties describes the method.
func (m RKMil) Properties() sdeint.Properties {
	p := sdeint.Properties{
		Name:     "rkmil",
		Calculus: sdeint.Ito,
		Adaptive: true,
		Orders: orders(
			sdeint.Order{Strong: 1, Weak: 1, ErrQ: 1, Adaptive: true},   // none: Euler
			sdeint.Order{Strong: 1, Weak: 1, ErrQ: 0.5, Adaptive: true}, // additive: Euler–Maruyama
			sdeint.Order{Strong: 1, Weak: 1, ErrQ: 0.5, Adaptive: true}, // scalar
			sdeint.Order{Strong: 1, Weak: 1, ErrQ: 0.5, Adaptive: true}, // commutative diagonal
			sdeint.Order{NotApplicable: true},                           // commutative
			sdeint.Order{NotApplicable: true},                           // non-commutative
		),
		Control: controlMainstream,
		State:   driftDiffState,
	}
	if m.Stratonovich {
		p.Name, p.Calculus = "rkmil-strat", sdeint.Stratonovich
	}
	return p
}

// NewStepper returns a stepper for the method.
func (m RKMil) NewStepper(d sdeint.Dims, rows int) sdeint.Stepper {
	return &rkMilStepper{
		strat: m.Stratonovich, forward: m.ForwardDrift, dd: newDriftDiff(d, rows),
		f: make([]float64, rows*d.N), y: make([]float64, rows*d.N),
		g1: make([]float64, rows*d.GSize), g2: make([]float64, rows*d.GSize), g3: make([]float64, rows*d.GSize),
		gm: make([]float64, rows*d.GSize),
	}
}

type rkMilStepper struct {
	strat      bool
	forward    bool      // RKMil.ForwardDrift
	dd         driftDiff // E_d
	f          []float64 // f(t, x)
	y          []float64 // the supporting values ȳ, ȳ₂
	g1, g2, g3 []float64 // g at x, ȳ (ȳ+), ȳ₂
	gm         []float64 // g at ȳ− (Stratonovich)
}

func (st *rkMilStepper) Step(s *sdeint.Step) error {
	k, n, gs := s.K, s.Dims.N, s.Dims.GSize
	f, g1 := st.f[:k*n], st.g1[:k*gs]
	if err := st.dd.firstStage(s, f); err != nil {
		return err
	}
	if err := s.Diffusion(g1, s.T[:k], s.X); err != nil {
		return err
	}
	hi := s.High[:k*n]
	for r := range k {
		o := r * n
		floats.AddScaledTo(hi[o:o+n], s.X[o:o+n], s.H[r], f[o:o+n])
	}
	s.Dims.AddNoise(hi, g1, s.DW, k)
	// The correction needs one diffusion value per component (scalar and
	// diagonal shapes, or general shape with m = 1). General shape with
	// m > 1 reaches the stepper only with additive noise (the other classes
	// are not applicable), where the correction and E_n vanish.
	milstein := s.Dims.Noise != sdeint.NoNoise && gs == n
	if milstein {
		if st.strat {
			// ȳ− = x − g∘√|h|, for the central quotient.
			for r := range k {
				sq := math.Sqrt(math.Abs(s.H[r]))
				for c := r * n; c < (r+1)*n; c++ {
					st.y[c] = s.X[c] - g1[c]*sq
				}
			}
			if err := s.Diffusion(st.gm[:k*gs], s.T[:k], st.y[:k*n]); err != nil {
				return err
			}
		}
		// ȳ = x + c + g∘√|h|, c = h·f (Itô) or 0 (Stratonovich: ȳ+).
		st.shift(st.y[:k*n], s.X[:k*n], g1, s)
		if err := s.Diffusion(st.g2[:k*gs], s.T[:k], st.y[:k*n]); err != nil {
			return err
		}
		for r := range k {
			sq := math.Sqrt(math.Abs(s.H[r]))
			if sq == 0 {
				continue
			}
			for i := range n {
				c := r*n + i
				w := s.DW[r]
				if s.Dims.Noise == sdeint.DiagonalNoise {
					w = s.DW[c]
				}
				if st.strat {
					hi[c] += (st.g2[c] - st.gm[c]) * w * w / (4 * sq)
				} else {
					hi[c] += (st.g2[c] - g1[c]) * (w*w - math.Abs(s.H[r])) / (2 * sq)
				}
			}
		}
	}
	if !s.Adaptive {
		return nil
	}
	copy(s.Low[:k*n], hi)
	// E_d: Euler's error on the drift (driftDiff), at the result.
	var err error
	if st.forward {
		err = st.dd.forward(s, f)
	} else {
		err = st.dd.atEnd(s, f, hi, true)
	}
	if err != nil {
		return err
	}
	e := s.Err[:k*n]
	for c := range e {
		e[c] = math.Abs(st.dd.ed[c])
	}
	if !milstein {
		return nil
	}
	// E_n from the second difference along ȳ₂ = ȳ + c + g(t, ȳ)·√|h|.
	st.shift(st.y[:k*n], st.y[:k*n], st.g2[:k*gs], s)
	if err := s.Diffusion(st.g3[:k*gs], s.T[:k], st.y[:k*n]); err != nil {
		return err
	}
	rms := 1.0 / 6
	if st.strat {
		rms = 5.0 / 12
	}
	for r := range k {
		w := math.Sqrt(rms * math.Abs(s.H[r]))
		for c := r * n; c < (r+1)*n; c++ {
			e[c] += w * math.Abs(st.g3[c]-2*st.g2[c]+st.g1[c])
		}
	}
	return nil
}

// shift sets dst = x + c + g∘√|h| row by row, c = h·f for the Itô scheme
// and 0 for the Stratonovich one (f in st.f). dst may be x.
func (st *rkMilStepper) shift(dst, x, g []float64, s *sdeint.Step) {
	n := s.Dims.N
	for r := range s.K {
		h := s.H[r]
		sq := math.Sqrt(math.Abs(h))
		for c := r * n; c < (r+1)*n; c++ {
			v := x[c] + g[c]*sq
			if !st.strat {
				v += h * st.f[c]
			}
			dst[c] = v
		}
	}
}
