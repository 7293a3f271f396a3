package mcstat

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// MeanSE returns the sample mean of x and its standard error s/√n, where s
// is the sample standard deviation with n-1 degrees of freedom.
// MeanSE panics if x is empty; se is NaN if len(x) < 2.
func MeanSE(x []float64) (mean, se float64) {
	mustNonEmpty("MeanSE", len(x))
	n := len(x)
	if n < 2 {
		return x[0], math.NaN()
	}
	mean, s := stat.MeanStdDev(x, nil)
	return mean, s / math.Sqrt(float64(n))
}

// VarSE returns the unbiased sample variance s² of x and a standard error
// for it estimated from the data,
//
//	se = √((m₄ − s⁴(n−3)/(n−1))/n),
//
// where m₄ = Σ(xᵢ−x̄)⁴/n is the fourth central sample moment. This is the
// plug-in version of the exact sampling variance of the unbiased variance
//
//	Var(s²) = (μ₄ − σ⁴(n−3)/(n−1))/n
//
// (Kenney & Keeping, Mathematics of Statistics, Part II, 1951, §7.7;
// Cramér, Mathematical Methods of Statistics, 1946, §27.4), which does not
// assume normality; for normal data it reduces to 2σ⁴/(n−1).
// The radicand is never negative since m₄ ≥ m₂² ≥ s⁴(n−3)/(n−1).
// VarSE panics if x is empty; v and se are NaN if len(x) < 2.
func VarSE(x []float64) (v, se float64) {
	mustNonEmpty("VarSE", len(x))
	n := len(x)
	if n < 2 {
		return math.NaN(), math.NaN()
	}
	mean, v := stat.MeanVariance(x, nil)
	var m4 float64
	for _, xi := range x {
		d := xi - mean
		d *= d
		m4 += d * d
	}
	fn := float64(n)
	m4 /= fn
	return v, math.Sqrt((m4 - v*v*(fn-3)/(fn-1)) / fn)
}

// CorrSE returns Pearson's sample correlation coefficient r of x and y and
// its standard error
//
//	se = (1 − r²)/√(n−3).
//
// The formula follows from Fisher's z-transform, z = atanh(r), whose
// standard error is 1/√(n−3) for bivariate normal data (Fisher, 1921), mapped
// back to r by the delta method (dr/dz = 1 − r²). It agrees with the
// large-sample standard error (1 − ρ²)/√n to first order. For non-normal
// data the true sampling variance of r depends on fourth moments and may
// differ from this value.
// CorrSE panics if x is empty or len(x) != len(y); r is NaN if len(x) < 2
// and se is NaN if len(x) < 4.
func CorrSE(x, y []float64) (r, se float64) {
	mustNonEmpty("CorrSE", len(x))
	mustSameLen("CorrSE", "x", "y", len(x), len(y))
	n := len(x)
	if n < 2 {
		return math.NaN(), math.NaN()
	}
	r = stat.Correlation(x, y, nil)
	if n < 4 {
		return r, math.NaN()
	}
	return r, (1 - r*r) / math.Sqrt(float64(n-3))
}

// DiffSE returns the difference d = a − b of two independent estimates a and
// b with standard errors seA and seB, and its standard error
// se = √(seA² + seB²).
func DiffSE(a, seA, b, seB float64) (d, se float64) {
	return a - b, math.Hypot(seA, seB)
}

// KS performs the one-sample Kolmogorov–Smirnov test of the sample x against
// the continuous cumulative distribution function cdf. It returns the
// statistic
//
//	D = sup_t |Fₙ(t) − F(t)| = max_i max(i/n − F(x₍ᵢ₎), F(x₍ᵢ₎) − (i−1)/n)
//
// and the asymptotic p-value with Stephens' small-sample correction
// (Stephens, J. R. Stat. Soc. B 32 (1970) 115–122; Numerical Recipes, 3rd
// ed., §14.3.3)
//
//	p = Q_KS((√n + 0.12 + 0.11/√n)·D),  Q_KS(λ) = 2 Σ_{j≥1} (−1)^{j−1} exp(−2j²λ²).
//
// x is not modified. KS panics if x is empty or cdf is nil.
func KS(x []float64, cdf func(float64) float64) (d, p float64) {
	mustNonEmpty("KS", len(x))
	if cdf == nil {
		panic("mcstat: KS: nil cdf")
	}
	xs := make([]float64, len(x))
	copy(xs, x)
	sort.Float64s(xs)
	n := float64(len(xs))
	for i, xi := range xs {
		f := cdf(xi)
		lo := float64(i) / n
		hi := float64(i+1) / n
		if math.IsNaN(f) {
			return math.NaN(), math.NaN()
		}
		d = max(d, hi-f, f-lo)
	}
	sn := math.Sqrt(n)
	return d, qKS((sn + 0.12 + 0.11/sn) * d)
}

// qKS returns the Kolmogorov survival function
//
//	Q_KS(λ) = 2 Σ_{j≥1} (−1)^{j−1} exp(−2j²λ²) = 1 − P_KS(λ).
//
// The alternating series converges slowly for small λ, so there the
// equivalent Jacobi theta-function form of the distribution function is used
// (Numerical Recipes, 3rd ed., §6.14.12):
//
//	P_KS(λ) = (√(2π)/λ) Σ_{j≥1} exp(−(2j−1)²π²/(8λ²)).
func qKS(lambda float64) float64 {
	switch {
	case math.IsNaN(lambda):
		return math.NaN()
	case lambda <= 0:
		return 1
	case lambda < 1.18:
		// Four terms give full double precision for λ < 1.18.
		y := -math.Pi * math.Pi / (8 * lambda * lambda)
		var s float64
		for j := 1; j <= 4; j++ {
			k := float64(2*j - 1)
			s += math.Exp(k * k * y)
		}
		return 1 - math.Sqrt(2*math.Pi)/lambda*s
	default:
		// For λ ≥ 1.18, exp(−2j²λ²) < 1e-30 for j ≥ 5.
		var s float64
		sign := 1.0
		for j := 1; j <= 4; j++ {
			fj := float64(j)
			s += sign * math.Exp(-2*fj*fj*lambda*lambda)
			sign = -sign
		}
		return 2 * s
	}
}

// NormalCDF returns the standard normal cumulative distribution function
// Φ(x). It is a convenience for use with KS.
func NormalCDF(x float64) float64 {
	return distuv.UnitNormal.CDF(x)
}

// Slope fits y = a + b·x by ordinary least squares and returns the slope b,
// the intercept a and the classical standard error of b,
//
//	se = √(SSR/(n−2)/Sxx),  SSR = Σ(yᵢ − a − b·xᵢ)²,  Sxx = Σ(xᵢ − x̄)²,
//
// which assumes independent, homoscedastic errors (e.g. Draper & Smith,
// Applied Regression Analysis, 3rd ed., §1.4).
// Slope panics if x is empty or len(x) != len(y). b and a are NaN if all x
// are equal (Sxx = 0, including n = 1); se is NaN if n < 3.
func Slope(x, y []float64) (b, a, se float64) {
	mustNonEmpty("Slope", len(x))
	mustSameLen("Slope", "x", "y", len(x), len(y))
	b, a, se, _ = slope(x, y)
	return b, a, se
}

// slope implements Slope and additionally returns Sxx.
func slope(x, y []float64) (b, a, se, sxx float64) {
	n := len(x)
	xm := stat.Mean(x, nil)
	ym := stat.Mean(y, nil)
	var sxy float64
	for i, xi := range x {
		dx := xi - xm
		sxx += dx * dx
		sxy += dx * (y[i] - ym)
	}
	if sxx == 0 {
		return math.NaN(), math.NaN(), math.NaN(), sxx
	}
	b = sxy / sxx
	a = ym - b*xm
	if n < 3 {
		return b, a, math.NaN(), sxx
	}
	var ssr float64
	for i, xi := range x {
		r := y[i] - a - b*xi
		ssr += r * r
	}
	return b, a, math.Sqrt(ssr / float64(n-2) / sxx), sxx
}

// LogLogSlope estimates a convergence order from per-path errors.
// errs[i][p] is the error of path p at step size h[i]; all rows must have
// the same number of paths P, and the same paths are used at every step size,
// so the rows are correlated. The order is the least-squares slope of
// log(mean_p errs[i][p]) against log(h[i]).
//
// The standard error is a grouped (delete-one-group) jackknife over G
// contiguous groups of paths (Efron & Tibshirani, An Introduction to the
// Bootstrap, 1993, §11.5; Shao & Tu, The Jackknife and Bootstrap, 1995,
// §2.1): with b₍g₎ the order recomputed without the paths of group g and
// b₍.₎ their average,
//
//	se = √((G−1)/G · Σ_g (b₍g₎ − b₍.₎)²).
//
// Refitting the whole curve per group captures both the path-to-path
// spread and the correlation between rows. G = groups if groups > 1,
// otherwise G = min(P, 20). Groups have sizes ⌊P/G⌋ or ⌈P/G⌉.
//
// LogLogSlope panics if h or errs is empty, len(h) != len(errs), the rows
// have different or zero lengths, or groups > P. order is NaN if a mean error
// is not positive or all h are equal; se is NaN if G < 2.
func LogLogSlope(h []float64, errs [][]float64, groups int) (order, se float64) {
	return logLogSlope("LogLogSlope", h, errs, groups, false)
}

// LogLogSlopeAbs is LogLogSlope for signed values, as weak errors measured
// with common random numbers are: vals[i][p] is path p's signed error at
// step h[i], the error at h[i] is |mean_p vals[i][p]|, and the order is the
// least-squares slope of its log against log h, with the same grouped
// jackknife SE. An error whose mean changes sign between groups makes the
// slope meaningless; the SE then shows it.
func LogLogSlopeAbs(h []float64, vals [][]float64, groups int) (order, se float64) {
	return logLogSlope("LogLogSlopeAbs", h, vals, groups, true)
}

func logLogSlope(fn string, h []float64, errs [][]float64, groups int, abs bool) (order, se float64) {
	mustNonEmpty(fn, len(h))
	mustSameLen(fn, "h", "errs", len(h), len(errs))
	np := len(errs[0])
	if np == 0 {
		panic("mcstat: " + fn + ": no paths")
	}
	for _, row := range errs[1:] {
		if len(row) != np {
			panic("mcstat: " + fn + ": rows of errs have different lengths")
		}
	}
	if groups > np {
		panic("mcstat: " + fn + ": more groups than paths")
	}
	logMean := func(sum, count float64) float64 {
		if abs {
			return math.Log(math.Abs(sum / count))
		}
		return math.Log(sum / count)
	}
	g := groups
	if g <= 1 {
		g = min(np, 20)
	}

	m := len(h)
	x := make([]float64, m)
	for i, hi := range h {
		x[i] = math.Log(hi)
	}

	// sums[i*g+k] is the sum of row i over the paths of group k.
	sums := make([]float64, m*g)
	total := make([]float64, m)
	for i, row := range errs {
		for k := range g {
			s := floats.Sum(row[k*np/g : (k+1)*np/g])
			sums[i*g+k] = s
			total[i] += s
		}
	}

	y := make([]float64, m)
	for i := range y {
		y[i] = logMean(total[i], float64(np))
	}
	order, _, _, _ = slope(x, y)
	if g < 2 {
		return order, math.NaN()
	}

	bg := make([]float64, g)
	for k := range g {
		size := float64(np - ((k+1)*np/g - k*np/g))
		for i := range y {
			y[i] = logMean(total[i]-sums[i*g+k], size)
		}
		bg[k], _, _, _ = slope(x, y)
	}
	bm := stat.Mean(bg, nil)
	var ss float64
	for _, b := range bg {
		ss += (b - bm) * (b - bm)
	}
	fg := float64(g)
	return order, math.Sqrt((fg - 1) / fg * ss)
}

// LogLogSlopeMeans estimates a convergence order from already averaged
// errors means[i] at step sizes h[i], with standard errors ses[i], treating
// the rows as independent. The order is the least-squares slope b of
// yᵢ = log(means[i]) against xᵢ = log(h[i]). Since b = Σ wᵢyᵢ with
// wᵢ = (xᵢ − x̄)/Sxx, the delta method Var(log mᵢ) ≈ (seᵢ/mᵢ)² gives
//
//	se = √(Σ wᵢ² (seᵢ/mᵢ)²).
//
// LogLogSlopeMeans panics if h is empty or the slice lengths differ. order
// and se are NaN if a mean is not positive or all h are equal.
func LogLogSlopeMeans(h, means, ses []float64) (order, se float64) {
	mustNonEmpty("LogLogSlopeMeans", len(h))
	mustSameLen("LogLogSlopeMeans", "h", "means", len(h), len(means))
	mustSameLen("LogLogSlopeMeans", "h", "ses", len(h), len(ses))
	x := make([]float64, len(h))
	y := make([]float64, len(h))
	for i := range h {
		x[i] = math.Log(h[i])
		y[i] = math.Log(means[i])
	}
	order, _, _, sxx := slope(x, y)
	if math.IsNaN(order) {
		return math.NaN(), math.NaN()
	}
	xm := stat.Mean(x, nil)
	var v float64
	for i, xi := range x {
		w := (xi - xm) / sxx
		r := ses[i] / means[i]
		v += w * w * r * r
	}
	return order, math.Sqrt(v)
}

func mustNonEmpty(fn string, n int) {
	if n == 0 {
		panic("mcstat: " + fn + ": empty input")
	}
}

func mustSameLen(fn, a, b string, na, nb int) {
	if na != nb {
		panic("mcstat: " + fn + ": length mismatch between " + a + " and " + b)
	}
}
