package quality

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// projectionStream is the second PCG word of the projection generator, so
// that a projection and a set of Directions drawn from the same seed differ.
const projectionStream = 0x70726f6a // "proj"

// Projection is a fixed d×p random projection P with orthonormal columns
// (PᵀP = I, p ≤ d), or the identity when the requested p is at least d.
// It maps a row x (d values) to Pᵀx (p values). Orthonormal columns keep
// the projected data on the same scale as the original one: Euclidean
// distances and covariances are those of the data seen in a p-dimensional
// subspace, and for a Haar-distributed subspace E‖Pᵀv‖² = (p/d)‖v‖².
//
// A Projection is immutable after NewProjection and safe for concurrent use.
type Projection struct {
	d, p int
	m    *mat.Dense // d×p, nil for the identity
}

// NewProjection returns the projection from d to p dimensions drawn from
// seed: a d×p matrix G of independent standard normals is factorised as
// G = QR (Householder QR, LAPACK dgeqrf via gonum's lapack64, the routine
// behind mat.QR), and P is the thin factor Q (d×p, built directly with
// dorgqr instead of mat.QR.QTo's full d×d Q) with column j multiplied by
// sign(R_jj). With that sign convention P is Haar-distributed on the
// Stiefel manifold (Mezzadri, Notices AMS 54 (2007) 592–604), i.e. its
// column span is a uniformly random p-dimensional subspace.
//
// If p ≥ d the projection is the identity and P() = d. NewProjection
// panics if d < 1 or p < 1.
func NewProjection(d, p int, seed uint64) *Projection {
	mustPositive("NewProjection", "d", d)
	mustPositive("NewProjection", "p", p)
	if p >= d {
		return &Projection{d: d, p: d}
	}
	rng := rand.New(rand.NewPCG(seed, projectionStream))
	a := blas64.General{Rows: d, Cols: p, Stride: p, Data: make([]float64, d*p)}
	for i := range a.Data {
		a.Data[i] = rng.NormFloat64()
	}
	tau := make([]float64, p)
	work := []float64{0}
	lapack64.Geqrf(a, tau, work, -1)
	work = make([]float64, int(work[0]))
	lapack64.Geqrf(a, tau, work, len(work))
	sign := make([]float64, p)
	for j := range p {
		sign[j] = 1
		if a.Data[j*p+j] < 0 {
			sign[j] = -1
		}
	}
	lapack64.Orgqr(a, tau, work, -1)
	if n := int(work[0]); n > len(work) {
		work = make([]float64, n)
	}
	lapack64.Orgqr(a, tau, work, len(work))
	for i := range d {
		row := a.Data[i*p : (i+1)*p]
		for j := range row {
			row[j] *= sign[j]
		}
	}
	return &Projection{d: d, p: p, m: mat.NewDense(d, p, a.Data)}
}

// D returns the input dimension d.
func (pr *Projection) D() int { return pr.d }

// P returns the output dimension p (d for the identity).
func (pr *Projection) P() int { return pr.p }

// Matrix returns a copy of P (d×p); the identity is returned explicitly.
func (pr *Projection) Matrix() *mat.Dense {
	if pr.m == nil {
		m := mat.NewDense(pr.d, pr.d, nil)
		for i := range pr.d {
			m.Set(i, i, 1)
		}
		return m
	}
	return mat.DenseCopyOf(pr.m)
}

// Apply projects the n rows of x (d values each, row-major) into dst (n
// rows of p values): dst_i = Pᵀx_i, i.e. dst = X·P as an n×p matrix. Only
// the first n·d values of x and n·p values of dst are used. Apply panics
// if n < 0 or a slice is too short.
func (pr *Projection) Apply(dst, x []float64, n int) {
	if n < 0 {
		panic(fmt.Sprintf("quality: Projection.Apply: n = %d", n))
	}
	if len(x) < n*pr.d || len(dst) < n*pr.p {
		panic(fmt.Sprintf("quality: Projection.Apply: len(x) = %d, len(dst) = %d, want ≥ %d, ≥ %d",
			len(x), len(dst), n*pr.d, n*pr.p))
	}
	if n == 0 {
		return
	}
	if pr.m == nil {
		copy(dst[:n*pr.p], x[:n*pr.d])
		return
	}
	xm := mat.NewDense(n, pr.d, x[:n*pr.d])
	out := mat.NewDense(n, pr.p, dst[:n*pr.p])
	out.Mul(xm, pr.m)
}

// Moments returns the moments of the projected distribution, the mean Pᵀm
// and the covariance PᵀCP (symmetrised as ½(A + Aᵀ) against rounding),
// for a distribution with mean m (d values) and covariance C (d×d).
// Moments panics on mismatched dimensions.
func (pr *Projection) Moments(mean []float64, cov *mat.SymDense) (pmean []float64, pcov *mat.SymDense) {
	mustLen("Projection.Moments", "mean", len(mean), pr.d)
	if cov.SymmetricDim() != pr.d {
		panic(fmt.Sprintf("quality: Projection.Moments: cov is %d×%d, want %d×%d",
			cov.SymmetricDim(), cov.SymmetricDim(), pr.d, pr.d))
	}
	if pr.m == nil {
		pcov = mat.NewSymDense(pr.d, nil)
		pcov.CopySym(cov)
		return append([]float64(nil), mean...), pcov
	}
	pmean = make([]float64, pr.p)
	mat.NewVecDense(pr.p, pmean).MulVec(pr.m.T(), mat.NewVecDense(pr.d, mean))
	var cp, pcp mat.Dense
	cp.Mul(cov, pr.m)
	pcp.Mul(pr.m.T(), &cp)
	pcov = mat.NewSymDense(pr.p, nil)
	for i := range pr.p {
		for j := i; j < pr.p; j++ {
			pcov.SetSym(i, j, 0.5*(pcp.At(i, j)+pcp.At(j, i)))
		}
	}
	return pmean, pcov
}
