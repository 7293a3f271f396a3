package quality

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Frechet returns the Fréchet distance between the Gaussians N(m1, C1) and
// N(m2, C2), which is their squared 2-Wasserstein distance (Dowson &
// Landau, J. Multivariate Anal. 12 (1982) 450–455; Olkin & Pukelsheim,
// Linear Algebra Appl. 48 (1982) 257–263) and the quantity behind FID
// (Heusel et al., NeurIPS 2017):
//
//	FD = ‖m1 − m2‖² + Tr(C1 + C2 − 2(C1^{1/2} C2 C1^{1/2})^{1/2}).
//
// It is computed with symmetric eigendecompositions (mat.EigenSym): with
// C1 = V diag(λ) Vᵀ, the matrix C1^{1/2} C2 C1^{1/2} is similar to
// M = diag(√λ) (Vᵀ C2 V) diag(√λ), so the trace of its square root is
// Σ √μ over the eigenvalues μ of M. Tiny negative eigenvalues λ and μ
// (rounding in positive semi-definite matrices) are clamped to 0, and so
// is the result, which is ≥ 0 in exact arithmetic. The value is squared
// data units; FD is symmetric in its two arguments. Frechet returns NaN if
// an eigendecomposition fails (e.g. NaN input) and panics on mismatched
// dimensions.
func Frechet(m1 []float64, c1 *mat.SymDense, m2 []float64, c2 *mat.SymDense) float64 {
	p := len(m1)
	mustPositive("Frechet", "len(m1)", p)
	mustLen("Frechet", "m2", len(m2), p)
	mustSymDim("Frechet", "c1", c1, p)
	mustSymDim("Frechet", "c2", c2, p)
	g, ok := newGaussRef(m1, c1)
	if !ok {
		return math.NaN()
	}
	return g.dist(m2, c2)
}

// gaussRef is one Gaussian of a Fréchet distance with its covariance
// factorised once, C = V diag(s²) Vᵀ, so that distances from several
// others (jackknife replicates) cost one eigenvalue computation each.
type gaussRef struct {
	mean  []float64
	trace float64
	v     *mat.Dense // eigenvectors (columns)
	s     []float64  // √max(λ, 0)
	// scratch
	tmp, b mat.Dense
	m      *mat.SymDense
	es     mat.EigenSym
}

func newGaussRef(mean []float64, cov *mat.SymDense) (*gaussRef, bool) {
	p := len(mean)
	var es mat.EigenSym
	if !es.Factorize(cov, true) {
		return nil, false
	}
	g := &gaussRef{mean: mean, trace: mat.Trace(cov), v: &mat.Dense{}, m: mat.NewSymDense(p, nil)}
	es.VectorsTo(g.v)
	g.s = es.Values(nil)
	for i, l := range g.s {
		g.s[i] = math.Sqrt(max(l, 0))
	}
	return g, true
}

// dist returns the Fréchet distance between the receiver and N(mean, cov).
func (g *gaussRef) dist(mean []float64, cov *mat.SymDense) float64 {
	var fd float64
	for i, m := range mean {
		d := m - g.mean[i]
		fd += d * d
	}
	g.tmp.Reset()
	g.b.Reset()
	g.tmp.Mul(cov, g.v)
	g.b.Mul(g.v.T(), &g.tmp)
	p := len(mean)
	for i := range p {
		for j := i; j < p; j++ {
			g.m.SetSym(i, j, g.s[i]*g.s[j]*0.5*(g.b.At(i, j)+g.b.At(j, i)))
		}
	}
	if !g.es.Factorize(g.m, false) {
		return math.NaN()
	}
	var tr float64
	for _, mu := range g.es.RawValues() {
		tr += math.Sqrt(max(mu, 0))
	}
	fd += g.trace + mat.Trace(cov) - 2*tr
	if math.IsNaN(fd) {
		return fd
	}
	return max(fd, 0)
}

// MomentsOf returns the sample mean and the unbiased sample covariance
// (divisor n−1) of the n rows of x (p values each, row-major). The
// cross-products are accumulated about the sample mean (two passes), which
// avoids the cancellation of the one-pass formula. MomentsOf panics if n or
// p is not positive or len(x) != n·p; the covariance is NaN if n = 1.
func MomentsOf(x []float64, n, p int) (mean []float64, cov *mat.SymDense) {
	mustShape("MomentsOf", "x", len(x), n, p)
	return newGroupMoments(x, n, p, 1).moments(-1)
}

// FrechetToMoments returns the Fréchet distance (see Frechet) between the
// Gaussian with the sample moments of x (n rows of p values, typically
// already projected with Projection.Apply) and the exact reference moments
// refMean, refCov (typically from Projection.Moments), and its grouped
// jackknife SE over G = min(20, n) contiguous groups of rows (see the
// package documentation). The reference is fixed, so the SE is the
// sampling error of the sample moments alone.
//
// Noise floor. Even a perfect sample gives FD > 0: for Gaussian data with
// covariance C = U diag(λ) Uᵀ, expanding FD to second order in the errors
// of the sample moments (the Bures–Wasserstein metric at C is
// ½ Σ_ij Δ_ij²/(λ_i+λ_j) in the eigenbasis, and Var(Ĉ_ij) =
// λ_iλ_j(1+δ_ij)/(n−1) there) gives
//
//	E[FD] ≈ Tr(C)/n + Σ_ij λ_iλ_j(1+δ_ij) / (2(n−1)(λ_i+λ_j)) ≤ (p+5)·Tr(C)/(4(n−1)),
//
// using λ_iλ_j/(λ_i+λ_j) ≤ (λ_i+λ_j)/4. The terms are independent multiples
// of χ²₁ variables to the same order, so FD's standard deviation there is
//
//	SD[FD] ≈ √(2Σ_i λ_i²/n² + Σ_i λ_i²/(2(n−1)²) + 2Σ_{i<j} (λ_iλ_j/((n−1)(λ_i+λ_j)))²),
//
// about 2/p of the floor for similar λ. The jackknife SE is calibrated when
// the true distance dominates this floor (the first-order term
// 2(m̂−m)ᵀ(m−m_ref) + … is then non-zero). At the floor FD is a quadratic
// form in the moment errors and the SE only indicates the size of the
// noise: in simulations (n = 2000, p = 8 and n = 20000, p = 64) it
// overstated the spread of FD by a factor ≈ 1.4.
//
// FrechetToMoments panics if n or p is not positive or a length does not
// match; se is NaN if n < 3.
func FrechetToMoments(x []float64, n, p int, refMean []float64, refCov *mat.SymDense) (fd, se float64) {
	mustShape("FrechetToMoments", "x", len(x), n, p)
	mustLen("FrechetToMoments", "refMean", len(refMean), p)
	mustSymDim("FrechetToMoments", "refCov", refCov, p)
	ref, ok := newGaussRef(refMean, refCov)
	if !ok {
		return math.NaN(), math.NaN()
	}
	g := min(frechetGroups, n)
	gm := newGroupMoments(x, n, p, g)
	m, c := gm.moments(-1)
	fd = ref.dist(m, c)
	if n < 3 {
		return fd, math.NaN()
	}
	reps := make([]float64, g)
	for k := range g {
		m, c := gm.moments(k)
		reps[k] = ref.dist(m, c)
	}
	return fd, jackknifeSE(reps)
}

// FrechetSamples returns the Fréchet distance (see Frechet) between the
// Gaussians with the sample moments of x (nx rows of p values) and of y
// (ny rows), and its grouped jackknife SE over G = min(20, nx, ny) groups:
// replicate g deletes group g of x (rows ⌊g·nx/G⌋ to ⌊(g+1)·nx/G⌋) and
// group g of y together. For independent samples the G pairs of groups
// are independent units, so this one jackknife covers the sampling error of
// both samples. Both samples carry the noise floor of FrechetToMoments.
//
// FrechetSamples panics if a size is not positive or a length does not
// match; se is NaN if min(nx, ny) < 3.
func FrechetSamples(x []float64, nx int, y []float64, ny int, p int) (fd, se float64) {
	mustShape("FrechetSamples", "x", len(x), nx, p)
	mustShape("FrechetSamples", "y", len(y), ny, p)
	g := min(frechetGroups, nx, ny)
	gx := newGroupMoments(x, nx, p, g)
	gy := newGroupMoments(y, ny, p, g)
	dist := func(k int) float64 {
		mx, cx := gx.moments(k)
		my, cy := gy.moments(k)
		ref, ok := newGaussRef(mx, cx)
		if !ok {
			return math.NaN()
		}
		return ref.dist(my, cy)
	}
	fd = dist(-1)
	if min(nx, ny) < 3 {
		return fd, math.NaN()
	}
	reps := make([]float64, g)
	for k := range g {
		reps[k] = dist(k)
	}
	return fd, jackknifeSE(reps)
}

// groupMoments holds, for G contiguous groups of the rows of an n×p
// sample, the sums and cross-products of the rows centred at the overall
// mean c:
//
//	S_g = Σ_{i∈g} (x_i − c),  Q_g = Σ_{i∈g} (x_i − c)(x_i − c)ᵀ,
//
// from which the moments of the sample without group g follow in O(p²):
// with m = n − n_g and δ = (S − S_g)/m,
//
//	mean = c + δ,  cov = (Q − Q_g − m·δδᵀ)/(m − 1).
//
// Centring at the overall mean keeps δ small, so the update does not lose
// precision to cancellation.
type groupMoments struct {
	n, p   int
	center []float64
	ng     []int
	sum    [][]float64
	sscp   []*mat.SymDense
	tsum   []float64
	tsscp  *mat.SymDense
}

func newGroupMoments(x []float64, n, p, g int) *groupMoments {
	gm := &groupMoments{
		n: n, p: p,
		center: make([]float64, p),
		ng:     make([]int, g),
		sum:    make([][]float64, g),
		sscp:   make([]*mat.SymDense, g),
		tsum:   make([]float64, p),
		tsscp:  mat.NewSymDense(p, nil),
	}
	for i := range n {
		for j, v := range x[i*p : (i+1)*p] {
			gm.center[j] += v
		}
	}
	for j := range gm.center {
		gm.center[j] /= float64(n)
	}
	scratch := make([]float64, (n/g+1)*p)
	for k := range g {
		lo, hi := groupBounds(k, n, g)
		rows := hi - lo
		gm.ng[k] = rows
		s := make([]float64, p)
		xc := scratch[:rows*p]
		for i := range rows {
			src := x[(lo+i)*p : (lo+i+1)*p]
			dst := xc[i*p : (i+1)*p]
			for j, v := range src {
				d := v - gm.center[j]
				dst[j] = d
				s[j] += d
			}
		}
		for j := range s {
			gm.tsum[j] += s[j]
		}
		gm.sum[k] = s
		q := mat.NewSymDense(p, nil)
		if rows > 0 {
			q.SymOuterK(1, mat.NewDense(rows, p, xc).T())
		}
		gm.sscp[k] = q
		gm.tsscp.AddSym(gm.tsscp, q)
	}
	return gm
}

// moments returns the mean and unbiased covariance of the sample without
// group skip, or of the whole sample if skip < 0.
func (gm *groupMoments) moments(skip int) (mean []float64, cov *mat.SymDense) {
	p := gm.p
	m := gm.n
	cov = mat.NewSymDense(p, nil)
	cov.CopySym(gm.tsscp)
	delta := append([]float64(nil), gm.tsum...)
	if skip >= 0 {
		m -= gm.ng[skip]
		for j, v := range gm.sum[skip] {
			delta[j] -= v
		}
	}
	fm := float64(m)
	for j := range delta {
		delta[j] /= fm
	}
	raw := cov.RawSymmetric()
	var q []float64
	if skip >= 0 {
		q = gm.sscp[skip].RawSymmetric().Data
	}
	for i := range p {
		for j := i; j < p; j++ {
			idx := i*raw.Stride + j
			v := raw.Data[idx]
			if q != nil {
				v -= q[i*p+j]
			}
			raw.Data[idx] = (v - fm*delta[i]*delta[j]) / (fm - 1)
		}
	}
	mean = make([]float64, p)
	for j := range mean {
		mean[j] = gm.center[j] + delta[j]
	}
	return mean, cov
}

func mustSymDim(fn, name string, c *mat.SymDense, p int) {
	if c == nil {
		panic(fmt.Sprintf("quality: %s: %s is nil", fn, name))
	}
	if c.SymmetricDim() != p {
		panic(fmt.Sprintf("quality: %s: %s is %d×%d, want %d×%d", fn, name, c.SymmetricDim(), c.SymmetricDim(), p, p))
	}
}

func mustShape(fn, name string, l, n, p int) {
	mustPositive(fn, "rows of "+name, n)
	mustPositive(fn, "columns of "+name, p)
	mustLen(fn, name, l, n*p)
}
