package bench

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/gofast-sde/gofast/diffusion"
	"github.com/gofast-sde/gofast/sdeint/brownian"
)

// TestEMStepsDiscriminated: the dispersion error tells Euler–Maruyama with
// 100 steps from EM with 1000 steps, for VP and VE, on gmm2d (and on
// gmm-image with GOFAST_LONG=1): EM-100 is worse by more than 3 SE of the
// difference. The two runs share each sample's prior draw and Brownian path
// (common random numbers: brownian.Grid{Steps: 1000}, which EM-100 sums in
// blocks of ten), so the SE is that of a paired difference; the Fréchet
// distance, which sees only the overall mean and covariance, does not
// separate them in 2-D. Measured on gmm2d with 10000 samples: VE
// +0.032 ± 0.007, VP +0.245 ± 0.007; on gmm-image with 4000 samples
// (GOFAST_LONG=1, about 7 minutes on 2 cores): VE +0.0034 ± 0.0004,
// VP +0.0551 ± 0.0006.
//
// The default run keeps it fast (about 2 s): gmm2d VP with 2000 samples,
// where the SE grows by √5 to about 0.016 and the gap is still 15 SE. VE's
// gap needs the 10⁴ samples (at 2000 it would be about 2 SE): it runs with
// GOFAST_LONG=1.
func TestEMStepsDiscriminated(t *testing.T) {
	type tc struct {
		data  string
		n     int
		kinds []diffusion.Kind
	}
	both := []diffusion.Kind{diffusion.VP, diffusion.VE}
	cases := []tc{{"gmm2d", 2000, []diffusion.Kind{diffusion.VP}}}
	if os.Getenv("GOFAST_LONG") != "" {
		cases = []tc{{"gmm2d", 10000, both}, {"gmm-image", 4000, both}}
	}
	for _, c := range cases {
		mix, err := diffusion.DataByName(c.data)
		if err != nil {
			t.Fatal(err)
		}
		for _, kind := range c.kinds {
			sde := diffusion.NewSDE(kind)
			ex, err := diffusion.NewExact(sde, mix)
			if err != nil {
				t.Fatal(err)
			}
			ev := NewEvaluator(sde, ex, c.n, false, 0)
			var models [2][]float64
			for j, steps := range []int{100, 1000} {
				res, err := diffusion.Sample(context.Background(), sde, ex, ex, mix.Dim, diffusion.Settings{
					Sampler: diffusion.EM, N: c.n, Seed: 1, Steps: steps, Brownian: brownian.Grid{Steps: 1000}})
				if err != nil {
					t.Fatal(err)
				}
				models[j] = res.Model
			}
			diff, se := ev.DispersionDiff(models[0], models[1], c.n)
			t.Logf("%s %v: dispersion(EM-100) − dispersion(EM-1000) = %+.4f ± %.4f", c.data, kind, diff, se)
			if !(diff > 3*se) || math.IsNaN(se) {
				t.Errorf("%s %v: EM-100 is worse by %.4f ± %.4f, not more than 3 SE", c.data, kind, diff, se)
			}
		}
	}
}

// TestPairedSE checks the paired SEs of the verdict on exact gmm2d samples
// (VP, n = 2000).
//
// Identical samples: the difference and its SE are exactly 0.
//
// Independent pairs (R = 40 replicate pairs): the jackknife SE must
// estimate the spread of the difference over replicates. The empirical SD
// of R values has relative SE ≈ 1/√(2(R−1)) ≈ 0.113, and the mean of 40
// jackknife SEs is much steadier, so their ratio lies within 1 ± 3·0.113
// (k = 3), for a near-Gaussian spread. Dispersion: exact samples of
// different seeds. Mode TV is smooth only away from 0: for exact samples
// (TV at its noise floor, |·| of noise) a linearised SE overestimates the
// spread — conservative, which this test asserts (ratio ≥ 1 − 0.34) — and
// for samples with a real mode-weight error (labels drawn from the
// reference's weights with one component's weight ×1.5 in a, another's in
// b) it must match (ratio within 1 ± 0.34).
//
// Correlated pairs (b = a plus small noise, the situation of samplers
// sharing their draws): the paired SE of the dispersion difference is far
// below √(se_a² + se_b²), which counts both samples' and the shared
// reference's noise as if independent.
func TestPairedSE(t *testing.T) {
	mix, err := diffusion.DataByName("gmm2d")
	if err != nil {
		t.Fatal(err)
	}
	sde := diffusion.NewSDE(diffusion.VP)
	ex, err := diffusion.NewExact(sde, mix)
	if err != nil {
		t.Fatal(err)
	}
	const n, R = 2000, 40
	ev := NewEvaluator(sde, ex, n, false, 0)
	x, lab := ev.exactSample(n, 1)
	a := projected{x, lab}
	if d, tv := ev.pairedSE(a, a); d != 0 || tv != 0 {
		t.Errorf("identical samples: SEs %v, %v", d, tv)
	}
	// Label weights with component k's weight ×1.5, as cumulative sums.
	K := mix.K()
	ref := make([]float64, K)
	for _, l := range ev.refLab {
		ref[l]++
	}
	shifted := func(k int) []float64 {
		c := make([]float64, K)
		var sum float64
		for j := range K {
			w := ref[j]
			if j == k {
				w *= 1.5
			}
			sum += w
			c[j] = sum
		}
		for j := range c {
			c[j] /= sum
		}
		return c
	}
	ca, cb := shifted(0), shifted(1)
	rng := rand.New(rand.NewPCG(3, 4))
	draw := func(c []float64) []int {
		lab := make([]int, n)
		for i := range lab {
			u := rng.Float64()
			for lab[i] = 0; lab[i] < K-1 && u > c[lab[i]]; lab[i]++ {
			}
		}
		return lab
	}
	var dd, dt, dts []float64
	var seD, seT, seTs float64
	for r := range R {
		xa, la := ev.exactSample(n, uint64(100+2*r))
		xb, lb := ev.exactSample(n, uint64(101+2*r))
		pa, pb := projected{xa, la}, projected{xb, lb}
		ma, mb := ev.metrics(xa, la), ev.metrics(xb, lb)
		dd = append(dd, ma.Dispersion-mb.Dispersion)
		dt = append(dt, ma.ModeTV-mb.ModeTV)
		d, tv := ev.pairedSE(pa, pb)
		seD += d / R
		seT += tv / R
		// Shifted labels (the rows' x are irrelevant to mode TV).
		sa, sb := projected{xa, draw(ca)}, projected{xb, draw(cb)}
		ma, mb = ev.metrics(sa.x, sa.lab), ev.metrics(sb.x, sb.lab)
		dts = append(dts, ma.ModeTV-mb.ModeTV)
		_, tv = ev.pairedSE(sa, sb)
		seTs += tv / R
	}
	sd := func(v []float64) float64 {
		var m, s float64
		for _, x := range v {
			m += x / float64(len(v))
		}
		for _, x := range v {
			s += (x - m) * (x - m)
		}
		return math.Sqrt(s / float64(len(v)-1))
	}
	bound := 3 / math.Sqrt(2*(R-1))
	for _, c := range []struct {
		name    string
		se, sd  float64
		atLeast bool // only a lower bound (conservative SE)
	}{{"dispersion", seD, sd(dd), false}, {"mode TV at the floor", seT, sd(dt), true}, {"mode TV with mode errors", seTs, sd(dts), false}} {
		t.Logf("%s: mean paired SE %.4f, SD over %d replicates %.4f", c.name, c.se, R, c.sd)
		if r := c.se/c.sd - 1; r < -bound || (!c.atLeast && r > bound) {
			t.Errorf("%s: paired SE %.4f against an SD of %.4f over replicates: ratio off 1 by more than %.2f", c.name, c.se, c.sd, bound)
		}
	}
	// Correlated pair.
	xb := make([]float64, len(x))
	for i := range xb {
		xb[i] = x[i] + 0.002*rng.NormFloat64()
	}
	b := projected{xb, lab}
	d, _ := ev.pairedSE(a, b)
	ma, mb := ev.metrics(a.x, a.lab), ev.metrics(b.x, b.lab)
	indep := math.Hypot(ma.DispersionSE, mb.DispersionSE)
	t.Logf("correlated pair: paired SE %.4f, independent SE %.4f", d, indep)
	if !(d < indep/3) {
		t.Errorf("correlated pair: paired SE %.4f not below a third of the independent %.4f", d, indep)
	}
}
