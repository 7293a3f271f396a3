package methods_test

import (
	"context"
	"math"
	"os"
	"testing"

	"github.com/gofast-sde/gofast/internal/mcstat"
	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// sriMethods are the SRI methods under test.
var sriMethods = []sdeint.Method{methods.SRIW1{}, methods.SOSRI{}}

// sriStrong solves p with fixed steps dt = span·2⁻ᵏ for k = k0…k1, each dt
// on its own paths (seed 5+k, so the rows are independent, as the SE
// assumes; the default source for a method that needs Lévy areas is the
// bridge, which serves exact increments and areas) and returns the
// least-squares slope of log mean RMS error against log dt with its
// delta-method SE.
func sriStrong(t *testing.T, p *problems.Problem, m sdeint.Method, k0, k1, paths int) (order, se float64) {
	t.Helper()
	var hs, means, ses []float64
	ex := make([]float64, p.SDE.Dim)
	for k := k0; k <= k1; k++ {
		res, err := sdeint.Solve(context.Background(), &p.SDE, m, &sdeint.Settings{Paths: paths, Seed: 5 + uint64(k), Steps: 1 << k})
		if err != nil {
			t.Fatal(err)
		}
		errs := make([]float64, res.Paths)
		for i := range errs {
			p.Solution(ex, res.T1, res.WRow(i))
			var s float64
			for j, v := range res.Row(i) {
				s += (v - ex[j]) * (v - ex[j])
			}
			errs[i] = math.Sqrt(s / float64(len(ex)))
		}
		mean, s := mcstat.MeanSE(errs)
		hs, means, ses = append(hs, math.Ldexp(1, -k)), append(means, mean), append(ses, s)
	}
	return mcstat.LogLogSlopeMeans(hs, means, ses)
}

// TestSRIStrongOrder: strong order 1.5 at fixed steps on scalar problems
// (gbm, cubic, wave) and a diagonal one (gbm-matrix), at the bar of
// docs/convergence.md for order 1.5: |order − 1.5| < 0.3 with SE ≤ 0.1
// (stiff-quadratic, heavier, is in convergence's TestSRIStrongSamePath
// under GOFAST_LONG). The additive
// problem shows order 2, not 1.5: its drift is linear (f” = 0, which
// removes the h^1.5 terms of additive noise that need the I_(1,1,0)-type
// integrals) and its noise is small; the declared 1.5 is a lower bound,
// checked as order > 1.5 − 0.3.
func TestSRIStrongOrder(t *testing.T) {
	for _, m := range sriMethods {
		for _, c := range []struct {
			p             *problems.Problem
			k0, k1, paths int
		}{
			{problems.GBM(), 3, 9, 400},
			{problems.Cubic(), 3, 9, 400},
			{problems.Wave(), 3, 9, 400},
			{problems.GBMMatrix(), 3, 9, 200},
			{problems.Additive(), 3, 9, 200},
		} {
			want := m.Properties().Orders[c.p.SDE.Noise.Class(c.p.SDE.Dim)].Strong
			order, se := sriStrong(t, c.p, m, c.k0, c.k1, c.paths)
			t.Logf("%s on %s: strong order %.3f ± %.3f (declared %.1f)", m.Properties().Name, c.p.Name, order, se, want)
			bad := math.Abs(order-want) >= 0.3
			if c.p.Name == "additive" {
				bad = order <= want-0.3
			}
			if bad || se > 0.1 {
				t.Errorf("%s on %s: strong order %.3f ± %.3f, declared %.1f", m.Properties().Name, c.p.Name, order, se, want)
			}
		}
	}
}

// TestSRIODEOrder: without noise the result is the explicit Runge–Kutta
// method of the drift weights, order 2 for both tableaus (αᵀc0 = ½,
// αᵀc0² ≠ ⅓): on dx = x, x(0) = 1, the error at t = 1 falls by 4 when the
// step halves, to 2%.
func TestSRIODEOrder(t *testing.T) {
	p := &sdeint.Problem{Dim: 1, T0: 0, T1: 1, X0: []float64{1},
		Drift: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = x[0] })}
	for _, m := range sriMethods {
		var prev float64
		for k := 6; k <= 9; k++ {
			res, err := sdeint.Solve(context.Background(), p, m, &sdeint.Settings{Steps: 1 << k})
			if err != nil {
				t.Fatal(err)
			}
			e := math.Abs(res.Row(0)[0] - math.E)
			if k > 6 && math.Abs(prev/e/4-1) > 0.02 {
				t.Errorf("%s: error ratio %.4f at 2^-%d, want 4", m.Properties().Name, prev/e, k)
			}
			prev = e
		}
	}
}

// TestSRIErrQ checks the declared growth E ∝ h^(q+1), q = 0, of the
// estimate E = δ|E_D| + |E_N| (errSlope: the log–log slope of mean |E| over
// one attempt from the initial state, h = 2⁻²…2⁻¹⁰, 1000 paths per h),
// within 0.2 of 1 with an SE at most a third of that, on scalar (gbm,
// cubic), diagonal (gbm-matrix) and additive (ou) noise and an ODE. The
// drift part E_D = h·Σf grows as h; the noise part E_N, the order-1.5 terms,
// as h^(3/2): on gbm without drift (α = 0) only E_N remains and the slope
// is 1.5 within 0.2, which shows what the estimate is made of.
func TestSRIErrQ(t *testing.T) {
	ode := cosODE(1)
	driftless := problems.GBM().SDE
	driftless.Drift = sdeint.Lift(1, 1, func(dst []float64, _ float64, _ []float64) { dst[0] = 0 })
	for _, m := range sriMethods {
		for _, c := range []struct {
			name string
			p    sdeint.Problem
			want float64
		}{
			{"gbm", problems.GBM().SDE, 1},
			{"cubic", problems.Cubic().SDE, 1},
			{"gbm-matrix", problems.GBMMatrix().SDE, 1},
			{"ou", problems.OU().SDE, 1},
			{"ode", ode, 1},
			{"gbm without drift", driftless, 1.5},
		} {
			slope, se, _ := errSlope(t, c.p, m, 1000)
			q := m.Properties().Orders[c.p.Noise.Class(c.p.Dim)].ErrQ
			t.Logf("%s on %s: slope %.3f ± %.3f (declared q+1 = %g)", m.Properties().Name, c.name, slope, se, q+1)
			if c.want == 1 && q != 0 {
				t.Errorf("%s on %s: declared q = %g, want 0", m.Properties().Name, c.name, q)
			}
			if math.Abs(slope-c.want) >= 0.2 || se > 0.2/3 {
				t.Errorf("%s on %s: error estimate grows as h^%.3f ± %.3f, want h^%g", m.Properties().Name, c.name, slope, se, c.want)
			}
		}
	}
}

// sriAdaptive solves p adaptively at tol (1000 paths, seed 3, the bridge
// with Lévy areas) and returns the mean strong error |X(T) − exact| with its
// SE, the mean of X(T) − exact (the bias) with its SE, and the mean NFE.
func sriAdaptive(t *testing.T, p *problems.Problem, m sdeint.Method, tol float64) (e, se, bias, bse, nfe float64) {
	t.Helper()
	res, err := sdeint.Solve(context.Background(), &p.SDE, m, &sdeint.Settings{
		Paths: 1000, Seed: 3, Control: control.Settings{RTol: tol, ATol: tol}})
	if err != nil {
		t.Fatal(err)
	}
	abs, diff := make([]float64, res.Paths), make([]float64, res.Paths)
	ex := make([]float64, p.SDE.Dim)
	for i := range abs {
		p.Solution(ex, res.T1, res.WRow(i))
		diff[i] = res.Row(i)[0] - ex[0]
		abs[i] = math.Abs(diff[i])
	}
	e, se = mcstat.MeanSE(abs)
	bias, bse = mcstat.MeanSE(diff)
	return e, se, bias, bse, res.NFEMean()
}

// TestSRIAdaptive: adaptive solves converge. On gbm and cubic the mean
// strong error falls by more than 3 SE of the difference from tolerance
// 1e-2 to 1e-3, and at 1e-3 the mean of X(1) − exact — the bias a step
// grid that depends on the path leaves (Gaines & Lyons 1997) together with
// the method's own weak error — is a small part of the strong error:
// |bias| + 4 SE < strong error. Where the bias does not vanish with the
// tolerance it dominates the error: roberts (strong order ½ on gbm) is
// solved the same way for contrast and its figures logged (docs/methods/sriw1.md,
// "Adaptive stepping"). The bias of the SRI methods falls with the tolerance
// (TestSRIAdaptiveBias, 10⁴ paths).
func TestSRIAdaptive(t *testing.T) {
	{
		p, m := problems.GBM(), methods.Roberts{}
		e2, se2, b2, bse2, n2 := sriAdaptive(t, p, m, 1e-2)
		e3, se3, b3, bse3, n3 := sriAdaptive(t, p, m, 1e-3)
		t.Logf("roberts on gbm (contrast): error %.4g ± %.2g, bias %.3g ± %.2g (NFE %.1f) at 1e-2; error %.4g ± %.2g, bias %.3g ± %.2g (NFE %.1f) at 1e-3; bias/error %.2f at 1e-3",
			e2, se2, b2, bse2, n2, e3, se3, b3, bse3, n3, b3/e3)
	}
	for _, m := range sriMethods {
		for _, p := range []*problems.Problem{problems.GBM(), problems.Cubic()} {
			e2, se2, _, _, n2 := sriAdaptive(t, p, m, 1e-2)
			e3, se3, b3, bse3, n3 := sriAdaptive(t, p, m, 1e-3)
			t.Logf("%s on %s: error %.4g ± %.2g (NFE %.1f) at 1e-2, %.4g ± %.2g (NFE %.1f) at 1e-3, bias %.3g ± %.2g",
				m.Properties().Name, p.Name, e2, se2, n2, e3, se3, n3, b3, bse3)
			if d, se := mcstat.DiffSE(e2, se2, e3, se3); d <= 3*se {
				t.Errorf("%s on %s: error fell by %.3g from 1e-2 to 1e-3, not more than 3 SE (%.3g)", m.Properties().Name, p.Name, d, se)
			}
			if math.Abs(b3)+4*bse3 >= e3 {
				t.Errorf("%s on %s: bias %.3g ± %.2g at 1e-3 is not a small part of the strong error %.3g", m.Properties().Name, p.Name, b3, bse3, e3)
			}
		}
	}
}

// TestSRINotApplicable: general commutative noise (linear10) and
// non-commutative noise (two-noise) are refused, with adaptive and with
// fixed steps, and Override does not lift the refusal.
func TestSRINotApplicable(t *testing.T) {
	for _, m := range sriMethods {
		for _, p := range []*problems.Problem{problems.Linear10(), problems.TwoNoise()} {
			for _, s := range []*sdeint.Settings{{Paths: 2}, {Paths: 2, Steps: 8, Override: true}} {
				if _, err := sdeint.Solve(context.Background(), &p.SDE, m, s); err == nil {
					t.Errorf("%s on %s (steps %d) was not refused", m.Properties().Name, p.Name, s.Steps)
				}
			}
		}
	}
}

// reversed returns the forward problem whose solution, in the elapsed time
// s = T0 − t, is that of p solved backward from T0 to T1 < T0:
// dY = −f(T0 − s, Y)ds + g(T0 − s, Y)dW(s) on [0, T0 − T1].
func reversed(p sdeint.Problem) sdeint.Problem {
	q := p
	t0 := p.T0
	flip := func(t []float64) []float64 {
		u := make([]float64, len(t))
		for i, v := range t {
			u[i] = t0 - v
		}
		return u
	}
	q.T0, q.T1 = 0, p.T0-p.T1
	q.Drift = func(dst, t, x []float64, b sdeint.Batch) error {
		if err := p.Drift(dst, flip(t), x, b); err != nil {
			return err
		}
		for i := range dst {
			dst[i] = -dst[i]
		}
		return nil
	}
	q.Diffusion = func(dst, t, x []float64, b sdeint.Batch) error { return p.Diffusion(dst, flip(t), x, b) }
	return q
}

// TestSRIBackward: integrating backward (T1 < T0, signed h < 0).
//
// Mirror: a problem with time-dependent drift and multiplicative,
// time-dependent noise solved from T0 = 1 down to 0 must equal, path by
// path, the forward solve of its time reversal dY = −f(1−s, Y)ds +
// g(1−s, Y)dW(s) on the same Brownian path (same seed and steps, so the
// same elapsed times), up to the rounding of the stage times (t + c·h
// against 1 − (s + c|h|)): relative difference below 1e-12 with 64 fixed
// steps. It checks every sign of the scheme: h·f, the stage times, and the
// integrals in |h|; a wrong sign changes the result at order one. (An
// adaptive mirror is not exact: the elapsed times (t − h) − T0 and h differ
// in rounding, the bridge's values at times ulps apart differ by the square
// root of that, and step decisions can then part; the exact solution below
// checks adaptive backward solves instead.)
//
// Exact: gbm backward from X(1) = ½ to 0 is, in s = 1 − t, the Itô GBM
// dY = −αY ds + βY dW(s), Y = ½exp((−α − β²/2)s + βW(s)); fixed steps show
// strong order 1.5 (bar 0.3, SE ≤ 0.1), and adaptive solves' error falls by
// more than 3 SE from tolerance 1e-2 to 1e-3.
func TestSRIBackward(t *testing.T) {
	p := sdeint.Problem{
		Dim: 1, Noise: sdeint.Noise{Shape: sdeint.ScalarNoise, Commutative: true},
		T0: 1, T1: 0, X0: []float64{0.7},
		Drift: sdeint.Lift(1, 1, func(dst []float64, t float64, x []float64) {
			dst[0] = math.Cos(3*t) * x[0]
		}),
		Diffusion: sdeint.Lift(1, 1, func(dst []float64, t float64, x []float64) {
			dst[0] = (0.3 + t) * math.Sin(x[0]+1)
		}),
	}
	q := reversed(p)
	for _, m := range sriMethods {
		for _, c := range []struct {
			s         sdeint.Settings
			tol, wtol float64
		}{
			{sdeint.Settings{Paths: 200, Seed: 21, Steps: 64}, 1e-12, 0},
		} {
			s := c.s
			back, err := sdeint.Solve(context.Background(), &p, m, &s)
			if err != nil {
				t.Fatal(err)
			}
			fwd, err := sdeint.Solve(context.Background(), &q, m, &s)
			if err != nil {
				t.Fatal(err)
			}
			var worst float64
			for i := range back.Paths {
				if math.Abs(back.WRow(i)[0]-fwd.WRow(i)[0]) > c.wtol {
					t.Fatalf("%s path %d: W %v backward, %v forward: not the same path", m.Properties().Name, i, back.WRow(i)[0], fwd.WRow(i)[0])
				}
				a, b := back.Row(i)[0], fwd.Row(i)[0]
				worst = max(worst, math.Abs(a-b)/max(math.Abs(b), 1e-300))
			}
			t.Logf("%s (steps %d): backward vs reversed forward, worst relative difference %.3g", m.Properties().Name, s.Steps, worst)
			if worst > c.tol {
				t.Errorf("%s: backward solve differs from the reversed forward solve by %.3g", m.Properties().Name, worst)
			}
		}
	}

	a, b := 1.01, 0.87
	gbm := problems.GBM()
	gbm.SDE.T0, gbm.SDE.T1 = 1, 0
	gbm.Solution = func(dst []float64, t float64, w []float64) {
		dst[0] = 0.5 * math.Exp((-a-b*b/2)*(1-t)+b*w[0])
	}
	for _, m := range sriMethods {
		order, se := sriStrong(t, gbm, m, 3, 9, 1000)
		t.Logf("%s on gbm backward: strong order %.3f ± %.3f", m.Properties().Name, order, se)
		if math.Abs(order-1.5) >= 0.3 || se > 0.1 {
			t.Errorf("%s on gbm backward: strong order %.3f ± %.3f, want 1.5", m.Properties().Name, order, se)
		}
		e2, se2, _, _, _ := sriAdaptive(t, gbm, m, 1e-2)
		e3, se3, _, _, _ := sriAdaptive(t, gbm, m, 1e-3)
		t.Logf("%s on gbm backward: adaptive error %.4g ± %.2g at 1e-2, %.4g ± %.2g at 1e-3", m.Properties().Name, e2, se2, e3, se3)
		if d, se := mcstat.DiffSE(e2, se2, e3, se3); d <= 3*se {
			t.Errorf("%s on gbm backward: adaptive error fell by %.3g, not more than 3 SE (%.3g)", m.Properties().Name, d, se)
		}
	}
}

// TestSRIAdaptiveBias (GOFAST_LONG=1): the bias of adaptive solves, the
// mean of X(1) − exact on the solver's own path (10⁴ paths, seed 4, the
// bridge), vanishes with the tolerance: on gbm and cubic, |bias| + 4 SE at
// tolerance 1e-4 is below |bias| at 1e-2. The rows are in
// docs/methods/sriw1.md.
func TestSRIAdaptiveBias(t *testing.T) {
	if os.Getenv("GOFAST_LONG") == "" {
		t.Skip("adaptive bias at 1e-4: set GOFAST_LONG=1")
	}
	for _, m := range sriMethods {
		for _, p := range []*problems.Problem{problems.Cubic(), problems.GBM()} {
			var b, se [3]float64
			var nfe float64
			for i, tol := range []float64{1e-2, 1e-3, 1e-4} {
				res, err := sdeint.Solve(context.Background(), &p.SDE, m, &sdeint.Settings{
					Paths: 10000, Seed: 4, Control: control.Settings{RTol: tol, ATol: tol}})
				if err != nil {
					t.Fatal(err)
				}
				diff := make([]float64, res.Paths)
				ex := make([]float64, 1)
				for j := range diff {
					p.Solution(ex, res.T1, res.WRow(j))
					diff[j] = res.Row(j)[0] - ex[0]
				}
				b[i], se[i] = mcstat.MeanSE(diff)
				nfe = res.NFEMean()
				t.Logf("%s on %s, tol %g: bias %.3g ± %.2g, NFE %.1f", m.Properties().Name, p.Name, tol, b[i], se[i], nfe)
			}
			if math.Abs(b[2])+4*se[2] >= math.Abs(b[0]) {
				t.Errorf("%s on %s: bias %.3g ± %.2g at 1e-4 is not below %.3g at 1e-2", m.Properties().Name, p.Name, b[2], se[2], b[0])
			}
		}
	}
}

// TestSRINoiseShapes: the shapes other than one-component scalar noise.
//
// Scalar noise on a 2-dimensional state (one W driving both components of
// dX_i = a_i X_i dt + b_i X_i dW, exact X_i = X_i(0)exp((a_i − b_i²/2)t +
// b_i W)): strong order 1.5 within 0.3, SE ≤ 0.1 (400 paths, 2⁻³…2⁻⁹).
//
// Additive noise of general shape: additive4 written with a 4×4 diagonal
// matrix g (GeneralNoise, M = 4) gives, path by path, the same result as
// additive4 itself (same seed, 32 fixed steps and adaptive at 1e-3): the
// general-shape additive path leaves out H1's diffusion term, which g does
// not read, and the matrix–vector sums add exact zeros.
func TestSRINoiseShapes(t *testing.T) {
	a, b := [2]float64{1.01, -0.5}, [2]float64{0.87, 0.4}
	x0 := [2]float64{0.5, 2}
	two := &problems.Problem{
		Name: "gbm2",
		SDE: sdeint.Problem{
			Dim: 2, Noise: sdeint.Noise{Shape: sdeint.ScalarNoise, Commutative: true},
			T0: 0, T1: 1, X0: x0[:],
			Drift: sdeint.Lift(2, 2, func(dst []float64, _ float64, x []float64) {
				dst[0], dst[1] = a[0]*x[0], a[1]*x[1]
			}),
			Diffusion: sdeint.Lift(2, 2, func(dst []float64, _ float64, x []float64) {
				dst[0], dst[1] = b[0]*x[0], b[1]*x[1]
			}),
		},
		Solution: func(dst []float64, t float64, w []float64) {
			for i := range dst {
				dst[i] = x0[i] * math.Exp((a[i]-b[i]*b[i]/2)*t+b[i]*w[0])
			}
		},
	}
	diag := problems.Additive4()
	gen := problems.Additive4()
	gen.SDE.Noise = sdeint.Noise{Shape: sdeint.GeneralNoise, M: 4, Additive: true, Commutative: true}
	gen.SDE.Diffusion = func(dst, t, x []float64, bt sdeint.Batch) error {
		gd := make([]float64, 4) // per call: workers call concurrently
		for r := range t {
			if err := diag.SDE.Diffusion(gd, t[r:r+1], x[r*4:(r+1)*4], bt); err != nil {
				return err
			}
			row := dst[r*16 : (r+1)*16]
			clear(row)
			for i, v := range gd {
				row[i*4+i] = v
			}
		}
		return nil
	}
	for _, m := range sriMethods {
		order, se := sriStrong(t, two, m, 3, 9, 400)
		t.Logf("%s on 2-dimensional scalar-noise gbm: strong order %.3f ± %.3f", m.Properties().Name, order, se)
		if math.Abs(order-1.5) >= 0.3 || se > 0.1 {
			t.Errorf("%s on 2-dimensional scalar-noise gbm: strong order %.3f ± %.3f, want 1.5", m.Properties().Name, order, se)
		}
		for _, s := range []sdeint.Settings{{Paths: 50, Seed: 8, Steps: 32}, {Paths: 50, Seed: 8, Control: control.Settings{RTol: 1e-3, ATol: 1e-3}}} {
			rd, err := sdeint.Solve(context.Background(), &diag.SDE, m, &s)
			if err != nil {
				t.Fatal(err)
			}
			rg, err := sdeint.Solve(context.Background(), &gen.SDE, m, &s)
			if err != nil {
				t.Fatal(err)
			}
			for i := range rd.X {
				if rd.X[i] != rg.X[i] {
					t.Fatalf("%s (steps %d): general-shape additive4 gives %v at %d, diagonal %v", m.Properties().Name, s.Steps, rg.X[i], i, rd.X[i])
				}
			}
		}
	}
}
