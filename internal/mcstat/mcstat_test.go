package mcstat

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat"
)

func newRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

func approx(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestMeanSEExact(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	m, se := MeanSE(x)
	// s² = 5/3, se = √(s²/n) = √(5/12).
	if !approx(m, 2.5, 1e-12) || !approx(se, math.Sqrt(5.0/12), 1e-12) {
		t.Errorf("MeanSE = %v, %v; want 2.5, %v", m, se, math.Sqrt(5.0/12))
	}
	m, se = MeanSE([]float64{7})
	if m != 7 || !math.IsNaN(se) {
		t.Errorf("MeanSE single = %v, %v; want 7, NaN", m, se)
	}
}

func TestVarSEExact(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	v, se := VarSE(x)
	// Deviations ±3/2, ±1/2: s² = 5/3, m₄ = 41/16.
	// se² = (41/16 − (25/9)(1/3))/4 = 707/1728.
	if !approx(v, 5.0/3, 1e-12) || !approx(se, math.Sqrt(707.0/1728), 1e-12) {
		t.Errorf("VarSE = %v, %v; want %v, %v", v, se, 5.0/3, math.Sqrt(707.0/1728))
	}
	v, se = VarSE([]float64{7})
	if !math.IsNaN(v) || !math.IsNaN(se) {
		t.Errorf("VarSE single = %v, %v; want NaN, NaN", v, se)
	}
}

func TestCorrSEExact(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5}
	y := []float64{2, 1, 4, 3, 5}
	r, se := CorrSE(x, y)
	// Sxy = 8, Sxx = Syy = 10: r = 0.8, se = (1 − 0.64)/√2.
	if !approx(r, 0.8, 1e-12) || !approx(se, 0.36/math.Sqrt2, 1e-12) {
		t.Errorf("CorrSE = %v, %v; want 0.8, %v", r, se, 0.36/math.Sqrt2)
	}
	r, se = CorrSE(x[:3], y[:3])
	if math.IsNaN(r) || !math.IsNaN(se) {
		t.Errorf("CorrSE n=3 = %v, %v; want finite, NaN", r, se)
	}
}

func TestDiffSE(t *testing.T) {
	d, se := DiffSE(5, 0.3, 2, 0.4)
	if !approx(d, 3, 1e-15) || !approx(se, 0.5, 1e-15) {
		t.Errorf("DiffSE = %v, %v; want 3, 0.5", d, se)
	}
}

// sdRelTol is the tolerance for comparing the empirical standard deviation
// of an estimator over reps replications with the mean reported standard
// error. For approximately normal estimates the relative standard deviation
// of a sample standard deviation from reps values is about 1/√(2(reps−1)),
// ≈ 5% for reps = 200, while the mean of the reported standard errors is far
// more precise; 15% is then a 3-sd bound.
const sdRelTol = 0.15

func TestVarSECalibration(t *testing.T) {
	const (
		reps = 200
		n    = 10000
	)
	for _, tc := range []struct {
		name string
		draw func(*rand.Rand) float64
	}{
		{"normal", (*rand.Rand).NormFloat64},
		// Exponential data: μ₄ = 9σ⁴, far from normal, checks that the
		// data-driven formula does not rely on normality.
		{"exponential", (*rand.Rand).ExpFloat64},
	} {
		rnd := newRand()
		x := make([]float64, n)
		vs := make([]float64, reps)
		ses := make([]float64, reps)
		for k := range reps {
			for i := range x {
				x[i] = tc.draw(rnd)
			}
			vs[k], ses[k] = VarSE(x)
		}
		sd := stat.StdDev(vs, nil)
		mse := stat.Mean(ses, nil)
		t.Logf("%s: sd %.4g, mean se %.4g, ratio %.3f", tc.name, sd, mse, mse/sd)
		if math.Abs(mse/sd-1) > sdRelTol {
			t.Errorf("%s: empirical sd of variance %v, mean VarSE %v (ratio %v)", tc.name, sd, mse, mse/sd)
		}
	}
}

func TestCorrSECalibration(t *testing.T) {
	const (
		reps = 200
		n    = 10000
	)
	rnd := newRand()
	x := make([]float64, n)
	y := make([]float64, n)
	rs := make([]float64, reps)
	ses := make([]float64, reps)
	for k := range reps {
		for i := range x {
			x[i] = rnd.NormFloat64()
			y[i] = rnd.NormFloat64()
		}
		rs[k], ses[k] = CorrSE(x, y)
	}
	// For independent normals SE ≈ 1/√n; bound as in sdRelTol.
	sd := stat.StdDev(rs, nil)
	mse := stat.Mean(ses, nil)
	t.Logf("sd %.4g, mean se %.4g, ratio %.3f", sd, mse, mse/sd)
	if math.Abs(mse/sd-1) > sdRelTol {
		t.Errorf("empirical sd of r %v, mean CorrSE %v (ratio %v)", sd, mse, mse/sd)
	}
	if !approx(mse, 1/math.Sqrt(n), 0.01/math.Sqrt(n)) {
		t.Errorf("mean CorrSE %v, want ≈ 1/√n = %v", mse, 1/math.Sqrt(n))
	}
}

// qKSSeries evaluates the alternating series for Q_KS with many terms.
func qKSSeries(lambda float64) float64 {
	var s float64
	for j := 1; j <= 200; j++ {
		fj := float64(j)
		s += math.Pow(-1, fj-1) * math.Exp(-2*fj*fj*lambda*lambda)
	}
	return 2 * s
}

func TestQKS(t *testing.T) {
	for _, tc := range []struct{ lambda, want float64 }{
		{1.0, 0.26999967},
		{0.5, 0.96394524},
	} {
		if got := qKS(tc.lambda); !approx(got, tc.want, 1e-6) {
			t.Errorf("Q_KS(%v) = %v; want %v", tc.lambda, got, tc.want)
		}
	}
	for l := 0.3; l <= 3; l += 0.05 {
		if got, want := qKS(l), qKSSeries(l); !approx(got, want, 1e-12) {
			t.Errorf("Q_KS(%v) = %v; series %v", l, got, want)
		}
	}
	if qKS(0) != 1 || qKS(0.05) != 1 {
		t.Errorf("Q_KS near 0 = %v, %v; want 1", qKS(0), qKS(0.05))
	}
}

func TestKSExact(t *testing.T) {
	x := []float64{0.95, 0.1, 0.4}
	orig := slices.Clone(x)
	uniform := func(v float64) float64 { return min(max(v, 0), 1) }
	d, p := KS(x, uniform)
	// Sorted x = 0.1, 0.4, 0.95; D = max over i of i/n − x₍ᵢ₎ and
	// x₍ᵢ₎ − (i−1)/n, attained at 0.95 − 2/3.
	wantD := 0.95 - 2.0/3
	wantP := qKS((math.Sqrt(3) + 0.12 + 0.11/math.Sqrt(3)) * wantD)
	if !approx(d, wantD, 1e-12) || !approx(p, wantP, 1e-12) {
		t.Errorf("KS = %v, %v; want %v, %v", d, p, wantD, wantP)
	}
	if !slices.Equal(x, orig) {
		t.Errorf("KS modified its input: %v", x)
	}
}

// bruteKSD computes sup|Fₙ − F| by evaluating the empirical CDF and its left
// limit at every sample point by counting.
func bruteKSD(x []float64, cdf func(float64) float64) float64 {
	n := float64(len(x))
	var d float64
	for _, t := range x {
		var le, lt int
		for _, v := range x {
			if v <= t {
				le++
			}
			if v < t {
				lt++
			}
		}
		f := cdf(t)
		d = max(d, math.Abs(float64(le)/n-f), math.Abs(float64(lt)/n-f))
	}
	return d
}

func TestKSBrute(t *testing.T) {
	rnd := newRand()
	x := make([]float64, 57)
	for i := range x {
		x[i] = rnd.NormFloat64()
	}
	d, _ := KS(x, NormalCDF)
	if want := bruteKSD(x, NormalCDF); !approx(d, want, 1e-14) {
		t.Errorf("KS D = %v; brute force %v", d, want)
	}
}

func TestKSPower(t *testing.T) {
	rnd := newRand()
	u := make([]float64, 1000)
	for i := range u {
		u[i] = rnd.Float64()
	}
	_, p := KS(u, func(v float64) float64 { return min(max(v, 0), 1) })
	if p < 0.01 {
		t.Errorf("uniform vs uniform: p = %v; want not tiny", p)
	}
	z := make([]float64, 2000)
	for i := range z {
		z[i] = 0.2 + rnd.NormFloat64()
	}
	if _, p := KS(z, NormalCDF); p >= 1e-6 {
		t.Errorf("N(0.2,1) vs N(0,1): p = %v; want < 1e-6", p)
	}
}

func TestKSNullCalibration(t *testing.T) {
	// Under H0 the p-value is (nearly, with Stephens' correction) uniform:
	// the fraction of p < 0.1 over 1000 replications has sd
	// √(0.1·0.9/1000) ≈ 0.0095; allow 0.04 (> 4 sd).
	const reps, n = 1000, 50
	rnd := newRand()
	x := make([]float64, n)
	var rejects int
	for range reps {
		for i := range x {
			x[i] = rnd.NormFloat64()
		}
		if _, p := KS(x, NormalCDF); p < 0.1 {
			rejects++
		}
	}
	t.Logf("fraction of p < 0.1: %v", float64(rejects)/reps)
	if frac := float64(rejects) / reps; !approx(frac, 0.1, 0.04) {
		t.Errorf("fraction of p < 0.1 under H0 = %v; want ≈ 0.1", frac)
	}
}

func TestNormalCDF(t *testing.T) {
	if got := NormalCDF(0); got != 0.5 {
		t.Errorf("Φ(0) = %v", got)
	}
	if got := NormalCDF(1.96); !approx(got, 0.9750021048517795, 1e-14) {
		t.Errorf("Φ(1.96) = %v", got)
	}
}

func TestSlopeExact(t *testing.T) {
	x := make([]float64, 10)
	y := make([]float64, 10)
	for i := range x {
		x[i] = float64(i)
		y[i] = 2 + 3*x[i]
	}
	b, a, se := Slope(x, y)
	if !approx(b, 3, 1e-12) || !approx(a, 2, 1e-12) || !approx(se, 0, 1e-12) {
		t.Errorf("Slope exact line = %v, %v, %v; want 3, 2, 0", b, a, se)
	}

	// Hand computed: Sxx = 5, Sxy = 5.5, b = a = 1.1,
	// residuals −0.1, 0.8, −1.3, 0.6, SSR = 2.7, se = √(2.7/2/5).
	b, a, se = Slope([]float64{0, 1, 2, 3}, []float64{1, 3, 2, 5})
	if !approx(b, 1.1, 1e-12) || !approx(a, 1.1, 1e-12) || !approx(se, math.Sqrt(0.27), 1e-12) {
		t.Errorf("Slope = %v, %v, %v; want 1.1, 1.1, %v", b, a, se, math.Sqrt(0.27))
	}

	b, a, se = Slope([]float64{0, 1}, []float64{1, 3})
	if !approx(b, 2, 1e-12) || !approx(a, 1, 1e-12) || !math.IsNaN(se) {
		t.Errorf("Slope n=2 = %v, %v, %v; want 2, 1, NaN", b, a, se)
	}
	b, a, se = Slope([]float64{1, 1, 1}, []float64{1, 2, 3})
	if !math.IsNaN(b) || !math.IsNaN(a) || !math.IsNaN(se) {
		t.Errorf("Slope constant x = %v, %v, %v; want NaN", b, a, se)
	}
}

func TestSlopeNoisy(t *testing.T) {
	const (
		n     = 200
		sigma = 0.5
	)
	rnd := newRand()
	x := make([]float64, n)
	y := make([]float64, n)
	var sxx float64
	for i := range x {
		x[i] = float64(i) / (n - 1)
		y[i] = 1 + 2*x[i] + sigma*rnd.NormFloat64()
		sxx += (x[i] - 0.5) * (x[i] - 0.5)
	}
	b, _, se := Slope(x, y)
	// se/σ_b = s/σ with s² ~ σ²χ²₍ₙ₋₂₎/(n−2): relative sd ≈ 1/√(2(n−2)) ≈ 5%,
	// so 20% is a 4-sd bound.
	want := sigma / math.Sqrt(sxx)
	if math.Abs(se/want-1) > 0.2 {
		t.Errorf("Slope se = %v; theoretical %v", se, want)
	}
	if math.Abs(b-2) > 4*se {
		t.Errorf("Slope b = %v; want 2 ± 4·%v", b, se)
	}
}

func TestLogLogSlopeExact(t *testing.T) {
	h := []float64{0.1, 0.05, 0.025, 0.0125}
	c := []float64{0.3, 1, 2.5, 0.7, 4, 1.1}
	errs := make([][]float64, len(h))
	for i, hi := range h {
		errs[i] = make([]float64, len(c))
		for p, cp := range c {
			errs[i][p] = cp * math.Pow(hi, 1.5)
		}
	}
	order, se := LogLogSlope(h, errs, 3)
	if !approx(order, 1.5, 1e-12) || !approx(se, 0, 1e-12) {
		t.Errorf("LogLogSlope exact = %v, %v; want 1.5, 0", order, se)
	}
}

func TestLogLogSlopeJackknifeBrute(t *testing.T) {
	rnd := newRand()
	h := []float64{0.2, 0.1, 0.05, 0.025, 0.0125}
	const np, g = 7, 3
	errs := make([][]float64, len(h))
	for i := range h {
		errs[i] = make([]float64, np)
		for p := range errs[i] {
			errs[i][p] = math.Sqrt(h[i]) * (0.5 + rnd.Float64())
		}
	}
	x := make([]float64, len(h))
	for i := range h {
		x[i] = math.Log(h[i])
	}
	fit := func(keep func(p int) bool) float64 {
		y := make([]float64, len(h))
		for i, row := range errs {
			var s, k float64
			for p, e := range row {
				if keep(p) {
					s += e
					k++
				}
			}
			y[i] = math.Log(s / k)
		}
		b, _, _ := Slope(x, y)
		return b
	}
	want := fit(func(int) bool { return true })
	// Contiguous groups of 7 paths into 3: {0,1}, {2,3}, {4,5,6}.
	bounds := []int{0, 2, 4, 7}
	bg := make([]float64, g)
	for k := range g {
		bg[k] = fit(func(p int) bool { return p < bounds[k] || p >= bounds[k+1] })
	}
	bm := stat.Mean(bg, nil)
	var ss float64
	for _, b := range bg {
		ss += (b - bm) * (b - bm)
	}
	wantSE := math.Sqrt(float64(g-1) / g * ss)

	order, se := LogLogSlope(h, errs, g)
	if !approx(order, want, 1e-12) || !approx(se, wantSE, 1e-12) {
		t.Errorf("LogLogSlope = %v, %v; brute force %v, %v", order, se, want, wantSE)
	}

	// groups <= 1 selects min(P, 20) groups.
	o1, se1 := LogLogSlope(h, errs, 0)
	o2, se2 := LogLogSlope(h, errs, np)
	if o1 != o2 || se1 != se2 {
		t.Errorf("LogLogSlope default groups = %v, %v; want %v, %v", o1, se1, o2, se2)
	}
}

// synthErrs fills errs[i][p] = h_i^0.5·|Z_p|·(1 + 0.1·U_ip) with Z standard
// normal shared across rows and U uniform on [−1, 1].
func synthErrs(rnd *rand.Rand, h []float64, errs [][]float64) {
	np := len(errs[0])
	for p := range np {
		z := math.Abs(rnd.NormFloat64())
		for i, hi := range h {
			errs[i][p] = math.Sqrt(hi) * z * (1 + 0.1*(2*rnd.Float64()-1))
		}
	}
}

func newErrs(rows, np int) [][]float64 {
	errs := make([][]float64, rows)
	for i := range errs {
		errs[i] = make([]float64, np)
	}
	return errs
}

func TestLogLogSlopeSynthetic(t *testing.T) {
	h := []float64{1.0 / 4, 1.0 / 8, 1.0 / 16, 1.0 / 32, 1.0 / 64, 1.0 / 128}
	rnd := newRand()
	errs := newErrs(len(h), 2000)
	synthErrs(rnd, h, errs)
	order, se := LogLogSlope(h, errs, 0)
	if !(se > 0) || math.Abs(order-0.5) > 4*se {
		t.Errorf("LogLogSlope = %v ± %v; want 0.5 within 4 se, se > 0", order, se)
	}
}

func TestLogLogSlopeCalibration(t *testing.T) {
	// The empirical sd of the order over reps = 100 replications has
	// relative sd ≈ 1/√(2·99) ≈ 7%. A G = 20 group jackknife se has
	// relative sd ≈ 1/√(2·19) ≈ 16% per replication, ≈ 2% for the mean of
	// 100. The log of their ratio thus has sd ≈ 0.075, and a factor 1.5
	// (|log 1.5| ≈ 0.41) is a > 5-sd bound.
	const reps, np = 100, 500
	h := []float64{1.0 / 4, 1.0 / 8, 1.0 / 16, 1.0 / 32, 1.0 / 64, 1.0 / 128}
	rnd := newRand()
	errs := newErrs(len(h), np)
	orders := make([]float64, reps)
	ses := make([]float64, reps)
	for k := range reps {
		synthErrs(rnd, h, errs)
		orders[k], ses[k] = LogLogSlope(h, errs, 20)
	}
	sd := stat.StdDev(orders, nil)
	mse := stat.Mean(ses, nil)
	t.Logf("sd %.4g, mean se %.4g, ratio %.3f", sd, mse, mse/sd)
	if ratio := mse / sd; ratio > 1.5 || ratio < 1/1.5 {
		t.Errorf("empirical sd of order %v, mean jackknife se %v (ratio %v)", sd, mse, ratio)
	}
	if m := stat.Mean(orders, nil); math.Abs(m-0.5) > 4*sd/math.Sqrt(reps) {
		t.Errorf("mean order %v; want 0.5", m)
	}
}

func TestLogLogSlopeMeansExact(t *testing.T) {
	// log h = 0, 1, 2: w = −1/2, 0, 1/2, and se_i/m_i = c gives se = c/√2.
	const c = 0.01
	h := []float64{1, math.E, math.E * math.E}
	means := make([]float64, len(h))
	ses := make([]float64, len(h))
	for i, hi := range h {
		means[i] = 3 * math.Sqrt(hi)
		ses[i] = c * means[i]
	}
	order, se := LogLogSlopeMeans(h, means, ses)
	if !approx(order, 0.5, 1e-12) || !approx(se, c/math.Sqrt2, 1e-12) {
		t.Errorf("LogLogSlopeMeans = %v, %v; want 0.5, %v", order, se, c/math.Sqrt2)
	}
	order, se = LogLogSlopeMeans(h, []float64{1, -1, 1}, ses)
	if !math.IsNaN(order) || !math.IsNaN(se) {
		t.Errorf("LogLogSlopeMeans negative mean = %v, %v; want NaN", order, se)
	}
}

func TestLogLogSlopeMeansCalibration(t *testing.T) {
	// Independent paths at each h; bound as in sdRelTol (200 replications).
	// The delta-method error is O((se_i/m_i)²) with se_i/m_i ≈ 0.76/√1000.
	const reps, np = 200, 1000
	h := []float64{1.0 / 4, 1.0 / 8, 1.0 / 16, 1.0 / 32, 1.0 / 64}
	rnd := newRand()
	row := make([]float64, np)
	means := make([]float64, len(h))
	ses := make([]float64, len(h))
	orders := make([]float64, reps)
	oses := make([]float64, reps)
	for k := range reps {
		for i, hi := range h {
			for p := range row {
				row[p] = math.Sqrt(hi) * math.Abs(rnd.NormFloat64())
			}
			means[i], ses[i] = MeanSE(row)
		}
		orders[k], oses[k] = LogLogSlopeMeans(h, means, ses)
	}
	sd := stat.StdDev(orders, nil)
	mse := stat.Mean(oses, nil)
	t.Logf("sd %.4g, mean se %.4g, ratio %.3f", sd, mse, mse/sd)
	if math.Abs(mse/sd-1) > sdRelTol {
		t.Errorf("empirical sd of order %v, mean delta-method se %v (ratio %v)", sd, mse, mse/sd)
	}
}

func TestLogLogSlopeSinglePath(t *testing.T) {
	order, se := LogLogSlope([]float64{0.1, 0.01}, [][]float64{{0.1}, {0.01}}, 0)
	if !approx(order, 1, 1e-12) || !math.IsNaN(se) {
		t.Errorf("LogLogSlope single path = %v, %v; want 1, NaN", order, se)
	}
}

func TestPanics(t *testing.T) {
	x3 := []float64{1, 2, 3}
	x2 := []float64{1, 2}
	h2 := []float64{0.1, 0.05}
	for _, tc := range []struct {
		name string
		f    func()
		msg  string
	}{
		{"MeanSE empty", func() { MeanSE(nil) }, "mcstat: MeanSE: empty input"},
		{"VarSE empty", func() { VarSE([]float64{}) }, "mcstat: VarSE: empty input"},
		{"CorrSE empty", func() { CorrSE(nil, nil) }, "mcstat: CorrSE: empty input"},
		{"CorrSE mismatch", func() { CorrSE(x3, x2) }, "mcstat: CorrSE: length mismatch"},
		{"KS empty", func() { KS(nil, NormalCDF) }, "mcstat: KS: empty input"},
		{"KS nil cdf", func() { KS(x3, nil) }, "mcstat: KS: nil cdf"},
		{"Slope empty", func() { Slope(nil, nil) }, "mcstat: Slope: empty input"},
		{"Slope mismatch", func() { Slope(x2, x3) }, "mcstat: Slope: length mismatch"},
		{"LogLogSlope empty", func() { LogLogSlope(nil, nil, 0) }, "mcstat: LogLogSlope: empty input"},
		{"LogLogSlope mismatch", func() { LogLogSlope(h2, [][]float64{x3}, 0) }, "mcstat: LogLogSlope: length mismatch"},
		{"LogLogSlope ragged", func() { LogLogSlope(h2, [][]float64{x3, x2}, 0) }, "different lengths"},
		{"LogLogSlope no paths", func() { LogLogSlope(h2, [][]float64{{}, {}}, 0) }, "no paths"},
		{"LogLogSlope groups", func() { LogLogSlope(h2, [][]float64{x3, x3}, 4) }, "more groups than paths"},
		{"LogLogSlopeMeans empty", func() { LogLogSlopeMeans(nil, nil, nil) }, "mcstat: LogLogSlopeMeans: empty input"},
		{"LogLogSlopeMeans means", func() { LogLogSlopeMeans(x3, x2, x3) }, "between h and means"},
		{"LogLogSlopeMeans ses", func() { LogLogSlopeMeans(x3, x3, x2) }, "between h and ses"},
	} {
		func() {
			defer func() {
				r := recover()
				s, ok := r.(string)
				if !ok || !strings.Contains(s, tc.msg) {
					t.Errorf("%s: panic %v; want message containing %q", tc.name, r, tc.msg)
				}
			}()
			tc.f()
		}()
	}
}

// TestLogLogSlopeAbs: signed errors whose mean is −0.5·h (weak order 1)
// plus unit-variance noise shared across rows (common random numbers) give
// an order within 4 SE of 1; negating every value changes nothing.
func TestLogLogSlopeAbs(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const paths = 4000
	h := []float64{0.125, 0.0625, 0.03125, 0.015625}
	vals := make([][]float64, len(h))
	neg := make([][]float64, len(h))
	z := make([]float64, paths)
	for p := range z {
		z[p] = rng.NormFloat64()
	}
	for i, hi := range h {
		vals[i] = make([]float64, paths)
		neg[i] = make([]float64, paths)
		for p := range paths {
			// The noise shrinks with h as a CRN difference does.
			vals[i][p] = -0.5*hi + hi*z[p]*0.5 + 0.02*hi*rng.NormFloat64()
			neg[i][p] = -vals[i][p]
		}
	}
	order, se := LogLogSlopeAbs(h, vals, 20)
	if math.Abs(order-1) > 4*se || !(se > 0) {
		t.Errorf("order %v ± %v, want 1", order, se)
	}
	o2, se2 := LogLogSlopeAbs(h, neg, 20)
	if o2 != order || se2 != se {
		t.Errorf("negated values: %v ± %v, want %v ± %v", o2, se2, order, se)
	}
}
