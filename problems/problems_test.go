package problems

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gofast-sde/gofast/internal/mcstat"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// TestSolutionsSolveTheirSDEs checks each pathwise exact solution against
// its SDE and its stated moments: X(t) = Solution(t, W) with W ~ N(0, t)
// must have the stated mean and variance (Monte Carlo, 10⁶ draws, within
// 4 SE), and the mean must obey the SDE's moment equation, found by Itô's
// formula: d E[X]/dt = E[f(t, X)] (within 4 SE, by a central difference of
// the exact mean, whose error O(δ²) is below 1e-8 here).
func TestSolutionsSolveTheirSDEs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, tt = 1_000_000, 0.7
	for _, p := range []*Problem{GBM(), GBMStrat(), Additive()} {
		x, fx := make([]float64, n), make([]float64, n)
		var w, f, mean, vr [1]float64
		drift := func(dst []float64, t float64, x []float64) {
			// The Itô drift: the Stratonovich one plus ½ g g'.
			if err := p.SDE.Drift(dst, []float64{t}, x, sdeint.Batch{Paths: []int{0}}); err != nil {
				panic(err)
			}
			if p.SDE.Calculus == sdeint.Stratonovich {
				const h = 1e-6
				var g, gp, gm [1]float64
				p.SDE.Diffusion(g[:], []float64{t}, x, sdeint.Batch{Paths: []int{0}})
				p.SDE.Diffusion(gp[:], []float64{t}, []float64{x[0] + h}, sdeint.Batch{Paths: []int{0}})
				p.SDE.Diffusion(gm[:], []float64{t}, []float64{x[0] - h}, sdeint.Batch{Paths: []int{0}})
				dst[0] += 0.5 * g[0] * (gp[0] - gm[0]) / (2 * h)
			}
		}
		for i := range x {
			w[0] = math.Sqrt(tt) * rng.NormFloat64()
			p.Solution(x[i:i+1], tt, w[:])
			drift(f[:], tt, x[i:i+1])
			fx[i] = f[0]
		}
		p.Mean(mean[:], tt)
		p.Var(vr[:], tt)
		m, mse := mcstat.MeanSE(x)
		v, vse := mcstat.VarSE(x)
		if math.Abs(m-mean[0]) > 4*mse || math.Abs(v-vr[0]) > 4*vse {
			t.Errorf("%s: sample mean %.5g ± %.2g, variance %.5g ± %.2g; stated %.5g, %.5g", p.Name, m, mse, v, vse, mean[0], vr[0])
		}
		const d = 1e-4
		var mp, mm [1]float64
		p.Mean(mp[:], tt+d)
		p.Mean(mm[:], tt-d)
		ef, efse := mcstat.MeanSE(fx)
		if dm := (mp[0] - mm[0]) / (2 * d); math.Abs(dm-ef) > 4*efse {
			t.Errorf("%s: d E[X]/dt = %.5g but E[f(X)] = %.5g ± %.2g", p.Name, dm, ef, efse)
		}
		var x0 [1]float64
		p.Solution(x0[:], 0, []float64{0})
		if x0[0] != p.SDE.X0[0] {
			t.Errorf("%s: Solution at t = 0 is %v, X0 is %v", p.Name, x0[0], p.SDE.X0[0])
		}
	}
}

// TestOUMoments checks OU's stated moments against Euler–Maruyama with 1000
// steps on 20000 paths. EM's discrete mean is μ + (X₀−μ)(1−h)^N, off by
// (X₀−μ)e^{−1}·h/2 ≈ 1.5e-4, and its variance is off by O(σ²h) ≈ 1e-4; the
// tolerance is 4 SE plus a bias allowance of 1e-3.
func TestOUMoments(t *testing.T) {
	p := OU()
	res, err := sdeint.Solve(context.Background(), &p.SDE, methods.EM{}, &sdeint.Settings{Paths: 20000, Seed: 1, Steps: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var mean, vr [1]float64
	p.Mean(mean[:], 1)
	p.Var(vr[:], 1)
	m, mse := mcstat.MeanSE(res.X)
	v, vse := mcstat.VarSE(res.X)
	const bias = 1e-3
	if math.Abs(m-mean[0]) > 4*mse+bias || math.Abs(v-vr[0]) > 4*vse+bias {
		t.Errorf("ou: EM mean %.5g ± %.2g, variance %.5g ± %.2g; stated %.5g, %.5g", m, mse, v, vse, mean[0], vr[0])
	}
}

func TestByName(t *testing.T) {
	for _, name := range Names() {
		p, err := ByName(name)
		if err != nil || p.Name != name {
			t.Errorf("ByName(%q) = %v, %v", name, p, err)
		}
	}
	if _, err := ByName("nope"); err == nil {
		t.Error("ByName(nope) did not fail")
	}
}
