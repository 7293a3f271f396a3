package sdeint_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// ddDecay is dX = −a·X dt + 0.1·X dW, X(0) = 1 on [0, 1], scalar noise,
// with a rate a = 1 + g mod 64 for global path g: at a tight tolerance the
// fast paths reject their first attempts and the slow ones accept them.
func ddDecay() *sdeint.Problem {
	return &sdeint.Problem{
		Dim: 1, T0: 0, T1: 1, X0: []float64{1},
		Noise: sdeint.Noise{Shape: sdeint.ScalarNoise, Commutative: true},
		Drift: func(dst, _, x []float64, b sdeint.Batch) error {
			for r, g := range b.Paths {
				dst[r] = -float64(1+g%64) * x[r]
			}
			return nil
		},
		Diffusion: func(dst, _, x []float64, _ sdeint.Batch) error {
			for r := range dst {
				dst[r] = 0.1 * x[r]
			}
			return nil
		},
	}
}

// ddMode is how a method takes the drift part of its estimate, for
// counting its drift evaluations (methods/driftdiff.go).
type ddMode int

const (
	ddNone     ddMode = iota // at its predictor: no evaluation of its own
	ddFSAL                   // at the result, kept as the next first stage
	ddPrevious               // over the previous step (LambaEM, multiplicative noise)
)

// ddExtra returns the drift evaluations a path makes beyond
// perAttempt·attempts + 2·probes: with ddFSAL the first stage on each
// attempt up to and including the first acceptance; with ddPrevious
// Lamba's forward difference on each attempt with no previous accepted
// step or more than twice as long as it.
func ddExtra(mode ddMode, tr []sdeint.TraceEntry) int {
	switch mode {
	case ddFSAL:
		return slices.IndexFunc(tr, func(e sdeint.TraceEntry) bool { return e.Accepted }) + 1
	case ddPrevious:
		fwd, prev := 0, 0.0
		for _, e := range tr {
			if prev == 0 || math.Abs(e.H) > 2*prev {
				fwd++
			}
			if e.Accepted {
				prev = math.Abs(e.H)
			}
		}
		return fwd
	}
	return 0
}

// TestDriftDiffMixedRows: RKMil takes the drift difference of its
// estimate at the step's result (methods/driftdiff.go) and keeps f there as
// the next step's first stage, in the path's State, evaluating the first
// stage itself until a path's first acceptance; LambaEM, on this
// multiplicative noise, takes it over the path's previous step, with
// Lamba's forward difference (one more evaluation) until its first
// acceptance and on a step more than twice the previous one (after the
// step cut at the stop 0.5); LambaEulerHeun takes it at its predictor. With
// per-path rates some paths of a batch reject their first attempts while
// others have accepted theirs, so a block mixes rows that need the extra
// evaluation (by DriftRows) with rows that do not. Per-path NFE must be
// perAttempt·attempts + ddExtra; results and per-path counts must be
// bit-identical for batch sizes 1, 7 and 64, workers 1 and 3; in
// shared-step mode, workers 1 and 3 (the batch is then all paths).
func TestDriftDiffMixedRows(t *testing.T) {
	prob := ddDecay()
	for _, c := range []struct {
		m          sdeint.Method
		perAttempt int    // drift evaluations per attempt
		mode       ddMode // how it takes its drift part on this scalar noise
	}{
		{methods.LambaEM{}, 1, ddPrevious},
		{methods.LambaEulerHeun{}, 2, ddNone},
		{methods.RKMil{}, 1, ddFSAL},
		{methods.RKMil{Stratonovich: true}, 1, ddFSAL},
	} {
		name := c.m.Properties().Name
		base := &sdeint.Settings{Paths: 64, Seed: 4, Override: true, Workers: 1, BatchSize: 64, SaveAt: []float64{0.5}, Trace: true,
			Control: control.Settings{RTol: 1e-3, ATol: 1e-3, H0: 0.01}}
		res, err := sdeint.Solve(context.Background(), prob, c.m, base)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		early := 0
		for i, tr := range res.Trace {
			first := slices.IndexFunc(tr, func(e sdeint.TraceEntry) bool { return e.Accepted })
			if first < 0 {
				t.Fatalf("%s: path %d accepted no step", name, i)
			}
			if first > 0 {
				early++
			}
			ps := res.Path[i]
			want := c.perAttempt*(ps.Accepted+ps.Rejected) + ddExtra(c.mode, tr)
			if ps.DriftEvals != want {
				t.Errorf("%s: path %d: %d drift evaluations, want %d (%d attempts, %d up to the first acceptance)",
					name, i, ps.DriftEvals, want, ps.Accepted+ps.Rejected, first+1)
			}
		}
		t.Logf("%s: %d of 64 paths rejected their first attempt", name, early)
		if early == 0 || early == 64 {
			t.Fatalf("%s: %d of 64 paths rejected their first attempt; the test needs a mix", name, early)
		}
		checkBatchInvariant(t, prob, c.m, base, res)
	}
}

// checkBatchInvariant solves prob with m at base's settings for batch sizes
// 1, 7 and 64 and workers 1 and 3, which must give res (the solve at
// base, workers 1, batch 64) bit for bit with the same NFE; and in
// shared-step mode, workers 3 must give workers 1's result.
func checkBatchInvariant(t *testing.T, prob *sdeint.Problem, m sdeint.Method, base *sdeint.Settings, res *sdeint.Result) {
	t.Helper()
	name := m.Properties().Name
	for _, w := range []struct{ workers, batch int }{{1, 1}, {3, 1}, {3, 64}, {3, 7}, {1, 7}} {
		s := *base
		s.Workers, s.BatchSize, s.Trace = w.workers, w.batch, false
		got, err := sdeint.Solve(context.Background(), prob, m, &s)
		if err != nil {
			t.Fatal(err)
		}
		if !engEqual(res, got, 0) || got.Stats.NFE != res.Stats.NFE {
			t.Errorf("%s: workers %d batch %d: results or per-path counts differ from workers 1 batch 64", name, w.workers, w.batch)
		}
	}
	s := *base
	s.SharedStep, s.Trace = true, false
	one, err := sdeint.Solve(context.Background(), prob, m, &s)
	if err != nil {
		t.Fatal(err)
	}
	s.Workers = 3
	if got, err := sdeint.Solve(context.Background(), prob, m, &s); err != nil || !engEqual(one, got, 0) {
		t.Errorf("%s: shared step: workers 3 differs from workers 1 (%v)", name, err)
	}
}

// TestDriftDiffBackward: integrating backward in time (T1 < T0, signed
// h < 0) the drift difference must see the same step sizes as the mirrored
// forward problem. dx/dt = x·cos t from t = 1 down to 0 is, in s = 1 − t,
// dy/ds = −y·cos(1 − s) from s = 0 to 1 with y(s) = x(1 − s). The two
// solves must take the same numbers of accepted and rejected steps and
// end at the same state up to rounding of the times (1e-12 relative).
func TestDriftDiffBackward(t *testing.T) {
	back := &sdeint.Problem{Dim: 1, T0: 1, T1: 0, X0: []float64{1},
		Drift: sdeint.Lift(1, 1, func(dst []float64, t float64, x []float64) { dst[0] = x[0] * math.Cos(t) })}
	fwd := &sdeint.Problem{Dim: 1, T0: 0, T1: 1, X0: []float64{1},
		Drift: sdeint.Lift(1, 1, func(dst []float64, s float64, y []float64) { dst[0] = -y[0] * math.Cos(1-s) })}
	for _, m := range []sdeint.Method{methods.LambaEM{}, methods.LambaEulerHeun{}, methods.RKMil{}} {
		name := m.Properties().Name
		// Save times make steps clipped to a stop, one of them tiny.
		set := sdeint.Settings{Paths: 1, Seed: 1, SaveAt: []float64{0.7, 0.6999999, 0.3},
			Control: control.Settings{RTol: 1e-6, ATol: 1e-6, MaxFactor: 5}}
		rb, err := sdeint.Solve(context.Background(), back, m, &set)
		if err != nil {
			t.Fatal(err)
		}
		set.SaveAt = []float64{1 - 0.7, 1 - 0.6999999, 1 - 0.3}
		rf, err := sdeint.Solve(context.Background(), fwd, m, &set)
		if err != nil {
			t.Fatal(err)
		}
		pb, pf := rb.Path[0], rf.Path[0]
		exact := math.Exp(-math.Sin(1))
		t.Logf("%s: backward %d/%d steps, x(0) = %.10g; forward %d/%d, y(1) = %.10g; exact %.10g",
			name, pb.Accepted, pb.Rejected, rb.X[0], pf.Accepted, pf.Rejected, rf.X[0], exact)
		if pb.Status != sdeint.Success || pb.Accepted != pf.Accepted || pb.Rejected != pf.Rejected ||
			math.Abs(rb.X[0]-rf.X[0]) > 1e-12*math.Abs(rf.X[0]) {
			t.Errorf("%s: backward solve (%v, %d/%d steps, %v) differs from the mirrored forward one (%d/%d, %v)",
				name, pb.Status, pb.Accepted, pb.Rejected, rb.X[0], pf.Accepted, pf.Rejected, rf.X[0])
		}
	}
}

// TestDriftDiffAfterStop: stop times only ever shorten steps, so they
// must not make the result less accurate than the same solve without them.
// The drift difference once taken over the previous step saw nothing after
// a step cut short at a stop (h′ = 1e-9 against h ≈ 0.02) and let the next
// step run to the following stop whatever its error. On
// dy/ds = −y·cos(1 − s) (an ODE: E = |E_d|) with stop pairs s, s + 1e-9
// every 0.05 and MaxFactor 10, the error with stops must stay within 1.5
// times the error without (deterministic: one ODE path), and the solve must
// take at least as many steps longer than 1e-6 as without stops.
func TestDriftDiffAfterStop(t *testing.T) {
	p := &sdeint.Problem{Dim: 1, T0: 0, T1: 1, X0: []float64{1},
		Drift: sdeint.Lift(1, 1, func(dst []float64, s float64, y []float64) { dst[0] = -y[0] * math.Cos(1-s) })}
	for _, m := range []sdeint.Method{methods.LambaEM{}, methods.LambaEulerHeun{}, methods.RKMil{}} {
		checkAfterStops(t, p, m)
	}
}

// checkAfterStops solves p (whose exact x(1) is e^{−sin 1}) with m at
// tolerance 1e-4 and MaxFactor 10, without stops and with the stop pairs
// s, s + 1e-9 every 0.05; with stops the error must stay within 1.5 times
// the error without, and the solve must take at least as many steps
// longer than 1e-6.
func checkAfterStops(t *testing.T, p *sdeint.Problem, m sdeint.Method) {
	t.Helper()
	exact := math.Exp(-math.Sin(1))
	var stops []float64
	for i := 1; i < 20; i++ {
		s := float64(i) / 20
		stops = append(stops, s, s+1e-9)
	}
	name := m.Properties().Name
	solve := func(save []float64) (err float64, long int) {
		set := sdeint.Settings{Paths: 1, Seed: 1, SaveAt: save, Trace: true,
			Control: control.Settings{RTol: 1e-4, ATol: 1e-4, MaxFactor: 10}}
		r, e := sdeint.Solve(context.Background(), p, m, &set)
		if e != nil {
			t.Fatal(e)
		}
		for _, s := range r.Trace[0] {
			if s.Accepted && s.H > 1e-6 {
				long++
			}
		}
		return math.Abs(r.X[0] - exact), long
	}
	e0, n0 := solve(nil)
	e1, n1 := solve(stops)
	t.Logf("%s: without stops error %.3g in %d steps; with stops %.3g in %d steps longer than 1e-6", name, e0, n0, e1, n1)
	if e1 > 1.5*e0 || n1 < n0 {
		t.Errorf("%s: with stops error %.3g in %d steps, without %.3g in %d: the steps after the stops are not controlled", name, e1, n1, e0, n0)
	}
}

// TestDriftDiffAllocatesNothing: the methods with the drift difference step
// without allocating in steady state, as TestRoundAllocatesNothing checks
// for LambaEM; and in the rounds just after the start, where blocks mix
// rows that remember their first stage with rows that evaluate it
// (DriftRows); and LambaEM's previous-step form on multiplicative noise,
// whose first rounds mix rows that take the forward difference.
func TestDriftDiffAllocatesNothing(t *testing.T) {
	// LambaEM on multiplicative noise: the previous-step form, whose
	// first rounds mix rows that take the forward difference (DriftRows).
	t.Run("lambaem-previous", func(t *testing.T) {
		prob := ddDecay()
		prob.T1 = 1e12 // the paths keep stepping through the rounds
		r, err := sdeint.NewRoundRunner(prob, methods.LambaEM{}, &sdeint.Settings{Paths: 100, Seed: 1,
			Control: control.Settings{RTol: 1e-3, ATol: 1e-3}})
		if err != nil {
			t.Fatal(err)
		}
		if a, b := allocsInRounds(r, 20); a != 0 {
			t.Errorf("%d allocations (%d B) in the first rounds", a, b)
		}
		for range 50 {
			r.Round()
		}
		if a, b := allocsInRounds(r, 100); a != 0 {
			t.Errorf("%d allocations (%d B) in 100 rounds", a, b)
		}
		if r.Active() != 100 {
			t.Errorf("%d of 100 paths still stepping, want all", r.Active())
		}
	})
	for _, m := range []sdeint.Method{methods.LambaEulerHeun{}, methods.RKMil{}, methods.RKMil{Stratonovich: true}, methods.LambaEM{ForwardDrift: true}} {
		r := engRunner(t, m, 100, 3, false)
		if a, b := allocsInRounds(r, 20); a != 0 {
			t.Errorf("%s: %d allocations (%d B) in the first rounds", m.Properties().Name, a, b)
		}
		for range 200 {
			r.Round()
		}
		if a, b := allocsInRounds(r, 300); a != 0 {
			t.Errorf("%s: %d allocations (%d B) in 300 rounds", m.Properties().Name, a, b)
		}
		if r.Active() != 100 {
			t.Errorf("%s: %d of 100 paths still stepping, want all", m.Properties().Name, r.Active())
		}
	}
}

// TestRoundRunnerSteps: the harness of TestRoundAllocatesNothing and
// BenchmarkRound steps its paths. NewRoundRunner once loaded the paths
// without proposing their first attempts (worker.begin), so the first
// round attempted h = 0, the controller's next proposal was 0·Inf = NaN
// and every path ended StepCollapse: the allocation test then measured
// rounds on no path and could not fail.
func TestRoundRunnerSteps(t *testing.T) {
	for _, m := range []sdeint.Method{methods.GGF{}, methods.Roberts{}, methods.LambaEM{}} {
		r := engRunner(t, m, 100, 3, false)
		for range 50 {
			r.Round()
		}
		if r.Active() != 100 {
			t.Errorf("%s: %d of 100 paths still stepping after 50 rounds, want all", m.Properties().Name, r.Active())
		}
	}
}

// scripted is a Controller that attempts the given step sizes in turn and
// accepts every attempt.
type scripted []float64

func (c scripted) StateSize() int                           { return 1 }
func (c scripted) UsesError() bool                          { return true }
func (c scripted) Start(st []float64, _, _ float64) float64 { st[0] = 0; return c[0] }
func (c scripted) Propose(st []float64, t, stop float64) (float64, float64, bool) {
	h := c[min(int(st[0]), len(c)-1)]
	if t+h >= stop {
		return stop, h, true
	}
	return t + h, h, true
}
func (c scripted) Decide(st []float64, _, _, _ float64) (control.Decision, float64) {
	st[0]++
	return control.Accept, c[min(int(st[0]), len(c)-1)]
}

// TestDriftDiffRatio: the drift difference is taken over the step itself,
// whatever the previous step was. On dx/dt = x·cos t from x = 1 at t = 0
// (df/dt = x(cos²t − sin t) = 1 + O(t)), a first step h′ = 2⁻⁸ and a
// second of h = h′/2, 1.5h′ or 4h′, the second attempt's estimate (ATol 1,
// so Err = |E_d|) is ½h²·df/dt within 3% (the O(h) terms at t ≤ 5·2⁻⁸).
// (Taken over the previous step, as until December 2026, it was
// ½h·min(1, h/h′)·h′·df/dt: a third low at 1.5h′.)
func TestDriftDiffRatio(t *testing.T) {
	p := &sdeint.Problem{Dim: 1, T0: 0, T1: 1, X0: []float64{1},
		Drift: sdeint.Lift(1, 1, func(dst []float64, t float64, x []float64) { dst[0] = x[0] * math.Cos(t) })}
	h1 := math.Ldexp(1, -8)
	for _, m := range []sdeint.Method{methods.LambaEM{}, methods.LambaEulerHeun{}, methods.RKMil{}} {
		for _, c := range []struct {
			r, want float64 // h/h′, E/(½h²)
		}{{0.5, 1}, {1.5, 1}, {4, 1}} {
			h := c.r * h1
			q := *p
			q.T1 = h1 + h
			res, err := sdeint.Solve(context.Background(), &q, m, &sdeint.Settings{Paths: 1, Seed: 1, Trace: true,
				Controller: scripted{h1, h}, Control: control.Settings{ATol: 1, RTol: 1e-300}})
			if err != nil {
				t.Fatal(err)
			}
			tr := res.Trace[0]
			if len(tr) != 2 || tr[1].H != h {
				t.Fatalf("%s, h/h′ = %v: attempts %+v, want h′ then h", m.Properties().Name, c.r, tr)
			}
			got := tr[1].Err / (0.5 * h * h)
			t.Logf("%s, h/h′ = %v: E/(½h²) = %.4f, want %.4f", m.Properties().Name, c.r, got, c.want)
			if math.Abs(got/c.want-1) > 0.03 {
				t.Errorf("%s, h/h′ = %v: E/(½h²) = %.4f, want %.4f within 3%%", m.Properties().Name, c.r, got, c.want)
			}
		}
	}
}

// rejectSecond is scripted, but rejects the second attempt.
type rejectSecond struct{ scripted }

func (c rejectSecond) Decide(st []float64, _, _, _ float64) (control.Decision, float64) {
	st[0]++
	h := c.scripted[min(int(st[0]), len(c.scripted)-1)]
	if st[0] == 2 {
		return control.Reject, h
	}
	return control.Accept, h
}

// TestDriftDiffRejected: a rejected attempt leaves the path's memory
// alone (the solver keeps Step.NextState on acceptance only). On dx/dt =
// x·cos t, steps h′ = 2⁻⁸ (accepted), h′ (rejected), h = h′/4 and 3h′/4
// (accepted):
// the retry starts from f at t = h′ remembered from the first step, and its
// estimate is ½h²·df/dt within 3%. Had the rejected attempt's memory (f at
// its own end, t = 2h′) been kept, the retry would start from the wrong
// drift and E would be ½h·(h − h′)·df/dt, 3 times larger. LambaEM and RKMil make
// 2 + 1 + 1 + 1 drift evaluations (the first stage once), LambaEulerHeun 2
// per attempt.
func TestDriftDiffRejected(t *testing.T) {
	p := &sdeint.Problem{Dim: 1, T0: 0, T1: 1, X0: []float64{1},
		Drift: sdeint.Lift(1, 1, func(dst []float64, t float64, x []float64) { dst[0] = x[0] * math.Cos(t) })}
	h1 := math.Ldexp(1, -8)
	for _, c := range []struct {
		m     sdeint.Method
		evals int
	}{{methods.LambaEM{}, 5}, {methods.LambaEulerHeun{}, 8}, {methods.RKMil{}, 5}} {
		m := c.m
		q := *p
		q.T1 = 2 * h1
		res, err := sdeint.Solve(context.Background(), &q, m, &sdeint.Settings{Paths: 1, Seed: 1, Trace: true,
			Controller: rejectSecond{scripted{h1, h1, h1 / 4, 0.75 * h1}}, Control: control.Settings{ATol: 1, RTol: 1e-300}})
		if err != nil {
			t.Fatal(err)
		}
		tr := res.Trace[0]
		if len(tr) != 4 || tr[1].Accepted || tr[1].H != h1 || !tr[2].Accepted || tr[2].H != h1/4 {
			t.Fatalf("%s: attempts %+v, want h′ accepted, h′ rejected, h′/4 and 3h′/4 accepted", m.Properties().Name, tr)
		}
		h := h1 / 4
		if got := tr[2].Err / (0.5 * h * h); math.Abs(got-1) > 0.03 {
			t.Errorf("%s: the retry's E/(½h²) = %.4f, want 1 within 3%%", m.Properties().Name, got)
		}
		if got := res.Path[0].DriftEvals; got != c.evals {
			t.Errorf("%s: %d drift evaluations, want %d", m.Properties().Name, got, c.evals)
		}
	}
}

// cosTiny is dx/dt = x·cos t with a multiplicative noise of 1e-12·x, so
// that LambaEM takes its drift part over the previous step (scalar noise)
// while its estimate is the drift part alone (E_n ≈ 1e-24·h·x).
func cosTiny(t0, t1 float64) *sdeint.Problem {
	return &sdeint.Problem{Dim: 1, T0: t0, T1: t1, X0: []float64{1},
		Noise:     sdeint.Noise{Shape: sdeint.ScalarNoise, Commutative: true},
		Drift:     sdeint.Lift(1, 1, func(dst []float64, t float64, x []float64) { dst[0] = x[0] * math.Cos(t) }),
		Diffusion: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = 1e-12 * x[0] }),
	}
}

// TestDriftDiffPrevious: LambaEM's previous-step drift part on
// multiplicative noise (cosTiny: df/dt = x(cos²t − sin t) = 1 + O(t)). A
// first step h′ = 2⁻⁸ and a second of h; the second attempt's estimate is
//
//   - h = h′/2: ½h·(h/h′)·(f − f′) ≈ ½h²·df/dt (the rescaled difference);
//   - h = 1.5h′: ½h·(f − f′) ≈ ½h·h′·df/dt (capped at h/h′ = 1: a third
//     below ½h²·df/dt);
//   - h = 4h′: Lamba's forward difference, ½h²·df/dt (more than twice h′),
//
// each within 3%, with 1 + 1 drift evaluations for the second attempt
// (its first stage, then none or the forward difference's) after the
// first attempt's 2.
func TestDriftDiffPrevious(t *testing.T) {
	h1 := math.Ldexp(1, -8)
	for _, c := range []struct {
		r, want float64 // h/h′, E/(½h²)
		evals   int
	}{{0.5, 1, 3}, {1.5, 1 / 1.5, 3}, {4, 1, 4}} {
		h := c.r * h1
		res, err := sdeint.Solve(context.Background(), cosTiny(0, h1+h), methods.LambaEM{}, &sdeint.Settings{Paths: 1, Seed: 1, Trace: true,
			Controller: scripted{h1, h}, Control: control.Settings{ATol: 1, RTol: 1e-300}})
		if err != nil {
			t.Fatal(err)
		}
		tr := res.Trace[0]
		if len(tr) != 2 || tr[1].H != h {
			t.Fatalf("h/h′ = %v: attempts %+v, want h′ then h", c.r, tr)
		}
		got := tr[1].Err / (0.5 * h * h)
		t.Logf("h/h′ = %v: E/(½h²) = %.4f, want %.4f; %d drift evaluations", c.r, got, c.want, res.Path[0].DriftEvals)
		if math.Abs(got/c.want-1) > 0.03 || res.Path[0].DriftEvals != c.evals {
			t.Errorf("h/h′ = %v: E/(½h²) = %.4f, want %.4f within 3%%; %d drift evaluations, want %d", c.r, got, c.want, res.Path[0].DriftEvals, c.evals)
		}
	}
}

// TestDriftDiffPreviousAfterStop: after a step cut short at a stop time the
// previous step h′ is much shorter than the next step h, and the difference
// over it, ≈ h′·df/dt, says nothing about the drift's change over h; a
// step more than twice the previous one takes Lamba's forward difference
// instead. On cosTiny from 0 to 1 (reversed: dy/ds = −y·cos(1 − s), the
// problem of TestDriftDiffAfterStop) with stop pairs s, s + 1e-9 every
// 0.05 and MaxFactor 10, without the fallback the step after each 1e-9
// step saw an estimate of ~1e-8 and ran to the next stop (measured: error
// 3.2e-3 in 24 steps longer than 1e-6), against 8.3e-4 in 72 with it and
// 1.6e-3 in 38 without stops (checkAfterStops).
func TestDriftDiffPreviousAfterStop(t *testing.T) {
	p := cosTiny(0, 1)
	p.Drift = sdeint.Lift(1, 1, func(dst []float64, s float64, y []float64) { dst[0] = -y[0] * math.Cos(1-s) })
	checkAfterStops(t, p, methods.LambaEM{})
}
