package problems

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/gofast-sde/gofast/internal/mcstat"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// all returns a fresh instance of every registered problem.
func all(t *testing.T) []*Problem {
	t.Helper()
	var ps []*Problem
	for _, name := range Names() {
		p, err := ByName(name)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

// noiseDim returns the number of Brownian components m of p.
func noiseDim(p *Problem) int {
	m, _ := p.SDE.Noise.Dims(p.SDE.Dim)
	return m
}

var one = sdeint.Batch{Paths: []int{0}}

// gMatrix returns the diffusion of p at (t, x) as an n×m matrix, row-major,
// whatever the noise shape.
func gMatrix(p *sdeint.Problem, t float64, x []float64) []float64 {
	n := p.Dim
	m, gs := p.Noise.Dims(n)
	g := make([]float64, gs)
	if err := p.Diffusion(g, []float64{t}, x, one); err != nil {
		panic(err)
	}
	if p.Noise.Shape == sdeint.GeneralNoise {
		return g
	}
	out := make([]float64, n*m)
	for i := range n {
		if p.Noise.Shape == sdeint.ScalarNoise {
			out[i] = g[i]
		} else {
			out[i*m+i] = g[i]
		}
	}
	return out
}

// itoDrift writes the Itô drift of p at (t, x) to dst: f itself for an Itô
// problem, f + ½Σ_j Σ_l G_lj ∂_l G_ij for a Stratonovich one (derivatives
// by central differences with step 1e-6, error O(1e-12)).
func itoDrift(p *sdeint.Problem, dst []float64, t float64, x []float64) {
	if err := p.Drift(dst, []float64{t}, x, one); err != nil {
		panic(err)
	}
	if p.Calculus != sdeint.Stratonovich {
		return
	}
	n := p.Dim
	m, _ := p.Noise.Dims(n)
	g := gMatrix(p, t, x)
	xp := slices.Clone(x)
	for l := range n {
		const h = 1e-6
		xp[l] = x[l] + h
		gp := gMatrix(p, t, xp)
		xp[l] = x[l] - h
		gm := gMatrix(p, t, xp)
		xp[l] = x[l]
		for i := range n {
			for j := range m {
				dst[i] += 0.5 * g[l*m+j] * (gp[i*m+j] - gm[i*m+j]) / (2 * h)
			}
		}
	}
}

// itoForm returns p's SDE in Itô form (a copy with the converted drift).
func itoForm(p *Problem) *sdeint.Problem {
	q := p.SDE
	if q.Calculus == sdeint.Stratonovich {
		orig := p.SDE
		q.Calculus = sdeint.Ito
		q.Drift = sdeint.Lift(q.Dim, q.Dim, func(dst []float64, t float64, x []float64) {
			itoDrift(&orig, dst, t, x)
		})
	}
	return &q
}

// TestSolutionsAtZero checks Solution(T0, 0) = X0 for every problem with a
// pathwise solution.
func TestSolutionsAtZero(t *testing.T) {
	for _, p := range all(t) {
		if p.Solution == nil {
			continue
		}
		x := make([]float64, p.SDE.Dim)
		p.Solution(x, p.SDE.T0, make([]float64, noiseDim(p)))
		for i, v := range x {
			if math.Abs(v-p.SDE.X0[i]) > 1e-14*max(1, math.Abs(p.SDE.X0[i])) {
				t.Errorf("%s: Solution(0, 0)[%d] = %.17g, X0 = %.17g", p.Name, i, v, p.SDE.X0[i])
			}
		}
	}
}

// TestSolutionsSolveTheirSDEs checks each pathwise exact solution against
// its SDE and its stated moments, at t = T/2 and t = T: X(t) = Solution(t, W)
// with W ~ N(0, t·I_m) must have the stated mean and variance per component
// (Monte Carlo within 4 SE), and, at t = T/2, the mean must obey the SDE's
// moment equation from Itô's formula, d E[X]/dt = E[f(t, X)] with f the Itô
// drift (f + ½ g g' for the Stratonovich problem), within 4 SE. d E[X]/dt is
// a central difference of the stated mean with δ = 1e-4·T: its truncation
// error δ²|m”'|/6 is below 1e-8 here and the quadrature means are good to
// ~1e-15, i.e. ~1e-11 after dividing by 2δ — far below the SEs (≥ 1e-6).
func TestSolutionsSolveTheirSDEs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range all(t) {
		if p.Solution == nil || p.Mean == nil || p.Var == nil {
			continue
		}
		n, m := p.SDE.Dim, noiseDim(p)
		draws := 200_000
		if p.Name == "linear10" {
			draws = 40_000 // a matrix exponential per draw
		}
		for _, frac := range []float64{0.5, 1} {
			tt := p.SDE.T0 + frac*(p.SDE.T1-p.SDE.T0)
			x := make([][]float64, n)  // x[i][k]: component i of draw k
			fx := make([][]float64, n) // Itô drift
			for i := range n {
				x[i], fx[i] = make([]float64, draws), make([]float64, draws)
			}
			w, xs, f := make([]float64, m), make([]float64, n), make([]float64, n)
			for k := range draws {
				for j := range w {
					w[j] = math.Sqrt(tt) * rng.NormFloat64()
				}
				p.Solution(xs, tt, w)
				itoDrift(&p.SDE, f, tt, xs)
				for i := range n {
					x[i][k], fx[i][k] = xs[i], f[i]
				}
			}
			mean, vr := make([]float64, n), make([]float64, n)
			p.Mean(mean, tt)
			p.Var(vr, tt)
			const d = 1e-4
			mp, mm := make([]float64, n), make([]float64, n)
			p.Mean(mp, tt+d*p.SDE.T1)
			p.Mean(mm, tt-d*p.SDE.T1)
			for i := range n {
				mu, mse := mcstat.MeanSE(x[i])
				v, vse := mcstat.VarSE(x[i])
				if math.Abs(mu-mean[i]) > 4*mse || math.Abs(v-vr[i]) > 4*vse {
					t.Errorf("%s, t = %g, component %d: sample mean %.6g ± %.2g, variance %.6g ± %.2g; stated %.6g, %.6g",
						p.Name, tt, i, mu, mse, v, vse, mean[i], vr[i])
				}
				if frac != 0.5 {
					continue
				}
				ef, efse := mcstat.MeanSE(fx[i])
				if dm := (mp[i] - mm[i]) / (2 * d * p.SDE.T1); math.Abs(dm-ef) > 4*efse {
					t.Errorf("%s, t = %g, component %d: d E[X]/dt = %.6g but E[f(X)] = %.6g ± %.2g", p.Name, tt, i, dm, ef, efse)
				}
			}
		}
	}
}

// TestSolutionsMatchEM solves every problem that has a pathwise solution by
// Euler–Maruyama (on the Itô form) with 2⁸ and 2¹² steps, both on the same
// Brownian paths (a grid path pre-drawn on 2¹² intervals; the coarse solve
// uses its summed increments), and compares X(T) with Solution(T, W(T)).
// EM converges strongly with order 0.5 (1 for additive noise), so the mean
// error E|X_N − X(T)| ≈ C·h^p with p ≥ 0.5: from h = T/2⁸ to T/2¹² it must
// fall by 16^p ≥ 4. The test asks for an observed order of at least 0.4 (a
// fall by 16^0.4 ≈ 3.0). Over 400 paths the observed order scatters by
// about ±0.05 around 0.5 (20 seeds gave 0.42–0.60, the lowest for
// weak-sinh), which is why the two step sizes are 16× apart rather than
// 4× (2¹⁰ vs 2¹² gave orders down to 0.40). It also asks, at 2¹², for an
// error below 5% of the mean |X(T)|, i.e. C·√(T/4096) < 0.05·scale,
// C < 3.2·scale/√T: the solution is consistent with its SDE, not merely
// with its moments.
func TestSolutionsMatchEM(t *testing.T) {
	const fine, coarse, paths = 1 << 12, 1 << 8, 400
	for _, p := range all(t) {
		if p.Solution == nil {
			continue
		}
		q := itoForm(p)
		var errs [2]float64
		var w0 []float64
		var scale float64
		for r, steps := range []int{coarse, fine} {
			res, err := sdeint.Solve(context.Background(), q, methods.EM{}, &sdeint.Settings{
				Paths: paths, Seed: 11, Steps: steps, Brownian: brownian.Grid{Steps: fine},
			})
			if err != nil {
				t.Fatalf("%s: %v", p.Name, err)
			}
			if r == 0 {
				w0 = slices.Clone(res.W)
			} else if !slices.EqualFunc(w0, res.W, func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }) {
				t.Fatalf("%s: the two solves saw different Brownian paths", p.Name)
			}
			exact := make([]float64, p.SDE.Dim)
			var sum float64
			scale = 0
			for i := range paths {
				p.Solution(exact, p.SDE.T1, res.WRow(i))
				for c, v := range res.Row(i) {
					sum += math.Abs(v - exact[c])
					scale += math.Abs(exact[c])
				}
			}
			errs[r] = sum / float64(paths*p.SDE.Dim)
			scale /= float64(paths * p.SDE.Dim)
		}
		order := math.Log(errs[0]/errs[1]) / math.Log(float64(fine)/coarse)
		t.Logf("%s: mean |EM − exact| %.3g (2⁸ steps), %.3g (2¹²), observed order %.2f, scale %.3g", p.Name, errs[0], errs[1], order, scale)
		if order < 0.4 || errs[1] > 0.05*scale {
			t.Errorf("%s: EM errors %.3g → %.3g (order %.2f, want ≥ 0.4; fine error want < %.3g)", p.Name, errs[0], errs[1], order, 0.05*scale)
		}
	}
}

// TestExpectations checks every exact expectation of a problem with a
// pathwise solution by Monte Carlo over W ~ N(0, t·I) (within 4 SE) at
// t = T/4, T/2 and T; for weak-sinh that is E[h(asinh X_t)] at t = 0.5, 1
// and 2.
func TestExpectations(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const draws = 400_000
	for _, p := range all(t) {
		if p.Solution == nil || len(p.Expect) == 0 {
			continue
		}
		n, m := p.SDE.Dim, noiseDim(p)
		for _, frac := range []float64{0.25, 0.5, 1} {
			tt := p.SDE.T0 + frac*(p.SDE.T1-p.SDE.T0)
			vals := make([][]float64, len(p.Expect))
			for e := range vals {
				vals[e] = make([]float64, draws)
			}
			w, x := make([]float64, m), make([]float64, n)
			for k := range draws {
				for j := range w {
					w[j] = math.Sqrt(tt) * rng.NormFloat64()
				}
				p.Solution(x, tt, w)
				for e, ex := range p.Expect {
					vals[e][k] = ex.Phi(x)
				}
			}
			for e, ex := range p.Expect {
				mu, se := mcstat.MeanSE(vals[e])
				if want := ex.Value(tt); math.Abs(mu-want) > 4*se {
					t.Errorf("%s, %s at t = %g: Monte Carlo %.5g ± %.2g, stated %.5g", p.Name, ex.Name, tt, mu, se, want)
				}
			}
		}
	}
	if p := WeakSinh(); p.Expect[0].Value(2) != 0 {
		t.Errorf("weak-sinh: E[h(asinh X_2)] = %g, want 0", p.Expect[0].Value(2))
	}
}

// TestTwoNoiseEM solves two-noise by Euler–Maruyama, 2¹⁰ steps, 20 000
// paths, and checks its stated moments and expectations.
//
// EM's bias here is known exactly. Its means are exact: E X₁' = E X₁ +
// E[X₂]E[ΔW₁] = E X₁, and likewise E X₂' and E[X₁'X₂'] = E[X₁X₂]. Its
// second moments obey m' = (I + hK)m with K = [[0,1],[1,0]] (E X₁'² =
// E X₁² + h E X₂², since ΔW₁ is independent of X with variance h), so after
// N = 1/h steps m_EM = (I + hK)^N m₀, whose components along the
// eigenvectors (1, 1) and (1, −1) of K grow by (1 + h)^N and (1 − h)^N
// instead of e^{±1}: a relative bias of about −h/2 (≈ 5e-4). The variance
// test allows 4 SE plus |m_exact − m_EM| (≈ 9e-4, against SEs ≈ 1e-2); the
// mean tests allow 4 SE only.
func TestTwoNoiseEM(t *testing.T) {
	p := TwoNoise()
	const steps, paths = 1 << 10, 20_000
	res, err := sdeint.Solve(context.Background(), &p.SDE, methods.EM{}, &sdeint.Settings{Paths: paths, Seed: 5, Steps: steps})
	if err != nil {
		t.Fatal(err)
	}
	T := p.SDE.T1
	h := T / steps
	x0 := p.SDE.X0
	m0 := [2]float64{x0[0] * x0[0], x0[1] * x0[1]}
	// Along (1,1): s = m₁+m₂ grows by (1+h)^N; along (1,−1): d = m₁−m₂ by (1−h)^N.
	s := (m0[0] + m0[1]) * math.Pow(1+h, steps)
	d := (m0[0] - m0[1]) * math.Pow(1-h, steps)
	mEM := [2]float64{(s + d) / 2, (s - d) / 2}
	bias := make([]float64, len(p.Expect))
	for e, ex := range p.Expect {
		switch ex.Name {
		case "x₁²":
			bias[e] = math.Abs(ex.Value(T) - mEM[0])
		case "x₂²":
			bias[e] = math.Abs(ex.Value(T) - mEM[1])
		}
	}
	cols := [2][]float64{make([]float64, paths), make([]float64, paths)}
	for i := range paths {
		cols[0][i], cols[1][i] = res.Row(i)[0], res.Row(i)[1]
	}
	mean, vr := make([]float64, 2), make([]float64, 2)
	p.Mean(mean, T)
	p.Var(vr, T)
	for c := range 2 {
		mu, mse := mcstat.MeanSE(cols[c])
		v, vse := mcstat.VarSE(cols[c])
		vbias := math.Abs(vr[c] - (mEM[c] - mean[c]*mean[c]))
		if math.Abs(mu-mean[c]) > 4*mse || math.Abs(v-vr[c]) > 4*vse+vbias {
			t.Errorf("two-noise component %d: EM mean %.5g ± %.2g, variance %.5g ± %.2g (bias allowance %.2g); stated %.5g, %.5g",
				c, mu, mse, v, vse, vbias, mean[c], vr[c])
		}
	}
	for e, ex := range p.Expect {
		vals := make([]float64, paths)
		for i := range paths {
			vals[i] = ex.Phi(res.Row(i))
		}
		mu, se := mcstat.MeanSE(vals)
		if want := ex.Value(T); math.Abs(mu-want) > 4*se+bias[e] {
			t.Errorf("two-noise %s: EM %.5g ± %.2g (bias allowance %.2g), stated %.5g", ex.Name, mu, se, bias[e], want)
		}
	}
}

// TestOUMoments checks OU's stated moments against Euler–Maruyama with 1000
// steps on 20000 paths. EM's discrete mean is μ + (X₀−μ)(1−h)^N, off by
// (X₀−μ)e^{−1}·h/2 ≈ 1.5e-4, and its variance is off by O(σ²h) ≈ 1e-4; the
// tolerance is 4 SE plus a bias allowance of 1e-3.
func TestOUMoments(t *testing.T) {
	p := OU()
	res, err := sdeint.Solve(context.Background(), &p.SDE, methods.EM{}, &sdeint.Settings{Paths: 20000, Seed: 1, Steps: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var mean, vr [1]float64
	p.Mean(mean[:], 1)
	p.Var(vr[:], 1)
	m, mse := mcstat.MeanSE(res.X)
	v, vse := mcstat.VarSE(res.X)
	const bias = 1e-3
	if math.Abs(m-mean[0]) > 4*mse+bias || math.Abs(v-vr[0]) > 4*vse+bias {
		t.Errorf("ou: EM mean %.5g ± %.2g, variance %.5g ± %.2g; stated %.5g, %.5g", m, mse, v, vse, mean[0], vr[0])
	}
}

// TestOUTransition checks OU's exact transition. Deterministically: with
// z = 0 the composed transitions over an uneven grid give the exact mean
// (to rounding), and the conditional variances compose, v(h₁)e^{−2θh₂} +
// v(h₂) = v(h₁ + h₂), so the spread of the transition with z = 1 from the
// mean follows Var at every step. Statistically: 20 000 draws of X(1)
// composed from standard normals (fixed seed) have the exact mean and
// variance within 4 SE — there is no discretisation, so no bias allowance.
func TestOUTransition(t *testing.T) {
	p := OU()
	grid := []float64{0, 0.1, 0.15, 0.4, 0.41, 0.7, 1}
	var mean, vr, x, y [1]float64
	x[0] = p.SDE.X0[0]
	for i := 1; i < len(grid); i++ {
		h := grid[i] - grid[i-1]
		p.Transition(x[:], grid[i-1], h, x[:], []float64{0})
		p.Mean(mean[:], grid[i])
		p.Mean(y[:], grid[i-1])
		p.Transition(y[:], grid[i-1], h, y[:], []float64{1})
		// y − mean is the conditional SD over this step alone.
		var v0, v1 [1]float64
		p.Var(v0[:], grid[i-1])
		p.Var(v1[:], grid[i])
		sd := y[0] - mean[0]
		if math.Abs(x[0]-mean[0]) > 1e-14 || math.Abs(v0[0]*math.Exp(-2*h)+sd*sd-v1[0]) > 1e-14 {
			t.Errorf("t = %v: composed mean %.16g (exact %.16g); variances v(t₀)e^{−2h} + v(h) = %.16g, v(t₁) = %.16g",
				grid[i], x[0], mean[0], v0[0]*math.Exp(-2*h)+sd*sd, v1[0])
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 20000
	xs := make([]float64, n)
	z := make([]float64, 1)
	for j := range xs {
		x[0] = p.SDE.X0[0]
		for i := 1; i < len(grid); i++ {
			z[0] = rng.NormFloat64()
			p.Transition(x[:], grid[i-1], grid[i]-grid[i-1], x[:], z)
		}
		xs[j] = x[0]
	}
	p.Mean(mean[:], 1)
	p.Var(vr[:], 1)
	m, mse := mcstat.MeanSE(xs)
	v, vse := mcstat.VarSE(xs)
	if math.Abs(m-mean[0]) > 4*mse || math.Abs(v-vr[0]) > 4*vse {
		t.Errorf("ou transition: mean %.5g ± %.2g, variance %.5g ± %.2g; exact %.5g, %.5g", m, mse, v, vse, mean[0], vr[0])
	}
}

// stationaryCDF normalises a density on [lo, hi] and returns its
// distribution function: cumulative trapezoidal sums on a grid of step 1e-3
// (error O(1e-7) for these smooth densities), linearly interpolated.
func stationaryCDF(rho func(float64) float64, lo, hi float64) func(float64) float64 {
	const step = 1e-3
	n := int(math.Round((hi - lo) / step))
	c := make([]float64, n+1)
	prev := rho(lo)
	for i := 1; i <= n; i++ {
		cur := rho(lo + float64(i)*step)
		c[i] = c[i-1] + step*(prev+cur)/2
		prev = cur
	}
	z := c[n]
	return func(x float64) float64 {
		if x <= lo {
			return 0
		}
		if x >= hi {
			return 1
		}
		u := (x - lo) / step
		i := min(int(u), n-1)
		return (c[i] + (u-float64(i))*(c[i+1]-c[i])) / z
	}
}

// TestOUStationary checks OU's Stationary density against the limit of its
// exact moments: the normalised density has mean μ and variance σ²/(2θ)
// (computed by the trapezoidal rule on a fine grid, exact to ~1e-12 for a
// Gaussian).
func TestOUStationary(t *testing.T) {
	p := OU()
	var mean, vr [1]float64
	p.Mean(mean[:], 50)
	p.Var(vr[:], 50)
	const lo, hi, step = -5.0, 7.0, 1e-3
	var z, m1, m2 float64
	for x := lo; x <= hi; x += step {
		r := p.Stationary(x)
		z += r
		m1 += r * x
		m2 += r * x * x
	}
	m1 /= z
	v := m2/z - m1*m1
	if math.Abs(m1-mean[0]) > 1e-9 || math.Abs(v-vr[0]) > 1e-9 {
		t.Errorf("ou: stationary density has mean %.12g, variance %.12g; the moments tend to %.12g, %.12g", m1, v, mean[0], vr[0])
	}
}

// TestDoubleWell checks the double-well problem's exact facts against
// Euler–Maruyama.
//
// Mean: E X₁ = 0 within 4 SE of an EM solve (256 steps, 20 000 paths). No
// bias allowance is needed: EM maps the law of X to that of −X (odd drift,
// symmetric increments, X₀ = 0), so its mean is exactly 0 too.
//
// Stationary density: EM to T = 6 with h = 1/128 on 10 000 paths; the
// final states must pass a Kolmogorov–Smirnov test (p > 0.001) against the
// distribution function of the normalised Stationary density. Two
// allowances are derived, both far below the test's resolution (critical
// D ≈ 1.95/√n ≈ 0.02): (1) relaxation: the Fokker–Planck operator of this
// problem has eigenvalues 0, 0.423, 2.31, … (computed by a finite-difference
// discretisation of the ground-state-transformed operator on [−5, 5]); the
// second eigenfunction is odd and is not excited from the symmetric start
// X₀ = 0 (EM keeps the symmetry), so the law converges like e^{−2.31t},
// ≈ 1e-6 at t = 6; (2) EM's invariant law differs from the exact one by
// O(h): near the wells, where V” = 2, EM inflates the variance by a factor
// 1/(1 − hV”/2), ≈ 0.8%, which moves the distribution function by at most
// ≈ 0.121·0.008 ≈ 1e-3.
func TestDoubleWell(t *testing.T) {
	p := DoubleWell()
	res, err := sdeint.Solve(context.Background(), &p.SDE, methods.EM{}, &sdeint.Settings{Paths: 20_000, Seed: 9, Steps: 256})
	if err != nil {
		t.Fatal(err)
	}
	var mean [1]float64
	p.Mean(mean[:], p.SDE.T1)
	if m, se := mcstat.MeanSE(res.X); math.Abs(m-mean[0]) > 4*se {
		t.Errorf("double-well: EM mean %.4g ± %.2g, stated %g", m, se, mean[0])
	}

	q := p.SDE
	q.T1 = 6
	res, err = sdeint.Solve(context.Background(), &q, methods.EM{}, &sdeint.Settings{Paths: 10_000, Seed: 10, Steps: 6 * 128})
	if err != nil {
		t.Fatal(err)
	}
	cdf := stationaryCDF(p.Stationary, -5, 5)
	d, pv := mcstat.KS(res.X, cdf)
	t.Logf("double-well: KS D = %.4f, p = %.3f against the stationary density", d, pv)
	if pv <= 0.001 {
		t.Errorf("double-well: EM at t = 6 does not follow the stationary density: KS D = %.4f, p = %.2g", d, pv)
	}
}

// TestLinear10Structure checks what Linear10's exact solution relies on:
// all B_k are equal and commute with A, so that X_t = expm((A − ½ΣB_k²)t +
// ΣB_kW_k)X₀; and, X₀ being an eigenvector of A and B (A X₀ = −1.35 X₀,
// B X₀ = 0.23 X₀), every component of the solution is the scalar GBM
// exp((a − 5b²)t + bΣW_k) with a = −1.35, b = 0.23, whose mean e^{at} and
// variance e^{2at}(e^{10b²t} − 1) the stated Mean and Var must equal.
func TestLinear10Structure(t *testing.T) {
	p := Linear10()
	lin := linear10FromProblem(t)
	var ab, ba [4][4]float64
	for i := range 4 {
		for j := range 4 {
			for k := range 4 {
				ab[i][j] += lin.av[i][k] * lin.bkv[0][k][j]
				ba[i][j] += lin.bkv[0][i][k] * lin.av[k][j]
			}
		}
	}
	for i := range 4 {
		for j := range 4 {
			if math.Abs(ab[i][j]-ba[i][j]) > 1e-15 {
				t.Errorf("linear10: (AB − BA)[%d][%d] = %g", i, j, ab[i][j]-ba[i][j])
			}
		}
	}
	for k := 1; k < 10; k++ {
		if lin.bkv[k] != lin.bkv[0] {
			t.Errorf("linear10: B_%d differs from B_1", k+1)
		}
	}
	const a, b = -1.35, 0.23
	rng := rand.New(rand.NewPCG(7, 8))
	x, w := make([]float64, 4), make([]float64, 10)
	for range 100 {
		tt := rng.Float64()
		var sw float64
		for k := range w {
			w[k] = math.Sqrt(tt) * rng.NormFloat64()
			sw += w[k]
		}
		p.Solution(x, tt, w)
		want := math.Exp((a-5*b*b)*tt + b*sw)
		for i, v := range x {
			if math.Abs(v-want) > 1e-13*want {
				t.Fatalf("linear10: Solution(%g)[%d] = %.16g, scalar GBM %.16g", tt, i, v, want)
			}
		}
	}
	mean, vr := make([]float64, 4), make([]float64, 4)
	for _, tt := range []float64{0.3, 1} {
		p.Mean(mean, tt)
		p.Var(vr, tt)
		wm := math.Exp(a * tt)
		wv := math.Exp(2*a*tt) * math.Expm1(10*b*b*tt)
		for i := range 4 {
			if math.Abs(mean[i]-wm) > 1e-13 || math.Abs(vr[i]-wv) > 1e-13 {
				t.Errorf("linear10 at t = %g: Mean %.16g, Var %.16g; scalar GBM %.16g, %.16g", tt, mean[i], vr[i], wm, wv)
			}
		}
	}
}

// linear10FromProblem rebuilds Linear10's matrices (the Problem hides them).
func linear10FromProblem(t *testing.T) *linear10 {
	t.Helper()
	p := Linear10()
	// The drift and diffusion at unit vectors give A and the B_k.
	l := &linear10{}
	f := make([]float64, 4)
	g := make([]float64, 40)
	for j := range 4 {
		e := make([]float64, 4)
		e[j] = 1
		if err := p.SDE.Drift(f, []float64{0}, e, one); err != nil {
			t.Fatal(err)
		}
		if err := p.SDE.Diffusion(g, []float64{0}, e, one); err != nil {
			t.Fatal(err)
		}
		for i := range 4 {
			l.av[i][j] = f[i]
			for k := range 10 {
				l.bkv[k][i][j] = g[i*10+k]
			}
		}
	}
	return l
}

// TestNormalMoments checks the quadrature behind the cubic, wave and stiff
// quadratic moments on integrands with known expectations under
// W ~ N(0, t): E[1/(1+W²)] = √(π/(2t))·e^{1/(2t)}·erfc(1/√(2t)) (poles at
// ±i, nearer the real axis than any problem's singularities), and
// E[cos W] = e^{−t/2}, Var cos W = (1 + e^{−2t})/2 − e^{−t} (cos is
// entire but grows like e^{|Im w|}: d = 2 keeps it moderate); and that the
// quadrature moments do not change when the step is halved.
func TestNormalMoments(t *testing.T) {
	for _, tt := range []float64{0.01, 0.1, 1, 3, 10} {
		m, _ := normalMoments(tt, 1, func(w float64) float64 { return 1 / (1 + w*w) })
		want := math.Sqrt(math.Pi/(2*tt)) * math.Exp(1/(2*tt)) * math.Erfc(1/math.Sqrt(2*tt))
		if math.Abs(m-want) > 1e-13 {
			t.Errorf("E[1/(1+W²)], t = %g: %.16g, want %.16g", tt, m, want)
		}
		m, v := normalMoments(tt, 2, math.Cos)
		wm := math.Exp(-tt / 2)
		wv := (1+math.Exp(-2*tt))/2 - math.Exp(-tt)
		if math.Abs(m-wm) > 1e-13 || math.Abs(v-wv) > 1e-13 {
			t.Errorf("cos W, t = %g: mean %.16g, var %.16g; want %.16g, %.16g", tt, m, v, wm, wv)
		}
	}
	// Halving the strip width d halves the step: the moments must agree.
	for _, p := range []*Problem{Cubic(), Wave(), StiffQuadratic()} {
		var m [1]float64
		p.Mean(m[:], p.SDE.T1)
		sol := func(w float64) float64 {
			var x [1]float64
			p.Solution(x[:], p.SDE.T1, []float64{w})
			return x[0]
		}
		m2, _ := normalMoments(p.SDE.T1, 0.25, sol)
		if math.Abs(m[0]-m2) > 1e-13 {
			t.Errorf("%s: quadrature mean %.16g, with a finer step %.16g", p.Name, m[0], m2)
		}
	}
}

func TestByName(t *testing.T) {
	names := Names()
	if !sort.StringsAreSorted(names) {
		t.Errorf("Names() = %v, not sorted", names)
	}
	want := []string{"additive", "additive4", "cir", "cubic", "double-well", "gauss-pulse", "gbm", "gbm-matrix", "gbm-strat", "gbm-torchsde", "linear10",
		"lorenz", "ou", "pulse", "sqrt-decay", "stiff-additive", "stiff-quadratic", "two-noise", "wave", "weak-sinh"}
	if !slices.Equal(names, want) {
		t.Errorf("Names() = %v, want %v", names, want)
	}
	for _, name := range names {
		p, err := ByName(name)
		if err != nil || p.Name != name {
			t.Errorf("ByName(%q) = %v, %v", name, p, err)
		}
	}
	if _, err := ByName("nope"); err == nil {
		t.Error("ByName(nope) did not fail")
	}
}

// TestProblemsAreValid checks that every problem is complete and that
// sdeint.Solve accepts its SDE (no validation error) with EM and 16 fixed
// steps (through Override for the Stratonovich problem, which EM, an Itô
// method, refuses by design). Paths may still fail numerically at so coarse a step (Lorenz does),
// which Solve reports as a *SolveError with a Result.
func TestProblemsAreValid(t *testing.T) {
	for _, p := range all(t) {
		if p.Description == "" || p.Reference == "" {
			t.Errorf("%s: missing Description or Reference", p.Name)
		}
		if len(p.SDE.X0) != p.SDE.Dim {
			t.Errorf("%s: len(X0) = %d, Dim = %d", p.Name, len(p.SDE.X0), p.SDE.Dim)
		}
		if p.Stationary != nil && p.SDE.Dim != 1 {
			t.Errorf("%s: Stationary set for a problem of dimension %d", p.Name, p.SDE.Dim)
		}
		for _, e := range p.Expect {
			if e.Name == "" || e.Phi == nil || e.Value == nil {
				t.Errorf("%s: incomplete Expectation %q", p.Name, e.Name)
			}
		}
		sde := p.SDE
		res, err := sdeint.Solve(context.Background(), &sde, methods.EM{}, &sdeint.Settings{Paths: 4, Seed: 1, Steps: 16, Override: p.SDE.Calculus != sdeint.Ito})
		var se *sdeint.SolveError
		if res == nil || (err != nil && !errors.As(err, &se)) {
			t.Errorf("%s: Solve refused the problem: %v", p.Name, err)
		}
	}
}
