package quality

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gofast-sde/gofast/internal/mcstat"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 2)) }

func approx(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// randSPD returns a random p×p covariance A·Aᵀ/p + floor·I scaled by s,
// and the factor F with F·Fᵀ equal to it (for sampling).
func randSPD(rng *rand.Rand, p int, s, floor float64) (*mat.SymDense, *mat.Dense) {
	a := mat.NewDense(p, p, nil)
	for i := range p {
		for j := range p {
			a.Set(i, j, rng.NormFloat64())
		}
	}
	c := mat.NewSymDense(p, nil)
	c.SymOuterK(s/float64(p), a)
	for i := range p {
		c.SetSym(i, i, c.At(i, i)+s*floor)
	}
	var ch mat.Cholesky
	if !ch.Factorize(c) {
		panic("randSPD: not positive definite")
	}
	var l mat.TriDense
	ch.LTo(&l)
	return c, mat.DenseCopyOf(&l)
}

// gaussSample draws n rows from N(mean, F·Fᵀ).
func gaussSample(rng *rand.Rand, n int, mean []float64, f *mat.Dense) []float64 {
	p := len(mean)
	z := make([]float64, n*p)
	for i := range z {
		z[i] = rng.NormFloat64()
	}
	x := make([]float64, n*p)
	xm := mat.NewDense(n, p, x)
	xm.Mul(mat.NewDense(n, p, z), f.T())
	for i := range n {
		for j := range p {
			x[i*p+j] += mean[j]
		}
	}
	return x
}

func randVec(rng *rand.Rand, p int, s float64) []float64 {
	v := make([]float64, p)
	for i := range v {
		v[i] = s * rng.NormFloat64()
	}
	return v
}

func diagSym(v []float64) *mat.SymDense {
	c := mat.NewSymDense(len(v), nil)
	for i, x := range v {
		c.SetSym(i, i, x)
	}
	return c
}

// expectedFloor is the second-order expectation of the Fréchet distance
// between the moments of n Gaussian draws and the exact ones (see
// FrechetToMoments): Tr(C)/n + Σ_ij λ_iλ_j(1+δ_ij)/(2(n−1)(λ_i+λ_j)).
func expectedFloor(c *mat.SymDense, n int) float64 {
	var es mat.EigenSym
	es.Factorize(c, false)
	lam := es.Values(nil)
	e := mat.Trace(c) / float64(n)
	for i, li := range lam {
		for j, lj := range lam {
			num := li * lj
			if i == j {
				num *= 2
			}
			e += num / (2 * float64(n-1) * (li + lj))
		}
	}
	return e
}

// floorSD is the second-order standard deviation of a Fréchet distance at
// its noise floor, FD ≈ ‖δm‖² + ½Σ_ij Δ_ij²/(λ_i+λ_j) in the eigenbasis of
// C (see FrechetToMoments), where the mean error δm ~ N(0, a·C) and the
// covariance errors Δ_ij (i ≤ j) are independent, normal to leading order,
// with Var Δ_ij = b·λ_iλ_j(1+δ_ij): a = 1/n, b = 1/(n−1) for one sample
// against exact moments; a = 1/n_x + 1/n_y, b = 1/(n_x−1) + 1/(n_y−1) for
// two independent samples (Δ = Δ_x − Δ_y). For Wishart matrices with
// diagonal C, Cov(Ĉ_ij, Ĉ_kl) = b(C_ikC_jl + C_ilC_jk) vanishes unless
// {k, l} = {i, j}, hence the independence. Each term is then a multiple of
// a χ²₁ (variance 2·mean²), and δm is independent of Δ:
//
//	Var FD ≈ 2a²·Σ_i λ_i² + 2·Σ_i (b·λ_i/2)² + 2·Σ_{i<j} (b·λ_iλ_j/(λ_i+λ_j))².
//
// (Independent simulations of the two configurations tested below, 200 and
// 1000 replicates, gave empirical SDs 0.96 and 1.00 times this.)
func floorSD(c *mat.SymDense, a, b float64) float64 {
	var es mat.EigenSym
	es.Factorize(c, false)
	lam := es.Values(nil)
	var v float64
	for i, li := range lam {
		v += 2*a*a*li*li + 2*(b*li/2)*(b*li/2)
		for _, lj := range lam[i+1:] {
			t := b * li * lj / (li + lj)
			v += 2 * t * t
		}
	}
	return math.Sqrt(v)
}

// floorBias bounds the bias of the second-order floor (expectedFloor),
// whose neglected higher-order terms are O(p/n) relative: for C = I,
// expanding E Tr Ĉ^{1/2} in the Marchenko–Pastur moments (central moments
// y, y², 2y² + y³ at aspect ratio y = p/n) gives a relative correction of
// y/8 to the covariance part, and an independent 200-replicate simulation
// of the p = 64, n = 20000 configuration below found (0.3 ± 0.27)%, i.e.
// (0.9 ± 0.8)·p/n. floorBias returns p·a·floor with a = Σ 1/n over the
// samples involved, a generous bound.
func floorBias(floor float64, p int, a float64) float64 { return float64(p) * a * floor }

// sdOf returns the sample standard deviation of x.
func sdOf(x []float64) float64 { return stat.StdDev(x, nil) }

// rmsOf returns √(mean x²), the calibration scale of a set of SEs.
func rmsOf(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s / float64(len(x)))
}

// checkCalibration reports whether the RMS of the SEs is within a factor
// 1.5 of the empirical SD of the estimates.
func checkCalibration(t *testing.T, name string, est, ses []float64) {
	t.Helper()
	sd, se := sdOf(est), rmsOf(ses)
	t.Logf("%s: empirical SD %.4g, RMS SE %.4g, ratio %.3f", name, sd, se, se/sd)
	if r := se / sd; r < 1/1.5 || r > 1.5 {
		t.Errorf("%s: SE/SD = %.3f, want within a factor 1.5", name, r)
	}
}

func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		s, _ := r.(string)
		if r == nil || !strings.HasPrefix(s, "quality: ") || !strings.Contains(s, want) {
			t.Errorf("panic = %v, want a quality panic containing %q", r, want)
		}
	}()
	f()
}

// ---- Frechet ----

func TestFrechetIdentical(t *testing.T) {
	rng := newRand(1)
	for _, p := range []int{1, 3, 16, 64} {
		c, _ := randSPD(rng, p, 0.01, 0.1)
		m := randVec(rng, p, 0.3)
		if fd := Frechet(m, c, m, c); !approx(fd, 0, 1e-10) {
			t.Errorf("p=%d: Frechet(identical) = %g, want 0", p, fd)
		}
	}
}

func TestFrechetOneDim(t *testing.T) {
	// FD = (m1−m2)² + (s1−s2)² in one dimension.
	m1, s1, m2, s2 := 0.3, 0.2, -0.1, 0.5
	fd := Frechet([]float64{m1}, diagSym([]float64{s1 * s1}), []float64{m2}, diagSym([]float64{s2 * s2}))
	want := (m1-m2)*(m1-m2) + (s1-s2)*(s1-s2)
	if !approx(fd, want, 1e-14) {
		t.Errorf("Frechet 1-D = %.17g, want %.17g", fd, want)
	}
}

func TestFrechetDiagonal(t *testing.T) {
	// Commuting covariances: FD = Σ(m1−m2)² + Σ(√a − √b)².
	m1 := []float64{0.1, 0.5, 0.9, 0.2}
	m2 := []float64{0.2, 0.4, 0.9, 0.7}
	a := []float64{0.01, 0.04, 0.002, 0.3}
	b := []float64{0.02, 0.01, 0.002, 0.05}
	var want float64
	for i := range a {
		want += (m1[i]-m2[i])*(m1[i]-m2[i]) + math.Pow(math.Sqrt(a[i])-math.Sqrt(b[i]), 2)
	}
	if fd := Frechet(m1, diagSym(a), m2, diagSym(b)); !approx(fd, want, 1e-14) {
		t.Errorf("Frechet diagonal = %.17g, want %.17g", fd, want)
	}
}

func TestFrechetTwoByTwoClosedForm(t *testing.T) {
	// For 2×2 SPD M, Tr √M = √(Tr M + 2√det M); with M = C1^{1/2}C2C1^{1/2},
	// Tr M = Tr(C1C2) and det M = det C1 · det C2. The matrices do not
	// commute, so this checks the general path.
	c1 := mat.NewSymDense(2, []float64{0.04, 0.01, 0.01, 0.02})
	c2 := mat.NewSymDense(2, []float64{0.01, -0.006, -0.006, 0.05})
	m1 := []float64{0.3, 0.6}
	m2 := []float64{0.35, 0.5}
	var prod mat.Dense
	prod.Mul(c1, c2)
	trM := mat.Trace(&prod)
	detM := mat.Det(c1) * mat.Det(c2)
	want := 0.05*0.05 + 0.1*0.1 + mat.Trace(c1) + mat.Trace(c2) - 2*math.Sqrt(trM+2*math.Sqrt(detM))
	if fd := Frechet(m1, c1, m2, c2); !approx(fd, want, 1e-14) {
		t.Errorf("Frechet 2×2 = %.17g, want %.17g", fd, want)
	}
}

func TestFrechetSymmetric(t *testing.T) {
	rng := newRand(2)
	for _, p := range []int{2, 7, 64} {
		c1, _ := randSPD(rng, p, 0.01, 0.05)
		c2, _ := randSPD(rng, p, 0.02, 0.2)
		m1, m2 := randVec(rng, p, 0.1), randVec(rng, p, 0.1)
		f12, f21 := Frechet(m1, c1, m2, c2), Frechet(m2, c2, m1, c1)
		if !(f12 > 0) || !approx(f12, f21, 1e-12*f12) {
			t.Errorf("p=%d: Frechet not symmetric: %.17g vs %.17g", p, f12, f21)
		}
	}
}

func TestFrechetSingular(t *testing.T) {
	// A rank-1 covariance (eigenvalues 0 up to rounding) must not give NaN.
	v := []float64{0.1, 0.2, -0.05}
	c := mat.NewSymDense(3, nil)
	c.SymRankOne(c, 1, mat.NewVecDense(3, v))
	m := []float64{0.5, 0.5, 0.5}
	if fd := Frechet(m, c, m, c); math.IsNaN(fd) || !approx(fd, 0, 1e-7) {
		t.Errorf("Frechet(singular, itself) = %g, want ≈ 0", fd)
	}
	// Against the zero covariance the distance is Tr C.
	z := mat.NewSymDense(3, nil)
	if fd := Frechet(m, c, m, z); !approx(fd, mat.Trace(c), 1e-12) {
		t.Errorf("Frechet(C, 0) = %g, want Tr C = %g", fd, mat.Trace(c))
	}
}

// ---- Projection and moments ----

func TestProjectionOrthonormal(t *testing.T) {
	for _, dp := range [][2]int{{2, 1}, {50, 8}, {300, 64}} {
		d, p := dp[0], dp[1]
		pr := NewProjection(d, p, 7)
		if pr.D() != d || pr.P() != p {
			t.Fatalf("NewProjection(%d, %d): D, P = %d, %d", d, p, pr.D(), pr.P())
		}
		m := pr.Matrix()
		var ptp mat.Dense
		ptp.Mul(m.T(), m)
		for i := range p {
			for j := range p {
				want := 0.0
				if i == j {
					want = 1
				}
				if !approx(ptp.At(i, j), want, 1e-12) {
					t.Fatalf("d=%d p=%d: (PᵀP)[%d,%d] = %g, want %g", d, p, i, j, ptp.At(i, j), want)
				}
			}
		}
		// Deterministic in the seed, different for another seed.
		if !mat.Equal(m, NewProjection(d, p, 7).Matrix()) {
			t.Errorf("d=%d p=%d: same seed gave a different projection", d, p)
		}
		if mat.Equal(m, NewProjection(d, p, 8).Matrix()) {
			t.Errorf("d=%d p=%d: different seeds gave the same projection", d, p)
		}
	}
}

func TestProjectionApply(t *testing.T) {
	rng := newRand(3)
	d, p, n := 40, 6, 5
	pr := NewProjection(d, p, 1)
	x := randVec(rng, n*d, 1)
	dst := make([]float64, n*p)
	pr.Apply(dst, x, n)
	m := pr.Matrix()
	for i := range n {
		for j := range p {
			var s float64
			for k := range d {
				s += x[i*d+k] * m.At(k, j)
			}
			if !approx(dst[i*p+j], s, 1e-12) {
				t.Fatalf("Apply[%d,%d] = %g, want %g", i, j, dst[i*p+j], s)
			}
		}
	}
}

func TestProjectionIdentity(t *testing.T) {
	rng := newRand(4)
	for _, p := range []int{5, 9} {
		pr := NewProjection(5, p, 1)
		if pr.P() != 5 || pr.D() != 5 {
			t.Fatalf("NewProjection(5, %d): P, D = %d, %d, want 5, 5", p, pr.P(), pr.D())
		}
		x := randVec(rng, 3*5, 1)
		dst := make([]float64, 3*5)
		pr.Apply(dst, x, 3)
		for i := range x {
			if dst[i] != x[i] {
				t.Fatalf("identity Apply changed value %d: %g → %g", i, x[i], dst[i])
			}
		}
		c, _ := randSPD(rng, 5, 1, 0.1)
		m := randVec(rng, 5, 1)
		pm, pc := pr.Moments(m, c)
		if !mat.Equal(pc, c) || !mat.Equal(mat.NewVecDense(5, pm), mat.NewVecDense(5, m)) {
			t.Errorf("identity Moments changed the moments")
		}
	}
}

func TestProjectionMoments(t *testing.T) {
	// Projection is linear, so the moments of the projected sample equal
	// the projected moments of the sample, up to rounding.
	rng := newRand(5)
	d, p, n := 30, 7, 400
	_, f := randSPD(rng, d, 0.01, 0.1)
	x := gaussSample(rng, n, randVec(rng, d, 0.5), f)
	pr := NewProjection(d, p, 11)
	y := make([]float64, n*p)
	pr.Apply(y, x, n)
	mx, cx := MomentsOf(x, n, d)
	pm, pc := pr.Moments(mx, cx)
	my, cy := MomentsOf(y, n, p)
	for j := range p {
		if !approx(pm[j], my[j], 1e-12) {
			t.Errorf("projected mean[%d] = %g, want %g", j, pm[j], my[j])
		}
		for k := range p {
			if !approx(pc.At(j, k), cy.At(j, k), 1e-12) {
				t.Errorf("projected cov[%d,%d] = %g, want %g", j, k, pc.At(j, k), cy.At(j, k))
			}
		}
	}
}

func TestMomentsOfExact(t *testing.T) {
	// Rows (1,2), (3,4), (5,9): mean (3,5); deviations (−2,0,2), (−3,−1,4):
	// var 8/2 = 4, 26/2 = 13, cov 14/2 = 7.
	m, c := MomentsOf([]float64{1, 2, 3, 4, 5, 9}, 3, 2)
	if !approx(m[0], 3, 1e-15) || !approx(m[1], 5, 1e-15) {
		t.Errorf("mean = %v, want [3 5]", m)
	}
	want := mat.NewSymDense(2, []float64{4, 7, 7, 13})
	if !mat.EqualApprox(c, want, 1e-14) {
		t.Errorf("cov = %v, want %v", mat.Formatted(c), mat.Formatted(want))
	}
}

func TestGroupMomentsLeaveOut(t *testing.T) {
	// The O(p²) leave-one-group-out update equals recomputing from the rows.
	rng := newRand(6)
	n, p, g := 103, 4, 7
	_, f := randSPD(rng, p, 1, 0.1)
	x := gaussSample(rng, n, []float64{100, -3, 0, 1e3}, f) // offset tests centring
	gm := newGroupMoments(x, n, p, g)
	for k := range g {
		lo, hi := groupBounds(k, n, g)
		rest := append(append([]float64(nil), x[:lo*p]...), x[hi*p:]...)
		wm, wc := MomentsOf(rest, n-(hi-lo), p)
		m, c := gm.moments(k)
		for j := range p {
			if !approx(m[j], wm[j], 1e-10) {
				t.Errorf("group %d: mean[%d] = %.17g, want %.17g", k, j, m[j], wm[j])
			}
		}
		if !mat.EqualApprox(c, wc, 1e-11) {
			t.Errorf("group %d: cov differs:\n%v\nwant\n%v", k, mat.Formatted(c), mat.Formatted(wc))
		}
	}
}

// ---- FrechetToMoments, FrechetSamples ----

func TestFrechetToMomentsNoiseFloor(t *testing.T) {
	// A sample from the exact Gaussian has FD at its noise floor, whose
	// second-order expectation is expectedFloor (derived in the
	// FrechetToMoments documentation); it is at most (p+5)·Tr(C)/(4(n−1)),
	// far below the cruder bound 5·p·Tr(C)/n. FD fluctuates about it with
	// the SD floorSD (a sum of ~p²/2 weighted χ²₁ terms: 4% of the floor
	// here), so one draw must lie within floorBias + 4·floorSD of it.
	rng := newRand(7)
	n, p := 20000, 64
	c, f := randSPD(rng, p, 0.01, 0.2)
	m := randVec(rng, p, 0.2)
	x := gaussSample(rng, n, m, f)
	fd, se := FrechetToMoments(x, n, p, m, c)
	e := expectedFloor(c, n)
	sd := floorSD(c, 1/float64(n), 1/float64(n-1))
	bias := floorBias(e, p, 1/float64(n))
	tr := mat.Trace(c)
	t.Logf("fd = %.4g ± %.2g (jackknife), expected floor %.4g ± %.2g (SD), bias bound %.2g, bound (p+5)Tr/(4(n−1)) = %.4g, 5p·Tr/n = %.4g",
		fd, se, e, sd, bias, float64(p+5)*tr/(4*float64(n-1)), 5*float64(p)*tr/float64(n))
	if fd >= 5*float64(p)/float64(n)*tr {
		t.Errorf("fd = %g ≥ 5·p/n·Tr(C) = %g", fd, 5*float64(p)/float64(n)*tr)
	}
	if math.Abs(fd-e) > bias+4*sd {
		t.Errorf("fd = %g, want the noise floor %g within %.2g + 4·%.2g", fd, e, bias, sd)
	}
}

func TestFrechetToMomentsShift(t *testing.T) {
	// A sample shifted by v: E[fd] ≈ ‖v‖² + floor (the cross term has mean
	// 0), with SE ≈ 2√(vᵀCv/n) from the linear term.
	rng := newRand(8)
	n, p := 20000, 64
	c, f := randSPD(rng, p, 0.01, 0.2)
	m := randVec(rng, p, 0.2)
	v := randVec(rng, p, 0.005)
	mv := make([]float64, p)
	var v2 float64
	for j := range p {
		mv[j] = m[j] + v[j]
		v2 += v[j] * v[j]
	}
	x := gaussSample(rng, n, mv, f)
	fd, se := FrechetToMoments(x, n, p, m, c)
	want := v2 + expectedFloor(c, n)
	t.Logf("fd = %.5g ± %.2g, ‖v‖² = %.5g, ‖v‖² + floor = %.5g", fd, se, v2, want)
	if math.Abs(fd-want) > 4*se {
		t.Errorf("fd = %g ± %g, want %g within 4 SE", fd, se, want)
	}
}

func TestFrechetToMomentsCalibration(t *testing.T) {
	// The jackknife SE against the spread of fd over 50 independent
	// samples, away from the noise floor (shifted mean).
	rng := newRand(9)
	n, p, reps := 2000, 8, 50
	c, f := randSPD(rng, p, 0.01, 0.2)
	m := randVec(rng, p, 0.2)
	mv := make([]float64, p)
	for j := range p {
		mv[j] = m[j] + 0.01
	}
	fds, ses := make([]float64, reps), make([]float64, reps)
	for r := range reps {
		x := gaussSample(rng, n, mv, f)
		fds[r], ses[r] = FrechetToMoments(x, n, p, m, c)
	}
	checkCalibration(t, "FrechetToMoments", fds, ses)
}

func TestFrechetSamples(t *testing.T) {
	rng := newRand(10)
	nx, ny, p := 5000, 8000, 16
	c, f := randSPD(rng, p, 0.01, 0.2)
	m := randVec(rng, p, 0.2)
	x := gaussSample(rng, nx, m, f)
	if fd, se := FrechetSamples(x, nx, x, nx, p); !approx(fd, 0, 1e-12) || !approx(se, 0, 1e-12) {
		t.Errorf("FrechetSamples(x, x) = %g ± %g, want 0 ± 0", fd, se)
	}
	// Symmetric, and agrees with Frechet of the moments.
	y := gaussSample(rng, ny, m, f)
	fxy, _ := FrechetSamples(x, nx, y, ny, p)
	fyx, _ := FrechetSamples(y, ny, x, nx, p)
	mx, cx := MomentsOf(x, nx, p)
	my, cy := MomentsOf(y, ny, p)
	if !approx(fxy, fyx, 1e-12*fxy) || !approx(fxy, Frechet(mx, cx, my, cy), 1e-12*fxy) {
		t.Errorf("FrechetSamples: %g, reversed %g, Frechet of moments %g", fxy, fyx, Frechet(mx, cx, my, cy))
	}
	// Two samples of the truth: two floors, to second order, with the SD
	// floorSD (17% of the floor at p = 16). Over reps independent pairs
	// the mean FD must lie within floorBias + 4·SD/√reps of the floors,
	// and the variance of the reps within 4 SE (mcstat.VarSE, which does
	// not assume normality) of SD², which tests floorSD itself.
	floor := expectedFloor(c, nx) + expectedFloor(c, ny)
	a, b := 1/float64(nx)+1/float64(ny), 1/float64(nx-1)+1/float64(ny-1)
	sd, bias := floorSD(c, a, b), floorBias(floor, p, a)
	const floorReps = 100
	floors := make([]float64, floorReps)
	for r := range floors {
		u, w := gaussSample(rng, nx, m, f), gaussSample(rng, ny, m, f)
		floors[r], _ = FrechetSamples(u, nx, w, ny, p)
	}
	mf := stat.Mean(floors, nil)
	vf, vfse := mcstat.VarSE(floors)
	t.Logf("same distribution: fd = %.4g; over %d pairs mean %.4g, SD %.3g ± %.2g; expected %.4g (bias bound %.2g), SD %.3g",
		fxy, floorReps, mf, math.Sqrt(vf), vfse/(2*math.Sqrt(vf)), floor, bias, sd)
	if tol := bias + 4*sd/math.Sqrt(floorReps); math.Abs(mf-floor) > tol {
		t.Errorf("mean fd over %d pairs = %g, want the floors %g within %.2g", floorReps, mf, floor, tol)
	}
	if math.Abs(vf-sd*sd) > 4*vfse {
		t.Errorf("variance of fd over %d pairs = %.3g ± %.2g, want floorSD² = %.3g within 4 SE", floorReps, vf, vfse, sd*sd)
	}
	// Shifted: within 4 SE of ‖v‖² + floors.
	v := randVec(rng, p, 0.01)
	var v2 float64
	mv := make([]float64, p)
	for j := range p {
		mv[j] = m[j] + v[j]
		v2 += v[j] * v[j]
	}
	z := gaussSample(rng, ny, mv, f)
	fd, se := FrechetSamples(x, nx, z, ny, p)
	t.Logf("shifted: fd = %.5g ± %.2g, ‖v‖² + floors = %.5g", fd, se, v2+floor)
	if math.Abs(fd-(v2+floor)) > 4*se {
		t.Errorf("fd = %g ± %g, want %g within 4 SE", fd, se, v2+floor)
	}
	// Calibration, 50 replications of both samples.
	reps := 50
	fds, ses := make([]float64, reps), make([]float64, reps)
	for r := range reps {
		a := gaussSample(rng, 1000, m, f)
		b := gaussSample(rng, 1500, mv, f)
		fds[r], ses[r] = FrechetSamples(a, 1000, b, 1500, p)
	}
	checkCalibration(t, "FrechetSamples", fds, ses)
}

// ---- SlicedW2 ----

func TestDirections(t *testing.T) {
	d, L := 10, 4000
	u := Directions(d, L, 3)
	for l := range L {
		var s float64
		for _, v := range u[l*d : (l+1)*d] {
			s += v * v
		}
		if !approx(s, 1, 1e-12) {
			t.Fatalf("direction %d has norm² %g", l, s)
		}
	}
	// Uniform directions: (u·v)² = ‖v‖²·B with B ~ Beta(½, (d−1)/2), mean
	// 1/d and variance 2(d−1)/(d²(d+2)).
	v := []float64{1, -2, 0.5, 0, 0, 3, 0, 0, 1, 0}
	var v2, mean float64
	for _, x := range v {
		v2 += x * x
	}
	for l := range L {
		var dot float64
		for j, x := range v {
			dot += u[l*d+j] * x
		}
		mean += dot * dot
	}
	mean /= float64(L)
	fd := float64(d)
	se := v2 * math.Sqrt(2*(fd-1)/(fd*fd*(fd+2))/float64(L))
	if math.Abs(mean-v2/fd) > 4*se {
		t.Errorf("mean (u·v)² = %g, want ‖v‖²/d = %g ± %g", mean, v2/fd, se)
	}
}

func TestSlicedW2Identical(t *testing.T) {
	rng := newRand(11)
	n, d := 300, 5
	x := randVec(rng, n*d, 1)
	sw, se := SlicedW2(x, n, x, n, d, Directions(d, 16, 1))
	if sw != 0 || se != 0 {
		t.Errorf("SlicedW2(x, x) = %g ± %g, want 0 ± 0", sw, se)
	}
}

func TestSlicedW2OneDimShift(t *testing.T) {
	// In one dimension the directions are ±1 and W₂(x, x+c) = |c| exactly.
	rng := newRand(12)
	n, c := 500, -0.37
	x := randVec(rng, n, 1)
	y := make([]float64, n)
	for i := range x {
		y[i] = x[i] + c
	}
	sw, _ := SlicedW2(x, n, y, n, 1, Directions(1, 8, 2))
	if !approx(sw, math.Abs(c), 1e-12) {
		t.Errorf("SlicedW2 1-D shift = %.17g, want %g", sw, math.Abs(c))
	}
}

func TestSlicedW2UnequalSizes(t *testing.T) {
	// x = {0, 1} on 4 levels t = 1/8, 3/8, 5/8, 7/8: positions t·2 − ½ =
	// −¼, ¼, ¾, 5/4 → quantiles 0, ¼, ¾, 1; y = {0, 0, 1, 1} matches
	// itself. W₂² = (0 + 1/16 + 1/16 + 0)/4 = 1/32.
	sw, _ := SlicedW2([]float64{1, 0}, 2, []float64{0, 1, 1, 0}, 4, 1, []float64{1})
	if !approx(sw, math.Sqrt(1.0/32), 1e-15) {
		t.Errorf("SlicedW2 = %.17g, want √(1/32) = %.17g", sw, math.Sqrt(1.0/32))
	}
	// A sample and its own duplicate are nearly the same distribution.
	rng := newRand(13)
	n, d := 400, 3
	x := randVec(rng, n*d, 1)
	xx := append(append([]float64(nil), x...), x...)
	if sw, _ := SlicedW2(x, n, xx, 2*n, d, Directions(d, 8, 1)); sw > 0.05 {
		t.Errorf("SlicedW2(x, x∪x) = %g, want ≈ 0", sw)
	}
}

func TestSlicedW2Shift(t *testing.T) {
	rng := newRand(14)
	n, d, L := 3000, 8, 64
	dirs := Directions(d, L, 5)
	v := []float64{0.3, -0.2, 0.1, 0, 0.25, 0, -0.1, 0.05}
	var v2, proj2 float64
	for _, x := range v {
		v2 += x * x
	}
	for l := range L {
		var dot float64
		for j, x := range v {
			dot += dirs[l*d+j] * x
		}
		proj2 += dot * dot
	}
	proj2 /= float64(L)
	shift := func(x []float64) []float64 {
		y := append([]float64(nil), x...)
		for i := range y {
			y[i] += v[i%d]
		}
		return y
	}
	x := randVec(rng, n*d, 0.1)
	// Same sample shifted: SW² = (1/L) Σ (u_l·v)² exactly.
	sw, _ := SlicedW2(x, n, shift(x), n, d, dirs)
	if !approx(sw*sw, proj2, 1e-12) {
		t.Errorf("SW²(x, x+v) = %.17g, want (1/L)Σ(u·v)² = %.17g", sw*sw, proj2)
	}
	// Independent samples: within 4 SE of √((1/L)Σ(u·v)²) (the two-sample
	// noise adds O(1/n) to SW²).
	y := shift(randVec(rng, n*d, 0.1))
	sw, se := SlicedW2(x, n, y, n, d, dirs)
	t.Logf("SW = %.5g ± %.2g, √((1/L)Σ(u·v)²) = %.5g, ‖v‖/√d = %.5g", sw, se, math.Sqrt(proj2), math.Sqrt(v2/float64(d)))
	if math.Abs(sw-math.Sqrt(proj2)) > 4*se {
		t.Errorf("SW = %g ± %g, want %g within 4 SE", sw, se, math.Sqrt(proj2))
	}
	// Direction average: SW² ≈ ‖v‖²/d, with the sampling SE 2·SW·se and
	// the direction SE ‖v‖²/d·√(2(d−1)/((d+2)L)) combined.
	fd := float64(d)
	seDir := v2 / fd * math.Sqrt(2*(fd-1)/((fd+2)*float64(L)))
	seTot := math.Hypot(2*sw*se, seDir)
	if math.Abs(sw*sw-v2/fd) > 4*seTot {
		t.Errorf("SW² = %g, want ‖v‖²/d = %g within 4 × %g", sw*sw, v2/fd, seTot)
	}
}

func TestSlicedW2Calibration(t *testing.T) {
	rng := newRand(15)
	n, d, L, reps := 400, 4, 16, 50
	dirs := Directions(d, L, 9)
	sws, ses := make([]float64, reps), make([]float64, reps)
	for r := range reps {
		x := randVec(rng, n*d, 1)
		y := randVec(rng, n*d, 1)
		for i := range y {
			y[i] = 1.2*y[i] + 0.5 // different scale and location
		}
		sws[r], ses[r] = SlicedW2(x, n, y, n, d, dirs)
	}
	checkCalibration(t, "SlicedW2", sws, ses)
}

func TestSlicedW2Deterministic(t *testing.T) {
	rng := newRand(16)
	n, d := 777, 6
	dirs := Directions(d, 33, 4)
	x, y := randVec(rng, n*d, 1), randVec(rng, (n+10)*d, 1.1)
	s1, e1 := SlicedW2(x, n, y, n+10, d, dirs)
	s2, e2 := SlicedW2(x, n, y, n+10, d, dirs)
	if s1 != s2 || e1 != e2 {
		t.Errorf("SlicedW2 not deterministic: %v ± %v vs %v ± %v", s1, e1, s2, e2)
	}
}

// ---- ModeTV ----

func labelsWithCounts(counts ...int) []int {
	var l []int
	for k, c := range counts {
		for range c {
			l = append(l, k)
		}
	}
	return l
}

func drawLabels(rng *rand.Rand, n int, p []float64) []int {
	l := make([]int, n)
	for i := range l {
		u := rng.Float64()
		k := 0
		for k < len(p)-1 && u >= p[k] {
			u -= p[k]
			k++
		}
		l[i] = k
	}
	return l
}

func TestModeTVExact(t *testing.T) {
	a := labelsWithCounts(30, 50, 20)
	b := labelsWithCounts(50, 25, 25)
	tv, se := ModeTV(a, b, 3)
	// f = (.3, .5, .2), g = (.5, .25, .25): TV = ½(.2 + .25 + .05) = .25.
	// s = (−1, 1, −1): sᵀf = 0, sᵀg = −.5, so
	// se = ½√((1 − 0)/100 + (1 − .25)/100) = ½√.0175.
	if !approx(tv, 0.25, 1e-15) || !approx(se, 0.5*math.Sqrt(0.0175), 1e-15) {
		t.Errorf("ModeTV = %g ± %g, want 0.25 ± %g", tv, se, 0.5*math.Sqrt(0.0175))
	}
	// Equal frequencies in a different order and size: exactly 0.
	c := []int{2, 1, 0, 1, 0, 1, 0, 2, 1, 1}
	d := labelsWithCounts(6, 10, 4)
	if tv, _ := ModeTV(c, d, 3); tv != 0 {
		t.Errorf("ModeTV(equal frequencies) = %g, want 0", tv)
	}
	// A missing mode: TV is its reference weight.
	if tv, _ := ModeTV(labelsWithCounts(50, 50, 0), labelsWithCounts(40, 40, 20), 3); !approx(tv, 0.2, 1e-15) {
		t.Errorf("ModeTV(dropped mode) = %g, want 0.2", tv)
	}
}

func TestModeTVSameDistribution(t *testing.T) {
	// Same distribution: TV is at its noise floor ≈ ½Σ σ_k √(2/π).
	rng := newRand(17)
	p := []float64{0.4, 0.3, 0.2, 0.1}
	na, nb := 2000, 20000
	tv, se := ModeTV(drawLabels(rng, na, p), drawLabels(rng, nb, p), len(p))
	var floor float64
	for _, pk := range p {
		floor += 0.5 * math.Sqrt(pk*(1-pk)*(1/float64(na)+1/float64(nb))) * math.Sqrt(2/math.Pi)
	}
	t.Logf("same distribution: TV = %.4g ± %.2g, noise floor %.4g", tv, se, floor)
	if tv > floor+4*se {
		t.Errorf("TV = %g ± %g, want ≈ 0 (floor %g)", tv, se, floor)
	}
}

func TestModeTVCalibration(t *testing.T) {
	rng := newRand(18)
	f := []float64{0.3, 0.2, 0.2, 0.15, 0.15}
	g := []float64{0.2, 0.25, 0.25, 0.1, 0.2} // differences ±0.1, ±0.05: TV = 0.15
	na, nb, reps := 2000, 5000, 200
	tvs, ses := make([]float64, reps), make([]float64, reps)
	for r := range reps {
		tvs[r], ses[r] = ModeTV(drawLabels(rng, na, f), drawLabels(rng, nb, g), len(f))
	}
	checkCalibration(t, "ModeTV", tvs, ses)
	m, s := stat.Mean(tvs, nil), sdOf(tvs)/math.Sqrt(float64(reps))
	if math.Abs(m-0.15) > 4*s {
		t.Errorf("mean TV = %g ± %g, want 0.15", m, s)
	}
}

// ---- Dispersion ----

// mixture is a test Gaussian mixture with diagonal covariances.
type mixture struct {
	w, mean, std []float64 // K; K·d; K·d
	d            int
}

func testMixture() mixture {
	d := 6
	m := mixture{w: []float64{0.4, 0.3, 0.2, 0.1}, d: d}
	for k := range 4 {
		for j := range d {
			m.mean = append(m.mean, 0.2+0.6*float64((k+j)%4)/3)
			m.std = append(m.std, 0.02+0.01*float64((k*j)%3))
		}
	}
	return m
}

// sample draws n rows and their component labels; deviations from the
// component means are multiplied by scale.
func (m mixture) sample(rng *rand.Rand, n int, scale float64) ([]float64, []int) {
	lab := drawLabels(rng, n, m.w)
	x := make([]float64, n*m.d)
	for i, k := range lab {
		for j := range m.d {
			x[i*m.d+j] = m.mean[k*m.d+j] + scale*m.std[k*m.d+j]*rng.NormFloat64()
		}
	}
	return x, lab
}

func TestDispersionExact(t *testing.T) {
	// a's deviations from b's component means are exactly twice b's:
	// every variance ratio is 4.
	rng := newRand(19)
	m := testMixture()
	b, lb := m.sample(rng, 500, 1)
	mb := make([]float64, len(m.w)*m.d)
	cnt := make([]float64, len(m.w))
	for i, k := range lb {
		cnt[k]++
		for j := range m.d {
			mb[k*m.d+j] += b[i*m.d+j]
		}
	}
	a := make([]float64, len(b))
	for i, k := range lb {
		for j := range m.d {
			c := mb[k*m.d+j] / cnt[k]
			a[i*m.d+j] = c + 2*(b[i*m.d+j]-c)
		}
	}
	disp, _ := Dispersion(a, lb, b, lb, m.d, len(m.w))
	if !approx(disp, math.Log(4), 1e-12) {
		t.Errorf("Dispersion = %.17g, want log 4 = %.17g", disp, math.Log(4))
	}
	disp, se := Dispersion(b, lb, b, lb, m.d, len(m.w))
	if disp != 0 || !(se >= 0) {
		t.Errorf("Dispersion(b, b) = %g ± %g, want 0", disp, se)
	}
}

func TestCompStatsLeaveOut(t *testing.T) {
	// The O(1) leave-one-group-out variance equals recomputing it.
	rng := newRand(20)
	m := testMixture()
	n, g, K := 237, 5, len(m.w)
	x, lab := m.sample(rng, n, 1)
	cs := newCompStats("test", "lab", x, lab, m.d, K, g)
	direct := func(skipLo, skipHi, k int) float64 {
		var rows [][]float64
		for i, l := range lab {
			if l == k && (i < skipLo || i >= skipHi) {
				rows = append(rows, x[i*m.d:(i+1)*m.d])
			}
		}
		var v float64
		col := make([]float64, len(rows))
		for j := range m.d {
			for r, row := range rows {
				col[r] = row[j]
			}
			v += stat.Variance(col, nil)
		}
		return v / float64(m.d)
	}
	for k := range K {
		if got, want := cs.variance(k, -1), direct(0, 0, k); !approx(got, want, 1e-12*want) {
			t.Errorf("component %d: variance %g, want %g", k, got, want)
		}
		for gi := range g {
			lo, hi := groupBounds(gi, n, g)
			if got, want := cs.variance(k, gi), direct(lo, hi, k); !approx(got, want, 1e-10*want) {
				t.Errorf("component %d without group %d: variance %g, want %g", k, gi, got, want)
			}
		}
	}
}

func TestDispersion(t *testing.T) {
	rng := newRand(21)
	m := testMixture()
	na, nb := 4000, 40000
	b, lb := m.sample(rng, nb, 1)
	a, la := m.sample(rng, na, 1)
	disp, se := Dispersion(a, la, b, lb, m.d, len(m.w))
	t.Logf("same mixture: disp = %.4g ± %.2g", disp, se)
	if math.Abs(disp) > 4*se {
		t.Errorf("same mixture: disp = %g ± %g, want 0 within 4 SE", disp, se)
	}
	a, la = m.sample(rng, na, 1.1)
	disp, se = Dispersion(a, la, b, lb, m.d, len(m.w))
	want := 2 * math.Log(1.1)
	t.Logf("scaled by 1.1: disp = %.4g ± %.2g, want %.4g", disp, se, want)
	if math.Abs(disp-want) > 4*se {
		t.Errorf("scaled by 1.1: disp = %g ± %g, want %g within 4 SE", disp, se, want)
	}
}

func TestDispersionCalibration(t *testing.T) {
	rng := newRand(22)
	m := testMixture()
	na, nb, reps := 500, 5000, 50
	ds, ses := make([]float64, reps), make([]float64, reps)
	for r := range reps {
		a, la := m.sample(rng, na, 1.1)
		b, lb := m.sample(rng, nb, 1)
		ds[r], ses[r] = Dispersion(a, la, b, lb, m.d, len(m.w))
	}
	checkCalibration(t, "Dispersion", ds, ses)
}

func TestDispersionSkipsSmallComponents(t *testing.T) {
	// a repeats b's rows of components 0 and 1 and adds rows of component
	// 2, five times too spread out. With 9 such rows component 2 is
	// skipped and disp = 0 up to rounding; with 10 it counts.
	rng := newRand(23)
	d := 2
	b := make([]float64, 600*d)
	lb := labelsWithCounts(200, 200, 200)
	for i, k := range lb {
		for j := range d {
			b[i*d+j] = float64(k) + rng.NormFloat64()
		}
	}
	extra := func(rows int) ([]float64, []int) {
		a := append([]float64(nil), b[:400*d]...)
		la := append([]int(nil), lb[:400]...)
		for range rows {
			for range d {
				a = append(a, 2+5*rng.NormFloat64())
			}
			la = append(la, 2)
		}
		return a, la
	}
	a, la := extra(9)
	if disp, se := Dispersion(a, la, b, lb, d, 3); !approx(disp, 0, 1e-12) {
		t.Errorf("9 rows: disp = %g ± %g, want 0 (component 2 skipped)", disp, se)
	}
	a, la = extra(10)
	if disp, _ := Dispersion(a, la, b, lb, d, 3); !(disp > 0.5) {
		t.Errorf("10 rows: disp = %g, want ≈ log 25 / 3", disp)
	}
	// No usable component: NaN.
	if disp, se := Dispersion(a[400*d:], la[400:], b[:400*d], lb[:400], d, 3); !math.IsNaN(disp) || !math.IsNaN(se) {
		t.Errorf("no usable component: disp = %g ± %g, want NaN", disp, se)
	}
}

// ---- argument checks ----

func TestPanics(t *testing.T) {
	mustPanic(t, "label 3", func() { ModeTV([]int{0, 3}, []int{0}, 3) })
	mustPanic(t, "label -1", func() { Dispersion([]float64{0, 0}, []int{-1, 0}, []float64{0}, []int{0}, 1, 2) })
	mustPanic(t, "len(x)", func() { FrechetToMoments(make([]float64, 5), 2, 3, make([]float64, 3), mat.NewSymDense(3, nil)) })
	mustPanic(t, "multiple of d", func() { SlicedW2(make([]float64, 6), 2, make([]float64, 6), 2, 3, make([]float64, 4)) })
	mustPanic(t, "m2", func() { Frechet([]float64{0}, diagSym([]float64{1}), []float64{0, 0}, diagSym([]float64{1})) })
	mustPanic(t, "Apply", func() { NewProjection(4, 2, 1).Apply(make([]float64, 2), make([]float64, 4), 2) })
}
