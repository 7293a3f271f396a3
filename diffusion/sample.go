package diffusion

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// defaultMaxMemory is the default of Settings.MaxMemory, as sdeint's.
const defaultMaxMemory = 4 << 30

// PCBlock is the number of samples over which the predictor–corrector
// sampler averages its corrector's norms (see PC).
const PCBlock = 256

// Sampler names a sampling algorithm.
type Sampler int

const (
	// Adaptive is the "Gotta Go Fast" adaptive solver (methods.GGF) on the
	// reverse SDE with the paper's defaults.
	Adaptive Sampler = iota
	// EM is Euler–Maruyama on the reverse SDE on Steps+1 points
	// linspace(T, ε, Steps+1).
	EM
	// PredictorCorrector is reverse diffusion + one Langevin corrector step
	// per step (PC).
	PredictorCorrector
	// ODE is the probability-flow ODE with adaptive Dormand–Prince 5(4).
	ODE
	// ExactSampler draws from the exact p_ε (mixtures only): the noise floor
	// of the quality metrics.
	ExactSampler
)

var samplerNames = []string{"adaptive", "em", "pc", "ode", "exact"}

// String returns the sampler's name, as ParseSampler reads it.
func (s Sampler) String() string {
	if s >= 0 && int(s) < len(samplerNames) {
		return samplerNames[s]
	}
	return fmt.Sprintf("Sampler(%d)", int(s))
}

// ParseSampler returns the sampler named s.
func ParseSampler(s string) (Sampler, error) {
	for i, n := range samplerNames {
		if strings.EqualFold(s, n) {
			return Sampler(i), nil
		}
	}
	return 0, fmt.Errorf("diffusion: unknown sampler %q (want %s)", s, strings.Join(samplerNames, ", "))
}

// Settings configure Sample. The zero value means: the adaptive sampler with
// the paper's defaults, 1 sample, seed 0, GOMAXPROCS workers, no denoising.
type Settings struct {
	Sampler Sampler
	N       int    // samples (default 1)
	Seed    uint64 // keys every random stream
	// Offset is the global index of the first sample (sample i draws from
	// the streams of Offset+i).
	Offset int
	// Workers is the number of goroutines (default GOMAXPROCS); the samples
	// do not depend on it.
	Workers int
	// MaxMemory bounds the solver's memory in bytes (sdeint.Settings.
	// MaxMemory; default 4 GiB), or the exact sampler's: a larger sample
	// is refused before any work.
	MaxMemory int64

	// Adaptive: tolerances (in model units) and initial step. Zero means
	// the paper's: RTol 0.01, ATol 0.0078 for VP and sub-VP (data mapped to
	// [−1, 1]) and 0.0039 for VE (data in [0, 1]) — the same tolerance in
	// data units —, H0 0.01 for VP and sub-VP and 0.5 for VE (the paper's
	// VE runs). H0 is also the ODE's initial step (default 0.01).
	RTol, ATol, H0 float64
	// Brownian is the Brownian source of the SDE samplers (default: the
	// bridge for the adaptive sampler, brownian.Redraw{} being the paper's
	// code; the fast grid for EM and PC; brownian.Grid{Steps: N} drives
	// fixed-step samplers on any sub-grid with the same path).
	Brownian brownian.Source
	// The paper's ablations of its pair.
	NoExtrapolation, Lamba, NoPrev bool
	Norm                           control.Norm
	// Safety and Exponent are the adaptive sampler's step-size controller,
	// h ← θ·h·E^(−r) after every attempt: the safety factor θ, in (0, 1],
	// and the exponent r > 0 (control.Settings.Safety and Exponent). Zero
	// means the paper's θ = 0.9 and r = 0.9; its ablations try
	// θ ∈ {0.8, 0.9} and r ∈ {0.5, 0.8, 0.9, 1.0}.
	Safety, Exponent float64

	// Steps is the number of fixed steps of EM and PC (default 1000).
	Steps int
	// SNR is PC's signal-to-noise ratio, finite and > 0 (0: 0.16 for VE,
	// 0.01 else).
	SNR float64
	// ODETol is the probability-flow ODE's rtol = atol (default 1e-5).
	ODETol float64

	// Denoise applies Tweedie's denoising x + std(ε)²·s(x, ε) at the end:
	// one more score evaluation per sample, counted in NFEDenoise.
	Denoise bool

	Progress func(sdeint.Progress)
}

// Result holds samples and their cost.
type Result struct {
	// Samples holds N rows of Dim values in data units ([0, 1] scale); Model
	// the same samples in model units.
	Samples, Model []float64
	N, Dim         int
	// NFEMean and NFEMax count score evaluations per sample by the
	// stepping stages (rejected attempts included); NFEDenoise is the
	// per-sample count of the final denoising (0 or 1).
	NFEMean    float64
	NFEMax     int
	NFEDenoise int
	Status     sdeint.Status
	// Solve is the solver's result (nil for the exact sampler).
	Solve *sdeint.Result
	Wall  time.Duration
}

// Sample draws s.N samples of the data modelled by score under sde, in d
// dimensions. exact is needed by the exact sampler only (it may be nil
// otherwise). A solve that ends early returns its partial result with the
// error.
func Sample(ctx context.Context, sde SDE, score Score, exact *Exact, d int, s Settings) (*Result, error) {
	start := time.Now()
	if err := sde.Validate(); err != nil {
		return nil, err
	}
	if s.N < 0 || s.Steps < 0 || s.Workers < 0 || s.Offset < 0 || s.MaxMemory < 0 {
		return nil, errors.New("diffusion: negative N, Steps, Workers, Offset or MaxMemory")
	}
	if d < 1 {
		return nil, fmt.Errorf("diffusion: dimension %d, want ≥ 1", d)
	}
	if score == nil && (s.Sampler != ExactSampler || s.Denoise) {
		return nil, fmt.Errorf("diffusion: the %v sampler needs a score (nil)", s.Sampler)
	}
	if !(s.Safety >= 0 && s.Safety <= 1) {
		return nil, fmt.Errorf("diffusion: Safety = %v, want θ in (0, 1] (0: the default 0.9)", s.Safety)
	}
	if !(s.SNR >= 0) || math.IsInf(s.SNR, 0) {
		return nil, fmt.Errorf("diffusion: SNR = %v, want a finite value > 0 (0: the default)", s.SNR)
	}
	if !(s.Exponent >= 0) || math.IsInf(s.Exponent, 0) {
		return nil, fmt.Errorf("diffusion: Exponent = %v, want a finite r > 0 (0: the default 0.9)", s.Exponent)
	}
	n := max(s.N, 1)
	res := &Result{N: n, Dim: d}
	if s.Sampler == ExactSampler {
		if exact == nil {
			return nil, errors.New("diffusion: the exact sampler needs an exact score")
		}
		if exact.Mix.Dim != d {
			return nil, fmt.Errorf("diffusion: the exact score's mixture has dimension %d, the sample %d", exact.Mix.Dim, d)
		}
		// The solver bounds its own memory; this sampler's is the samples
		// in model and data units.
		limit := s.MaxMemory
		if limit == 0 {
			limit = defaultMaxMemory
		}
		if need := 16 * float64(n) * float64(d); need > float64(limit) {
			return nil, fmt.Errorf("diffusion: %d exact samples of dimension %d need %.3g GiB, above MaxMemory = %.3g GiB: raise it, or sample in chunks with Offset", n, d, need/(1<<30), float64(limit)/(1<<30))
		}
		res.Model = make([]float64, n*d)
		// In blocks, watching ctx between them: draw i's randomness is
		// its own, so the blocks change no value. A cancelled sample
		// keeps the draws made, the others NaN.
		const block = 4096
		for lo := 0; lo < n; lo += block {
			if err := ctx.Err(); err != nil {
				for i := lo * d; i < len(res.Model); i++ {
					res.Model[i] = math.NaN()
				}
				res.Status = sdeint.Cancelled
				res.finish(sde, start)
				return res, fmt.Errorf("diffusion: exact sampler cancelled after %d of %d samples: %w", lo, n, err)
			}
			k := min(block, n-lo)
			exact.SampleExact(res.Model[lo*d:(lo+k)*d], k, sde.Eps, s.Seed, s.Offset+lo)
		}
		res.Status = sdeint.Success
	} else {
		prob, method, set, err := s.plan(sde, score, d, n)
		if err != nil {
			return nil, err
		}
		sol, err := sdeint.Solve(ctx, prob, method, set)
		if sol == nil {
			return nil, err
		}
		res.Solve, res.Model, res.Status = sol, sol.X, sol.Status
		res.NFEMean, res.NFEMax = sol.NFEMean(), sol.NFEMax()
		if err != nil {
			res.finish(sde, start)
			return res, err
		}
	}
	if s.Denoise {
		if err := denoise(sde, score, res.Model, d, s.Workers, s.Offset); err != nil {
			res.Status = sdeint.FuncError
			if _, ok := errors.AsType[*notFiniteError](err); ok {
				res.Status = sdeint.NotFinite
			}
			res.finish(sde, start)
			return res, err
		}
		res.NFEDenoise = 1
	}
	res.finish(sde, start)
	return res, nil
}

func (r *Result) finish(sde SDE, start time.Time) {
	r.Samples = make([]float64, len(r.Model))
	for i, y := range r.Model {
		r.Samples[i] = sde.ToData(y)
	}
	r.Wall = time.Since(start)
}

// plan builds the problem, method and solver settings of a sampler.
func (s Settings) plan(sde SDE, score Score, d, n int) (*sdeint.Problem, sdeint.Method, *sdeint.Settings, error) {
	set := &sdeint.Settings{Paths: n, Seed: s.Seed, PathOffset: s.Offset, Workers: s.Workers, Progress: s.Progress, Brownian: s.Brownian, MaxMemory: s.MaxMemory}
	steps := s.Steps
	if steps == 0 {
		steps = 1000
	}
	switch s.Sampler {
	case Adaptive:
		rtol, atol, h0 := s.RTol, s.ATol, s.H0
		if rtol == 0 {
			rtol = 0.01
		}
		if atol == 0 {
			atol = 0.0039 * sde.DataScale()
		}
		if h0 == 0 {
			h0 = 0.01
			if sde.Kind == VE {
				h0 = 0.5
			}
		}
		// The paper's controller, pinned: its tolerance rule, r = 0.9 and no
		// clamps, whatever the pair's default on ordinary SDEs.
		r := s.Exponent
		if r == 0 {
			r = 0.9
		}
		set.Control = control.Settings{RTol: rtol, ATol: atol, H0: h0, NoPrev: s.NoPrev, Norm: s.Norm,
			Safety: s.Safety, Exponent: r, Rule: control.RulePaper, Unclamped: true}
		m := methods.GGF{NoExtrapolation: s.NoExtrapolation, Lamba: s.Lamba}
		return Reverse(sde, score, d), m, set, nil
	case EM:
		set.Steps = steps
		return Reverse(sde, score, d), methods.EM{}, set, nil
	case PredictorCorrector:
		set.Steps = steps
		set.BatchSize = PCBlock
		return Reverse(sde, score, d), PC{SDE: sde, SNR: s.SNR}, set, nil
	case ODE:
		tol := s.ODETol
		if tol == 0 {
			tol = 1e-5
		}
		h0 := s.H0
		if h0 == 0 {
			h0 = 0.01 // pinned, as the adaptive sampler's: not probed
		}
		set.Control = control.Settings{RTol: tol, ATol: tol, H0: h0}
		return Flow(sde, score, d), methods.DP5{}, set, nil
	}
	return nil, nil, nil, fmt.Errorf("diffusion: unknown sampler %v", s.Sampler)
}

// Denoise applies Tweedie's formula x ← x + std(ε)²·s(x, ε) to the n rows
// of x (model units, d wide) in place, on workers goroutines (default
// GOMAXPROCS), each row's result independent of the others. A panic in the
// score is returned as a *sdeint.PanicError; a sample the score leaves NaN
// or Inf is an error naming the first such sample. The score sees row i as
// path i (sdeint.Batch.Paths).
func Denoise(sde SDE, score Score, x []float64, d, workers int) error {
	return denoise(sde, score, x, d, workers, 0)
}

// denoise is Denoise with row i seen as path offset+i, the global index the
// sampler's solve gave it.
func denoise(sde SDE, score Score, x []float64, d, workers, offset int) error {
	if d < 1 || len(x)%d != 0 {
		return fmt.Errorf("diffusion: Denoise of %d values in rows of %d", len(x), d)
	}
	n := len(x) / d
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	const block = 256
	eps, v := sde.Eps, sde.Std(sde.Eps)*sde.Std(sde.Eps)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  int
		bad   = n // the first sample left NaN or Inf
	)
	for w := range min(workers, (n+block-1)/block) {
		wg.Go(func() {
			defer func() {
				// A panic in the score must not kill the process from
				// this goroutine.
				if r := recover(); r != nil {
					mu.Lock()
					if first == nil {
						first = &sdeint.PanicError{Value: r, Stack: debug.Stack()}
					}
					mu.Unlock()
				}
			}()
			t := make([]float64, block)
			s := make([]float64, block*d)
			for {
				mu.Lock()
				lo := next
				next += block
				failed := first != nil
				mu.Unlock()
				if lo >= n || failed {
					return
				}
				hi := min(lo+block, n)
				k := hi - lo
				for i := range k {
					t[i] = eps
				}
				paths := make([]int, k)
				for i := range paths {
					paths[i] = offset + lo + i
				}
				if err := score.Score(s[:k*d], t[:k], x[lo*d:hi*d], sdeint.Batch{Worker: w, Paths: paths}); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
				for i, g := range s[:k*d] {
					x[lo*d+i] += v * g
				}
				for i := range k {
					if !finiteRow(x[(lo+i)*d : (lo+i+1)*d]) {
						mu.Lock()
						bad = min(bad, lo+i) // the least, whatever the workers
						mu.Unlock()
						break
					}
				}
			}
		})
	}
	wg.Wait()
	if first == nil && bad < n {
		return &notFiniteError{sample: bad}
	}
	return first
}

// notFiniteError says that denoising left a sample NaN or Inf.
type notFiniteError struct{ sample int }

func (e *notFiniteError) Error() string {
	return fmt.Sprintf("diffusion: denoising left NaN or Inf in sample %d (the score's value there)", e.sample)
}

func finiteRow(v []float64) bool {
	for _, x := range v {
		if x-x != 0 {
			return false
		}
	}
	return true
}
