package methods_test

import (
	"context"
	"math"
	"testing"

	"github.com/gofast-sde/gofast/internal/mcstat"
	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// strongOrder solves p with fixed steps dt = 2⁻ᵏ for k = 3…9, each dt on its
// own 1000 paths (seed 5+k, so the rows are independent, as the SE assumes)
// and returns the least-squares slope of log mean strong error against
// log dt with its delta-method SE.
func strongOrder(t *testing.T, p *problems.Problem, m sdeint.Method, override bool) (order, se float64) {
	t.Helper()
	var hs, means, ses []float64
	ex := make([]float64, p.SDE.Dim)
	for k := 3; k <= 9; k++ {
		res, err := sdeint.Solve(context.Background(), &p.SDE, m, &sdeint.Settings{Paths: 1000, Seed: 5 + uint64(k), Steps: 1 << k, Override: override})
		if err != nil {
			t.Fatal(err)
		}
		errs := make([]float64, res.Paths)
		for i := range errs {
			p.Solution(ex, res.T1, res.WRow(i))
			errs[i] = math.Abs(res.Row(i)[0] - ex[0])
		}
		mean, s := mcstat.MeanSE(errs)
		hs, means, ses = append(hs, math.Ldexp(1, -k)), append(means, mean), append(ses, s)
	}
	return mcstat.LogLogSlopeMeans(hs, means, ses)
}

// TestFixedStepStrongOrders checks each method's declared strong order on a
// scalar problem of its calculus, with the convergence bar |order − theory|
// < 0.2 and SE ≤ 0.067.
func TestFixedStepStrongOrders(t *testing.T) {
	for _, c := range []struct {
		p *problems.Problem
		m sdeint.Method
	}{
		{problems.GBM(), methods.EM{}},
		{problems.GBM(), methods.Roberts{}},
		{problems.GBMStrat(), methods.GGF{}},
	} {
		want := c.m.Properties().Orders[c.p.SDE.Noise.Class(c.p.SDE.Dim)].Strong
		order, se := strongOrder(t, c.p, c.m, false)
		t.Logf("%s on %s: order %.3f ± %.3f (declared %.1f)", c.m.Properties().Name, c.p.Name, order, se, want)
		if math.Abs(order-want) >= 0.2 || se > 0.067 {
			t.Errorf("%s on %s: order %.3f ± %.3f, declared %.1f", c.m.Properties().Name, c.p.Name, order, se, want)
		}
	}
}

// TestHeunIsNotIto: forced onto Itô GBM (the refusal overridden), the
// paper's Heun converges to the Stratonovich solution, so its error against
// the Itô solution stalls: the fitted order is near 0. A method converging
// to the Itô solution would show at least order ½ (Euler–Maruyama's), so
// the test requires the order to lie below ½ by more than 4 SE:
// order + 4·se < ½.
func TestHeunIsNotIto(t *testing.T) {
	order, se := strongOrder(t, problems.GBM(), methods.GGF{}, true)
	t.Logf("ggf on Itô gbm: order %.3f ± %.3f", order, se)
	if order+4*se >= 0.5 {
		t.Errorf("ggf on Itô gbm: order %.3f ± %.3f is not below ½ by 4 SE; it should not converge", order, se)
	}
}

// TestODEOrder: with no noise, the high-order results of both pairs are
// Heun's method (order 2) and EM is Euler's (order 1): on dx = x, x(0) = 1,
// the error at t = 1 falls by 4 (resp. 2) when the step halves, to 2%.
func TestODEOrder(t *testing.T) {
	p := &sdeint.Problem{Dim: 1, T0: 0, T1: 1, X0: []float64{1},
		Drift: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = x[0] })}
	for _, c := range []struct {
		m     sdeint.Method
		ratio float64
	}{{methods.EM{}, 2}, {methods.GGF{}, 4}, {methods.Roberts{}, 4}} {
		var prev float64
		for k := 6; k <= 9; k++ {
			res, err := sdeint.Solve(context.Background(), p, c.m, &sdeint.Settings{Steps: 1 << k})
			if err != nil {
				t.Fatal(err)
			}
			e := math.Abs(res.Row(0)[0] - math.E)
			if k > 6 && math.Abs(prev/e/c.ratio-1) > 0.02 {
				t.Errorf("%s: error ratio %.4f at 2^-%d, want %.0f", c.m.Properties().Name, prev/e, k, c.ratio)
			}
			prev = e
		}
	}
}

func TestByName(t *testing.T) {
	for _, n := range methods.Names() {
		m, err := methods.ByName(n)
		if err != nil || m.Properties().Name != n {
			t.Errorf("ByName(%q) = %v, %v", n, m, err)
		}
	}
	if _, err := methods.ByName("rk4"); err == nil {
		t.Error("ByName(rk4) did not fail")
	}
	for p, want := range map[*problems.Problem]string{
		problems.GBM(): "sriw1", problems.Cubic(): "sriw1", problems.OU(): "sosra", problems.Additive4(): "sosra",
		problems.GBMStrat(): "ggf", problems.TwoNoise(): "lambaem", problems.Linear10(): "lambaem",
	} {
		if got := methods.Default(&p.SDE).Properties().Name; got != want {
			t.Errorf("default for %s = %s, want %s", p.Name, got, want)
		}
	}
	ode := sdeint.Problem{Dim: 1, T0: 0, T1: 1, X0: []float64{1}, Drift: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = x[0] })}
	if got := methods.Default(&ode).Properties().Name; got != "dp5" {
		t.Errorf("default for an ODE = %s, want dp5", got)
	}
}

// TestGGFAblations: the paper's ablation knobs run end to end and do what
// they say, on the bridge source at tolerances 1e-2 and 1e-3 (2000 paths).
// Each variant's mean strong error falls by more than 3 SE of the difference
// as the tolerance tightens, and its results differ from the default pair's.
// Both variants keep states that converge to the Itô solution (see their
// doc), so they are refused on gbm-strat. The Lamba-like variant runs on Itô
// gbm, where the default pair is refused. Without extrapolation, the kept
// Euler–Maruyama state on a grid chosen by looking at the increments is
// biased for multiplicative noise (Gaines & Lyons 1997: measured here, its
// error on gbm grew from 0.16 to 0.27 as the tolerance tightened), so it is
// refused on gbm and tested on the additive problem, its intended use.
func TestGGFAblations(t *testing.T) {
	errAt := func(p *problems.Problem, m sdeint.Method, tol float64) (mean, se float64, x0 float64) {
		res, err := sdeint.Solve(context.Background(), &p.SDE, m, &sdeint.Settings{
			Paths: 2000, Seed: 2, Control: control.Settings{RTol: tol, ATol: tol}})
		if err != nil {
			t.Fatal(err)
		}
		errs := make([]float64, res.Paths)
		ex := make([]float64, 1)
		for i := range errs {
			p.Solution(ex, 1, res.WRow(i))
			errs[i] = math.Abs(res.Row(i)[0] - ex[0])
		}
		mean, se = mcstat.MeanSE(errs)
		return mean, se, res.Row(0)[0]
	}
	gbm := problems.GBM()
	if _, err := sdeint.Solve(context.Background(), &gbm.SDE, methods.GGF{NoExtrapolation: true}, nil); err == nil {
		t.Errorf("adaptive ggf without extrapolation on gbm was not refused")
	}
	for _, c := range []struct {
		p *problems.Problem
		m methods.GGF
	}{{gbm, methods.GGF{Lamba: true}}, {problems.Additive(), methods.GGF{NoExtrapolation: true}}} {
		if _, err := sdeint.Solve(context.Background(), &problems.GBMStrat().SDE, c.m, nil); err == nil {
			t.Errorf("%+v on gbm-strat was not refused", c.m)
		}
		res, err := sdeint.Solve(context.Background(), &c.p.SDE, methods.GGF{}, &sdeint.Settings{
			Paths: 2000, Seed: 2, Override: true, Control: control.Settings{RTol: 1e-2, ATol: 1e-2}})
		if err != nil {
			t.Fatal(err)
		}
		base := res.Row(0)[0]
		e2, se2, x := errAt(c.p, c.m, 1e-2)
		e3, se3, _ := errAt(c.p, c.m, 1e-3)
		t.Logf("%+v on %s: strong error %.4g ± %.2g at 1e-2, %.4g ± %.2g at 1e-3", c.m, c.p.Name, e2, se2, e3, se3)
		if d, se := mcstat.DiffSE(e2, se2, e3, se3); d <= 3*se {
			t.Errorf("%+v: error fell by %.3g from 1e-2 to 1e-3, not more than 3 SE (%.3g)", c.m, d, se)
		}
		if x == base {
			t.Errorf("%+v gives the same result as the default pair", c.m)
		}
	}
}

// TestDP5Order: on dx/dt = x·cos t, x(0) = 1, whose solution is e^{sin t},
// Dormand–Prince with 32…256 fixed steps over [0, 4] converges with order 5:
// the least-squares slope of log error against log step is 5 within 0.3
// (errors stay far above rounding: the smallest is about 1e-13).
func TestDP5Order(t *testing.T) {
	ode := cosODE(4)
	p := &ode
	var hs, errs []float64
	for _, n := range []int{32, 64, 128, 256} {
		res, err := sdeint.Solve(context.Background(), p, methods.DP5{}, &sdeint.Settings{Steps: n})
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, math.Log(4/float64(n)))
		errs = append(errs, math.Log(math.Abs(res.Row(0)[0]-math.Exp(math.Sin(4)))))
		if ps := res.Path[0]; ps.NFE != 6*n+1 {
			t.Errorf("%d steps: NFE %d, want 6 per step plus the first stage", n, ps.NFE)
		}
	}
	order, _, _ := mcstat.Slope(hs, errs)
	t.Logf("dp5 order %.3f (log errors %v)", order, errs)
	if math.Abs(order-5) > 0.3 {
		t.Errorf("dp5 order %.3f, want 5 ± 0.3", order)
	}
	// Adaptive at 1e-8: accurate to a small multiple of the tolerance, and
	// refused on a problem with noise.
	res, err := sdeint.Solve(context.Background(), p, methods.DP5{}, &sdeint.Settings{Control: control.Settings{RTol: 1e-8, ATol: 1e-8}})
	if err != nil {
		t.Fatal(err)
	}
	if e := math.Abs(res.Row(0)[0] - math.Exp(math.Sin(4))); e > 1e-6 {
		t.Errorf("adaptive dp5 at 1e-8: error %g", e)
	}
	if _, err := sdeint.Solve(context.Background(), &problems.OU().SDE, methods.DP5{}, nil); err == nil {
		t.Error("dp5 on a problem with noise was not refused")
	}
}

// errSlope takes one attempt of size h = 2⁻ᵏ, k = 2…10, from p's initial
// state on paths paths (seed 11+k: each h on its own paths, so the rows are
// independent as the SE assumes) and returns the least-squares slope of
// log mean |E| against log h, with its delta-method SE. E is the method's
// error estimate: with ε_abs = 1, ε_rel = 1e-300 the tolerance is 1 and, in
// one dimension, the error norm the trace records is |E| itself.
func errSlope(t *testing.T, p sdeint.Problem, m sdeint.Method, paths int) (slope, se float64, means []float64) {
	t.Helper()
	var hs, ses []float64
	for k := 2; k <= 10; k++ {
		h := math.Ldexp(1, -k)
		q := p
		q.T1 = q.T0 + h
		res, err := sdeint.Solve(context.Background(), &q, m, &sdeint.Settings{
			Paths: paths, Seed: 11 + uint64(k), Trace: true, Override: true,
			Control: control.Settings{ATol: 1, RTol: 1e-300, H0: h},
		})
		if res == nil {
			t.Fatal(err)
		}
		e := make([]float64, paths)
		for i, tr := range res.Trace {
			if tr[0].H != h {
				t.Fatalf("first attempt %v, want %v", tr[0].H, h)
			}
			e[i] = tr[0].Err
		}
		mean, s := mcstat.MeanSE(e)
		hs, means, ses = append(hs, h), append(means, mean), append(ses, s)
	}
	slope, se = mcstat.LogLogSlopeMeans(hs, means, ses)
	return slope, se, means
}

// cosODE is dx/dt = x·cos t, x(0) = 1, on [0, t1], whose solution is
// e^{sin t}: the ODE the error-estimate and order tests share.
func cosODE(t1 float64) sdeint.Problem {
	return sdeint.Problem{Dim: 1, T0: 0, T1: t1, X0: []float64{1},
		Drift: sdeint.Lift(1, 1, func(dst []float64, t float64, x []float64) { dst[0] = x[0] * math.Cos(t) })}
}

// TestErrQ checks the declared growth E ∝ h^(q+1) of each pair's error
// estimate (Order.ErrQ): the log–log slope of mean |E| over one attempt from
// the initial state, h = 2⁻²…2⁻¹⁰ (1000 paths per h, errSlope), must lie
// within 0.2 of q+1 (0.3 for Dormand–Prince's 5), with an SE at most a third
// of the bar. For the ODEs the mean is of one deterministic value, SE 0.
//
// The law is the leading term as h → 0, so each problem must be in that
// regime over the range. With additive noise the h^(3/2) term is of size
// |f′|·g·h^(3/2) against |f′·f|·h² from the drift: OU (g = 0.3, f = −0.8 at
// the start) is, measured 1.59 (ggf) and 1.55 (roberts); the library's
// additive problem, whose noise is 90 times smaller than its drift, is not
// (slope 1.97 here; 1.56 at h = 2⁻¹⁴…2⁻²⁴). The ODE dx/dt = x·cos t starts at
// t = 0, where the Heun pairs' h² coefficient f_t + f·f_x is 1 (at t = ½ it
// is 0.29 and the h³ term pulls their slope to 1.8).
func TestErrQ(t *testing.T) {
	ode := cosODE(1)
	for _, c := range []struct {
		name string
		p    sdeint.Problem
		m    sdeint.Method
	}{
		{"gbm-strat", problems.GBMStrat().SDE, methods.GGF{}}, // q = 0
		{"gbm", problems.GBM().SDE, methods.Roberts{}},        // q = 0
		{"gbm", problems.GBM().SDE, methods.GGF{Lamba: true}}, // q = 1
		{"ou", problems.OU().SDE, methods.GGF{}},              // q = ½
		{"ou", problems.OU().SDE, methods.Roberts{}},          // q = ½
		{"ou", problems.OU().SDE, methods.GGF{Lamba: true}},   // q = 1
		{"ode", ode, methods.DP5{}},                           // q = 4
		{"ode", ode, methods.GGF{}},                           // q = 1
		{"ode", ode, methods.Roberts{}},                       // q = 1
	} {
		slope, se, _ := errSlope(t, c.p, c.m, 1000)
		q := c.m.Properties().Orders[c.p.Noise.Class(c.p.Dim)].ErrQ
		bar := 0.2
		if q == 4 {
			bar = 0.3
		}
		t.Logf("%s%+v on %s: slope %.3f ± %.3f, declared q+1 = %g", c.m.Properties().Name, c.m, c.name, slope, se, q+1)
		if math.Abs(slope-(q+1)) >= bar || se > bar/3 {
			t.Errorf("%+v on %s: error estimate grows as h^%.3f ± %.3f, declared h^%g (bar %g)", c.m, c.name, slope, se, q+1, bar)
		}
	}
}
