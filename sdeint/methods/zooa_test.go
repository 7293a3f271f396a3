package methods_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/gofast-sde/gofast/internal/mcstat"
	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// TestZooANames: every method of this file set is reachable by name, with
// the calculus and noise classes it declares.
func TestZooANames(t *testing.T) {
	for _, c := range []struct {
		name     string
		calculus sdeint.Calculus
		adaptive bool
	}{
		{"eulerheun", sdeint.Stratonovich, false},
		{"rkmil", sdeint.Ito, true},
		{"rkmil-strat", sdeint.Stratonovich, true},
		{"lambaem", sdeint.Ito, true},
		{"lambaeulerheun", sdeint.Stratonovich, true},
		{"bs3", sdeint.Ito, true},
	} {
		m, err := methods.ByName(c.name)
		if err != nil {
			t.Fatal(err)
		}
		p := m.Properties()
		if p.Name != c.name || p.Calculus != c.calculus || p.Adaptive != c.adaptive {
			t.Errorf("%s: properties %+v", c.name, p)
		}
		if methods.Summary(c.name) == "" {
			t.Errorf("%s: no summary", c.name)
		}
	}
}

// TestZooARefusals: each method refuses what it does not solve. RKMil is not
// applicable to general commutative (linear10) or non-commutative
// (two-noise) noise, even with Override; BS3 solves ODEs only; the
// Stratonovich methods refuse Itô problems with multiplicative noise;
// EulerHeun has no error estimate, so it refuses adaptive steps.
func TestZooARefusals(t *testing.T) {
	for _, c := range []struct {
		p        *problems.Problem
		m        sdeint.Method
		override bool
	}{
		{problems.Linear10(), methods.RKMil{}, true},
		{problems.TwoNoise(), methods.RKMil{}, true},
		{problems.TwoNoise(), methods.RKMil{Stratonovich: true}, true},
		{problems.OU(), methods.BS3{}, true},
		{problems.GBM(), methods.BS3{}, true},
		{problems.GBM(), methods.EulerHeun{}, false},
		{problems.GBM(), methods.LambaEulerHeun{}, false},
		{problems.GBM(), methods.RKMil{Stratonovich: true}, false},
		{problems.GBMStrat(), methods.LambaEM{}, false},
		{problems.GBMStrat(), methods.RKMil{}, false},
		{problems.GBMStrat(), methods.EulerHeun{}, false}, // adaptive, no estimate
	} {
		if _, err := sdeint.Solve(context.Background(), &c.p.SDE, c.m, &sdeint.Settings{Paths: 4, Override: c.override}); err == nil {
			t.Errorf("%s on %s was not refused", c.m.Properties().Name, c.p.Name)
		}
	}
	// And each runs where it applies: two-noise and linear10 for the Lamba
	// pair (any noise), additive noise for both RKMil variants.
	for _, c := range []struct {
		p *problems.Problem
		m sdeint.Method
	}{
		{problems.TwoNoise(), methods.LambaEM{}},
		{problems.Linear10(), methods.LambaEM{}},
		{problems.Additive4(), methods.RKMil{}},
		{problems.Additive4(), methods.RKMil{Stratonovich: true}},
		{problems.OU(), methods.LambaEulerHeun{}},
	} {
		if _, err := sdeint.Solve(context.Background(), &c.p.SDE, c.m, &sdeint.Settings{Paths: 4, Seed: 1}); err != nil {
			t.Errorf("%s on %s: %v", c.m.Properties().Name, c.p.Name, err)
		}
	}
}

// TestZooAErrQ checks the declared growth E ∝ h^(q+1) of each new error
// estimate (Order.ErrQ) as TestErrQ does: the log–log slope of mean |E|
// over one attempt from the initial state, h = 2⁻²…2⁻¹⁰ (errSlope), within
// 0.2 of q+1 with an SE at most a third of that.
//
// The Lamba and RKMil estimates take their drift part at the end of the
// step, where f(t+h, y) − f(t, x) holds ½h·f_x·g·ΔW, so E varies from path
// to path (1000 paths). On gbm the Lamba estimates are |E_d| + c·h·|β²x|:
// E_n ∝ h leads, slope about 1 (1.05). On ou the noise part vanishes
// (additive) and E = |E_d| ≈ ½θσ·h·|ΔW|: slope 3/2 (1.58). RKMil's is
// |E_d| + |L¹L¹g|·√(h³/6), both terms ∝ h^{3/2} on gbm (1.53 on gbm, 1.51
// on gbm-strat, 1.48 on cubic). On the ODE the drift part is Lamba's
// forward difference at x + h·f, ½h²·df/dt: slope 2. BS3 runs on
// dx/dt = x: on x·cos t from t = 0 its h³ coefficient vanishes (the
// solution e^{sin t} has no t³ term) and the slope measured 4.04
// (TestBS3ErrQCos).
func TestZooAErrQ(t *testing.T) {
	ode := cosODE(1)
	exp := sdeint.Problem{Dim: 1, T0: 0, T1: 1, X0: []float64{1},
		Drift: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = x[0] })}
	for _, c := range []struct {
		name string
		p    sdeint.Problem
		m    sdeint.Method
	}{
		{"gbm", problems.GBM().SDE, methods.LambaEM{}},                            // q = 0
		{"ou", problems.OU().SDE, methods.LambaEM{}},                              // q = 1
		{"ode", ode, methods.LambaEM{}},                                           // q = 1
		{"gbm-strat", problems.GBMStrat().SDE, methods.LambaEulerHeun{}},          // q = 0
		{"ou", problems.OU().SDE, methods.LambaEulerHeun{}},                       // q = 1
		{"gbm", problems.GBM().SDE, methods.RKMil{}},                              // q = ½
		{"cubic", problems.Cubic().SDE, methods.RKMil{}},                          // q = ½
		{"gbm-strat", problems.GBMStrat().SDE, methods.RKMil{Stratonovich: true}}, // q = ½
		{"ou", problems.OU().SDE, methods.RKMil{}},                                // q = 1
		{"exp", exp, methods.BS3{}},                                               // q = 2
	} {
		slope, se, _ := errSlope(t, c.p, c.m, 200)
		q := c.m.Properties().Orders[c.p.Noise.Class(c.p.Dim)].ErrQ
		t.Logf("%s on %s: slope %.3f ± %.3f, declared q+1 = %g", c.m.Properties().Name, c.name, slope, se, q+1)
		if math.Abs(slope-(q+1)) >= 0.2 || se > 0.2/3 {
			t.Errorf("%s on %s: error estimate grows as h^%.3f ± %.3f, declared h^%g", c.m.Properties().Name, c.name, slope, se, q+1)
		}
	}
}

// TestZooAHeunAgreesWithGGF: EulerHeun and LambaEulerHeun keep the same
// result as the paper's pair's high-order proposal, which is the same
// stochastic Heun formula: at fixed steps on the same seed the three give
// bit-identical states.
func TestZooAHeunAgreesWithGGF(t *testing.T) {
	p := problems.GBMStrat()
	s := &sdeint.Settings{Paths: 50, Seed: 3, Steps: 20}
	ref, err := sdeint.Solve(context.Background(), &p.SDE, methods.GGF{}, s)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []sdeint.Method{methods.EulerHeun{}, methods.LambaEulerHeun{}} {
		got, err := sdeint.Solve(context.Background(), &p.SDE, m, s)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.X, ref.X) {
			t.Errorf("%s differs from ggf's high-order result", m.Properties().Name)
		}
	}
}

// TestBS3Order: on dx/dt = x·cos t, x(0) = 1, whose solution is e^{sin t},
// Bogacki–Shampine with 32…256 fixed steps over [0, 4] converges with
// order 3 (least-squares slope within 0.2; the smallest error is ≈ 1e-7,
// far above rounding), at 3 evaluations per step plus the first stage; at
// tolerance 1e-6 the adaptive solve is accurate to a small multiple of it
// and tightening to 1e-8 lowers the error.
func TestBS3Order(t *testing.T) {
	ode := cosODE(4)
	p := &ode
	exact := math.Exp(math.Sin(4))
	var hs, errs []float64
	for _, n := range []int{32, 64, 128, 256} {
		res, err := sdeint.Solve(context.Background(), p, methods.BS3{}, &sdeint.Settings{Steps: n})
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, math.Log(4/float64(n)))
		errs = append(errs, math.Log(math.Abs(res.Row(0)[0]-exact)))
		if ps := res.Path[0]; ps.NFE != 3*n+1 {
			t.Errorf("%d steps: NFE %d, want 3 per step plus the first stage", n, ps.NFE)
		}
	}
	order, _, _ := mcstat.Slope(hs, errs)
	t.Logf("bs3 order %.3f (log errors %v)", order, errs)
	if math.Abs(order-3) > 0.2 {
		t.Errorf("bs3 order %.3f, want 3 ± 0.2", order)
	}
	var prev float64
	for _, tol := range []float64{1e-6, 1e-8} {
		res, err := sdeint.Solve(context.Background(), p, methods.BS3{}, &sdeint.Settings{Control: control.Settings{RTol: tol, ATol: tol}})
		if err != nil {
			t.Fatal(err)
		}
		e := math.Abs(res.Row(0)[0] - exact)
		t.Logf("adaptive bs3 at %g: error %.3g, NFE %d", tol, e, res.Path[0].NFE)
		if e > 100*tol {
			t.Errorf("adaptive bs3 at %g: error %g", tol, e)
		}
		if prev != 0 && e >= prev {
			t.Errorf("adaptive bs3: error %g at %g did not fall below %g", e, tol, prev)
		}
		prev = e
	}
}

// TestBS3FSALDeterminism: BS3 remembers its last stage per path, so a
// path's NFE is 3 per attempt plus 1 for each attempt made before its
// first acceptance, whatever the batch. On 64 paths of dx/dt = −a·x with
// a = 1 … 64 per path, tolerance 1e-5, h0 = 0.01, the fast paths reject
// their first attempts and the slow ones do not, so blocks mix rows with
// and without the remembered stage. States and per-path counts must be
// bit-identical for batch sizes 1, 7 and 64 and 1 or 2 workers.
func TestBS3FSALDeterminism(t *testing.T) {
	prob := &sdeint.Problem{Dim: 1, T0: 0, T1: 1, X0: []float64{1},
		Drift: func(dst, _, x []float64, b sdeint.Batch) error {
			for r, g := range b.Paths {
				dst[r] = -float64(1+g%64) * x[r]
			}
			return nil
		}}
	base := sdeint.Settings{Paths: 64, Seed: 4, Workers: 1, BatchSize: 64, Trace: true,
		Control: control.Settings{RTol: 1e-5, ATol: 1e-5, H0: 0.01}}
	res, err := sdeint.Solve(context.Background(), prob, methods.BS3{}, &base)
	if err != nil {
		t.Fatal(err)
	}
	early := 0
	for i, tr := range res.Trace {
		before := slices.IndexFunc(tr, func(e sdeint.TraceEntry) bool { return e.Accepted })
		if before > 0 {
			early++
		}
		ps := res.Path[i]
		if want := 3*(ps.Accepted+ps.Rejected) + 1 + before; ps.NFE != want {
			t.Errorf("path %d: NFE %d, want %d (%d attempts, %d before the first acceptance)", i, ps.NFE, want, ps.Accepted+ps.Rejected, before)
		}
	}
	if early == 0 || early == 64 {
		t.Fatalf("%d of 64 paths rejected their first attempt; the test needs a mix", early)
	}
	for _, c := range []struct{ workers, batch int }{{1, 1}, {2, 7}, {2, 64}, {1, 7}} {
		s := base
		s.Workers, s.BatchSize, s.Trace = c.workers, c.batch, false
		got, err := sdeint.Solve(context.Background(), prob, methods.BS3{}, &s)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.X, res.X) {
			t.Errorf("workers %d batch %d: states differ", c.workers, c.batch)
		}
		for i := range res.Path {
			if got.Path[i].NFE != res.Path[i].NFE || got.Path[i].Accepted != res.Path[i].Accepted {
				t.Errorf("workers %d batch %d: path %d counts differ", c.workers, c.batch, i)
				break
			}
		}
	}
}

// TestZooADeterminism: same seed ⇒ bit-identical adaptive results and
// per-path counts for batch sizes 1 and 64 and 1 or 2 workers, for the new
// adaptive SDE methods.
func TestZooADeterminism(t *testing.T) {
	for _, c := range []struct {
		p *problems.Problem
		m sdeint.Method
	}{
		{problems.GBM(), methods.RKMil{}},
		{problems.GBMStrat(), methods.RKMil{Stratonovich: true}},
		{problems.GBM(), methods.LambaEM{}},
		{problems.Linear10(), methods.LambaEM{}},
		{problems.GBMStrat(), methods.LambaEulerHeun{}},
	} {
		base := sdeint.Settings{Paths: 40, Seed: 7, Workers: 1, BatchSize: 64}
		ref, err := sdeint.Solve(context.Background(), &c.p.SDE, c.m, &base)
		if err != nil {
			t.Fatal(err)
		}
		for _, wb := range [][2]int{{1, 1}, {2, 7}} {
			s := base
			s.Workers, s.BatchSize = wb[0], wb[1]
			got, err := sdeint.Solve(context.Background(), &c.p.SDE, c.m, &s)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.X, ref.X) || !slices.EqualFunc(got.Path, ref.Path, func(a, b sdeint.PathStats) bool {
				return a.NFE == b.NFE && a.Accepted == b.Accepted && a.Rejected == b.Rejected
			}) {
				t.Errorf("%s on %s: workers %d batch %d differs", c.m.Properties().Name, c.p.Name, wb[0], wb[1])
			}
		}
	}
}

// TestLambaEMRealized: the realised-increment ablation of Lamba's estimate
// (as Lamba and StochasticDiffEq.jl build it) is refused for adaptive steps
// on multiplicative noise unless overridden, and accepted on additive
// noise, where its noise term vanishes. Overridden on gbm (2000 paths,
// bridge source, seed 1), it shows why: its grid depends on the increments
// while the kept state has order ½, and the strong error stops falling
// (Gaines & Lyons 1997). Measured: 0.0944 ± 0.0023 at 1e-2, 0.107 ±
// 0.003 at 1e-3, against 0.0861 ± 0.0028 and 0.0277 ± 0.0008 for the
// default root-mean-square estimate. The test asserts that the default's error falls by more than 3 SE of the
// difference from 1e-2 to 1e-3 and that at 1e-3 the realised variant's
// error is more than twice the default's (the default converges as
// tol^½, ×0.3 per decade; the realised one did not fall at all).
func TestLambaEMRealized(t *testing.T) {
	m := methods.LambaEM{Realized: true}
	if _, err := sdeint.Solve(context.Background(), &problems.GBM().SDE, m, &sdeint.Settings{Paths: 4}); err == nil {
		t.Error("adaptive realised lambaem on gbm was not refused")
	}
	if _, err := sdeint.Solve(context.Background(), &problems.OU().SDE, m, &sdeint.Settings{Paths: 4}); err != nil {
		t.Errorf("realised lambaem on ou: %v", err)
	}
	p := problems.GBM()
	strong := func(mm methods.LambaEM, tol float64) (e, se float64) {
		res, err := sdeint.Solve(context.Background(), &p.SDE, mm, &sdeint.Settings{Paths: 2000, Seed: 1, Override: true,
			Control: control.Settings{RTol: tol, ATol: tol}})
		if err != nil {
			t.Fatal(err)
		}
		errs := make([]float64, res.Paths)
		ex := make([]float64, 1)
		for i := range errs {
			p.Solution(ex, res.T1, res.WRow(i))
			errs[i] = math.Abs(res.Row(i)[0] - ex[0])
		}
		e, se = mcstat.MeanSE(errs)
		t.Logf("gbm realized=%v tol %g: strong error %.4g ± %.2g, NFE %.1f", mm.Realized, tol, e, se, res.NFEMean())
		return e, se
	}
	e2, se2 := strong(methods.LambaEM{}, 1e-2)
	e3, se3 := strong(methods.LambaEM{}, 1e-3)
	if d, se := mcstat.DiffSE(e2, se2, e3, se3); d <= 3*se {
		t.Errorf("lambaem: error fell by %.3g from 1e-2 to 1e-3, not more than 3 SE (%.3g)", d, se)
	}
	strong(m, 1e-2)
	r3, _ := strong(m, 1e-3)
	if r3 <= 2*e3 {
		t.Errorf("realised lambaem at 1e-3: error %.4g, not more than twice the default's %.4g", r3, e3)
	}
}

// TestDriftDiff: the drift part E_d of the Lamba and RKMil estimates
// (driftDiff) is the drift's change over the step, taken at its end state
// (no drift evaluation beyond those of the result: LambaEM and RKMil keep
// f at the result as the next step's first stage), and with ForwardDrift
// Lamba's forward difference (one more per attempt). Each path takes two
// attempts of the same h (first step h, HMax h, both accepted at ATol 1)
// with no probes; the test checks the drift evaluations of every path and
// the growth of the second attempt's mean |E| over h:
//
//   - evaluations: LambaEM and RKMil 2 + 1 (the first stage, then f at the
//     result; the second attempt reuses it), LambaEulerHeun 2 + 2 (E_d at
//     its predictor); with ForwardDrift 2 + 2 and 3 + 3.
//   - dx/dt = x·cos t: E_d = ½h(f(2h, x₂) − f(h, x₁)) = ½h²·df/dt + O(h³),
//     slope 2, deterministic (SE 0), and ½h² to within 2% at h = 2⁻¹⁰
//     (df/dt = 1 + O(h) near t = 0).
//   - gbm: E_n ∝ h leads (q = 0), slope 1; for RKMil E_n ∝ h^{3/2} and
//     E_d ≈ ½h·f_x·g·ΔW alike, slope 3/2 (q = ½).
//   - ou (additive): f₂ − f₁ = −θ(x₂ − x₁) = −θ(h·f₁ + σΔW), so E_d ≈
//     ½θσ·h·ΔW, a sample of the size of Euler's I_(1,0) term: slope 3/2
//     once σ√h leads h·|f₁| (σ = 0.3, |f₁| = 0.8: h = 2⁻⁸…2⁻¹⁴, where the
//     drift part is at most 0.18 of the noise part), as declared (q = ½,
//     TestZooAErrQ).
//
// Each slope must lie within 0.2 of its value with an SE of at most 0.2/3,
// as in TestErrQ.
func TestDriftDiff(t *testing.T) {
	ode := cosODE(1)
	for _, c := range []struct {
		name        string
		p           sdeint.Problem
		m           sdeint.Method
		evals       int // drift evaluations of the two attempts
		kmin, kmax  int // h = 2^-kmin … 2^-kmax
		slope       float64
		checkGrowth bool
	}{
		{"ode", ode, methods.LambaEM{}, 3, 2, 10, 2, true},
		{"gbm", problems.GBM().SDE, methods.LambaEM{}, 3, 2, 10, 1, true},
		{"ou", problems.OU().SDE, methods.LambaEM{}, 3, 8, 14, 1.5, true},
		{"ode", ode, methods.LambaEulerHeun{}, 4, 2, 10, 2, true},
		{"gbm-strat", problems.GBMStrat().SDE, methods.LambaEulerHeun{}, 4, 2, 10, 1, true},
		{"ou", problems.OU().SDE, methods.LambaEulerHeun{}, 4, 8, 14, 1.5, true},
		{"ode", ode, methods.RKMil{}, 3, 2, 10, 2, true},
		{"gbm", problems.GBM().SDE, methods.RKMil{}, 3, 2, 10, 1.5, true},
		{"ou", problems.OU().SDE, methods.RKMil{}, 3, 8, 14, 1.5, true},
		{"gbm", problems.GBM().SDE, methods.LambaEM{ForwardDrift: true}, 4, 2, 3, 0, false},
		{"gbm", problems.GBM().SDE, methods.RKMil{ForwardDrift: true}, 4, 2, 3, 0, false},
		{"gbm-strat", problems.GBMStrat().SDE, methods.LambaEulerHeun{ForwardDrift: true}, 6, 2, 3, 0, false},
	} {
		name := c.m.Properties().Name + " on " + c.name
		var hs, means, ses []float64
		for k := c.kmin; k <= c.kmax; k++ {
			h := math.Ldexp(1, -k)
			q := c.p
			q.T1 = q.T0 + 2*h
			const paths = 1000
			res, err := sdeint.Solve(context.Background(), &q, c.m, &sdeint.Settings{
				Paths: paths, Seed: 31 + uint64(k), Trace: true,
				Control: control.Settings{ATol: 1, RTol: 1e-300, H0: h, HMax: h},
			})
			if err != nil {
				t.Fatalf("%s, h = %v: %v", name, h, err)
			}
			e := make([]float64, paths)
			for i, tr := range res.Trace {
				if len(tr) != 2 || tr[0].H != h || tr[1].H != h || res.Path[i].Probes != 0 {
					t.Fatalf("%s, h = %v, path %d: attempts %+v, probes %d; want two of h", name, h, i, tr, res.Path[i].Probes)
				}
				if got := res.Path[i].DriftEvals; got != c.evals {
					t.Fatalf("%s, h = %v, path %d: %d drift evaluations, want %d", name, h, i, got, c.evals)
				}
				e[i] = tr[1].Err
			}
			mean, se := mcstat.MeanSE(e)
			hs, means, ses = append(hs, h), append(means, mean), append(ses, se)
		}
		if !c.checkGrowth {
			continue
		}
		if c.name == "ode" {
			// df/dt = x(cos²t − sin t) = 1 + O(h) near t = 0, so E ≈ ½h².
			if h := hs[len(hs)-1]; math.Abs(means[len(means)-1]/(0.5*h*h)-1) > 0.02 {
				t.Errorf("%s: E = %.4g at h = %v, want ½h² = %.4g within 2%%", name, means[len(means)-1], h, 0.5*h*h)
			}
		}
		slope, se := mcstat.LogLogSlopeMeans(hs, means, ses)
		t.Logf("%s: second attempt's estimate grows as h^%.3f ± %.3f (want %g)", name, slope, se, c.slope)
		if math.Abs(slope-c.slope) >= 0.2 || se > 0.2/3 {
			t.Errorf("%s: second attempt's estimate grows as h^%.3f ± %.3f, want %g", name, slope, se, c.slope)
		}
	}
}
