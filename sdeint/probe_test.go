package sdeint_test

// Tests of the first-step probes (control.AutoStarter): they choose the
// first step and nothing else, count in NFE, handle NaN, and give one
// first step to a shared-step batch.

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// TestProbesChooseOnlyTheFirstStep: a solve at the defaults (probed first
// step) equals, bit for bit in states, Brownian values, traces and step
// counts, the solve whose H0 is the probed step (the first attempt's HTry,
// the same for every path of a shared X0): the probes leave no trace but
// their evaluations, Probes per path, each costing one step's NFE. Checked
// for roberts (2 drift evaluations per step) and sriw1 (Lévy areas) on gbm,
// and for dp5 (first-same-as-last memory, 7 evaluations in a probe from
// empty memory) on an ODE.
func TestProbesChooseOnlyTheFirstStep(t *testing.T) {
	gbm := problems.GBM().SDE
	ode := sdeint.Problem{Dim: 1, T0: 0, T1: 2, X0: []float64{1},
		Drift: sdeint.Lift(1, 1, func(dst []float64, tt float64, x []float64) { dst[0] = x[0] * math.Cos(tt) })}
	for _, c := range []struct {
		name     string
		p        *sdeint.Problem
		m        sdeint.Method
		perProbe int
	}{
		{"roberts", &gbm, methods.Roberts{}, 2},
		{"sriw1", &gbm, methods.SRIW1{}, 2},
		{"dp5", &ode, methods.DP5{}, 7},
	} {
		s := sdeint.Settings{Paths: 50, Seed: 3, Trace: true, Control: control.Settings{RTol: 1e-3, ATol: 1e-3}}
		auto, err := sdeint.Solve(context.Background(), c.p, c.m, &s)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		h0 := auto.Trace[0][0].HTry
		s.Control.H0 = h0
		fixed, err := sdeint.Solve(context.Background(), c.p, c.m, &s)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !reflect.DeepEqual(auto.X, fixed.X) || !reflect.DeepEqual(auto.W, fixed.W) || !reflect.DeepEqual(auto.Trace, fixed.Trace) {
			t.Errorf("%s: probed first step differs from H0 = %v", c.name, h0)
		}
		for i := range auto.Path {
			a, f := auto.Path[i], fixed.Path[i]
			if a.Probes < 1 || a.Probes > control.MaxProbes || f.Probes != 0 {
				t.Errorf("%s path %d: %d probes, %d with H0 set; want 1…%d and 0", c.name, i, a.Probes, f.Probes, control.MaxProbes)
			}
			if a.Accepted != f.Accepted || a.Rejected != f.Rejected || a.NFE != f.NFE+c.perProbe*a.Probes {
				t.Errorf("%s path %d: %d/%d steps, NFE %d; with H0: %d/%d, NFE %d; want the same steps and %d NFE per probe",
					c.name, i, a.Accepted, a.Rejected, a.NFE, f.Accepted, f.Rejected, f.NFE, c.perProbe)
			}
		}
		var probes int64
		for _, ps := range auto.Path {
			probes += int64(ps.Probes)
		}
		if auto.Stats.Probes != probes || fixed.Stats.Probes != 0 {
			t.Errorf("%s: Stats.Probes %d and %d with H0; want the paths' %d and 0", c.name, auto.Stats.Probes, fixed.Stats.Probes, probes)
		}
		t.Logf("%s: first step %.4g after %d probes", c.name, h0, auto.Path[0].Probes)
	}
}

// nanAbove is a method whose proposals are NaN for steps longer than
// HMax: a stand-in for a problem whose functions fail far from X0.
type nanAbove struct {
	sdeint.Method
	hmax float64
}

func (m nanAbove) NewStepper(d sdeint.Dims, rows int) sdeint.Stepper {
	return nanAboveStepper{m.Method.NewStepper(d, rows), m.hmax}
}

type nanAboveStepper struct {
	sdeint.Stepper
	hmax float64
}

func (s nanAboveStepper) Step(st *sdeint.Step) error {
	if err := s.Stepper.Step(st); err != nil {
		return err
	}
	for r := range st.K {
		if math.Abs(st.H[r]) > s.hmax {
			st.High[r*st.Dims.N] = math.NaN()
		}
	}
	return nil
}

// TestProbesNaN: a probe that meets NaN shrinks the next probe a
// hundredfold instead of failing the path, and no later probe or first
// step comes back above half its size. Roberts' pair on gbm at 1e-2, made
// NaN for steps above 0.005, probes 0.01 (NaN), then 1e-4, whose error
// asks for far more than the 0.005 it may have: every path takes two
// probes and starts at 0.005, and the solve is bit for bit the one with
// H0 = 0.005 but for the probes' evaluations (the NaN probe is not an
// attempt: it is neither a rejection nor a NonFinite count).
func TestProbesNaN(t *testing.T) {
	p := problems.GBM().SDE
	m := nanAbove{methods.Roberts{}, 0.005}
	s := sdeint.Settings{Paths: 20, Seed: 1, Trace: true}
	res, err := sdeint.Solve(context.Background(), &p, m, &s)
	if err != nil {
		t.Fatal(err)
	}
	s.Control.H0 = 0.005
	fixed, err := sdeint.Solve(context.Background(), &p, m, &s)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.X, fixed.X) || !reflect.DeepEqual(res.Trace, fixed.Trace) {
		t.Error("probed solve differs from the one with H0 = 0.005")
	}
	for i, ps := range res.Path {
		f := fixed.Path[i]
		if ps.Probes != 2 {
			t.Errorf("path %d: %d probes, want 2", i, ps.Probes)
		}
		if h := res.Trace[i][0].HTry; h != 0.005 {
			t.Errorf("path %d: first step %v, want 0.005", i, h)
		}
		if ps.Rejected != f.Rejected || ps.NonFinite != f.NonFinite || ps.NFE != f.NFE+2*ps.Probes {
			t.Errorf("path %d: rejected %d, non-finite %d, NFE %d; with H0 = 0.005: %d, %d, %d (+2 per probe)",
				i, ps.Rejected, ps.NonFinite, ps.NFE, f.Rejected, f.NonFinite, f.NFE)
		}
	}
}

// TestProbesShared: in shared-step mode the batch starts from the least of
// its paths' probed first steps. The paths' initial states differ (Init),
// so under an absolute tolerance do their probes; every path's first attempt has the batch's size,
// which is the least of the per-path first steps, and the result, per-path
// counts included, does not depend on the workers.
func TestProbesShared(t *testing.T) {
	p := problems.GBM().SDE
	p.Init = func(dst []float64, path int, _ *brownian.Stream) error {
		dst[0] = 0.1 * float64(1+path)
		return nil
	}
	s := sdeint.Settings{Paths: 8, Seed: 2, Trace: true, Control: control.Settings{RTol: 1e-9, ATol: 1e-4}}
	per, err := sdeint.Solve(context.Background(), &p, methods.Roberts{}, &s)
	if err != nil {
		t.Fatal(err)
	}
	least := math.Inf(1)
	for i := range per.Path {
		least = min(least, per.Trace[i][0].HTry)
	}
	if per.Trace[0][0].HTry == per.Trace[7][0].HTry {
		t.Fatalf("per-path first steps all equal (%v): the test needs them to differ", least)
	}
	s.SharedStep = true
	var ref *sdeint.Result
	for _, workers := range []int{1, 3} {
		s.Workers = workers
		sh, err := sdeint.Solve(context.Background(), &p, methods.Roberts{}, &s)
		if err != nil {
			t.Fatal(err)
		}
		for i := range sh.Path {
			if h := sh.Trace[i][0].HTry; h != least {
				t.Errorf("workers %d, path %d: first step %v, want the least probed %v", workers, i, h, least)
			}
		}
		if ref == nil {
			ref = sh
		} else if !reflect.DeepEqual(ref.X, sh.X) || !reflect.DeepEqual(ref.Path, sh.Path) {
			t.Errorf("shared step: workers %d differs from workers 1", workers)
		}
	}
}

// TestProbesDeterministic: paths whose probes differ (initial states over
// four orders of magnitude, Init, under an absolute tolerance) give
// bit-identical states and per-path counts, probes and NFE included, for
// any batch size and number of workers: a row whose probes are done leaves
// the batch's probing, so its count is its own.
func TestProbesDeterministic(t *testing.T) {
	p := problems.GBM().SDE
	p.Init = func(dst []float64, path int, _ *brownian.Stream) error {
		dst[0] = math.Pow(10, -3+4*float64(path%17)/16)
		return nil
	}
	var ref *sdeint.Result
	for _, c := range []struct{ workers, batch int }{{1, 64}, {3, 7}, {2, 1}} {
		s := sdeint.Settings{Paths: 64, Seed: 5, Workers: c.workers, BatchSize: c.batch, Control: control.Settings{RTol: 1e-9, ATol: 1e-3}}
		res, err := sdeint.Solve(context.Background(), &p, methods.SRIW1{}, &s)
		if err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = res
			counts := map[int]int{}
			for _, ps := range res.Path {
				counts[ps.Probes]++
			}
			if len(counts) < 2 {
				t.Fatalf("probe counts %v: the test needs paths with different counts", counts)
			}
			t.Logf("paths per probe count: %v", counts)
			continue
		}
		if !reflect.DeepEqual(ref.X, res.X) || !reflect.DeepEqual(ref.Path, res.Path) {
			t.Errorf("workers %d, batch %d: results differ from one batch of 64", c.workers, c.batch)
		}
	}
}

// TestProbesFuncError: a drift that fails during the probes, by an error
// or a panic, stops the solve like a failure in an attempt: nothing
// crashes, the error is returned, and with an error the rows of the
// failing call end FuncError (naming the drift and the call's size) while
// the rows whose probes were done, not in the call, end Stopped, charged
// for their own probes only. The paths'
// initial states differ (as in TestProbesDeterministic) so that half the
// rows finish their probes first; the drift fails on its third call, the
// second probe of the rows still probing (sriw1: two drift calls a probe).
func TestProbesFuncError(t *testing.T) {
	for _, panics := range []bool{false, true} {
		p := problems.GBM().SDE
		p.Init = func(dst []float64, path int, _ *brownian.Stream) error {
			dst[0] = math.Pow(10, -3+4*float64(path%17)/16)
			return nil
		}
		drift := p.Drift
		var calls int
		p.Drift = func(dst, tt, x []float64, b sdeint.Batch) error {
			calls++
			if calls == 3 {
				if panics {
					panic("boom")
				}
				return errors.New("boom")
			}
			return drift(dst, tt, x, b)
		}
		res, err := sdeint.Solve(context.Background(), &p, methods.SRIW1{}, &sdeint.Settings{Paths: 64, Seed: 5, Workers: 1, BatchSize: 64,
			Control: control.Settings{RTol: 1e-9, ATol: 1e-3}})
		if err == nil || res.Status != sdeint.FuncError {
			t.Fatalf("panic %v: status %v, err %v; want FuncError", panics, res.Status, err)
		}
		failed, stopped := 0, 0
		for i, ps := range res.Path {
			switch ps.Status {
			case sdeint.FuncError:
				failed++
				if ps.Err == nil || ps.Err.Where != "drift" {
					t.Errorf("panic %v, path %d: %+v, want the drift named", panics, i, ps.Err)
				}
				// The third call fails: the second probe's first
				// evaluation. The failed probe is counted with it.
				if ps.Probes != 2 || ps.NFE != 3 {
					t.Errorf("panic %v, path %d: FuncError with %d probes, NFE %d; want 2 probes (the failed one too), NFE 3", panics, i, ps.Probes, ps.NFE)
				}
			case sdeint.Stopped:
				stopped++
				// Done probing before the failing call: charged for its
				// own probes only (two drift evaluations each).
				if ps.NFE != 2*ps.Probes {
					t.Errorf("panic %v, path %d: Stopped with NFE %d after %d probes, want %d", panics, i, ps.NFE, ps.Probes, 2*ps.Probes)
				}
			default:
				t.Errorf("panic %v, path %d: %v, want FuncError or Stopped", panics, i, ps.Status)
			}
		}
		if failed == 0 || stopped == 0 {
			t.Errorf("panic %v: %d FuncError, %d Stopped: want both (rows still probing and rows done)", panics, failed, stopped)
		}
		for _, ps := range res.Path {
			if ps.Status == sdeint.FuncError && ps.Err.Rows != failed {
				t.Errorf("panic %v: FuncError path names a call on %d rows, want %d", panics, ps.Err.Rows, failed)
				break
			}
		}
	}
}

// TestProbesKeepSavesAtT0: the state at T0 is saved when a path is loaded,
// before any probe, so paths that a failing probe stops, and paths that
// never start because the solve stopped, keep their save at T0 (X0), while
// their later saves stay NaN.
func TestProbesKeepSavesAtT0(t *testing.T) {
	p := problems.GBM().SDE
	drift := p.Drift
	var calls int
	p.Drift = func(dst, tt, x []float64, b sdeint.Batch) error {
		calls++
		if calls == 3 { // the first block's first attempt
			return errors.New("boom")
		}
		return drift(dst, tt, x, b)
	}
	// Roberts at 1e-2 on gbm: one probe per path (two drift calls), then
	// the first attempt fails; the other four blocks never start.
	res, _ := sdeint.Solve(context.Background(), &p, methods.Roberts{}, &sdeint.Settings{Paths: 10, BatchSize: 2, Workers: 1, SaveAt: []float64{0, 0.5}})
	if res.Status != sdeint.FuncError {
		t.Fatalf("status %v, want FuncError", res.Status)
	}
	for i := range res.Paths {
		ps := res.Path[i]
		if got := res.SavedRow(i, 0)[0]; got != p.X0[0] {
			t.Errorf("path %d (%v): saved at T0 %v, want X0 %v", i, ps.Status, got, p.X0[0])
		}
		if ps.Status != sdeint.Success && !math.IsNaN(res.SavedRow(i, 1)[0]) {
			t.Errorf("path %d (%v): saved at 0.5 %v, want NaN", i, ps.Status, res.SavedRow(i, 1)[0])
		}
	}
}

// endlessProbes is a plugged AutoStarter whose probes never say done.
type endlessProbes struct{ *control.Standard }

func (endlessProbes) NextProbe(_ []float64, h, _ float64, _ int) (float64, bool) { return h, false }

// TestProbesBounded: a plugged AutoStarter that never ends its probes does
// not hang the solve: each path stops probing after 100 rounds and is
// solved from the last probe's size.
func TestProbesBounded(t *testing.T) {
	p := problems.GBM().SDE
	std, err := sdeint.DefaultControl(&p, methods.Roberts{}, control.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := sdeint.Solve(context.Background(), &p, methods.Roberts{}, &sdeint.Settings{Paths: 4, Seed: 1, Workers: 1, Controller: endlessProbes{std}})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Stats.Probes; got != 4*100 {
		t.Errorf("probes %d, want 100 per path", got)
	}
}

// TestProbesTinySpan: on a span of a few ulps of t the probed first step
// still moves t (regression: FirstSpan·span fell below the float spacing
// at T0 = 1e9 and every path ended "step size collapsed").
func TestProbesTinySpan(t *testing.T) {
	p := problems.GBM().SDE
	p.T0, p.T1 = 1e9, 1e9+2e-6 // span ≈ 17 ulps of 1e9
	for _, m := range []sdeint.Method{methods.Roberts{}, methods.SRIW1{}} {
		res, err := sdeint.Solve(context.Background(), &p, m, &sdeint.Settings{Paths: 8, Seed: 1})
		if err != nil {
			t.Fatalf("%s: %v", m.Properties().Name, err)
		}
		if res.Status != sdeint.Success {
			t.Errorf("%s: status %v", m.Properties().Name, res.Status)
		}
		for i := range 8 {
			if tt := res.Path[i].T; tt != p.T1 {
				t.Errorf("%s path %d ended at %v, want %v", m.Properties().Name, i, tt, p.T1)
			}
		}
	}
}
