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

// TestDriftDiffMixedRows: the drift difference of the Lamba and RKMil
// estimates (methods/driftdiff.go) takes Lamba's forward difference, one
// more drift evaluation, until a path's first acceptance and the backward
// difference after it, except on a step more than twice the previous one
// (after the step cut at the stop 0.5). With per-path rates some paths of a batch reject
// their first attempts while others have accepted theirs, so a block mixes
// rows that need the forward difference (evaluated by DriftRows) with rows
// that do not. Per-path NFE must be base·attempts + forward differences,
// and results and per-path counts bit-identical for
// batch sizes 1, 7 and 64, workers 1 and 3; in shared-step mode, workers 1
// and 3 (the batch is then all paths).
func TestDriftDiffMixedRows(t *testing.T) {
	prob := ddDecay()
	for _, c := range []struct {
		m    sdeint.Method
		base int // drift evaluations per attempt for the result
	}{
		{methods.LambaEM{}, 1},
		{methods.LambaEulerHeun{}, 2},
		{methods.RKMil{}, 1},
		{methods.RKMil{Stratonovich: true}, 1},
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
			// Forward differences: the attempts up to the first
			// acceptance, and those more than twice the previous
			// accepted step (after the step cut at the stop 0.5).
			fwd, prev := 0, 0.0
			for _, e := range tr {
				if prev == 0 || math.Abs(e.H) > 2*prev {
					fwd++
				}
				if e.Accepted {
					prev = math.Abs(e.H)
				}
			}
			ps := res.Path[i]
			if want := c.base*(ps.Accepted+ps.Rejected) + fwd; ps.DriftEvals != want || fwd < first+1 {
				t.Errorf("%s: path %d: %d drift evaluations, want %d (%d attempts, %d forward differences, %d up to the first acceptance)",
					name, i, ps.DriftEvals, want, ps.Accepted+ps.Rejected, fwd, first+1)
			}
		}
		t.Logf("%s: %d of 64 paths rejected their first attempt", name, early)
		if early == 0 || early == 64 {
			t.Fatalf("%s: %d of 64 paths rejected their first attempt; the test needs a mix", name, early)
		}
		for _, w := range []struct{ workers, batch int }{{1, 1}, {3, 1}, {3, 64}, {3, 7}, {1, 7}} {
			s := *base
			s.Workers, s.BatchSize, s.Trace = w.workers, w.batch, false
			got, err := sdeint.Solve(context.Background(), prob, c.m, &s)
			if err != nil {
				t.Fatal(err)
			}
			if !engEqual(res, got, 0) || got.Stats.NFE != res.Stats.NFE {
				t.Errorf("%s: workers %d batch %d: results or per-path counts differ from workers 1 batch 64", name, w.workers, w.batch)
			}
		}
		s := *base
		s.SharedStep, s.Trace = true, false
		one, err := sdeint.Solve(context.Background(), prob, c.m, &s)
		if err != nil {
			t.Fatal(err)
		}
		s.Workers = 3
		if got, err := sdeint.Solve(context.Background(), prob, c.m, &s); err != nil || !engEqual(one, got, 0) {
			t.Errorf("%s: shared step: workers 3 differs from workers 1 (%v)", name, err)
		}
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

// TestDriftDiffAfterStop: after a step cut short at a stop time, the
// previous step h′ is much shorter than the next step h, and the backward
// difference f(t, x) − f(t′, x′) ≈ h′·df/dt says nothing about the drift's
// change over h: capped at h/h′ = 1 it gives ½h·h′·df/dt, not ½h²·df/dt.
// On dy/ds = −y·cos(1 − s) (an ODE: E = |E_d|) with stop pairs s, s + 1e-9
// every 0.05 and MaxFactor 10, the step after each 1e-9 step then saw an
// estimate of ~1e-8 and ran to the next stop whatever its error: 0.05
// where the steps without stops are ~0.02, and 5 times the forward
// difference's global error. Stop times only ever shorten steps, so they
// must not make the result less accurate than the same solve without
// them: the error with stops must stay within 1.5 times the error without
// (deterministic: one ODE path), and the solve must take at least as many
// steps longer than 1e-6 as without stops.
func TestDriftDiffAfterStop(t *testing.T) {
	p := &sdeint.Problem{Dim: 1, T0: 0, T1: 1, X0: []float64{1},
		Drift: sdeint.Lift(1, 1, func(dst []float64, s float64, y []float64) { dst[0] = -y[0] * math.Cos(1-s) })}
	exact := math.Exp(-math.Sin(1))
	var stops []float64
	for i := 1; i < 20; i++ {
		s := float64(i) / 20
		stops = append(stops, s, s+1e-9)
	}
	for _, m := range []sdeint.Method{methods.LambaEM{}, methods.LambaEulerHeun{}, methods.RKMil{}} {
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
}

// TestDriftDiffAllocatesNothing: the methods that keep the drift
// difference in their per-path State step without allocating in steady
// state, as TestRoundAllocatesNothing checks for LambaEM; and in the rounds
// just after the start, where blocks mix rows that take the forward
// difference (DriftRows) with rows that do not.
func TestDriftDiffAllocatesNothing(t *testing.T) {
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

// TestDriftDiffRatio: on dx/dt = x·cos t from x = 1 at t = 0 (df/dt =
// x(cos²t − sin t) = 1 + O(t)), a first step h′ = 2⁻⁸ and a second of h,
// the second attempt's estimate (ATol 1, so Err = |E_d|) is
//
//   - h = h′/2: ½h·(h/h′)·(f − f′) ≈ ½h²·df/dt (the rescaled backward
//     difference);
//   - h = 1.5h′: ½h·(f − f′) ≈ ½h·h′·df/dt (capped at h/h′ = 1: a third
//     below ½h²·df/dt);
//   - h = 4h′: the forward difference, ½h²·df/dt (more than twice h′).
//
// each within 3% (the O(h) terms at t ≤ 5·2⁻⁸).
func TestDriftDiffRatio(t *testing.T) {
	p := &sdeint.Problem{Dim: 1, T0: 0, T1: 1, X0: []float64{1},
		Drift: sdeint.Lift(1, 1, func(dst []float64, t float64, x []float64) { dst[0] = x[0] * math.Cos(t) })}
	h1 := math.Ldexp(1, -8)
	for _, m := range []sdeint.Method{methods.LambaEM{}, methods.LambaEulerHeun{}, methods.RKMil{}} {
		for _, c := range []struct {
			r, want float64 // h/h′, E/(½h²)
		}{{0.5, 1}, {1.5, 1 / 1.5}, {4, 1}} {
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
// x·cos t, steps h′ = 2⁻⁸ (accepted), h′ (rejected), h′/2 (accepted): the
// third attempt's estimate is the rescaled backward difference over the
// first step, ≈ ½(h′/2)²·df/dt, within 3%. Had the rejected attempt's
// memory (f at the same point) been kept, it would be 0.
func TestDriftDiffRejected(t *testing.T) {
	p := &sdeint.Problem{Dim: 1, T0: 0, T1: 1, X0: []float64{1},
		Drift: sdeint.Lift(1, 1, func(dst []float64, t float64, x []float64) { dst[0] = x[0] * math.Cos(t) })}
	h1 := math.Ldexp(1, -8)
	for _, m := range []sdeint.Method{methods.LambaEM{}, methods.LambaEulerHeun{}, methods.RKMil{}} {
		q := *p
		q.T1 = 1.5 * h1
		res, err := sdeint.Solve(context.Background(), &q, m, &sdeint.Settings{Paths: 1, Seed: 1, Trace: true,
			Controller: rejectSecond{scripted{h1, h1, h1 / 2}}, Control: control.Settings{ATol: 1, RTol: 1e-300}})
		if err != nil {
			t.Fatal(err)
		}
		tr := res.Trace[0]
		if len(tr) != 3 || tr[1].Accepted || !tr[2].Accepted || tr[2].H != h1/2 {
			t.Fatalf("%s: attempts %+v, want h′ accepted, h′ rejected, h′/2 accepted", m.Properties().Name, tr)
		}
		h := h1 / 2
		if got := tr[2].Err / (0.5 * h * h); math.Abs(got-1) > 0.03 {
			t.Errorf("%s: the retry's E/(½h²) = %.4f, want 1 within 3%%", m.Properties().Name, got)
		}
	}
}
