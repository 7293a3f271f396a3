package methods

import (
	"github.com/gofast-sde/gofast/sdeint"
)

// sraTableau is an explicit s-stage SRA scheme for SDEs with additive noise,
// dX = f(t, X)dt + g(t)dW, in the form of A. Rößler, "Runge–Kutta methods
// for the strong approximation of solutions of stochastic differential
// equations", SIAM J. Numer. Anal. 48(3), 2010 (its SRA schemes). One
// step of signed size h from (t, x), with ΔW_k the increment of component k
// and χ_k = I_(k,0)/|h| = ½ΔW_k + H_k (H the space-time Lévy area, Step.Area):
//
//	H_i = x + h·Σ_{j<i} A0_ij·f(t + c0_j·h, H_j) + Σ_{j<i} B0_ij·g(t + c1_j·h)·χ
//	x'' = x + h·Σ_i α_i·f(t + c0_i·h, H_i) + Σ_i g(t + c1_i·h)·(β1_i·ΔW + β2_i·χ)
//
// g(t)·v means Σ_k g_·k(t)·v_k, whatever the noise shape.
//
// Backward integration needs no sign changes: in elapsed time τ = |t − T0|
// the problem is dX = −f dτ + g dW(τ) and the scheme above with the step |h|
// becomes the same formulas with the signed h, because |h|·(−f) = h·f for
// h < 0 and χ = ½ΔW + H is defined from the elapsed-time path alone.
type sraTableau struct {
	c0, c1              []float64   // drift and diffusion stage times
	a0, b0              [][]float64 // strictly lower triangular
	alpha, beta1, beta2 []float64   // weights
	deterministicOrder  float64     // classical order of (c0, a0, α)
	// lowAlpha and lowBeta1 are the weights of an embedded first-order
	// solution x' = x + h·Σ_i lowAlpha_i·f_i + Σ_i lowBeta1_i·g_i·ΔW from
	// the same stages; the error estimate is E = x'' − x'.
	lowAlpha, lowBeta1 []float64
}

// sraProperties are the properties every SRA method shares: Itô (the
// calculi agree for additive noise), Lévy areas, adaptive on additive noise
// and ODEs, not applicable to multiplicative noise. The error estimate, the
// difference from an embedded first-order solution, grows as h^(q+1) with
// q = ½ on additive noise (the stages' noise terms of size h^{1/2} enter
// the drift, times h; the g_t·h terms times ΔW or χ) and q = 1 on ODEs.
func sraProperties(name string, tab *sraTableau) sdeint.Properties {
	var o [sdeint.NumNoiseClasses]sdeint.Order
	for c := range o {
		o[c].NotApplicable = true // stages assume g independent of x
	}
	d := tab.deterministicOrder
	o[sdeint.ClassNone] = sdeint.Order{Strong: d, Weak: d, ErrQ: 1, Adaptive: true}
	o[sdeint.ClassAdditive] = sdeint.Order{Strong: 1.5, Weak: 2, ErrQ: 0.5, Adaptive: true}
	return sdeint.Properties{
		Name:     name,
		Calculus: sdeint.Ito,
		Adaptive: true,
		Levy:     true,
		Orders:   o,
		Control:  controlMainstream,
	}
}

// newSRAStepper returns a stepper for tab.
func newSRAStepper(tab *sraTableau, d sdeint.Dims, rows int) *sraStepper {
	s := len(tab.alpha)
	st := &sraStepper{
		tab: tab,
		f:   make([][]float64, s),
		g:   make([][]float64, s),
		x:   make([]float64, rows*d.N),
		t:   make([]float64, rows),
		chi: make([]float64, rows*d.M),
		v:   make([]float64, rows*d.M),
	}
	for i := range s {
		st.f[i] = make([]float64, rows*d.N)
		st.g[i] = make([]float64, rows*d.GSize)
	}
	return st
}

type sraStepper struct {
	tab  *sraTableau
	f, g [][]float64 // per stage: drift at (t + c0_i·h, H_i), diffusion at t + c1_i·h
	x    []float64   // stage state H_i
	t    []float64   // stage times
	chi  []float64   // I_(k,0)/|h| = ½ΔW + H per row and component
	v    []float64   // a weighted combination of ΔW and χ
}

// weigh sets v = a·ΔW + b·χ for the K rows.
func (st *sraStepper) weigh(s *sdeint.Step, a, b float64) []float64 {
	v := st.v[:s.K*s.Dims.M]
	for i := range v {
		v[i] = a*s.DW[i] + b*st.chi[i]
	}
	return v
}

func (st *sraStepper) Step(s *sdeint.Step) error {
	tab := st.tab
	k, n := s.K, s.Dims.N
	km := k * s.Dims.M
	for i := range km {
		st.chi[i] = 0.5*s.DW[i] + s.Area[i]
	}
	// The diffusion depends on t only: evaluate it at the stage times, at
	// x (any state would do).
	for j, c := range tab.c1 {
		for r := range k {
			st.t[r] = s.T[r] + c*s.H[r]
		}
		if err := s.Diffusion(st.g[j][:k*s.Dims.GSize], st.t[:k], s.X[:k*n]); err != nil {
			return err
		}
	}
	for i := range tab.alpha {
		x := s.X[:k*n]
		if i > 0 {
			x = st.x[:k*n]
			for r := range k {
				h := s.H[r]
				for c := r * n; c < (r+1)*n; c++ {
					var sum float64
					for j, a := range tab.a0[i][:i] {
						if a != 0 {
							sum += a * st.f[j][c]
						}
					}
					x[c] = s.X[c] + h*sum
				}
			}
			for j, b := range tab.b0[i][:i] {
				if b != 0 {
					s.Dims.AddNoise(x, st.g[j], st.weigh(s, 0, b), k)
				}
			}
		}
		for r := range k {
			st.t[r] = s.T[r] + tab.c0[i]*s.H[r]
		}
		if err := s.Drift(st.f[i][:k*n], st.t[:k], x); err != nil {
			return err
		}
	}
	// The result and the error estimate, the difference from the embedded
	// solution: E = h·Σ_i (α_i − α̃_i)·f_i + Σ_i g_i·((β1_i − β̃1_i)·ΔW +
	// β2_i·χ).
	hi := s.High[:k*n]
	low := tab.lowAlpha
	for r := range k {
		h := s.H[r]
		for c := r * n; c < (r+1)*n; c++ {
			var sum, diff float64
			for i, a := range tab.alpha {
				sum += a * st.f[i][c]
				diff += (a - low[i]) * st.f[i][c]
			}
			hi[c] = s.X[c] + h*sum
			if s.Adaptive {
				s.Err[c] = h * diff
			}
		}
	}
	for i := range tab.alpha {
		b1, b2 := tab.beta1[i], tab.beta2[i]
		if b1 != 0 || b2 != 0 {
			s.Dims.AddNoise(hi, st.g[i], st.weigh(s, b1, b2), k)
		}
		e1 := b1 - tab.lowBeta1[i] // the ΔW weight in the estimate
		if s.Adaptive && (e1 != 0 || b2 != 0) {
			s.Dims.AddNoise(s.Err[:k*n], st.g[i], st.weigh(s, e1, b2), k)
		}
	}
	if s.Adaptive {
		for c := range hi {
			s.Low[c] = hi[c] - s.Err[c]
		}
	}
	return nil
}
