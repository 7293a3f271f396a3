package sdeint_test

import (
	"context"
	"math"
	"testing"

	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// sqrtDecay is dx = −√x dt + σ dW from x(0) = 1 on [0, T]: the drift is
// NaN for x < 0, and the noise-free solution (1 − t/2)² stays positive for
// T < 2 (1/16 at T = 1.5). A long trial step overshoots below 0, so
// adaptive steps meet NaN in their second stage and must reject, not fail.
func sqrtDecay(sigma, T float64) sdeint.Problem {
	p := sdeint.Problem{
		Dim: 1, T0: 0, T1: T, X0: []float64{1},
		Drift: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = -math.Sqrt(x[0]) }),
	}
	if sigma != 0 {
		p.Noise = sdeint.Noise{Shape: sdeint.ScalarNoise, Additive: true}
		p.Diffusion = sdeint.Lift(1, 1, func(dst []float64, _ float64, _ []float64) { dst[0] = sigma })
	}
	return p
}

// paperControl is the paper's controller for ggf: integral with exponent
// 0.9, no clamps, and its first step h0 = 0.01.
var paperControl = control.Settings{Exponent: 0.9, Unclamped: true, H0: 0.01}

// TestNonFiniteRejects: a NaN in a trial stage rejects the attempt and
// shrinks the step instead of ending the path. On [0, 1.5] at the default
// tolerances (the case, which lost paths before), and on [0, 1.9]
// at 1e-3, where x(T) = 1/400 and any step over 4% of it overshoots. Each
// case must see NaN attempts (NonFinite > 0, else the test proves nothing)
// and finish every path; for the ODE, X(T) must be near the exact
// (1 − T/2)²: within 0.1·x(T) + the tolerance (measured errors are far
// smaller; the point is that the path is not lost or corrupted).
func TestNonFiniteRejects(t *testing.T) {
	for _, c := range []struct {
		name  string
		p     sdeint.Problem
		m     sdeint.Method
		set   sdeint.Settings
		tol   float64
		exact bool
		// mustNaN: the case exists to exercise the rejection (a long
		// step overshoots), so it must meet NaN; the others are the
		// issue's cases, which must simply succeed.
		mustNaN bool
	}{
		{"ode/dp5", sqrtDecay(0, 1.5), methods.DP5{}, sdeint.Settings{Paths: 4}, 0, true, false},
		{"ode/ggf", sqrtDecay(0, 1.5), methods.GGF{}, sdeint.Settings{Paths: 4}, 0, true, false},
		{"sde/ggf", sqrtDecay(0.01, 1.5), methods.GGF{}, sdeint.Settings{Paths: 200, Seed: 1}, 0, false, false},
		{"sde/roberts", sqrtDecay(0.01, 1.5), methods.Roberts{}, sdeint.Settings{Paths: 200, Seed: 1}, 0, false, false},
		{"sde/ggf/shared", sqrtDecay(0.01, 1.5), methods.GGF{}, sdeint.Settings{Paths: 64, Seed: 1, SharedStep: true}, 0, false, false},
		// The paper's controller (integral, r = 0.9, unclamped) grows
		// the step up to ×10 at a time and overshoots: these meet NaN.
		{"ode/ggf/paper", sqrtDecay(0, 1.5), methods.GGF{}, sdeint.Settings{Paths: 4, Control: paperControl}, 0, true, true},
		{"sde/ggf/paper", sqrtDecay(0.01, 1.5), methods.GGF{}, sdeint.Settings{Paths: 200, Seed: 1, Control: paperControl}, 0, false, true},
		{"sde/ggf/shared/paper", sqrtDecay(0.01, 1.5), methods.GGF{}, sdeint.Settings{Paths: 64, Seed: 1, SharedStep: true, Control: paperControl}, 0, false, true},
		{"ode/dp5/h0", sqrtDecay(0, 1.9), methods.DP5{}, sdeint.Settings{Paths: 4, Control: control.Settings{H0: 0.5}}, 1e-3, true, true},
		{"ode/ggf/1.9", sqrtDecay(0, 1.9), methods.GGF{}, sdeint.Settings{Paths: 4}, 1e-3, true, false},
		{"sde/roberts/1.9", sqrtDecay(0.001, 1.9), methods.Roberts{}, sdeint.Settings{Paths: 200, Seed: 1}, 1e-3, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := c.set
			s.Control.RTol, s.Control.ATol = c.tol, c.tol
			res, err := sdeint.Solve(context.Background(), &c.p, c.m, &s)
			if err != nil {
				t.Fatalf("%v (status %v, %d failed)", err, res.Status, res.Stats.Failed)
			}
			nonFinite := 0
			for i, ps := range res.Path {
				nonFinite += ps.NonFinite
				if ps.NonFinite > ps.Rejected {
					t.Errorf("path %d: %d non-finite attempts but %d rejections", i, ps.NonFinite, ps.Rejected)
				}
			}
			if c.mustNaN && nonFinite == 0 {
				t.Fatalf("no attempt met NaN: the case does not exercise the rejection")
			}
			if c.exact {
				want := (1 - c.p.T1/2) * (1 - c.p.T1/2)
				tol := max(c.tol, 1e-2)
				for i := range res.Paths {
					if e := math.Abs(res.Row(i)[0] - want); e > 0.1*want+tol {
						t.Errorf("path %d: X(T) = %v, exact %v", i, res.Row(i)[0], want)
					}
				}
			}
			t.Logf("%d non-finite attempts over %d paths, NFE %.1f", nonFinite, res.Paths, res.NFEMean())
		})
	}
}

// TestNonFiniteDeterministic: NaN rejections keep results bit-identical
// across workers and batch sizes.
func TestNonFiniteDeterministic(t *testing.T) {
	p := sqrtDecay(0.01, 1.5)
	var ref []float64
	for _, s := range []sdeint.Settings{{Workers: 1, BatchSize: 100}, {Workers: 3, BatchSize: 7}, {Workers: 2, BatchSize: 1}} {
		s.Paths, s.Seed = 100, 9
		res, err := sdeint.Solve(context.Background(), &p, methods.Roberts{}, &s)
		if err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = res.X
			continue
		}
		for i := range ref {
			if math.Float64bits(ref[i]) != math.Float64bits(res.X[i]) {
				t.Fatalf("workers %d, batch %d: path %d differs: %v vs %v", s.Workers, s.BatchSize, i, res.X[i], ref[i])
			}
		}
	}
}

// TestNonFiniteCollapse: a drift that is NaN for every t > ½ cannot be
// stepped past: the step shrinks towards t = ½ until it collapses, and the
// path ends NotFinite (not StepCollapse), naming the drift, at its last
// accepted state just before ½.
func TestNonFiniteCollapse(t *testing.T) {
	p := sdeint.Problem{
		Dim: 1, T0: 0, T1: 1, X0: []float64{1},
		Drift: sdeint.Lift(1, 1, func(dst []float64, tt float64, x []float64) {
			dst[0] = -x[0]
			if tt > 0.5 {
				dst[0] = math.NaN()
			}
		}),
	}
	res, err := sdeint.Solve(context.Background(), &p, methods.DP5{}, &sdeint.Settings{Paths: 2})
	if err == nil || res.Status != sdeint.NotFinite {
		t.Fatalf("status %v, err %v; want NotFinite", res.Status, err)
	}
	ps := res.Path[0]
	if ps.Err == nil || ps.Err.Where != "drift" || !(ps.Err.TEval > 0.5) {
		t.Fatalf("PathError %+v: want Where drift with TEval > ½", ps.Err)
	}
	if !(ps.T <= 0.5 && ps.T > 0.5-1e-9) {
		t.Errorf("stopped at T = %v, want just below ½", ps.T)
	}
	if ps.NonFinite < 10 {
		t.Errorf("%d non-finite attempts: the step should have shrunk many times before collapsing", ps.NonFinite)
	}
	if x := res.Row(0)[0]; math.Abs(x-math.Exp(-ps.T)) > 1e-2 {
		t.Errorf("X = %v at T = %v, want the last accepted state ≈ e^−T", x, ps.T)
	}
}

// TestInDomain: Problem.InDomain rejects proposals outside the domain at
// adaptive steps, so every accepted state lies in it, and ends the path at
// a fixed step that leaves it.
func TestInDomain(t *testing.T) {
	// Cox–Ingersoll–Ross with a large σ: Euler-type proposals often go
	// negative, and √x is NaN there.
	p := sdeint.Problem{
		Dim: 1, T0: 0, T1: 1, X0: []float64{0.05},
		Noise: sdeint.Noise{Shape: sdeint.ScalarNoise},
		Drift: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = 2 * (0.1 - x[0]) }),
		Diffusion: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) {
			dst[0] = 0.3 * math.Sqrt(x[0])
		}),
		InDomain: func(_ float64, x []float64) bool { return x[0] >= 0 },
	}
	save := []float64{0.25, 0.5, 0.75}
	res, err := sdeint.Solve(context.Background(), &p, methods.Roberts{}, &sdeint.Settings{Paths: 500, Seed: 2, SaveAt: save})
	if err != nil {
		t.Fatalf("%v", err)
	}
	for i, v := range res.Saved {
		if !(v >= 0) {
			t.Fatalf("saved value %d = %v outside the domain", i, v)
		}
	}
	for i := range res.Paths {
		if !(res.Row(i)[0] >= 0) {
			t.Fatalf("path %d ends at %v", i, res.Row(i)[0])
		}
	}

	// Fixed steps: a domain that excludes x > 0.5 on dx = dt ends every
	// path when it crosses, NotFinite with Where "domain".
	q := sdeint.Problem{
		Dim: 1, T0: 0, T1: 1, X0: []float64{0},
		Drift:    sdeint.Lift(1, 1, func(dst []float64, _ float64, _ []float64) { dst[0] = 1 }),
		InDomain: func(_ float64, x []float64) bool { return x[0] <= 0.5 },
	}
	res, err = sdeint.Solve(context.Background(), &q, methods.EM{}, &sdeint.Settings{Steps: 10})
	if err == nil || res.Status != sdeint.NotFinite || res.Path[0].Err.Where != "domain" {
		t.Fatalf("status %v, err %v; want NotFinite in the domain", res.Status, err)
	}
	if T := res.Path[0].T; math.Abs(T-0.5) > 1e-12 {
		t.Errorf("fixed steps stopped at %v, want 0.5", T)
	}
}
