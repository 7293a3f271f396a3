package sdeint_test

import (
	"context"
	"errors"
	"math"
	"os"
	"runtime"
	"slices"
	"testing"

	"github.com/gofast-sde/gofast/internal/mcstat"
	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

func long() bool { return os.Getenv("GOFAST_LONG") != "" }

// engSolve solves a library problem and fails the test on any error.
func engSolve(t testing.TB, p *problems.Problem, m sdeint.Method, s *sdeint.Settings) *sdeint.Result {
	t.Helper()
	res, err := sdeint.Solve(context.Background(), &p.SDE, m, s)
	if err != nil {
		t.Fatalf("%s with %s: %v", p.Name, m.Properties().Name, err)
	}
	return res
}

// engStrongErrors returns each path's RMS error of X(T1) against the exact
// solution on the path's own Brownian values.
func engStrongErrors(p *problems.Problem, res *sdeint.Result) []float64 {
	errs := make([]float64, res.Paths)
	ex := make([]float64, res.Dim)
	for i := range errs {
		p.Solution(ex, res.T1, res.WRow(i))
		var s float64
		for j, x := range res.Row(i) {
			s += (x - ex[j]) * (x - ex[j])
		}
		errs[i] = math.Sqrt(s / float64(res.Dim))
	}
	return errs
}

// engW returns W(T1)/√|T1−T0| of every path (first component).
func engW(res *sdeint.Result) []float64 {
	w := make([]float64, res.Paths)
	sd := math.Sqrt(math.Abs(res.T1 - res.T0))
	for i := range w {
		w[i] = res.WRow(i)[0] / sd
	}
	return w
}

// TestAdaptiveGBM: Roberts' pair on Itô GBM and the paper's pair on
// Stratonovich GBM, 2000 paths (20000 with GOFAST_LONG=1), ε_rel = ε_abs ∈ {1e-1, 1e-2, 1e-3}. With the
// bridge source each tightening lowers the mean strong error by more than 3
// SE of the difference (independent runs: SE = √(SE₁² + SE₂²)), and
// W(T1)/√T has variance 1 within 4 SE. With redraw the variance departs from
// 1 by more than 4 SE at every tolerance: rejected draws are mostly the
// large ones, so the accepted increments are too small (the bias does not
// vanish as the tolerance tightens, because the rejection rate does not).
// The runs share a seed, so they are positively correlated and the SE of
// their difference computed as if independent is conservative.
func TestAdaptiveGBM(t *testing.T) {
	tols := []float64{1e-1, 1e-2, 1e-3}
	for _, c := range []struct {
		p *problems.Problem
		m sdeint.Method
	}{{problems.GBM(), methods.Roberts{}}, {problems.GBMStrat(), methods.GGF{}}} {
		name := c.p.Name + "/" + c.m.Properties().Name
		prevErr, prevSE := math.Inf(1), 0.0
		for _, tol := range tols {
			for _, src := range []brownian.Source{brownian.Bridge{}, brownian.Redraw{}} {
				paths := 2000
				if long() {
					paths = 20000
				}
				res := engSolve(t, c.p, c.m, &sdeint.Settings{
					Paths: paths, Seed: 42, Brownian: src,
					Control: rejectingControl(c.m, tol),
				})
				v, vse := mcstat.VarSE(engW(res))
				e, ese := mcstat.MeanSE(engStrongErrors(c.p, res))
				t.Logf("%s tol %g %s: strong error %.4g ± %.2g, NFE %.1f, Var W(T)/T %.3f ± %.3f", name, tol, src.Name(), e, ese, res.NFEMean(), v, vse)
				if src.Exact() {
					if math.Abs(v-1) > 4*vse {
						t.Errorf("%s tol %g bridge: Var W(T)/T = %.3f, more than 4 SE (%.3f) from 1", name, tol, v, vse)
					}
					d, dse := mcstat.DiffSE(prevErr, prevSE, e, ese)
					if !math.IsInf(prevErr, 1) && d <= 3*dse {
						t.Errorf("%s: tightening to %g lowered the strong error by %.3g, not more than 3 SE (%.3g)", name, tol, d, dse)
					}
					prevErr, prevSE = e, ese
				} else if math.Abs(v-1) <= 4*vse {
					t.Errorf("%s tol %g redraw: Var W(T)/T = %.3f is within 4 SE (%.3f) of 1; the bias should be detected", name, tol, v, vse)
				}
			}
		}
	}
}

// TestEMStrongOrder: fixed-step Euler–Maruyama, dt = 2⁻ᵏ for k = 3…9, 1000
// paths, error against the exact solution on each run's own Brownian path.
// The least-squares slope of log mean error vs log dt must lie within 0.2 of
// theory (0.5 on gbm, 1 on additive) with a standard error at most 0.067 (a
// third of the bar). Each dt runs with its own seed (7+k), so its paths are
// independent of the other rows' and the delta-method SE of
// LogLogSlopeMeans, which assumes independent rows, applies.
func TestEMStrongOrder(t *testing.T) {
	for _, c := range []struct {
		p     *problems.Problem
		order float64
	}{{problems.GBM(), 0.5}, {problems.Additive(), 1}} {
		var hs, means, ses []float64
		for k := 3; k <= 9; k++ {
			res := engSolve(t, c.p, methods.EM{}, &sdeint.Settings{Paths: 1000, Seed: 7 + uint64(k), Steps: 1 << k})
			m, se := mcstat.MeanSE(engStrongErrors(c.p, res))
			hs, means, ses = append(hs, 1/float64(int(1)<<k)), append(means, m), append(ses, se)
		}
		order, se := mcstat.LogLogSlopeMeans(hs, means, ses)
		t.Logf("EM on %s: order %.3f ± %.3f (errors %v)", c.p.Name, order, se, means)
		if math.Abs(order-c.order) >= 0.2 || se > 0.067 {
			t.Errorf("EM on %s: order %.3f ± %.3f, want %.1f within 0.2 with SE ≤ 0.067", c.p.Name, order, se, c.order)
		}
	}
}

// rejectingControl is the integral controller with wide clamps (Roberts'
// pair: exponent 1, clamps [0.2, 10]; the paper's pair: the paper's r = 0.9,
// no clamps) at tolerance tol. The Brownian-source tests need its many
// rejections (20–40% of attempts); the methods' SDE defaults, clamped to
// growth 9/8, reject far fewer.
func rejectingControl(m sdeint.Method, tol float64) control.Settings {
	if m.Properties().Name == "ggf" {
		return control.Settings{RTol: tol, ATol: tol, Exponent: 0.9, Unclamped: true}
	}
	return control.Settings{RTol: tol, ATol: tol, Exponent: 1, MaxFactor: 10}
}

// TestBridgeInSolver: Roberts' pair on gbm at tolerance 1e-2 with a stop at
// t = ½, 20000 paths, ≥ 30% of attempts rejected. With the bridge, W(½),
// W(1) − W(½) and W(1) have variances ½, ½, 1 and the two pieces are
// uncorrelated, all within 4 SE, and W(½)/√½ passes KS (p > 0.001). A source
// that forgot rejected draws would fail (TestRedrawInSolver shows it does).
func TestBridgeInSolver(t *testing.T) {
	dev, rate, ks := engBridgeCheck(t, brownian.Bridge{})
	if rate < 0.3 {
		t.Fatalf("rejection rate %.3f < 0.3", rate)
	}
	for j, name := range []string{"Var W(½)/½", "Var(W(1)−W(½))/½", "Var W(1)", "corr"} {
		if math.Abs(dev[j]) > 4 {
			t.Errorf("%s deviates by %.2f SE", name, dev[j])
		}
	}
	if ks < 1e-3 {
		t.Errorf("KS p = %v for W(½)/√½", ks)
	}
}

func TestRedrawInSolver(t *testing.T) {
	dev, _, _ := engBridgeCheck(t, brownian.Redraw{})
	if math.Abs(dev[0]) <= 4 && math.Abs(dev[1]) <= 4 && math.Abs(dev[2]) <= 4 {
		t.Errorf("redraw's variances deviate by %.2f, %.2f, %.2f SE: the bias should be detected", dev[0], dev[1], dev[2])
	}
}

// engBridgeCheck returns the deviations in SE of the normalised variances of
// W(½), W(1)−W(½), W(1) from 1 and of their correlation from 0, the
// rejection rate, and the KS p-value of W(½)/√½.
func engBridgeCheck(t *testing.T, src brownian.Source) (dev [4]float64, rate, ks float64) {
	p := problems.GBM()
	const n = 20000
	res := engSolve(t, p, methods.Roberts{}, &sdeint.Settings{
		Paths: n, Seed: 3, Brownian: src, SaveAt: []float64{0.5},
		Control: rejectingControl(methods.Roberts{}, 1e-2),
	})
	mid, inc, end, norm := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		mid[i] = res.SavedWRow(i, 0)[0]
		end[i] = res.WRow(i)[0]
		inc[i] = end[i] - mid[i]
		norm[i] = mid[i] / math.Sqrt(0.5)
	}
	for j, c := range []struct {
		x   []float64
		len float64
	}{{mid, 0.5}, {inc, 0.5}, {end, 1}} {
		v, se := mcstat.VarSE(c.x)
		dev[j] = (v - c.len) / se
	}
	r, se := mcstat.CorrSE(mid, inc)
	dev[3] = r / se
	_, ks = mcstat.KS(norm, mcstat.NormalCDF)
	rate = float64(res.Stats.Rejected) / float64(res.Stats.Rejected+res.Stats.Accepted)
	t.Logf("%s: rejection rate %.3f, deviations %.2f SE, KS p %.3g", src.Name(), rate, dev, ks)
	return dev, rate, ks
}

// engEqual reports whether two results are bit-identical in states, W,
// saves and per-path counts (rows of b starting at row off of a).
func engEqual(a, b *sdeint.Result, off int) bool {
	n, m, S := a.Dim, a.NoiseDim, len(a.SaveAt)
	bits := func(x, y []float64) bool {
		for i := range y {
			if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
				return false
			}
		}
		return true
	}
	for i := range b.Paths {
		j := off + i
		if !bits(a.X[j*n:(j+1)*n], b.X[i*n:(i+1)*n]) || !bits(a.W[j*m:(j+1)*m], b.W[i*m:(i+1)*m]) ||
			!bits(a.Saved[j*S*n:(j+1)*S*n], b.Saved[i*S*n:(i+1)*S*n]) ||
			!bits(a.SavedW[j*S*m:(j+1)*S*m], b.SavedW[i*S*m:(i+1)*S*m]) {
			return false
		}
		pa, pb := a.Path[j], b.Path[i]
		if pa.Accepted != pb.Accepted || pa.Rejected != pb.Rejected || pa.NFE != pb.NFE || pa.H != pb.H {
			return false
		}
	}
	return true
}

// TestDeterminism: same seed ⇒ bit-identical results for workers 1, 2, 7 and
// batch sizes 1, 33, automatic; a path solved alone with its path offset
// equals the same path inside a batch of 1000.
func TestDeterminism(t *testing.T) {
	p := problems.GBM()
	base := &sdeint.Settings{Paths: 1000, Seed: 9, SaveAt: []float64{0.3}, Workers: 1}
	ref := engSolve(t, p, methods.Roberts{}, base)
	for _, c := range []struct{ workers, batch int }{{2, 0}, {7, 0}, {7, 33}, {3, 1}} {
		s := *base
		s.Workers, s.BatchSize = c.workers, c.batch
		if got := engSolve(t, p, methods.Roberts{}, &s); !engEqual(ref, got, 0) {
			t.Errorf("workers %d batch %d: results differ from workers 1", c.workers, c.batch)
		}
	}
	for _, i := range []int{0, 1, 517, 999} {
		s := *base
		s.Paths, s.PathOffset = 1, i
		if got := engSolve(t, p, methods.Roberts{}, &s); !engEqual(ref, got, i) {
			t.Errorf("path %d alone (offset %d) differs from path %d in the batch", i, i, i)
		}
	}
	// Shared-step mode depends on the batch but not on the workers.
	s := *base
	s.SharedStep = true
	one := engSolve(t, p, methods.Roberts{}, &s)
	s.Workers = 3
	if got := engSolve(t, p, methods.Roberts{}, &s); !engEqual(one, got, 0) {
		t.Errorf("shared step: workers 3 differs from workers 1")
	}
}

// TestDeterminismDP5: Dormand–Prince remembers its first stage per path
// (FSAL), so a path's NFE is 6 per attempt plus 1 for each attempt made
// before its first acceptance. On 64 paths of dx/dt = −a·x with a rate
// a = 1 … 64 per path, tolerance 1e-8 and h0 = 0.01, the fast paths reject
// their first attempts and the slow ones accept them, so blocks mix rows
// with and without the first stage. States and per-path counts must be
// bit-identical for batch sizes 1, 7 and 64 and 1 or 3 workers.
func TestDeterminismDP5(t *testing.T) {
	prob := engDecay()
	base := &sdeint.Settings{Paths: 64, Seed: 4, Workers: 1, BatchSize: 64, SaveAt: []float64{0.5}, Trace: true,
		Control: control.Settings{RTol: 1e-8, ATol: 1e-8, H0: 0.01}}
	res, err := sdeint.Solve(context.Background(), prob, methods.DP5{}, base)
	if err != nil {
		t.Fatal(err)
	}
	early := 0 // paths that rejected their first attempt
	for i, tr := range res.Trace {
		before := slices.IndexFunc(tr, func(e sdeint.TraceEntry) bool { return e.Accepted })
		if before > 0 {
			early++
		}
		ps := res.Path[i]
		if want := 6*(ps.Accepted+ps.Rejected) + 1 + before; ps.NFE != want {
			t.Errorf("path %d: NFE %d, want %d (%d attempts, %d before the first acceptance)", i, ps.NFE, want, ps.Accepted+ps.Rejected, before)
		}
	}
	t.Logf("%d of 64 paths rejected their first attempt", early)
	if early == 0 || early == 64 {
		t.Fatalf("%d of 64 paths rejected their first attempt; the test needs a mix", early)
	}
	for _, c := range []struct{ workers, batch int }{{1, 1}, {3, 1}, {3, 64}, {3, 7}, {1, 7}} {
		s := *base
		s.Workers, s.BatchSize, s.Trace = c.workers, c.batch, false
		got, err := sdeint.Solve(context.Background(), prob, methods.DP5{}, &s)
		if err != nil {
			t.Fatal(err)
		}
		if !engEqual(res, got, 0) {
			t.Errorf("workers %d batch %d: results or per-path counts differ from workers 1 batch 64", c.workers, c.batch)
		}
		if got.Stats.NFE != res.Stats.NFE {
			t.Errorf("workers %d batch %d: total NFE %d, want %d", c.workers, c.batch, got.Stats.NFE, res.Stats.NFE)
		}
	}
}

// engDecay is the ODE dx/dt = −a·x, x(0) = 1 on [0, 1], with a rate
// a = 1 + g mod 64 for global path g.
func engDecay() *sdeint.Problem {
	return &sdeint.Problem{
		Dim: 1, T0: 0, T1: 1, X0: []float64{1},
		Drift: func(dst, _, x []float64, b sdeint.Batch) error {
			for r, g := range b.Paths {
				dst[r] = -float64(1+g%64) * x[r]
			}
			return nil
		},
	}
}

// TestPerPathClocks: per-path NFE sum to the total, 2 per attempt and per
// probe of the first step; an easy and a hard path in one batch take
// different numbers of evaluations; in shared-step mode all paths take the
// same steps (each its own probes).
func TestPerPathClocks(t *testing.T) {
	// Path 0 is nearly deterministic (β = 0.01), path 1 very noisy (β = 2).
	beta := func(path int) float64 { return []float64{0.01, 2}[path%2] }
	prob := sdeint.Problem{
		Dim:   1,
		Noise: sdeint.Noise{Shape: sdeint.ScalarNoise, Commutative: true},
		T0:    0,
		T1:    1,
		X0:    []float64{1},
		Drift: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = 0.5 * x[0] }),
		Diffusion: func(dst, _, x []float64, b sdeint.Batch) error {
			for r, g := range b.Paths {
				dst[r] = beta(g) * x[r]
			}
			return nil
		},
	}
	for _, shared := range []bool{false, true} {
		res, err := sdeint.Solve(context.Background(), &prob, methods.Roberts{}, &sdeint.Settings{Paths: 2, SharedStep: shared, Control: control.Settings{RTol: 1e-3, ATol: 1e-3}})
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, ps := range res.Path {
			sum += int64(ps.NFE)
			if ps.NFE != 2*(ps.Accepted+ps.Rejected+ps.Probes) || ps.Probes < 1 {
				t.Errorf("NFE %d, want 2 per attempt and probe (%d attempts, %d probes)", ps.NFE, ps.Accepted+ps.Rejected, ps.Probes)
			}
		}
		if sum != res.Stats.NFE {
			t.Errorf("per-path NFE sum %d != total %d", sum, res.Stats.NFE)
		}
		easy, hard := res.Path[0].NFE, res.Path[1].NFE
		t.Logf("shared %v: easy path NFE %d, hard path NFE %d (probes %d, %d)", shared, easy, hard, res.Path[0].Probes, res.Path[1].Probes)
		if a, b := res.Path[0], res.Path[1]; shared && (a.Accepted != b.Accepted || a.Rejected != b.Rejected) {
			t.Errorf("shared step: attempts %d/%d and %d/%d differ", a.Accepted, a.Rejected, b.Accepted, b.Rejected)
		}
		if !shared && !(hard > 2*easy) {
			t.Errorf("per-path clocks: hard path NFE %d not more than twice the easy path's %d", hard, easy)
		}
	}
}

// TestRoundAllocatesNothing: a step round allocates nothing in steady state,
// for 100 paths of dimension 3 and in BenchmarkRound's configuration, 10⁴
// paths of dimension 1, where the paper's unclamped controller piles up
// pending Brownian points (rare deep stacks: a per-round allocation count
// rounded down, as testing.AllocsPerRun reports, would miss them, so the
// test counts every allocation of the measured rounds).
func TestRoundAllocatesNothing(t *testing.T) {
	for _, c := range []struct {
		m              sdeint.Method
		paths, n       int
		warmup, rounds int
	}{
		{methods.GGF{}, 100, 3, 200, 300},
		{methods.Roberts{}, 100, 3, 200, 300},
		{methods.GGF{}, 10000, 1, 200, 300},
		// The Lévy-area methods: areas served by the bridge with Lévy.
		{methods.SRIW1{}, 100, 3, 200, 300},
		{methods.SOSRA{}, 100, 3, 200, 300},
		{methods.LambaEM{}, 100, 3, 200, 300},
	} {
		r := engRunner(t, c.m, c.paths, c.n, false)
		for range c.warmup {
			r.Round()
		}
		if a, b := allocsInRounds(r, c.rounds); a != 0 {
			t.Errorf("%s, %d paths × n = %d: %d allocations (%d B) in %d rounds", c.m.Properties().Name, c.paths, c.n, a, b, c.rounds)
		}
	}
}

// allocsInRounds counts the process's allocations over windows of the
// given number of rounds and returns the first window's count that is 0,
// else the last window's (with its bytes), after at most three windows.
// ReadMemStats counts every goroutine's allocations, and on a loaded
// machine the runtime was seen to allocate a few objects in the background
// (6 in 300 rounds, with 8 builds sharing 2 cores); an allocation of the
// stepping loop in steady state recurs in every window.
func allocsInRounds(r *sdeint.RoundRunner, rounds int) (allocs, bytes uint64) {
	for range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range rounds {
			r.Round()
		}
		runtime.ReadMemStats(&after)
		allocs, bytes = after.Mallocs-before.Mallocs, after.TotalAlloc-before.TotalAlloc
		if allocs == 0 {
			break
		}
	}
	return allocs, bytes
}

// engRunner prepares paths of an n-dimensional Ornstein–Uhlenbeck problem
// dX = −X dt + 0.5 dW (diagonal additive noise) over a span so long that no
// path finishes, for steady-state stepping.
func engRunner(t testing.TB, m sdeint.Method, paths, n int, redraw bool) *sdeint.RoundRunner {
	prob := &sdeint.Problem{
		Dim:   n,
		Noise: sdeint.Noise{Shape: sdeint.DiagonalNoise, Additive: true, Commutative: true},
		T0:    0,
		T1:    1e12,
		X0:    slices.Repeat([]float64{1}, n),
		Drift: func(dst, _, x []float64, _ sdeint.Batch) error {
			for i, v := range x {
				dst[i] = -v
			}
			return nil
		},
		Diffusion: func(dst, _, _ []float64, _ sdeint.Batch) error {
			for i := range dst {
				dst[i] = 0.5
			}
			return nil
		},
	}
	s := &sdeint.Settings{Paths: paths, Seed: 1}
	if redraw {
		s.Brownian = brownian.Redraw{}
	}
	r, err := sdeint.NewRoundRunner(prob, m, s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// BenchmarkRound measures one adaptive step round (attempt and settle) of
// the paper's pair and Roberts' pair, in steady state, for 10⁴ paths of
// dimension 1 and 64 paths of dimension 3072 (a CIFAR-10-sized state).
func BenchmarkRound(b *testing.B) {
	for _, c := range []struct {
		name     string
		m        sdeint.Method
		paths, n int
	}{
		{"ggf/paths=10000/n=1", methods.GGF{}, 10000, 1},
		{"roberts/paths=10000/n=1", methods.Roberts{}, 10000, 1},
		{"ggf/paths=64/n=3072", methods.GGF{}, 64, 3072},
		{"roberts/paths=64/n=3072", methods.Roberts{}, 64, 3072},
	} {
		b.Run(c.name, func(b *testing.B) {
			r := engRunner(b, c.m, c.paths, c.n, false)
			for range 20 {
				r.Round()
			}
			b.ReportAllocs()
			rounds := 0
			for b.Loop() {
				r.Round()
				rounds++
			}
			steps := float64(rounds) * float64(r.Active())
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/steps, "ns/path-step")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/steps/float64(c.n), "ns/path-step-dim")
		})
	}
}

// TestStopTimes: a save time within rounding of a fixed-step grid point
// replaces it instead of adding a step of a few ulps; each adaptive proposal
// is the controller's factor times the attempt's step, where an attempt
// shortened to land on a stop counts with its shortened size, and after
// such an attempt is accepted the proposal is at least the unclipped one it
// replaced; a refusal is a *sdeint.RefusalError.
func TestStopTimes(t *testing.T) {
	p := problems.GBM().SDE
	p.T1 = 0.6
	res, err := sdeint.Solve(context.Background(), &p, methods.EM{}, &sdeint.Settings{Steps: 3, SaveAt: []float64{0.2}})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Path[0].Accepted; got != 3 {
		t.Errorf("3 steps with a save at 0.2 ≈ 0.6/3: took %d steps", got)
	}
	// Adaptive: trace paths with a save time inside a step, and replay
	// each proposal with Roberts' controller on GBM (scalar noise, q = 0,
	// span 1), made integral (exponent 1, its default clamps): a PI
	// controller's memory is per path, which this replay does not keep.
	p = problems.GBM().SDE
	integral := control.Settings{Exponent: 1}
	res, err = sdeint.Solve(context.Background(), &p, methods.Roberts{}, &sdeint.Settings{Paths: 20, Seed: 1, SaveAt: []float64{0.5}, Trace: true, Control: integral})
	if err != nil {
		t.Fatal(err)
	}
	d := methods.Roberts{}.Properties().Control
	d.Order, d.Exponent = 1, 1
	ctrl, err := control.New(integral, d, 1)
	if err != nil {
		t.Fatal(err)
	}
	var st control.State
	st.Reset()
	checked, clipped := 0, 0
	for _, tr := range res.Trace {
		for i := 0; i+1 < len(tr); i++ {
			e, next := tr[i], tr[i+1]
			end := e.T + e.H
			landed := end == 0.5 || end == 1
			h := e.HTry
			if landed {
				h = math.Abs(e.H)
			}
			h *= ctrl.Factor(e.Err, e.Accepted, &st)
			if landed && e.Accepted && e.HTry > math.Abs(e.H) {
				clipped++
				h = max(h, e.HTry)
			}
			if want := min(h, 1); next.HTry != want {
				t.Errorf("after %+v the proposal is %v, want %v", e, next.HTry, want)
			}
			checked++
		}
	}
	t.Logf("%d proposals checked, %d after an accepted clipped step", checked, clipped)
	if clipped == 0 {
		t.Error("no accepted clipped step found to check")
	}
	if _, err := sdeint.Solve(context.Background(), &problems.GBMStrat().SDE, methods.Roberts{}, nil); err == nil {
		t.Error("roberts on gbm-strat was not refused")
	} else if _, ok := errors.AsType[*sdeint.RefusalError](err); !ok {
		t.Errorf("refusal %v is not a *RefusalError", err)
	}
}
