package diffusion

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gofast-sde/gofast/internal/mcstat"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
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

// gaussianMoments are the mean and variance, in model units, that a sampler
// started from the prior N(0, PriorStd²) delivers at ε on single-Gaussian
// data with model-unit mean mu and variance s2, whose p_t is N(α(t)·mu,
// v(t)), v = α²·s2 + std². For such data the score (α·mu − x)/v is linear
// in x, so the reverse drift is D(x, t) = a(t)·x − b(t) with
// a = f + g²/v, b = g²·α·mu/v, and both samplers below are linear maps of
// Gaussians: their outputs are exactly Gaussian with these moments.
//
// EM on the grid t_k = T + (ε − T)·k/steps, h_k = t_{k+1} − t_k < 0,
// x_{k+1} = x_k + h_k·D(x_k, t_k) + g(t_k)·ΔW_k with ΔW_k ~ N(0, |h_k|), has
//
//	m_{k+1} = m_k + h_k·(a_k·m_k − b_k),  V_{k+1} = (1 + h_k·a_k)²·V_k + g_k²·|h_k|,
//
// which is the exact expectation of EM's output, its O(h) discretisation
// bias and the prior mismatch included.
//
// The probability-flow ODE dx/dt = f·x − ½g²·(α·mu − x)/v gives
// d(x − α·mu)/dt = (f + ½g²/v)(x − α·mu) = ½(d ln v/dt)(x − α·mu), since
// dv/dt = 2f·v + g² for all three SDEs; so its exact flow is
// x(ε) = α(ε)·mu + (x(T) − α(T)·mu)·√(v(ε)/v(T)), with mean
// α(ε)·mu − α(T)·mu·√(v(ε)/v(T)) and variance PriorStd²·v(ε)/v(T) (steps
// = 0 selects it).
func gaussianMoments(sde SDE, mu, s2 float64, steps int) (mean, variance float64) {
	v := func(t float64) float64 {
		a, sd := sde.Alpha(t), sde.Std(t)
		return a*a*s2 + sd*sd
	}
	p2 := sde.PriorStd() * sde.PriorStd()
	if steps == 0 {
		r := v(sde.Eps) / v(sde.T)
		return sde.Alpha(sde.Eps)*mu - sde.Alpha(sde.T)*mu*math.Sqrt(r), p2 * r
	}
	m, vv := 0.0, p2
	for k := range steps {
		t0 := sde.T + (sde.Eps-sde.T)*float64(k)/float64(steps)
		t1 := sde.T + (sde.Eps-sde.T)*float64(k+1)/float64(steps)
		if k == steps-1 {
			t1 = sde.Eps
		}
		h, g2 := t1-t0, sde.G(t0)*sde.G(t0)
		a, b := sde.F(t0)+g2/v(t0), g2*sde.Alpha(t0)*mu/v(t0)
		m += h * (a*m - b)
		vv = (1+h*a)*(1+h*a)*vv - g2*h
	}
	return m, vv
}

// TestGaussianKnownAnswer: with single-Gaussian data, N(0.3, 0.1²) in data
// units, Euler–Maruyama with 2000 steps and the probability-flow ODE
// reproduce, within 4 SE on 4000 samples, the exact moments of their own
// output (gaussianMoments), for VP, VE and sub-VP.
//
// Those moments differ from the exact p_ε's by two biases, logged below.
// (i) The prior N(0, PriorStd²) is not p_T = N(α(T)·mu, v(T)). Its mean
// error e = −α(T)·mu evolves under the reverse SDE's mean equation
// de/dt = (f + g²/v)·e = (d ln v/dt − d ln α/dt)·e, so e(ε) =
// e(T)·(v(ε)/v(T))·(α(T)/α(ε)): 3.5e-7 (VP, sub-VP) and 1.2e-6 (VE) in
// data units, against a mean SE of 1.6e-3. Under the ODE the factor is
// only √(v(ε)/v(T)) (see gaussianMoments): 2.6e-4 (VP, sub-VP) and 6.0e-4
// (VE), up to 0.4 SE, so it is not negligible there. The variance errors
// are below 1e-4 relative, against a relative SE of √(2/4000) = 2.2%.
// (ii) EM's discretisation bias: from −1.2e-6 (VE) to −6.2e-5 (sub-VP) on
// the mean and from 4.8e-5 (VE) to 1.1e-3 (VP) relative on the variance.
// Both are in the expected moments, so no allowance is needed.
//
// The ODE is solved adaptively (rtol = atol = 1e-5), so its samples y_i
// differ from the exact flow x_i of their own prior draws by solver errors
// e_i. The test records each sample's prior draw and measures
// δ = √(Σe_i²/n) (model units). Then the sample mean moves by |ē| ≤ δ and,
// by Minkowski's inequality on the centred vectors, the sample SD by at
// most δ' = δ·√(n/(n−1)), so the variance by at most δ'·(2·sd_y + δ'); these
// are added to the 4 SE. δ ≤ SE of the mean is also required, so that the
// allowance cannot swamp the test. (DP5's embedded estimate misses a few
// paths badly: at this tolerance single samples land up to ~1e-2 from the
// exact flow, where one step across t ≈ 0.1–0.4, where v(t) falls from
// ≈1 to 0.04, is accepted with an error estimate ~1000 times too small;
// hence the RMS, not the largest error.)
func TestGaussianKnownAnswer(t *testing.T) {
	const n, steps = 4000, 2000
	for _, kind := range allKinds {
		sde := NewSDE(kind)
		e, err := NewExact(sde, gaussian(0.3, 0.1))
		if err != nil {
			t.Fatal(err)
		}
		c := sde.DataScale()
		mu, s2 := sde.ToModel(0.3), c*c*0.01
		a, sd := sde.Alpha(sde.Eps), sde.Std(sde.Eps)
		exactMean, exactVar := sde.ToData(a*mu), (a*a*s2+sd*sd)/(c*c)
		for _, s := range []Settings{{Sampler: EM, Steps: steps}, {Sampler: ODE}} {
			s.N, s.Seed = n, 3
			res, err := Sample(context.Background(), sde, e, e, 1, s)
			if err != nil {
				t.Fatal(err)
			}
			wm, wv := gaussianMoments(sde, mu, s2, s.Steps)
			wantMean, wantVar := sde.ToData(wm), wv/(c*c)
			m, mse := mcstat.MeanSE(res.Samples)
			v, vse := mcstat.VarSE(res.Samples)
			var delta float64 // RMS solver error, data units
			if s.Sampler == ODE {
				delta = odeFlowError(t, sde, e, s, mu, s2, res.Model) / c
				if delta > mse {
					t.Errorf("%v ODE: RMS distance %.3g from the exact flow exceeds the mean's SE %.3g", kind, delta, mse)
				}
			}
			dsd := delta * math.Sqrt(float64(n)/float64(n-1))
			vb := dsd * (2*math.Sqrt(v) + dsd)
			t.Logf("%v %v: mean %.6f ± %.6f (expected %.6f, exact p_ε %.6f), variance %.7f ± %.7f (expected %.7f, exact %.7f), RMS solver error %.2g, NFE %.1f",
				kind, s.Sampler, m, mse, wantMean, exactMean, v, vse, wantVar, exactVar, delta, res.NFEMean)
			if math.Abs(m-wantMean) > 4*mse+delta {
				t.Errorf("%v %v: mean %.6f ± %.6f, want %.6f within 4 SE + %.2g", kind, s.Sampler, m, mse, wantMean, delta)
			}
			if math.Abs(v-wantVar) > 4*vse+vb {
				t.Errorf("%v %v: variance %.7f ± %.7f, want %.7f within 4 SE + %.2g", kind, s.Sampler, v, vse, wantVar, vb)
			}
		}
	}
}

// odeFlowError solves the probability-flow ODE with the plan Sample uses for
// s, recording each path's prior draw x(T); checks the result is bit for
// bit Sample's (model, in model units); and returns the RMS deviation of
// the samples from the exact flow α(ε)·mu + (x(T) − α(T)·mu)·√(v(ε)/v(T))
// of their prior draws (see gaussianMoments).
func odeFlowError(t *testing.T, sde SDE, score Score, s Settings, mu, s2 float64, model []float64) float64 {
	t.Helper()
	prob, method, set, err := s.plan(sde, score, 1, s.N)
	if err != nil {
		t.Fatal(err)
	}
	x0 := make([]float64, s.N)
	init := prob.Init
	prob.Init = func(dst []float64, path int, rng *brownian.Stream) error {
		err := init(dst, path, rng)
		x0[path] = dst[0] // paths are distinct, so no two goroutines share an element
		return err
	}
	sol, err := sdeint.Solve(context.Background(), prob, method, set)
	if err != nil {
		t.Fatal(err)
	}
	v := func(t float64) float64 {
		a, sd := sde.Alpha(t), sde.Std(t)
		return a*a*s2 + sd*sd
	}
	aT, ae, r := sde.Alpha(sde.T), sde.Alpha(sde.Eps), math.Sqrt(v(sde.Eps)/v(sde.T))
	var ss, worst float64
	for i, x := range sol.X {
		if math.Float64bits(x) != math.Float64bits(model[i]) {
			t.Fatalf("%v: the recorded ODE solve differs from Sample's at sample %d", sde.Kind, i)
		}
		d := x - (ae*mu + (x0[i]-aT*mu)*r)
		ss += d * d
		worst = max(worst, math.Abs(d))
	}
	t.Logf("%v ODE: largest distance from the exact flow %.3g (model units)", sde.Kind, worst)
	return math.Sqrt(ss / float64(len(sol.X)))
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

// TestControllerKnobs: Safety and Exponent reach the adaptive sampler's
// controller. Zero and the paper's explicit θ = r = 0.9 give bit-identical
// samples; each of the paper's other ablation values changes the NFE (the
// step sizes depend on θ and r after every attempt, so a setting that did
// not arrive would leave the NFE unchanged); out-of-range values are
// refused.
func TestControllerKnobs(t *testing.T) {
	sde := NewSDE(VP)
	e, err := NewExact(sde, GMM2D())
	if err != nil {
		t.Fatal(err)
	}
	run := func(s Settings) *Result {
		t.Helper()
		s.N, s.Seed = 200, 6
		res, err := Sample(context.Background(), sde, e, e, 2, s)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	def := run(Settings{})
	paper := run(Settings{Safety: 0.9, Exponent: 0.9})
	for i := range def.Model {
		if math.Float64bits(def.Model[i]) != math.Float64bits(paper.Model[i]) {
			t.Fatalf("θ = r = 0.9 differs from the defaults at %d", i)
		}
	}
	t.Logf("θ = 0.9, r = 0.9: NFE %.2f", def.NFEMean)
	for _, s := range []Settings{{Safety: 0.8}, {Exponent: 0.5}, {Exponent: 0.8}, {Exponent: 1}, {Safety: 0.8, Exponent: 0.5}} {
		res := run(s)
		t.Logf("θ = %g, r = %g: NFE %.2f", cmp.Or(s.Safety, 0.9), cmp.Or(s.Exponent, 0.9), res.NFEMean)
		if res.NFEMean == def.NFEMean {
			t.Errorf("θ = %g, r = %g: NFE %.2f, the same as the defaults'", s.Safety, s.Exponent, res.NFEMean)
		}
	}
	for _, s := range []Settings{{Safety: -0.1}, {Safety: 1.1}, {Safety: math.NaN()}, {Exponent: -1}, {Exponent: math.Inf(1)}, {Exponent: math.NaN()}} {
		if _, err := Sample(context.Background(), sde, e, e, 2, s); err == nil {
			t.Errorf("Safety %v, Exponent %v: no error", s.Safety, s.Exponent)
		}
	}
}

// TestPCSNR: PC's SNR is used as given or refused, never replaced. Zero is
// the default (bit-identical to the explicit 0.01 of VP); a negative, NaN
// or infinite SNR is refused by Sample before any work and by the stepper
// itself; an SNR whose corrector step overflows fails the solve with an
// error saying so (it used to drop the corrector and report success).
func TestPCSNR(t *testing.T) {
	sde := NewSDE(VP)
	e, err := NewExact(sde, GMM2D())
	if err != nil {
		t.Fatal(err)
	}
	pc := func(snr float64) (*Result, error) {
		return Sample(context.Background(), sde, e, e, 2, Settings{Sampler: PredictorCorrector, N: 50, Seed: 3, Steps: 100, SNR: snr})
	}
	def, err := pc(0)
	if err != nil || def.Status != sdeint.Success {
		t.Fatalf("default SNR: %v", err)
	}
	explicit, err := pc(0.01)
	if err != nil {
		t.Fatal(err)
	}
	for i := range def.Model {
		if math.Float64bits(def.Model[i]) != math.Float64bits(explicit.Model[i]) {
			t.Fatalf("SNR 0.01 differs from the default at %d", i)
		}
	}
	for _, snr := range []float64{-0.1, math.NaN(), math.Inf(1), math.Inf(-1)} {
		if res, err := pc(snr); err == nil || res != nil {
			t.Errorf("SNR %v: result %v, error %v; want a refusal before any work", snr, res != nil, err)
		}
		_, err := sdeint.Solve(context.Background(), Reverse(sde, e, 2), PC{SDE: sde, SNR: snr}, &sdeint.Settings{Paths: 4, Steps: 100})
		if err == nil || !strings.Contains(err.Error(), "SNR") {
			t.Errorf("PC{SNR: %v} in sdeint.Solve: %v, want a refusal", snr, err)
		}
	}
	res, err := pc(1e300)
	if err == nil || !strings.Contains(err.Error(), "overflows") || res == nil || res.Status != sdeint.FuncError {
		t.Errorf("SNR 1e300: %v (result %v), want an overflow failure", err, res != nil)
	}
	// Too few VP steps: β(t)·Δ reaches 1 near t = 1 (β_max = 20), where
	// the corrector's √(2ε) would be NaN; the error says why.
	res, err = Sample(context.Background(), sde, e, e, 2, Settings{Sampler: PredictorCorrector, N: 50, Seed: 3, Steps: 10})
	if err == nil || !strings.Contains(err.Error(), "more steps") || res == nil || res.Status != sdeint.FuncError {
		t.Errorf("VP PC with 10 steps: %v (result %v), want a failure asking for more steps", err, res != nil)
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
