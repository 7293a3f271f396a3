// Package bench measures diffusion samplers against the exact answer: an
// Evaluator scores samples against the exact p_ε of a Gaussian-mixture data
// set, and Run reproduces the comparison of Jolicoeur-Martineau et al.
// (2021, Table 1) on such benchmarks.
package bench

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/gofast-sde/gofast/diffusion"
	"github.com/gofast-sde/gofast/diffusion/quality"
	"github.com/gofast-sde/gofast/sdeint"
	"gonum.org/v1/gonum/mat"
)

// Metrics are the quality of a sample against the exact p_ε, each with its
// standard error; lower is better for all four (Dispersion: closer to 0).
type Metrics struct {
	// FD is the Fréchet distance to p_ε in a fixed random projection to 64
	// dimensions (the identity in 2-D): the FID analogue.
	FD, FDSE float64
	// SW2 is the sliced Wasserstein-2 distance to a fresh exact sample of
	// the same size, over 64 fixed directions in the projected space.
	SW2, SW2SE float64
	// ModeTV is the total variation between the sample's and the
	// reference's most-likely-component frequencies.
	ModeTV, ModeTVSE float64
	// Dispersion is the mean log ratio of within-component variances,
	// sample to reference (in the projected coordinates): > 0 means too
	// spread out. It exposes the redraw bias.
	Dispersion, DispersionSE float64
}

// Evaluator scores samples of size N against a data set's exact p_ε (or,
// with Denoise, against exact p_ε samples passed through the same Tweedie
// denoiser). All metrics are computed in data units ([0, 1]) in a fixed
// projection to at most 64 dimensions; labels are the most likely
// component under p_ε.
type Evaluator struct {
	SDE     diffusion.SDE
	Exact   *diffusion.Exact
	N       int
	Denoise bool
	Workers int

	proj    *quality.Projection
	dirs    []float64
	refMean []float64
	refCov  *mat.SymDense
	ref     []float64 // reference sample, projected: RefN × p
	refLab  []int
	fresh   []float64 // fresh exact sample of size N, projected, for SW2
	RefN    int
	floor   Metrics
}

// Projected dimension and number of slicing directions.
const (
	projDim   = 64
	sliceDirs = 64
)

// Seeds of the evaluator's own exact samples, apart from any sampler's.
const (
	seedRef   = 0x5eed0001
	seedFresh = 0x5eed0002
	seedFloor = 0x5eed0003
)

// maxBenchMemory bounds the memory of one benchmark run: the evaluator's
// exact samples and a sampler's result.
const maxBenchMemory = 4 << 30

// checkMemory refuses a benchmark of n samples of dimension d whose
// reference sample (10·n rows, projected) and sampler results would take
// more than maxBenchMemory, instead of dying out of memory.
func checkMemory(n, d int) error {
	p := float64(min(d, projDim))
	ref := float64(max(10*n, 20000))
	need := (ref+2*float64(n))*(p+1)*8 + 2*float64(n)*float64(d)*8
	if need > maxBenchMemory {
		return fmt.Errorf("bench: n = %d samples of dimension %d need about %.3g GiB (a reference sample of %.3g rows and the sampler's results), above %d GiB: use a smaller n", n, d, need/(1<<30), ref, maxBenchMemory>>30)
	}
	return nil
}

// NewEvaluator prepares the reference: a projection, slicing directions, the
// exact projected moments of p_ε, a reference exact sample of 10·N (at
// least 20000) rows and a fresh exact sample of N rows, and the noise floor:
// the metrics of yet another exact sample of size N.
func NewEvaluator(sde diffusion.SDE, exact *diffusion.Exact, n int, denoise bool, workers int) *Evaluator {
	d := exact.Mix.Dim
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ev := &Evaluator{SDE: sde, Exact: exact, N: n, Denoise: denoise, Workers: workers}
	ev.proj = quality.NewProjection(d, projDim, 64)
	p := ev.proj.P()
	ev.dirs = quality.Directions(p, sliceDirs, 65)
	ev.refMean, ev.refCov = ev.exactMoments()
	ev.RefN = max(10*n, 20000)
	ev.ref, ev.refLab = ev.exactSample(ev.RefN, seedRef)
	ev.fresh, _ = ev.exactSample(n, seedFresh)
	x, lab := ev.exactSample(n, seedFloor)
	ev.floor = ev.metrics(x, lab)
	return ev
}

// Floor returns the metrics of an exact sample of size N: the noise floor
// that no sampler can beat on average.
func (ev *Evaluator) Floor() Metrics { return ev.floor }

// Evaluate scores n rows of samples in model units (as diffusion.Result's
// Model holds them).
func (ev *Evaluator) Evaluate(model []float64, n int) Metrics {
	x, lab := ev.prepare(model, n)
	return ev.metrics(x, lab)
}

func (ev *Evaluator) metrics(x []float64, lab []int) Metrics {
	p, n := ev.proj.P(), len(lab)
	var m Metrics
	if ev.Denoise {
		m.FD, m.FDSE = quality.FrechetSamples(x, n, ev.ref, ev.RefN, p)
	} else {
		m.FD, m.FDSE = quality.FrechetToMoments(x, n, p, ev.refMean, ev.refCov)
	}
	m.SW2, m.SW2SE = quality.SlicedW2(x, n, ev.fresh, ev.N, p, ev.dirs)
	K := ev.Exact.Mix.K()
	m.ModeTV, m.ModeTVSE = quality.ModeTV(lab, ev.refLab, K)
	m.Dispersion, m.DispersionSE = quality.Dispersion(x, lab, ev.ref, ev.refLab, p, K)
	return m
}

// exactSample draws n exact p_ε samples (denoised if the evaluator
// denoises) and returns them projected, in data units, with their labels.
func (ev *Evaluator) exactSample(n int, seed uint64) ([]float64, []int) {
	d := ev.Exact.Mix.Dim
	const chunk = 1024
	p := ev.proj.P()
	x, lab := make([]float64, n*p), make([]int, n)
	ev.parallel(n, chunk, func(worker, lo, hi int) {
		model := make([]float64, (hi-lo)*d)
		ev.Exact.SampleExact(model, hi-lo, ev.SDE.Eps, seed, lo)
		if ev.Denoise {
			// One goroutine per worker index: the score's scratch is per
			// worker, so Denoise must see this goroutine's index.
			_ = diffusion.Denoise(ev.SDE, workerScore{ev.Exact, worker}, model, d, 1)
		}
		ev.project(x[lo*p:hi*p], lab[lo:hi], model, hi-lo)
	})
	return x, lab
}

// prepare labels and projects n rows of model-unit samples.
func (ev *Evaluator) prepare(model []float64, n int) ([]float64, []int) {
	d, p := ev.Exact.Mix.Dim, ev.proj.P()
	x, lab := make([]float64, n*p), make([]int, n)
	ev.parallel(n, 1024, func(_, lo, hi int) {
		ev.project(x[lo*p:hi*p], lab[lo:hi], model[lo*d:hi*d], hi-lo)
	})
	return x, lab
}

// project labels rows of model (model units) under p_ε, converts them to
// data units and projects them into dst.
func (ev *Evaluator) project(dst []float64, lab []int, model []float64, n int) {
	ev.Exact.Assign(lab, model, ev.SDE.Eps)
	data := make([]float64, len(model))
	for i, y := range model {
		data[i] = ev.SDE.ToData(y)
	}
	ev.proj.Apply(dst, data, n)
}

// parallel runs f on [lo, hi) chunks of [0, n) on the evaluator's workers,
// telling f the index of the goroutine running it.
func (ev *Evaluator) parallel(n, chunk int, f func(worker, lo, hi int)) {
	var wg sync.WaitGroup
	next := make(chan int, (n+chunk-1)/chunk)
	for lo := 0; lo < n; lo += chunk {
		next <- lo
	}
	close(next)
	for w := range min(ev.Workers, (n+chunk-1)/chunk) {
		wg.Go(func() {
			for lo := range next {
				f(w, lo, min(lo+chunk, n))
			}
		})
	}
	wg.Wait()
}

// workerScore calls a score as worker w, whatever worker its caller says.
type workerScore struct {
	s diffusion.Score
	w int
}

func (ws workerScore) Score(dst, t, x []float64, b sdeint.Batch) error {
	b.Worker = ws.w
	return ws.s.Score(dst, t, x, b)
}

// exactMoments returns the exact mean and covariance of p_ε in data units,
// projected: component k is N(m_k, diag(v_k)) with m_k = (α μ_k − b)/c and
// v_k = (α²σ_k² + std²)/c² in data units (y = c·x + b maps data to model),
// so the mixture has mean Σ w_k Pᵀm_k and covariance
// Σ w_k (PᵀV_kP + (Pᵀm_k)(Pᵀm_k)ᵀ) − m mᵀ.
func (ev *Evaluator) exactMoments() ([]float64, *mat.SymDense) {
	mix, sde := ev.Exact.Mix, ev.SDE
	d, K, p := mix.Dim, mix.K(), ev.proj.P()
	a, sd, c := sde.Alpha(sde.Eps), sde.Std(sde.Eps), sde.DataScale()
	P := ev.proj.Matrix()
	mean := make([]float64, p)
	cov := mat.NewSymDense(p, nil)
	mk := make([]float64, d)
	vk := make([]float64, d)
	var shared *mat.SymDense
	for k := range K {
		for i := range d {
			// The mean α·μ in model units, mapped back to data units.
			mk[i] = sde.ToData(a * sde.ToModel(mix.Means[k*d+i]))
			s := mix.Stds
			var sk float64
			if s == nil {
				sk = mix.SharedStd[i]
			} else {
				sk = s[k*d+i]
			}
			vk[i] = (a*a*c*c*sk*sk + sd*sd) / (c * c)
		}
		pm := mat.NewVecDense(p, nil)
		pm.MulVec(P.T(), mat.NewVecDense(d, mk))
		var ck *mat.SymDense
		if mix.Stds == nil && shared != nil {
			ck = shared
		} else {
			// PᵀVP with V diagonal: scale P's rows by v.
			pv := mat.DenseCopyOf(P)
			for i := range d {
				row := pv.RawRowView(i)
				for j := range row {
					row[j] *= vk[i]
				}
			}
			var full mat.Dense
			full.Mul(P.T(), pv)
			ck = mat.NewSymDense(p, nil)
			for i := range p {
				for j := i; j < p; j++ {
					ck.SetSym(i, j, 0.5*(full.At(i, j)+full.At(j, i)))
				}
			}
			if mix.Stds == nil {
				shared = ck
			}
		}
		w := mix.Weights[k]
		for i := range p {
			mean[i] += w * pm.AtVec(i)
			for j := i; j < p; j++ {
				cov.SetSym(i, j, cov.At(i, j)+w*(ck.At(i, j)+pm.AtVec(i)*pm.AtVec(j)))
			}
		}
	}
	for i := range p {
		for j := i; j < p; j++ {
			cov.SetSym(i, j, cov.At(i, j)-mean[i]*mean[j])
		}
	}
	return mean, cov
}

// DispersionDiff compares two paired samples (model units, n rows each,
// row i of both drawn with common random numbers): their dispersion errors'
// difference, a − b, with its paired jackknife SE (quality.DispersionDiff).
func (ev *Evaluator) DispersionDiff(a, b []float64, n int) (diff, se float64) {
	xa, la := ev.prepare(a, n)
	xb, lb := ev.prepare(b, n)
	return quality.DispersionDiff(xa, la, xb, lb, ev.ref, ev.refLab, ev.proj.P(), ev.Exact.Mix.K())
}

// projected is a sample as the evaluator scores it: projected rows in data
// units and their component labels.
type projected struct {
	x   []float64
	lab []int
}

// pairedSE returns the SEs of a's dispersion error and mode TV minus b's,
// for samples drawn with common random numbers (row i of both from the same
// draws), by a jackknife over G = 20 groups of row indices, leaving the same
// rows out of both; the exact reference is held fixed, as both are compared
// with it.
func (ev *Evaluator) pairedSE(a, b projected) (dispSE, tvSE float64) {
	n, p, K := len(a.lab), ev.proj.P(), ev.Exact.Mix.K()
	if len(b.lab) != n || n < 2 {
		return math.NaN(), math.NaN()
	}
	_, dispSE = quality.DispersionDiff(a.x, a.lab, b.x, b.lab, ev.ref, ev.refLab, p, K)
	// Mode TV: label counts of the rows left in, against the reference's
	// frequencies.
	G := min(20, n)
	ref := make([]float64, K)
	for _, l := range ev.refLab {
		ref[l] += 1 / float64(len(ev.refLab))
	}
	count := func(lab []int) ([]float64, []float64) {
		all, by := make([]float64, K), make([]float64, G*K)
		for g := range G {
			// The groups of quality.DispersionDiff: rows [g·n/G, (g+1)·n/G).
			for _, l := range lab[g*n/G : (g+1)*n/G] {
				all[l]++
				by[g*K+l]++
			}
		}
		return all, by
	}
	ca, ga := count(a.lab)
	cb, gb := count(b.lab)
	tv := func(c, g []float64, skip int) float64 {
		m := float64(n)
		if skip >= 0 {
			m = float64(n - ((skip+1)*n/G - skip*n/G))
		}
		var s float64
		for k := range K {
			v := c[k]
			if skip >= 0 {
				v -= g[skip*K+k]
			}
			s += math.Abs(v/m - ref[k])
		}
		return s / 2
	}
	loo := make([]float64, G)
	var mean float64
	for g := range G {
		loo[g] = tv(ca, ga, g) - tv(cb, gb, g)
		mean += loo[g] / float64(G)
	}
	var ss float64
	for _, v := range loo {
		ss += (v - mean) * (v - mean)
	}
	return dispSE, math.Sqrt(float64(G-1) / float64(G) * ss)
}
