package methods

import (
	"math"

	"github.com/gofast-sde/gofast/sdeint"
)

// sriStages is the number of stages of the SRI tableaus gofast carries.
const sriStages = 4

// sriDelta is δ, the weight of the drift part of the SRI error estimate
// E = δ·E_D + E_N (Rackauckas & Nie 2017, §3; StochasticDiffEq.jl's
// default delta = 1/6).
const sriDelta = 1.0 / 6

// sriTableau holds the coefficients of a four-stage SRI scheme of Rößler
// (SIAM J. Numer. Anal. 48(3), 2010, the SRI schemes for Itô SDEs with
// scalar or diagonal noise) in Rößler's notation: stage i uses the entries
// j < i of row i of A0, A1, B0, B1; c0 and c1 are the stage times of the
// drift and the diffusion (c0 = A0·e, c1 = A1·e).
type sriTableau struct {
	c0, c1                        [sriStages]float64
	a0, a1, b0, b1                [sriStages][sriStages]float64
	alpha                         [sriStages]float64
	beta1, beta2, beta3, beta4    [sriStages]float64
	errTerms                      int // the stages whose drift enters E_D
	name                          string
	needDrift, needDiff, sameAsX0 [sriStages]bool
}

// prepare marks which stage evaluations the scheme uses: a drift that no
// weight, later stage or error term reads is skipped, and a stage whose
// drift point is (t, x) itself reuses the first stage's drift.
func (tb *sriTableau) prepare() *sriTableau {
	for i := range sriStages {
		used := tb.alpha[i] != 0 || i < tb.errTerms
		usedG := tb.beta1[i] != 0 || tb.beta2[i] != 0 || tb.beta3[i] != 0 || tb.beta4[i] != 0
		for j := i + 1; j < sriStages; j++ {
			used = used || tb.a0[j][i] != 0 || tb.a1[j][i] != 0
			usedG = usedG || tb.b0[j][i] != 0 || tb.b1[j][i] != 0
		}
		tb.needDrift[i], tb.needDiff[i] = used, usedG
		same := i > 0 && tb.c0[i] == 0
		for j := range i {
			same = same && tb.a0[i][j] == 0 && tb.b0[i][j] == 0
		}
		tb.sameAsX0[i] = same
	}
	return tb
}

// sriProperties is the description shared by the SRI methods; ode is the
// deterministic order of the drift weights.
func sriProperties(name string, ode, weak float64) sdeint.Properties {
	// ErrQ = 0 on every class: E_D = h·Σ f grows as h whenever the drift is
	// not zero (see SRIW1's doc and TestSRIErrQ).
	ok := func(strong float64) sdeint.Order {
		return sdeint.Order{Strong: strong, Weak: weak, ErrQ: 0, Adaptive: true}
	}
	na := sdeint.Order{NotApplicable: true}
	none := ok(ode)
	none.Weak = ode
	return sdeint.Properties{
		Name:     name,
		Calculus: sdeint.Ito,
		Adaptive: true,
		Levy:     true,
		Orders: orders(
			none,    // none
			ok(1.5), // additive
			ok(1.5), // scalar
			ok(1.5), // commutative diagonal
			na,      // commutative: needs the mixed integrals I_(j,k)
			na,      // non-commutative: likewise
		),
		Control: controlMainstream,
	}
}

// newSRIStepper returns the stepper of an SRI tableau.
func newSRIStepper(tb *sriTableau, d sdeint.Dims, rows int) *sriStepper {
	st := &sriStepper{
		tb: tb,
		h0: make([]float64, rows*d.N), h1: make([]float64, rows*d.N),
		ts: make([]float64, rows), sq: make([]float64, rows),
		ed: make([]float64, rows*d.N), en: make([]float64, rows*d.N),
	}
	for i := range sriStages {
		st.f[i] = make([]float64, rows*d.N)
		if d.M > 0 {
			st.g[i] = make([]float64, rows*d.GSize)
		}
	}
	for _, p := range []*[]float64{&st.chi1, &st.chi2, &st.chi3, &st.w} {
		*p = make([]float64, rows*d.M)
	}
	return st
}

// sriStepper runs an SRI scheme on a batch.
type sriStepper struct {
	tb     *sriTableau
	f, g   [sriStages][]float64 // stage drifts (K×N) and diffusions (K×GSize)
	h0, h1 []float64            // the current stage's drift and diffusion points
	ts, sq []float64            // stage times, √|h|
	// Per Brownian component: I_(k,k)/√|h|, I_(k,0)/|h| and I_(k,k,k)/|h|;
	// w is the weights of one stage's diffusion.
	chi1, chi2, chi3, w []float64
	ed, en              []float64 // the error estimate's drift and noise parts
}

// Step runs the scheme. The step h is signed: integrating backward (h < 0)
// is the forward scheme, with step |h|, for the time-reversed equation
// dY = −f ds + g dW(s) in the elapsed time s = |t − T0| of the Brownian
// path. So the drift terms carry the signed h (|h|·(−f) = h·f), the stage
// times are t + c·h, and every iterated integral and its normalisation uses
// |h|: I_(k,k) = (ΔW² − |h|)/2, I_(k,0) = |h|(½ΔW + H),
// I_(k,k,k) = (ΔW³ − 3|h|ΔW)/6.
func (st *sriStepper) Step(s *sdeint.Step) error {
	tb := st.tb
	k, n, m := s.K, s.Dims.N, s.Dims.M
	gs := s.Dims.GSize
	noise := m > 0
	sdeint.SqrtAbs(st.sq[:k], s.H[:k])
	if noise {
		for r := range k {
			a := math.Abs(s.H[r])
			sq := st.sq[r]
			for j := r * m; j < (r+1)*m; j++ {
				dw := s.DW[j]
				st.chi1[j] = (dw*dw - a) / (2 * sq)
				st.chi2[j] = 0.5*dw + s.Area[j]
				st.chi3[j] = (dw*dw - 3*a) * dw / (6 * a)
			}
		}
	}
	x := s.X[:k*n]
	for i := range sriStages {
		// Drift point H0_i and diffusion point H1_i.
		needF := tb.needDrift[i] && !tb.sameAsX0[i]
		needG := noise && tb.needDiff[i]
		if needF {
			h0 := st.h0[:k*n]
			copy(h0, x)
			for j := range i {
				if a := tb.a0[i][j]; a != 0 {
					st.addDrift(h0, j, a, s)
				}
				if b := tb.b0[i][j]; b != 0 && noise {
					w := st.w[:k*m]
					for c := range w {
						w[c] = b * st.chi2[c]
					}
					s.Dims.AddNoise(h0, st.g[j], w, k)
				}
			}
			for r := range k {
				st.ts[r] = s.T[r] + tb.c0[i]*s.H[r]
			}
			if err := s.Drift(st.f[i][:k*n], st.ts[:k], h0); err != nil {
				return err
			}
		} else if tb.needDrift[i] {
			copy(st.f[i][:k*n], st.f[0][:k*n]) // the point is (t, x)
		}
		if needG {
			h1 := st.h1[:k*n]
			copy(h1, x)
			for j := range i {
				if a := tb.a1[i][j]; a != 0 {
					st.addDrift(h1, j, a, s)
				}
				// H1_i's diffusion term √|h|·B1·g moves each component k
				// along its own g_k: the point H^(k) of Rößler's scheme in
				// its k-th component, the only one g_k reads (scalar noise,
				// or diagonal noise with g_k depending on x_k alone). With
				// several components of general shape the noise is additive
				// (the only general class the scheme applies to), g does
				// not read x, and the term is left out.
				if b := tb.b1[i][j]; b != 0 && gs == n {
					gj := st.g[j]
					for r := range k {
						bs := b * st.sq[r]
						for c := r * n; c < (r+1)*n; c++ {
							h1[c] += bs * gj[c]
						}
					}
				}
			}
			for r := range k {
				st.ts[r] = s.T[r] + tb.c1[i]*s.H[r]
			}
			if err := s.Diffusion(st.g[i][:k*gs], st.ts[:k], h1); err != nil {
				return err
			}
		}
	}
	// X_{n+1} = X_n + h·Σα_i f_i + Σ_i g_i·(β1_i I_(k) + β2_i I_(k,k)/√h
	// + β3_i I_(k,0)/h + β4_i I_(k,k,k)/h); the last two make E_N.
	hi := s.High[:k*n]
	copy(hi, x)
	for i := range sriStages {
		if a := tb.alpha[i]; a != 0 {
			st.addDrift(hi, i, a, s)
		}
	}
	en := st.en[:k*n]
	if noise {
		clear(en)
		w := st.w[:k*m]
		for i := range sriStages {
			b1, b2, b3, b4 := tb.beta1[i], tb.beta2[i], tb.beta3[i], tb.beta4[i]
			if b3 != 0 || b4 != 0 {
				for c := range w {
					w[c] = b3*st.chi2[c] + b4*st.chi3[c]
				}
				s.Dims.AddNoise(en, st.g[i], w, k)
			}
			if b1 != 0 || b2 != 0 {
				for c := range w {
					w[c] = b1*s.DW[c] + b2*st.chi1[c]
				}
				s.Dims.AddNoise(hi, st.g[i], w, k)
			}
		}
		for c := range hi {
			hi[c] += en[c]
		}
	}
	if !s.Adaptive {
		return nil
	}
	// E = δ·|E_D| + |E_N| per component, with E_D = h·Σ_{i ≤ errTerms} f_i:
	// the magnitudes add, as Rackauckas & Nie (2017) write the estimate
	// (StochasticDiffEq.jl adds the signed parts), so the parts cannot
	// cancel.
	ed := st.ed[:k*n]
	clear(ed)
	for i := range tb.errTerms {
		st.addDrift(ed, i, 1, s)
	}
	for c := range ed {
		e := sriDelta * math.Abs(ed[c])
		if noise {
			e += math.Abs(en[c])
		}
		s.Err[c] = e
		s.Low[c] = hi[c] - e
	}
	return nil
}

// addDrift adds a·h·f_j to dst, row by row.
func (st *sriStepper) addDrift(dst []float64, j int, a float64, s *sdeint.Step) {
	n := s.Dims.N
	f := st.f[j]
	for r := range s.K {
		ah := a * s.H[r]
		for c := r * n; c < (r+1)*n; c++ {
			dst[c] += ah * f[c]
		}
	}
}
