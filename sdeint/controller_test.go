package sdeint_test

// Tests of the controller and norm extension points (Settings.Controller,
// Settings.Norm): the default pair plugged in explicitly, fixed steps as a
// controller, a norm of one's own, a controller that ends paths, and the
// refusals.

import (
	"context"
	"math"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// counting wraps a controller and counts its calls.
type counting struct {
	control.Controller
	proposes, decides atomic.Int64
}

func (c *counting) Propose(st []float64, t, stop float64) (float64, float64, bool) {
	c.proposes.Add(1)
	return c.Controller.Propose(st, t, stop)
}

func (c *counting) Decide(st []float64, t, tEnd, err float64) (control.Decision, float64) {
	c.decides.Add(1)
	return c.Controller.Decide(st, t, tEnd, err)
}

// autoCounting is counting for a controller that probes for its first
// steps (control.AutoStarter), forwarding the probe calls.
type autoCounting struct {
	*counting
	as control.AutoStarter
}

func (c autoCounting) AutoStart() bool { return c.as.AutoStart() }

func (c autoCounting) NextProbe(st []float64, h, err float64, n int) (float64, bool) {
	return c.as.NextProbe(st, h, err, n)
}

func (c autoCounting) SetStep(st []float64, h float64) { c.as.SetStep(st, h) }

// sameResult reports where two results differ: states, Brownian values,
// saves, per-path stats and traces, compared bit for bit.
func sameResult(t *testing.T, name string, a, b *sdeint.Result) {
	t.Helper()
	if !reflect.DeepEqual(a.X, b.X) || !reflect.DeepEqual(a.W, b.W) || !reflect.DeepEqual(a.Trace, b.Trace) {
		t.Errorf("%s: states, W or traces differ", name)
	}
	for i := range a.Path {
		pa, pb := a.Path[i], b.Path[i]
		if pa.Status != pb.Status || pa.T != pb.T || pa.H != pb.H || pa.Accepted != pb.Accepted || pa.Rejected != pb.Rejected || pa.NFE != pb.NFE || pa.NonFinite != pb.NonFinite || pa.Probes != pb.Probes {
			t.Errorf("%s: path %d stats %+v, want %+v", name, i, pb, pa)
			return
		}
	}
}

// TestPluggedDefaultControl: the default norm and controller, built by
// DefaultControl and passed through Settings.Norm and Settings.Controller
// (wrapped, so the solver cannot recognise them; the wrapper forwards the
// probes of the first step), give the default solve bit for bit, with one Decide per attempt and one Propose per attempt plus one
// per path that ends before attempting (none here).
func TestPluggedDefaultControl(t *testing.T) {
	p := problems.GBM().SDE
	for _, c := range []struct {
		name string
		m    sdeint.Method
		s    sdeint.Settings
	}{
		{"roberts", methods.Roberts{}, sdeint.Settings{Paths: 40, Seed: 2, SaveAt: []float64{0.5}}},
		{"roberts PID", methods.Roberts{}, sdeint.Settings{Paths: 40, Seed: 2, Control: control.Settings{PCoeff: 0.1, ICoeff: 0.3, DCoeff: 0.05, Norm: control.Linf}}},
		{"ggf shared", methods.GGF{}, sdeint.Settings{Paths: 40, Seed: 2, SharedStep: true, Override: true}},
	} {
		s := c.s
		s.Trace = true
		want, err := sdeint.Solve(context.Background(), &p, c.m, &s)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		std, err := sdeint.DefaultControl(&p, c.m, s.Control)
		if err != nil {
			t.Fatal(err)
		}
		ctl := &counting{Controller: &std.Adaptive}
		s.Controller, s.Norm = autoCounting{ctl, &std.Adaptive}, &std.Tolerance
		got, err := sdeint.Solve(context.Background(), &p, c.m, &s)
		if err != nil {
			t.Fatalf("%s plugged: %v", c.name, err)
		}
		sameResult(t, c.name, want, got)
		attempts := got.Stats.Accepted + got.Stats.Rejected
		if d := ctl.decides.Load(); d != attempts {
			t.Errorf("%s: %d calls of Decide for %d attempts", c.name, d, attempts)
		}
		if pr := ctl.proposes.Load(); pr != attempts {
			t.Errorf("%s: %d calls of Propose for %d attempts", c.name, pr, attempts)
		}
	}
}

// TestFixedController: control.Fixed on the equidistant grid, plugged in
// as Settings.Controller, is Settings.Steps; with a save time off its grid
// it lands on the save and goes on to the next grid point.
func TestFixedController(t *testing.T) {
	p := problems.GBM().SDE
	const steps = 8
	grid := make([]float64, steps+1)
	for k := range grid {
		grid[k] = float64(k) / steps
	}
	s := sdeint.Settings{Paths: 10, Seed: 4, Steps: steps, SaveAt: []float64{0.3}, Trace: true}
	want, err := sdeint.Solve(context.Background(), &p, methods.EM{}, &s)
	if err != nil {
		t.Fatal(err)
	}
	s.Steps, s.Controller = 0, &control.Fixed{Grid: grid}
	got, err := sdeint.Solve(context.Background(), &p, methods.EM{}, &s)
	if err != nil {
		t.Fatal(err)
	}
	sameResult(t, "Fixed", want, got)
	if got.Adaptive || got.Brownian != want.Brownian {
		t.Errorf("Fixed: Adaptive %v, Brownian %s; want fixed steps with the %s source", got.Adaptive, got.Brownian, want.Brownian)
	}
	if n := got.Path[0].Accepted; n != steps+1 {
		t.Errorf("%d accepted steps, want %d (the grid and the save at 0.3)", n, steps+1)
	}
}

// maxNorm is a norm of one's own: the largest |e_i| / (atol + rtol·|x_i|).
type maxNorm struct{ tol float64 }

func (c maxNorm) Accumulate(e, low, prev, x, high []float64) float64 {
	var m float64
	for i, v := range e {
		m = max(m, math.Abs(v)/(c.tol+c.tol*math.Abs(x[i])))
	}
	return m
}
func (maxNorm) Combine(a, b float64) float64      { return max(a, b) }
func (maxNorm) Finish(acc float64, _ int) float64 { return acc }

// TestPluggedNorm: a norm of one's own drives the default controller: every
// traced error is the norm of its attempt, so tightening the norm's
// tolerance takes more attempts; with the built-in controller the trace's
// errors decide acceptance.
func TestPluggedNorm(t *testing.T) {
	p := problems.GBM().SDE
	work := map[float64]int64{}
	for _, tol := range []float64{1e-2, 1e-3} {
		s := sdeint.Settings{Paths: 20, Seed: 5, Norm: maxNorm{tol}, Trace: true}
		res, err := sdeint.Solve(context.Background(), &p, methods.Roberts{}, &s)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range res.Trace {
			for _, e := range tr {
				if e.Accepted != (e.Err <= 1) {
					t.Fatalf("tol %v: attempt %+v accepted %v with error %v", tol, e, e.Accepted, e.Err)
				}
			}
		}
		work[tol] = res.Stats.Accepted + res.Stats.Rejected
	}
	if !(work[1e-3] > 2*work[1e-2]) {
		t.Errorf("attempts at tolerance 1e-3: %d, at 1e-2: %d; want the tighter norm to take over twice the work", work[1e-3], work[1e-2])
	}
}

// stopping ends every path at its third decision; stuck proposes a step
// that does not move.
type stopping struct{ control.Controller }

func (c stopping) StateSize() int { return c.Controller.StateSize() + 1 }
func (c stopping) Start(st []float64, t0, t1 float64) float64 {
	st[0] = 0
	return c.Controller.Start(st[1:], t0, t1)
}
func (c stopping) Propose(st []float64, t, stop float64) (float64, float64, bool) {
	return c.Controller.Propose(st[1:], t, stop)
}
func (c stopping) Decide(st []float64, t, tEnd, err float64) (control.Decision, float64) {
	st[0]++
	d, h := c.Controller.Decide(st[1:], t, tEnd, err)
	if st[0] == 3 {
		return control.Stop, h
	}
	return d, h
}

type stuck struct{ control.Fixed }

func (*stuck) Propose(st []float64, t, stop float64) (float64, float64, bool) { return t, 0, true }

// TestControllerEndsPath: a Stop ends the path StepCollapse after two
// counted attempts (the stopped one is not counted), and a proposal that
// does not move ends it before any attempt instead of looping.
func TestControllerEndsPath(t *testing.T) {
	p := problems.GBM().SDE
	res, _ := sdeint.Solve(context.Background(), &p, methods.Roberts{}, &sdeint.Settings{
		Paths: 5, Controller: stopping{&control.Adaptive{Safety: 0.9, B1: 1, MaxFactor: math.Inf(1), H0: 0.01, HMax: math.Inf(1)}},
	})
	for i, ps := range res.Path {
		if ps.Status != sdeint.StepCollapse || ps.Accepted+ps.Rejected != 2 || ps.Err == nil {
			t.Errorf("stopping, path %d: %v after %d+%d attempts, want StepCollapse after 2", i, ps.Status, ps.Accepted, ps.Rejected)
		}
	}
	res, _ = sdeint.Solve(context.Background(), &p, methods.EM{}, &sdeint.Settings{Paths: 3, Controller: &stuck{}})
	for i, ps := range res.Path {
		if ps.Status != sdeint.StepCollapse || ps.Accepted+ps.Rejected != 0 || ps.NFE != 0 {
			t.Errorf("stuck, path %d: %v after %d attempts, %d evaluations; want StepCollapse before any", i, ps.Status, ps.Accepted+ps.Rejected, ps.NFE)
		}
	}
}

// TestControllerRefusals: Controller with Steps, Norm with fixed steps,
// shared steps without an error estimate, and an adaptive controller on a
// method without one are refused before any work.
func TestControllerRefusals(t *testing.T) {
	p := problems.GBM().SDE
	fixed := &control.Fixed{Grid: []float64{0, 0.5, 1}}
	ad := &control.Adaptive{Safety: 0.9, B1: 1, MaxFactor: math.Inf(1), H0: 0.01, HMax: math.Inf(1)}
	for _, c := range []struct {
		name string
		m    sdeint.Method
		s    sdeint.Settings
		want string
	}{
		{"Controller and Steps", methods.EM{}, sdeint.Settings{Steps: 4, Controller: fixed}, "Controller or Steps"},
		{"Controller and Grid", methods.EM{}, sdeint.Settings{Grid: []float64{0, 1}, Controller: ad}, "Controller or Steps"},
		{"Norm with Steps", methods.EM{}, sdeint.Settings{Steps: 4, Norm: maxNorm{1e-2}}, "Norm"},
		{"Norm with Fixed", methods.EM{}, sdeint.Settings{Controller: fixed, Norm: maxNorm{1e-2}}, "Norm"},
		{"SharedStep with Fixed", methods.EM{}, sdeint.Settings{Controller: fixed, SharedStep: true}, "SharedStep"},
		{"Adaptive on EM", methods.EM{}, sdeint.Settings{Controller: ad}, "no error estimate"},
	} {
		res, err := sdeint.Solve(context.Background(), &p, c.m, &c.s)
		if res != nil || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: result %v, error %v; want a refusal mentioning %q", c.name, res != nil, err, c.want)
		}
	}
}

// TestFixedRoundAllocatesNothing: fixed steps, now a controller like any
// other, step without allocating too.
func TestFixedRoundAllocatesNothing(t *testing.T) {
	p := problems.GBM().SDE
	p.T1 = 1e6
	r, err := sdeint.NewRoundRunner(&p, methods.EM{}, &sdeint.Settings{Paths: 100, Steps: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	for range 100 {
		r.Round()
	}
	if a, _ := allocsInRounds(r, 300); a != 0 || r.Active() != 100 {
		t.Errorf("%d allocations in 300 fixed-step rounds (%d paths active)", a, r.Active())
	}
}
