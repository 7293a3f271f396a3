package diffusion

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gofast-sde/gofast/internal/mcstat"
	"github.com/gofast-sde/gofast/sdeint"
	"gonum.org/v1/gonum/diff/fd"
)

var allKinds = []Kind{VP, VE, SubVP}

// smallShared is a 5-dimensional mixture of 3 components with a shared
// per-dimension std, to test the shared-std path of the exact score.
func smallShared() *Mixture {
	return &Mixture{
		Dim:       5,
		Weights:   []float64{0.2, 0.3, 0.5},
		Means:     []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.9, 0.8, 0.7, 0.6, 0.5, 0.5, 0.5, 0.2, 0.8, 0.3},
		SharedStd: []float64{0.05, 0.1, 0.02, 0.2, 0.07},
	}
}

// TestScoreIsGradient: the exact score equals the central finite-difference
// gradient of the mixture's log density at random points and times, for
// each forward SDE, with per-component (gmm2d) and shared (smallShared)
// standard deviations. The central difference's error is O(h²·|∂³ log p|);
// with h = 1e-5 relative to the local scale it is far below the 1e-4
// relative tolerance used.
func TestScoreIsGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, kind := range allKinds {
		sde := NewSDE(kind)
		for _, mix := range []*Mixture{GMM2D(), smallShared()} {
			e, err := NewExact(sde, mix)
			if err != nil {
				t.Fatal(err)
			}
			d := mix.Dim
			for range 20 {
				tt := sde.Eps + (sde.T-sde.Eps)*math.Pow(rng.Float64(), 3) // many small times
				x := make([]float64, d)
				e.SampleExact(x, 1, tt, rng.Uint64(), 0)
				for i := range x { // off the typical set too
					x[i] += 0.5 * sde.Std(tt) * rng.NormFloat64()
				}
				got := make([]float64, d)
				if err := e.Score(got, []float64{tt}, x, sdeint.Batch{Paths: []int{0}}); err != nil {
					t.Fatal(err)
				}
				scale := math.Sqrt(sde.Alpha(tt)*sde.Alpha(tt)*0.0004 + sde.Std(tt)*sde.Std(tt))
				want := fd.Gradient(nil, func(y []float64) float64 { return e.LogDensity(y, tt) }, x,
					&fd.Settings{Formula: fd.Central, Step: 1e-5 * scale})
				for i := range got {
					if math.Abs(got[i]-want[i]) > 1e-4*(math.Abs(want[i])+1/scale) {
						t.Fatalf("%v, d = %d, t = %g: score[%d] = %g, finite difference %g", kind, d, tt, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// gaussian is a one-component mixture N(μ, σ²) in data units, so p_t is
// Gaussian with mean α·(model μ) and variance α²(model σ)² + std².
func gaussian(mu, sigma float64) *Mixture {
	return &Mixture{Dim: 1, Weights: []float64{1}, Means: []float64{mu}, Stds: []float64{sigma}}
}

// TestGaussianScoreClosedForm: for single-Gaussian data the score is
// (αμ − x)/(α²σ² + std²) in model units.
func TestGaussianScoreClosedForm(t *testing.T) {
	for _, kind := range allKinds {
		sde := NewSDE(kind)
		e, err := NewExact(sde, gaussian(0.3, 0.1))
		if err != nil {
			t.Fatal(err)
		}
		c := sde.DataScale()
		for _, tt := range []float64{sde.Eps, 0.01, 0.3, 1} {
			a, sd := sde.Alpha(tt), sde.Std(tt)
			mu, s := sde.ToModel(0.3), c*0.1
			for _, x := range []float64{-1, 0.2, 0.7} {
				var got [1]float64
				e.Score(got[:], []float64{tt}, []float64{x}, sdeint.Batch{Paths: []int{0}})
				want := (a*mu - x) / (a*a*s*s + sd*sd)
				if math.Abs(got[0]-want) > 1e-12*math.Abs(want)+1e-12 {
					t.Errorf("%v t = %g x = %g: score %g, want %g", kind, tt, x, got[0], want)
				}
			}
		}
	}
}

// TestGaussianKnownAnswer: with single-Gaussian data, N(0.3, 0.1²) in data
// units, Euler–Maruyama with 2000 steps and the probability-flow ODE
// reproduce the exact p_ε's mean and variance (in data units) within 4 SE,
// plus an allowance for the prior mismatch: sampling starts from
// N(0, PriorStd²) rather than the exact p_T, whose mean α(T)μ and variance
// differ by at most 7e-3 and 1e-4 relative here (α(1) ≈ 6.6e-3 for VP; for
// VE the data's spread is negligible against σ_max = 50), and these shrink
// by p_T→p_ε's contraction; 2e-3 is a generous bound on what survives. 4000
// samples.
func TestGaussianKnownAnswer(t *testing.T) {
	const n = 4000
	for _, kind := range []Kind{VP, VE} {
		sde := NewSDE(kind)
		mix := gaussian(0.3, 0.1)
		e, err := NewExact(sde, mix)
		if err != nil {
			t.Fatal(err)
		}
		// Exact p_ε in data units.
		a, sd, c := sde.Alpha(sde.Eps), sde.Std(sde.Eps), sde.DataScale()
		wantMean := sde.ToData(a * sde.ToModel(0.3))
		wantVar := (a*a*c*c*0.01 + sd*sd) / (c * c)
		for _, s := range []Settings{{Sampler: EM, Steps: 2000}, {Sampler: ODE}} {
			s.N, s.Seed = n, 3
			res, err := Sample(context.Background(), sde, e, e, 1, s)
			if err != nil {
				t.Fatal(err)
			}
			m, mse := mcstat.MeanSE(res.Samples)
			v, vse := mcstat.VarSE(res.Samples)
			t.Logf("%v %v: mean %.5f ± %.5f (exact %.5f), variance %.6f ± %.6f (exact %.6f), NFE %.1f", kind, s.Sampler, m, mse, wantMean, v, vse, wantVar, res.NFEMean)
			const allowance = 2e-3
			if math.Abs(m-wantMean) > 4*mse+allowance || math.Abs(v-wantVar) > 4*vse+allowance*wantVar {
				t.Errorf("%v %v: mean %.5f ± %.5f vs %.5f, variance %.6f ± %.6f vs %.6f", kind, s.Sampler, m, mse, wantMean, v, vse, wantVar)
			}
		}
	}
}

// TestAdaptiveSampler: on gmm2d (VP, 300 samples), the adaptive sampler's
// NFE falls as ε_rel grows; samples take different numbers of steps; and the
// samples are bit-identical for 1 and 3 workers and for sample 17 drawn
// alone (offset 17) and inside the batch.
func TestAdaptiveSampler(t *testing.T) {
	sde := NewSDE(VP)
	e, err := NewExact(sde, GMM2D())
	if err != nil {
		t.Fatal(err)
	}
	run := func(s Settings) *Result {
		t.Helper()
		res, err := Sample(context.Background(), sde, e, e, 2, s)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	prev := math.Inf(1)
	for _, rtol := range []float64{0.01, 0.02, 0.05, 0.1} {
		res := run(Settings{N: 300, Seed: 4, RTol: rtol})
		t.Logf("ε_rel %v: NFE mean %.1f, max %d", rtol, res.NFEMean, res.NFEMax)
		if !(res.NFEMean < prev) {
			t.Errorf("ε_rel %v: NFE %.1f did not fall below %.1f", rtol, res.NFEMean, prev)
		}
		prev = res.NFEMean
		lo, hi := math.MaxInt, 0
		for _, ps := range res.Solve.Path {
			lo, hi = min(lo, ps.NFE), max(hi, ps.NFE)
		}
		if lo == hi {
			t.Errorf("ε_rel %v: every sample took %d evaluations", rtol, lo)
		}
	}
	a := run(Settings{N: 300, Seed: 4, Workers: 1})
	b := run(Settings{N: 300, Seed: 4, Workers: 3})
	c := run(Settings{N: 1, Seed: 4, Offset: 17, Workers: 2})
	for i := range a.Model {
		if math.Float64bits(a.Model[i]) != math.Float64bits(b.Model[i]) {
			t.Fatalf("workers 1 and 3 differ at %d", i)
		}
	}
	for j := range 2 {
		if math.Float64bits(a.Model[17*2+j]) != math.Float64bits(c.Model[j]) {
			t.Fatalf("sample 17 alone differs from sample 17 in the batch")
		}
	}
}

// TestDenoise: Tweedie's step moves samples of the exact p_ε toward the
// data: on single-Gaussian data with VE (std(ε) = σ_min·… ≈ 0.01 against the
// data's 0.1), the denoised variance is α²σ²·(α²σ²/(α²σ² + std²))... i.e.
// x + std²·s = (α²σ²·x + std²·αμ)/(α²σ² + std²), a linear shrinkage toward
// αμ by the factor k = α²σ²/(α²σ² + std²); so the variance becomes
// k²·(α²σ² + std²) = k·α²σ². Checked within 4 SE on 20000 exact samples.
func TestDenoise(t *testing.T) {
	sde := NewSDE(VE)
	e, err := NewExact(sde, gaussian(0.3, 0.1))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Sample(context.Background(), sde, e, e, 1, Settings{Sampler: ExactSampler, N: 20000, Seed: 5, Denoise: true})
	if err != nil {
		t.Fatal(err)
	}
	s2, sd := 0.01, sde.Std(sde.Eps)
	k := s2 / (s2 + sd*sd)
	v, vse := mcstat.VarSE(res.Samples)
	if math.Abs(v-k*s2) > 4*vse {
		t.Errorf("denoised variance %.6f ± %.6f, want %.6f", v, vse, k*s2)
	}
	if res.NFEDenoise != 1 {
		t.Errorf("NFEDenoise = %d", res.NFEDenoise)
	}
}
