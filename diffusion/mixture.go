package diffusion

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
)

// Score is a score model: s(x, t) ≈ ∇ₓ log p_t(x), in the model's space.
//
// Score writes s for each of the k = len(t) rows of x (k rows of Dim values)
// into dst, one time per row. It follows the concurrency contract of
// sdeint.Func: calls with different b.Worker may run concurrently, calls
// with the same b.Worker never do within one solve, so per-worker scratch
// is safe for a score used by one solve at a time (Exact guards its own).
// A learned model fits the same interface.
type Score interface {
	Score(dst, t, x []float64, b sdeint.Batch) error
}

// Mixture is a Gaussian mixture with diagonal covariances, in data units
// ([0, 1]): component k has weight Weights[k], mean Means[k·Dim:(k+1)·Dim]
// and standard deviations Stds[k·Dim:(k+1)·Dim], or, when Stds is nil,
// SharedStd (Dim values) shared by every component.
type Mixture struct {
	Dim       int
	Weights   []float64
	Means     []float64
	Stds      []float64
	SharedStd []float64
}

// K returns the number of components.
func (m *Mixture) K() int { return len(m.Weights) }

// Validate reports an inconsistent mixture.
func (m *Mixture) Validate() error {
	K, d := len(m.Weights), m.Dim
	switch {
	case d < 1 || K < 1:
		return fmt.Errorf("diffusion: mixture with %d components of dimension %d", K, d)
	case len(m.Means) != K*d:
		return fmt.Errorf("diffusion: mixture has %d mean values, want K·Dim = %d", len(m.Means), K*d)
	case m.Stds == nil && len(m.SharedStd) != d:
		return fmt.Errorf("diffusion: mixture needs Stds (K·Dim) or SharedStd (Dim)")
	case m.Stds != nil && len(m.Stds) != K*d:
		return fmt.Errorf("diffusion: mixture has %d std values, want K·Dim = %d", len(m.Stds), K*d)
	}
	sum := 0.0
	for _, w := range m.Weights {
		if !(w > 0) {
			return errors.New("diffusion: mixture weights must be positive")
		}
		sum += w
	}
	if math.Abs(sum-1) > 1e-9 {
		return fmt.Errorf("diffusion: mixture weights sum to %v, want 1", sum)
	}
	for i, v := range m.Means {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("diffusion: mixture mean value %d is %v, want finite", i, v)
		}
	}
	for _, s := range append(append([]float64(nil), m.Stds...), m.SharedStd...) {
		if !(s > 0) || math.IsInf(s, 0) {
			return errors.New("diffusion: mixture standard deviations must be finite and positive")
		}
	}
	return nil
}

// std returns component k's standard deviation in dimension i (data units).
func (m *Mixture) std(k, i int) float64 {
	if m.Stds == nil {
		return m.SharedStd[i]
	}
	return m.Stds[k*m.Dim+i]
}

// Exact is the exact score of a Gaussian mixture pushed through a forward
// SDE: p_t is again a mixture, with means α(t)·μ_k and variances
// α(t)²σ_k² + std(t)² in model units (references.md §3.10), so
//
//	s(x, t) = Σ_k r_k(x, t)·(α μ_k − x)/v_k,
//
// with posterior weights r_k computed in log space. With a shared std the
// log-determinants cancel from the weights and the score is
// (α Σ_k r_k μ_k − x)/v, several times cheaper.
type Exact struct {
	SDE SDE
	Mix *Mixture
	mu  []float64 // K×d model-space means
	s2  []float64 // K×d (or d) model-space variances σ²
	lw  []float64 // log weights

	lock    sync.Mutex
	scratch []*exactScratch // per worker
}

// exactScratch is one worker's memory: the log-posteriors, and the
// marginal variances and log-determinants at the time they were last
// computed for (fixed-step samplers call with one time for every row).
type exactScratch struct {
	// mu makes the scratch one call's at a time: the solver's calls with
	// one worker index never overlap, but two solves sharing the score
	// (concurrent Sample calls) have the same worker indices.
	mu    sync.Mutex
	lr    []float64 // K
	v     []float64 // like s2
	iv    []float64 // 1/v: the hot loops multiply rather than divide
	ld    []float64 // K: −½Σ log v_k (0 when shared)
	lds   float64   // −½Σ log v when shared (for log densities)
	t, a  float64
	valid bool
}

// at returns the scratch's variances at time t, computing them if needed.
func (e *Exact) at(sc *exactScratch, t float64) {
	if sc.valid && sc.t == t {
		return
	}
	sc.a = e.variances(sc.v, t)
	for i, v := range sc.v {
		sc.iv[i] = 1 / v
	}
	K, d := e.Mix.K(), e.Mix.Dim
	sc.lds = math.NaN() // computed by LogDensity when needed
	if len(sc.v) != d {
		for k := range K {
			var s float64
			for _, vi := range sc.v[k*d : (k+1)*d] {
				s += math.Log(vi)
			}
			sc.ld[k] = -0.5 * s
		}
	}
	sc.t, sc.valid = t, true
}

// NewExact returns the exact score of mix under sde.
func NewExact(sde SDE, mix *Mixture) (*Exact, error) {
	if err := sde.Validate(); err != nil {
		return nil, err
	}
	if err := mix.Validate(); err != nil {
		return nil, err
	}
	K, d, c := mix.K(), mix.Dim, sde.DataScale()
	e := &Exact{SDE: sde, Mix: mix, mu: make([]float64, K*d), lw: make([]float64, K)}
	for i, v := range mix.Means {
		e.mu[i] = sde.ToModel(v)
	}
	if mix.Stds == nil {
		e.s2 = make([]float64, d)
		for i, s := range mix.SharedStd {
			e.s2[i] = c * c * s * s
		}
	} else {
		e.s2 = make([]float64, K*d)
		for i, s := range mix.Stds {
			e.s2[i] = c * c * s * s
		}
	}
	for k, w := range mix.Weights {
		e.lw[k] = math.Log(w)
	}
	return e, nil
}

func (e *Exact) buffers(worker int) *exactScratch {
	e.lock.Lock()
	defer e.lock.Unlock()
	for len(e.scratch) <= worker {
		e.scratch = append(e.scratch, nil)
	}
	if e.scratch[worker] == nil {
		e.scratch[worker] = e.newScratch()
	}
	return e.scratch[worker]
}

func (e *Exact) newScratch() *exactScratch {
	K := e.Mix.K()
	return &exactScratch{lr: make([]float64, K), v: make([]float64, len(e.s2)), iv: make([]float64, len(e.s2)), ld: make([]float64, K)}
}

// posterior writes log r_k (normalised) for x into sc.lr, with sc holding
// the marginal variances at the time of x, and returns the log density
// log p_t(x) up to the Gaussian constant −(d/2)·log 2π (with a shared std,
// only if sc.lds was computed; NaN otherwise).
func (e *Exact) posterior(sc *exactScratch, x []float64) float64 {
	K, d := e.Mix.K(), e.Mix.Dim
	lr, iv, a := sc.lr, sc.iv, sc.a
	shared := len(iv) == d
	mx := math.Inf(-1)
	x = x[:d]
	for k := range K {
		mu := e.mu[k*d : (k+1)*d]
		ivk := iv
		if !shared {
			ivk = iv[k*d : (k+1)*d]
		}
		mu, ivk = mu[:d], ivk[:d]
		// Four partial sums: the loop is bound by the latency of the adds.
		var q0, q1, q2, q3 float64
		i := 0
		for ; i+4 <= d; i += 4 {
			r0, r1 := x[i]-a*mu[i], x[i+1]-a*mu[i+1]
			r2, r3 := x[i+2]-a*mu[i+2], x[i+3]-a*mu[i+3]
			q0 += r0 * r0 * ivk[i]
			q1 += r1 * r1 * ivk[i+1]
			q2 += r2 * r2 * ivk[i+2]
			q3 += r3 * r3 * ivk[i+3]
		}
		for ; i < d; i++ {
			r := x[i] - a*mu[i]
			q0 += r * r * ivk[i]
		}
		q := (q0 + q1) + (q2 + q3)
		lr[k] = e.lw[k] - 0.5*q + sc.ld[k]
		mx = max(mx, lr[k])
	}
	var s float64
	for k := range K {
		s += math.Exp(lr[k] - mx)
	}
	lse := mx + math.Log(s)
	for k := range K {
		lr[k] -= lse
	}
	if shared {
		lse += sc.lds
	}
	return lse
}

// variances writes the marginal variances α²σ² + std² at t into v.
func (e *Exact) variances(v []float64, t float64) float64 {
	a, sd := e.SDE.Alpha(t), e.SDE.Std(t)
	for i, s2 := range e.s2 {
		v[i] = a*a*s2 + sd*sd
	}
	return a
}

// Score writes the exact score; see Score. Rows of another width than the
// mixture's dimension (a problem of another dimension) are an error. One
// Exact may serve concurrent solves.
func (e *Exact) Score(dst, t, x []float64, b sdeint.Batch) error {
	K, d := e.Mix.K(), e.Mix.Dim
	if k := len(t); len(x) != k*d || len(dst) != k*d {
		return fmt.Errorf("diffusion: exact score of a %d-dimensional mixture called on %d rows of %d state and %d output values", d, k, len(x)/max(k, 1), len(dst)/max(k, 1))
	}
	sc := e.buffers(b.Worker)
	sc.mu.Lock()
	defer sc.mu.Unlock()
	lr, iv := sc.lr, sc.iv
	shared := len(e.s2) == d
	for r, tr := range t {
		xr, out := x[r*d:(r+1)*d], dst[r*d:(r+1)*d]
		e.at(sc, tr)
		a := sc.a
		e.posterior(sc, xr)
		if shared {
			// s = (α Σ r_k μ_k − x)/v.
			clear(out)
			for k := range K {
				w := math.Exp(lr[k])
				if w < 1e-18 {
					continue // far below the sum's rounding
				}
				mu := e.mu[k*d : (k+1)*d]
				for i := range out {
					out[i] += w * mu[i]
				}
			}
			for i := range out {
				out[i] = (a*out[i] - xr[i]) * iv[i]
			}
			continue
		}
		clear(out)
		for k := range K {
			w := math.Exp(lr[k])
			if w < 1e-18 {
				continue // far below the sum's rounding
			}
			mu, ivk := e.mu[k*d:(k+1)*d], iv[k*d:(k+1)*d]
			for i := range out {
				out[i] += w * (a*mu[i] - xr[i]) * ivk[i]
			}
		}
	}
	return nil
}

// LogDensity returns log p_t(x) for one point x in model units.
func (e *Exact) LogDensity(x []float64, t float64) float64 {
	sc := e.newScratch()
	e.at(sc, t)
	if len(sc.v) == e.Mix.Dim {
		sc.lds = 0
		for _, vi := range sc.v {
			sc.lds -= 0.5 * math.Log(vi)
		}
	}
	return e.posterior(sc, x) - 0.5*float64(e.Mix.Dim)*math.Log(2*math.Pi)
}

// Assign writes into labels the most likely component of each of the n rows
// of x (model units) under p_t.
func (e *Exact) Assign(labels []int, x []float64, t float64) {
	K, d := e.Mix.K(), e.Mix.Dim
	sc := e.newScratch()
	e.at(sc, t)
	for r := range labels {
		e.posterior(sc, x[r*d:(r+1)*d])
		best := 0
		lr := sc.lr
		for k := range K {
			if lr[k] > lr[best] {
				best = k
			}
		}
		labels[r] = best
	}
}

// SampleExact writes n exact draws from p_t (model units) into dst, draw i
// taking its randomness from the Init stream of path offset+i under seed,
// so exact samples are reproducible and do not depend on n or on how the
// draws are split. That is the stream from which a solve with the same
// seed draws path offset+i's prior state, so exact samples are independent
// of a solve's only under a different seed.
func (e *Exact) SampleExact(dst []float64, n int, t float64, seed uint64, offset int) {
	K, d := e.Mix.K(), e.Mix.Dim
	v := make([]float64, len(e.s2))
	a := e.variances(v, t)
	shared := len(v) == d
	for r := range n {
		rng := brownian.NewStream(brownian.Key{Seed: seed, Path: uint64(offset + r)}, brownian.Init)
		u, k := rng.Float64(), 0
		for acc := e.Mix.Weights[0]; u > acc && k < K-1; {
			k++
			acc += e.Mix.Weights[k]
		}
		row := dst[r*d : (r+1)*d]
		for i := range row {
			vi := v[i]
			if !shared {
				vi = v[k*d+i]
			}
			row[i] = a*e.mu[k*d+i] + math.Sqrt(vi)*rng.Norm()
		}
	}
}
