package problems

import (
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/gofast-sde/gofast/sdeint"
)

// GBMMatrix is GBM on a 4×2 matrix state (n = 8, stored row-major), each
// entry driven by its own Brownian motion: dX_i = αX_i dt + βX_i dW_i,
// α = 1.01, β = 0.87, X_i(0) = ½ for all i, Itô, on [0, 1]. Diagonal noise,
// commutative (g_i depends on X_i only). Exact: elementwise
// X_i(t) = X₀ exp((α − β²/2)t + βW_i(t)), E X_i = X₀e^{αt},
// Var X_i = X₀²e^{2αt}(e^{β²t} − 1).
// Reference: SDEProblemLibrary's prob_sde_2Dlinear (u0 = ones(4, 2)/2).
func GBMMatrix() *Problem {
	const n = 8
	a, b := gbmAlpha, gbmBeta
	x0 := make([]float64, n)
	for i := range x0 {
		x0[i] = gbmX0
	}
	return &Problem{
		Name:        "gbm-matrix",
		Description: "geometric Brownian motion on a 4×2 state, Itô, diagonal noise: dX_i = 1.01 X_i dt + 0.87 X_i dW_i, X_i(0) = 0.5, t in [0, 1]",
		Reference:   refSDEPL + "prob_sde_2Dlinear; " + refKP,
		SDE: sdeint.Problem{
			Dim:      n,
			Noise:    sdeint.Noise{Shape: sdeint.DiagonalNoise, Commutative: true},
			Calculus: sdeint.Ito,
			T0:       0,
			T1:       1,
			X0:       x0,
			Drift: func(dst, _, x []float64, _ sdeint.Batch) error {
				for i, v := range x {
					dst[i] = a * v
				}
				return nil
			},
			Diffusion: func(dst, _, x []float64, _ sdeint.Batch) error {
				for i, v := range x {
					dst[i] = b * v
				}
				return nil
			},
		},
		Solution: func(dst []float64, t float64, w []float64) {
			for i := range dst[:n] {
				dst[i] = gbmX0 * math.Exp((a-b*b/2)*t+b*w[i])
			}
		},
		Mean: func(dst []float64, t float64) {
			for i := range dst[:n] {
				dst[i] = gbmX0 * math.Exp(a*t)
			}
		},
		Var: func(dst []float64, t float64) {
			for i := range dst[:n] {
				dst[i] = gbmX0 * gbmX0 * math.Exp(2*a*t) * math.Expm1(b*b*t)
			}
		},
	}
}

// scalarProblem builds a scalar-noise, scalar-state Itô problem on [0, T]
// whose exact solution is sol(t, W(t)) and whose moments follow by
// quadrature over W ~ N(0, t); d is the distance from the real axis of the
// nearest complex singularity of w ↦ sol(t, w) (see normalMoments).
func scalarProblem(name, desc, ref string, x0, t1, d float64, f, g func(x float64) float64, sol func(t, w float64) float64) *Problem {
	return &Problem{
		Name:        name,
		Description: desc,
		Reference:   ref,
		SDE: sdeint.Problem{
			Dim:       1,
			Noise:     sdeint.Noise{Shape: sdeint.ScalarNoise, Commutative: true},
			Calculus:  sdeint.Ito,
			T0:        0,
			T1:        t1,
			X0:        []float64{x0},
			Drift:     sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = f(x[0]) }),
			Diffusion: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = g(x[0]) }),
		},
		Solution: func(dst []float64, t float64, w []float64) { dst[0] = sol(t, w[0]) },
		Mean: func(dst []float64, t float64) {
			dst[0], _ = normalMoments(t, d, func(w float64) float64 { return sol(t, w) })
		},
		Var: func(dst []float64, t float64) {
			_, dst[0] = normalMoments(t, d, func(w float64) float64 { return sol(t, w) })
		},
	}
}

// Cubic is dX = −¼X(1 − X²)dt + ½(1 − X²)dW, X(0) = ½, Itô, on [0, 1],
// scalar noise. Exact: X_t = tanh(W_t/2 + atanh X₀) (Itô's formula:
// d tanh Y = (1 − tanh²Y)dY − tanh Y(1 − tanh²Y)d⟨Y⟩ with dY = dW/2). The
// mean and variance are computed from it by quadrature over W_t ~ N(0, t),
// to about 1e-15 (tanh(w/2 + c) has its nearest poles at Im w = ±π).
// Reference: SDEProblemLibrary's prob_sde_cubic (its docstring prints the
// drift with a + sign; its code, and Itô's formula for the stated solution,
// have −); Kloeden & Platen (1992), ch. 4.
func Cubic() *Problem {
	const x0 = 0.5
	c := math.Atanh(x0)
	return scalarProblem("cubic",
		"cubic: dX = −¼X(1−X²)dt + ½(1−X²)dW, X(0) = 0.5, Itô, t in [0, 1]",
		refSDEPL+"prob_sde_cubic; "+refKP,
		x0, 1, math.Pi,
		func(x float64) float64 { return -0.25 * x * (1 - x*x) },
		func(x float64) float64 { return 0.5 * (1 - x*x) },
		func(_, w float64) float64 { return math.Tanh(w/2 + c) })
}

// Wave is dX = −0.01 sin X cos³X dt + 0.1 cos²X dW, X(0) = 1, Itô, on
// [0, 1], scalar noise. Exact: X_t = atan(0.1W_t + tan X₀); the mean and
// variance follow by quadrature over W_t (to about 1e-15: the branch points
// of atan(0.1w + c) lie at Im w = ±10).
// Reference: SDEProblemLibrary's prob_sde_wave; Kloeden & Platen (1992), ch. 4.
func Wave() *Problem {
	const x0 = 1.0
	c := math.Tan(x0)
	return scalarProblem("wave",
		"wave: dX = −0.01 sin X cos³X dt + 0.1 cos²X dW, X(0) = 1, Itô, t in [0, 1]",
		refSDEPL+"prob_sde_wave; "+refKP,
		x0, 1, 10,
		func(x float64) float64 { c := math.Cos(x); return -0.01 * math.Sin(x) * c * c * c },
		func(x float64) float64 { c := math.Cos(x); return 0.1 * c * c },
		func(_, w float64) float64 { return math.Atan(0.1*w + c) })
}

// StiffQuadratic is the stiff quadratic problem in Itô form,
// dX = −(α + β²X)(1 − X²)dt + β(1 − X²)dW, α = β = 1, X(0) = ½, on [0, 3],
// scalar noise. Exact: X_t = ((1+X₀)E + X₀ − 1)/((1+X₀)E − X₀ + 1) with
// E = exp(−2αt + 2βW_t), that is X_t = tanh(βW_t − αt + atanh X₀); mean and
// variance by quadrature over W_t (poles at Im w = ±π/(2β)), good to about
// 1e-15 on [0, 3]. Larger α (drift) or β (noise) make it stiff.
// Reference: SDEProblemLibrary's prob_sde_stiffquadito, after Burrage &
// Tian, "The composite Euler method for stiff stochastic differential
// equations", and Abdulle & Cirilli, "S-ROCK: Chebyshev methods for stiff
// stochastic differential equations", SIAM J. Sci. Comput. 30(2), 2008.
func StiffQuadratic() *Problem {
	const a, b, x0 = 1.0, 1.0, 0.5
	return scalarProblem("stiff-quadratic",
		"stiff quadratic, Itô: dX = −(α+β²X)(1−X²)dt + β(1−X²)dW, α = β = 1, X(0) = 0.5, t in [0, 3]",
		refSDEPL+"prob_sde_stiffquadito (Burrage & Tian; Abdulle & Cirilli, S-ROCK, SIAM J. Sci. Comput. 30(2), 2008)",
		x0, 3, math.Pi/(2*b),
		func(x float64) float64 { return -(a + b*b*x) * (1 - x*x) },
		func(x float64) float64 { return b * (1 - x*x) },
		func(t, w float64) float64 {
			e := math.Exp(-2*a*t + 2*b*w)
			if math.IsInf(e, 1) {
				return 1
			}
			return ((1+x0)*e + x0 - 1) / ((1+x0)*e - x0 + 1)
		})
}

// Additive4 is the 4-dimensional version of Additive, each component with
// its own Brownian motion (diagonal, additive noise):
// dX_i = (β_i/√(1+t) − X_i/(2(1+t)))dt + αβ_i/√(1+t) dW_i, α = 0.1,
// β = (0.5, 0.25, 0.125, 0.1115), X_i(0) = 1, on [0, 1]. Exact:
// X_i(t) = X₀/√(1+t) + β_i(t + αW_i(t))/√(1+t), E X_i = (X₀ + β_i t)/√(1+t),
// Var X_i = α²β_i²t/(1+t). Itô and Stratonovich agree.
// Reference: SDEProblemLibrary's prob_sde_additivesystem; Rößler, SIAM J.
// Numer. Anal. 48(3), 2010.
func Additive4() *Problem {
	const n, a, x0 = 4, 0.1, 1.0
	beta := [n]float64{0.5, 0.25, 0.125, 0.1115}
	return &Problem{
		Name:        "additive4",
		Description: "additive noise, 4 components: dX_i = (β_i/√(1+t) − X_i/(2(1+t)))dt + αβ_i/√(1+t) dW_i, α = 0.1, β = (0.5, 0.25, 0.125, 0.1115), X(0) = 1, t in [0, 1]",
		Reference:   refSDEPL + "prob_sde_additivesystem; Rößler, SIAM J. Numer. Anal. 48(3), 2010 (SRA methods)",
		SDE: sdeint.Problem{
			Dim:   n,
			Noise: sdeint.Noise{Shape: sdeint.DiagonalNoise, Additive: true, Commutative: true},
			T0:    0,
			T1:    1,
			X0:    []float64{x0, x0, x0, x0},
			Drift: sdeint.Lift(n, n, func(dst []float64, t float64, x []float64) {
				for i, b := range beta {
					dst[i] = b/math.Sqrt(1+t) - x[i]/(2*(1+t))
				}
			}),
			Diffusion: sdeint.Lift(n, n, func(dst []float64, t float64, _ []float64) {
				for i, b := range beta {
					dst[i] = a * b / math.Sqrt(1+t)
				}
			}),
		},
		Solution: func(dst []float64, t float64, w []float64) {
			for i, b := range beta {
				dst[i] = x0/math.Sqrt(1+t) + b*(t+a*w[i])/math.Sqrt(1+t)
			}
		},
		Mean: func(dst []float64, t float64) {
			for i, b := range beta {
				dst[i] = (x0 + b*t) / math.Sqrt(1+t)
			}
		},
		Var: func(dst []float64, t float64) {
			for i, b := range beta {
				dst[i] = a * a * b * b * t / (1 + t)
			}
		},
	}
}

// WeakSinh is the weak-order test problem
// dX = (X/2 + √(X²+1))dt + √(X²+1)dW, X(0) = 0, Itô, on [0, 2], scalar
// noise. Exact: X_t = sinh(t + W_t), so asinh X_t = t + W_t, and for
// h(z) = z³ − 6z² + 8z, E[h(asinh X_t)] = t³ − 3t² + 2t, which is 0 at
// T = 2 (and at t = 1). Also E X_t = e^{t/2} sinh t and
// E X_t² = (e^{2t}cosh 2t − 1)/2.
// Reference: the scalar test of StochasticDiffEq.jl's weak-convergence
// tests, which take it from Debrabant & Rößler, "Families of efficient
// second order Runge–Kutta methods for the weak approximation of Itô SDEs",
// Appl. Numer. Math. 59 (2009) 582–594 (arXiv:1303.5103), in the line of
// Rößler's second-order weak SRK methods.
func WeakSinh() *Problem {
	return &Problem{
		Name:        "weak-sinh",
		Description: "Rößler's weak test: dX = (X/2 + √(X²+1))dt + √(X²+1)dW, X(0) = 0, Itô, t in [0, 2]",
		Reference:   "Debrabant & Rößler, Appl. Numer. Math. 59 (2009) 582–594 (arXiv:1303.5103); StochasticDiffEq.jl weak-convergence tests",
		SDE: sdeint.Problem{
			Dim:      1,
			Noise:    sdeint.Noise{Shape: sdeint.ScalarNoise, Commutative: true},
			Calculus: sdeint.Ito,
			T0:       0,
			T1:       2,
			X0:       []float64{0},
			Drift: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) {
				dst[0] = x[0]/2 + math.Hypot(x[0], 1)
			}),
			Diffusion: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) {
				dst[0] = math.Hypot(x[0], 1)
			}),
		},
		Solution: func(dst []float64, t float64, w []float64) { dst[0] = math.Sinh(t + w[0]) },
		Mean:     func(dst []float64, t float64) { dst[0] = math.Exp(t/2) * math.Sinh(t) },
		Var: func(dst []float64, t float64) {
			m := math.Exp(t/2) * math.Sinh(t)
			dst[0] = (math.Exp(2*t)*math.Cosh(2*t)-1)/2 - m*m
		},
		Expect: []Expectation{{
			Name: "h(asinh x), h(z) = z³ − 6z² + 8z",
			Phi: func(x []float64) float64 {
				z := math.Asinh(x[0])
				return z * (z*(z-6) + 8)
			},
			Value: func(t float64) float64 { return t * (t*(t-3) + 2) },
		}},
	}
}

// linear10 holds the matrices of Linear10.
type linear10 struct {
	a   *mat.Dense    // A
	b   [10]mat.Dense // B_k
	d   *mat.Dense    // A − ½Σ_k B_k²
	k   *mat.Dense    // I⊗A + A⊗I + Σ_k B_k⊗B_k, the second-moment generator
	x0  []float64
	bkv [10][4][4]float64 // B_k as arrays, for the diffusion
	av  [4][4]float64     // A as an array, for the drift
}

// Linear10 is the 4-dimensional linear system with 10 Brownian motions of
// Rößler (2010), eq. (7.4):
// dX = AX dt + Σ_{k=1}^{10} B_k X dW_k, X(0) = (1, 1, 1, 1), Itô, on [0, 1],
// A_ii = −3/2, A_ij = 1/20 (i ≠ j), (B_k)_ii = 1/5, (B_k)_ij = 1/100.
// General noise with M = 10: g is 4×10, column k is B_k X.
//
// All ten B_k are the same matrix B, so the noise is commutative
// (Commutative is true): the system is dX = AX dt + BX d(ΣW_k), that is
// scalar noise √10·BX dW̃ with W̃ = ΣW_k/√10. It is NOT a test of
// non-commutative noise (two-noise is). A and B are both of the form
// pI + qJ (J the all-ones matrix), so they commute, and
// X_t = expm((A − ½ΣB_k²)t + ΣB_k W_k(t)) X₀ (computed with gonum's
// matrix exponential). E X_t = expm(At)X₀, and the second moments
// M = E[XXᵀ] solve M' = AM + MAᵀ + ΣB_k M B_kᵀ, a linear system in vec(M)
// solved exactly by a 16×16 matrix exponential. Since X₀ is an eigenvector
// of J, every component equals exp((a − 5b²)t + bΣW_k) with a = −1.35 and
// b = 0.23, a scalar GBM; the tests check that.
// Reference: A. Rößler (2010), eq. (7.4), as gofast's references.md §3
// item 6 cites it.
func Linear10() *Problem {
	const n, m = 4, 10
	l := &linear10{x0: []float64{1, 1, 1, 1}}
	for i := range n {
		for j := range n {
			l.av[i][j] = 1.0 / 20
			if i == j {
				l.av[i][j] = -1.5
			}
			for k := range m {
				l.bkv[k][i][j] = 1.0 / 100
				if i == j {
					l.bkv[k][i][j] = 1.0 / 5
				}
			}
		}
	}
	l.a = mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			l.a.Set(i, j, l.av[i][j])
		}
	}
	l.d = mat.DenseCopyOf(l.a)
	id := eye(n)
	l.k = mat.NewDense(n*n, n*n, nil)
	var t1, t2 mat.Dense
	t1.Kronecker(id, l.a)
	t2.Kronecker(l.a, id)
	l.k.Add(&t1, &t2)
	for k := range m {
		l.b[k].ReuseAs(n, n)
		for i := range n {
			for j := range n {
				l.b[k].Set(i, j, l.bkv[k][i][j])
			}
		}
		var b2 mat.Dense
		b2.Mul(&l.b[k], &l.b[k])
		b2.Scale(-0.5, &b2)
		l.d.Add(l.d, &b2)
		var kb mat.Dense
		kb.Kronecker(&l.b[k], &l.b[k])
		l.k.Add(l.k, &kb)
	}
	return &Problem{
		Name:        "linear10",
		Description: "linear system, 4 states, 10 noises (Rößler 2010 eq. 7.4): dX = AX dt + Σ_k B_k X dW_k, A_ii = −3/2, A_ij = 1/20, (B_k)_ii = 1/5, (B_k)_ij = 1/100, X(0) = (1,1,1,1), t in [0, 1]; all B_k equal (commutative)",
		Reference:   "A. Rößler (2010), eq. (7.4), as cited in gofast references.md §3 item 6",
		SDE: sdeint.Problem{
			Dim:      n,
			Noise:    sdeint.Noise{Shape: sdeint.GeneralNoise, M: m, Commutative: true},
			Calculus: sdeint.Ito,
			T0:       0,
			T1:       1,
			X0:       l.x0,
			Drift: sdeint.Lift(n, n, func(dst []float64, _ float64, x []float64) {
				for i := range n {
					var s float64
					for j := range n {
						s += l.av[i][j] * x[j]
					}
					dst[i] = s
				}
			}),
			Diffusion: sdeint.Lift(n, n*m, func(dst []float64, _ float64, x []float64) {
				for k := range m {
					for i := range n {
						var s float64
						for j := range n {
							s += l.bkv[k][i][j] * x[j]
						}
						dst[i*m+k] = s
					}
				}
			}),
		},
		Solution: l.solution,
		Mean:     l.mean,
		Var:      l.variance,
	}
}

func eye(n int) *mat.Dense {
	d := mat.NewDense(n, n, nil)
	for i := range n {
		d.Set(i, i, 1)
	}
	return d
}

// expmVec writes expm(c)·v to dst.
func expmVec(dst []float64, c mat.Matrix, v []float64) {
	var e mat.Dense
	e.Exp(c)
	mat.NewVecDense(len(dst), dst).MulVec(&e, mat.NewVecDense(len(v), v))
}

func (l *linear10) solution(dst []float64, t float64, w []float64) {
	var c mat.Dense
	c.Scale(t, l.d)
	for k := range l.b {
		var bw mat.Dense
		bw.Scale(w[k], &l.b[k])
		c.Add(&c, &bw)
	}
	expmVec(dst[:4], &c, l.x0)
}

func (l *linear10) mean(dst []float64, t float64) {
	var c mat.Dense
	c.Scale(t, l.a)
	expmVec(dst[:4], &c, l.x0)
}

func (l *linear10) variance(dst []float64, t float64) {
	const n = 4
	m0 := make([]float64, n*n)
	for i := range n {
		for j := range n {
			m0[i*n+j] = l.x0[i] * l.x0[j]
		}
	}
	var c mat.Dense
	c.Scale(t, l.k)
	mt := make([]float64, n*n)
	expmVec(mt, &c, m0)
	l.mean(dst, t)
	for i := range n {
		dst[i] = mt[i*n+i] - dst[i]*dst[i]
	}
}

// TwoNoise is the coupled system dX₁ = X₂ dW₁, dX₂ = X₁ dW₂, Itô,
// X(0) = (1, 0.5), on [0, 1]. Its noise has the diagonal shape (component
// i is driven by W_i alone) but is NOT commutative: g_1 = x₂ depends on
// X₂, and the Lie bracket Σ_l g_l1 ∂_l g_·2 − g_l2 ∂_l g_·1 = (−x₁, x₂) ≠ 0,
// so methods that need commutative noise, and one-step error estimates that
// ignore the Lévy areas, meet their multi-noise errors here.
//
// There is no pathwise solution in terms of W(t). Exact: the means are
// constant, E X = (1, 0.5), and E[X₁X₂] = 0.5 (both martingales, since
// d⟨W₁, W₂⟩ = 0); the second moments m₁ = E X₁², m₂ = E X₂² solve
// m₁' = m₂, m₂' = m₁, m(0) = (1, 0.25), so m₁ = cosh t + 0.25 sinh t,
// m₂ = 0.25 cosh t + sinh t, and Var X_i = m_i − (E X_i)².
// Reference: gofast's multi-noise test (issue 5); the commutativity
// condition is that of the Milstein scheme, Kloeden & Platen (1992), §10.3.
func TwoNoise() *Problem {
	const x10, x20 = 1.0, 0.5
	m1 := func(t float64) float64 { return x10*x10*math.Cosh(t) + x20*x20*math.Sinh(t) }
	m2 := func(t float64) float64 { return x20*x20*math.Cosh(t) + x10*x10*math.Sinh(t) }
	return &Problem{
		Name:        "two-noise",
		Description: "two coupled noises, Itô, diagonal-shaped but non-commutative: dX₁ = X₂ dW₁, dX₂ = X₁ dW₂, X(0) = (1, 0.5), t in [0, 1]",
		Reference:   "gofast multi-noise test (issue 5); commutativity condition: Kloeden & Platen (1992), §10.3",
		SDE: sdeint.Problem{
			Dim:      2,
			Noise:    sdeint.Noise{Shape: sdeint.DiagonalNoise, Commutative: false},
			Calculus: sdeint.Ito,
			T0:       0,
			T1:       1,
			X0:       []float64{x10, x20},
			Drift: func(dst, _, _ []float64, _ sdeint.Batch) error {
				clear(dst)
				return nil
			},
			Diffusion: func(dst, t, x []float64, _ sdeint.Batch) error {
				for r := range t {
					dst[2*r], dst[2*r+1] = x[2*r+1], x[2*r]
				}
				return nil
			},
		},
		Mean: func(dst []float64, _ float64) { dst[0], dst[1] = x10, x20 },
		Var: func(dst []float64, t float64) {
			dst[0], dst[1] = m1(t)-x10*x10, m2(t)-x20*x20
		},
		Expect: []Expectation{
			{Name: "x₁", Phi: func(x []float64) float64 { return x[0] }, Value: func(float64) float64 { return x10 }},
			{Name: "x₂", Phi: func(x []float64) float64 { return x[1] }, Value: func(float64) float64 { return x20 }},
			{Name: "x₁²", Phi: func(x []float64) float64 { return x[0] * x[0] }, Value: m1},
			{Name: "x₂²", Phi: func(x []float64) float64 { return x[1] * x[1] }, Value: m2},
			{Name: "x₁x₂", Phi: func(x []float64) float64 { return x[0] * x[1] }, Value: func(float64) float64 { return x10 * x20 }},
		},
	}
}

// Lorenz is the Lorenz system with additive noise,
// dx = σ(y − x)dt + 3 dW₁, dy = (x(ρ − z) − y)dt + 3 dW₂,
// dz = (xy − βz)dt + 3 dW₃, σ = 10, ρ = 28, β = 2.66, u(0) = (1, 1, 1), on
// [0, 10]; diagonal additive noise. Nothing about it is known exactly:
// Solution, Mean and Var are nil; convergence is measured against a fine
// same-path reference solve.
// Reference: SDEProblemLibrary's prob_sde_lorenz (its code uses β = 2.66,
// its docstring 8/3).
func Lorenz() *Problem {
	const sigma, rho, beta, noise = 10.0, 28.0, 2.66, 3.0
	return &Problem{
		Name:        "lorenz",
		Description: "Lorenz with additive noise: σ = 10, ρ = 28, β = 2.66, noise 3 on each component, u(0) = (1,1,1), t in [0, 10]",
		Reference:   refSDEPL + "prob_sde_lorenz",
		SDE: sdeint.Problem{
			Dim:   3,
			Noise: sdeint.Noise{Shape: sdeint.DiagonalNoise, Additive: true, Commutative: true},
			T0:    0,
			T1:    10,
			X0:    []float64{1, 1, 1},
			Drift: sdeint.Lift(3, 3, func(dst []float64, _ float64, u []float64) {
				dst[0] = sigma * (u[1] - u[0])
				dst[1] = u[0]*(rho-u[2]) - u[1]
				dst[2] = u[0]*u[1] - beta*u[2]
			}),
			Diffusion: func(dst, _, _ []float64, _ sdeint.Batch) error {
				for i := range dst {
					dst[i] = noise
				}
				return nil
			},
		},
	}
}

// DoubleWell is overdamped Langevin dynamics in the double-well potential
// V(x) = x⁴/4 − x²/2: dX = (X − X³)dt + σ dW, σ = 1, X(0) = 0, on [0, 1],
// additive scalar noise. There is no pathwise solution. Exact: the
// stationary density is ∝ exp(−2V(x)/σ²) (Stationary), and E X_t = 0 for
// all t by symmetry (X₀ = 0, odd drift, symmetric noise), so Mean returns
// 0; the variance is not known in closed form (Var is nil).
// Reference: Gardiner, Handbook of Stochastic Methods (stationary
// solutions of the one-dimensional Fokker–Planck equation); parameters:
// gofast issue 5.
func DoubleWell() *Problem {
	const sigma = 1.0
	return &Problem{
		Name:        "double-well",
		Description: "double-well Langevin: dX = (X − X³)dt + σ dW, σ = 1, X(0) = 0, t in [0, 1]; stationary density ∝ exp(−2V/σ²), V = x⁴/4 − x²/2",
		Reference:   "Gardiner, Handbook of Stochastic Methods (stationary one-dimensional Fokker–Planck solutions); parameters: gofast issue 5",
		SDE: sdeint.Problem{
			Dim:      1,
			Noise:    sdeint.Noise{Shape: sdeint.ScalarNoise, Additive: true, Commutative: true},
			Calculus: sdeint.Ito,
			T0:       0,
			T1:       1,
			X0:       []float64{0},
			Drift: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) {
				dst[0] = x[0] - x[0]*x[0]*x[0]
			}),
			Diffusion: func(dst, _, _ []float64, _ sdeint.Batch) error {
				for i := range dst {
					dst[i] = sigma
				}
				return nil
			},
		},
		Mean: func(dst []float64, _ float64) { dst[0] = 0 },
		Stationary: func(x float64) float64 {
			v := x*x*x*x/4 - x*x/2
			return math.Exp(-2 * v / (sigma * sigma))
		},
	}
}
