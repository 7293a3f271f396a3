package sdeint_test

// Adversarial tests of Solve's public API: plugged code that panics or
// breaks its contract, and settings at the edge of float64.

import (
	"context"
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// startPanics is an Adaptive controller whose Start panics.
type startPanics struct{ *control.Adaptive }

func (startPanics) Start(_ []float64, _, _ float64) float64 { panic("boom in Start") }

// resetPanics is a Brownian source whose paths panic when keyed.
type resetPanics struct{ brownian.Bridge }

func (s resetPanics) NewPath(m int, span float64) brownian.Path {
	return resetPanicsPath{s.Bridge.NewPath(m, span)}
}

type resetPanicsPath struct{ brownian.Path }

func (resetPanicsPath) Reset(brownian.Key) { panic("boom in Reset") }

// TestPanicInPathStart: a plugged controller's Start or a plugged Brownian
// path's Reset that panics, which the worker calls while loading a block
// of paths, stops the solve with FuncError and a *PanicError, every path
// keeping its initial state (it killed the process from the worker
// goroutine: the load ran outside the worker's recover).
func TestPanicInPathStart(t *testing.T) {
	c, err := control.NewAdaptive(control.Settings{H0: 0.01}, control.Defaults{Order: 1, Exponent: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		s    sdeint.Settings
		init bool
		want string
	}{
		{"controller Start", sdeint.Settings{Controller: startPanics{c}}, false, "boom in Start"},
		{"controller Start shared", sdeint.Settings{Controller: startPanics{c}, SharedStep: true}, false, "boom in Start"},
		{"controller Start with Init", sdeint.Settings{Controller: startPanics{c}}, true, "boom in Start"},
		{"path Reset", sdeint.Settings{Brownian: resetPanics{}}, false, "boom in Reset"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := hardGBM()
			p.X0 = []float64{1, 2, 3, 4, 5, 6}
			if tc.init {
				p.X0 = nil
				p.Init = func(dst []float64, path int, _ *brownian.Stream) error { dst[0] = 1; return nil }
			}
			s := tc.s
			s.Workers, s.BatchSize, s.Seed = 2, 2, 1
			res, err := sdeint.Solve(context.Background(), &p, methods.Roberts{}, &s)
			var pe *sdeint.PanicError
			if res == nil || res.Status != sdeint.FuncError || !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("result %v, error %v; want FuncError with a PanicError %q", res != nil, err, tc.want)
			}
			for i, ps := range res.Path {
				if ps.Status != sdeint.FuncError && ps.Status != sdeint.Stopped {
					t.Errorf("path %d: status %v, want FuncError or Stopped", i, ps.Status)
				}
				want := float64(i + 1)
				if tc.init && ps.Status == sdeint.FuncError {
					want = math.NaN() // never drawn
				} else if tc.init {
					want = 1
				}
				if x := res.X[i]; x != want && !(math.IsNaN(x) && math.IsNaN(want)) {
					t.Errorf("path %d (%v): X = %v, want its initial state %v", i, ps.Status, x, want)
				}
			}
		})
	}
}

// TestInitPartialWrite: an Init that writes only some components of dst
// (relying on zeros elsewhere) gives every path the same initial state
// whatever the batch size (the unwritten components held the final state
// of the path the worker's row held before, so the results depended on
// BatchSize).
func TestInitPartialWrite(t *testing.T) {
	p := sdeint.Problem{Dim: 2, T0: 0, T1: 1,
		Noise:     sdeint.Noise{Shape: sdeint.DiagonalNoise, Additive: true, Commutative: true},
		Init:      func(dst []float64, _ int, rng *brownian.Stream) error { dst[0] = rng.Norm(); return nil },
		Drift:     sdeint.Lift(2, 2, func(dst []float64, _ float64, x []float64) { dst[0], dst[1] = -x[0], -x[1] }),
		Diffusion: sdeint.Lift(2, 2, func(dst []float64, _ float64, _ []float64) { dst[0], dst[1] = 1, 1 }),
	}
	var ref *sdeint.Result
	for _, b := range []int{4, 1, 3} {
		res, err := sdeint.Solve(context.Background(), &p, methods.Roberts{}, &sdeint.Settings{Paths: 4, BatchSize: b, Workers: 1, Seed: 1, SaveAt: []float64{0}})
		if err != nil {
			t.Fatal(err)
		}
		for i := range res.Paths {
			if x := res.SavedRow(i, 0)[1]; x != 0 {
				t.Errorf("batch %d, path %d: X₂(0) = %v, want 0 (Init left it unwritten)", b, i, x)
			}
		}
		if ref == nil {
			ref = res
			continue
		}
		for i := range res.X {
			if math.Float64bits(res.X[i]) != math.Float64bits(ref.X[i]) {
				t.Fatalf("batch %d: X[%d] = %v, batch 4 gave %v", b, i, res.X[i], ref.X[i])
			}
		}
	}
}

// overshoot is a controller that breaks Propose's contract: it steps 0.3
// from t whatever the stop.
type overshoot struct{}

func (overshoot) StateSize() int                          { return 0 }
func (overshoot) UsesError() bool                         { return true }
func (overshoot) Start(_ []float64, _, _ float64) float64 { return 0.3 }
func (overshoot) Propose(_ []float64, t, _ float64) (float64, float64, bool) {
	return t + 0.3, 0.3, true
}
func (overshoot) Decide(_ []float64, _, _, _ float64) (control.Decision, float64) {
	return control.Accept, 0.3
}

// TestControllerPastStop: a plugged controller whose Propose steps past the
// next save time or T1 stops the solve with FuncError naming the broken
// contract, at the last state within the span (the path used to run on
// past T1 to t = 30, its saves NaN, and end "step budget exhausted").
func TestControllerPastStop(t *testing.T) {
	for _, saveAt := range [][]float64{nil, {0.5}} {
		p := hardGBM()
		res, err := sdeint.Solve(context.Background(), &p, methods.Roberts{}, &sdeint.Settings{Controller: overshoot{}, SaveAt: saveAt, MaxAttempts: 100, Paths: 3, Seed: 1})
		if res == nil || res.Status != sdeint.FuncError || err == nil || !strings.Contains(err.Error(), "past the next stop") {
			t.Fatalf("SaveAt %v: result %v, error %v; want FuncError naming the controller's step past its stop", saveAt, res != nil, err)
		}
		for i, ps := range res.Path {
			if !(ps.T <= p.T1) || ps.Accepted > 3 {
				t.Errorf("SaveAt %v, path %d: ended at T = %v after %d steps, beyond T1 = %v", saveAt, i, ps.T, ps.Accepted, p.T1)
			}
			if ps.Status == sdeint.FuncError && ps.Err.Where != "controller" {
				t.Errorf("path %d: Where %q, want controller", i, ps.Err.Where)
			}
		}
	}
}

// TestSpanOverflow: a span whose length T1 − T0 overflows float64 is
// refused before any work (fixed steps ended "NaN or Inf in the state",
// or "step size collapsed to NaN" with a save time; adaptive steps
// "collapsed to 10000" at T0).
func TestSpanOverflow(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    sdeint.Method
		s    sdeint.Settings
	}{
		{"adaptive", methods.Roberts{}, sdeint.Settings{}},
		{"fixed", methods.EM{}, sdeint.Settings{Steps: 10}},
		{"fixed with a save", methods.EM{}, sdeint.Settings{Steps: 10, SaveAt: []float64{0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := hardGBM()
			p.T0, p.T1 = -1e308, 1e308
			res, err := sdeint.Solve(context.Background(), &p, tc.m, &tc.s)
			if res != nil || err == nil || !strings.Contains(err.Error(), "overflows") {
				t.Fatalf("result %v, error %v; want a refusal naming the overflowing span", res != nil, err)
			}
		})
	}
}

// TestStepsBelowResolution: fixed steps too fine for float64 at the span's
// times (100 steps over [1, 1 + 1e-15], whose points round to a few
// distinct values) are refused before any work; they ran and ended every
// path "step size collapsed to 0" at T0.
func TestStepsBelowResolution(t *testing.T) {
	p := hardGBM()
	p.T0, p.T1 = 1, 1+1e-15
	for _, s := range []sdeint.Settings{{Steps: 100}, {Steps: 100, SaveAt: []float64{1 + 5e-16}}} {
		res, err := sdeint.Solve(context.Background(), &p, methods.EM{}, &s)
		if res != nil || err == nil || !strings.Contains(err.Error(), "float64's resolution") {
			t.Errorf("SaveAt %v: result %v, error %v; want a refusal before any work", s.SaveAt, res != nil, err)
		}
	}
	// The finest steps float64 resolves still run.
	s := sdeint.Settings{Steps: 4}
	if _, err := sdeint.Solve(context.Background(), &p, methods.EM{}, &s); err != nil {
		t.Errorf("4 steps over [1, 1 + 1e-15]: %v", err)
	}
}

// TestProgressPanics: a Progress hook that panics stops the solve with
// FuncError, the panic reachable with errors.As, instead of escaping from
// Solve (and leaving the workers running on without it).
func TestProgressPanics(t *testing.T) {
	for _, shared := range []bool{false, true} {
		p := hardGBM()
		slow := p.Drift
		p.Drift = func(dst, tt, x []float64, b sdeint.Batch) error {
			time.Sleep(20 * time.Microsecond) // let the 1 ms hook come round
			return slow(dst, tt, x, b)
		}
		before := runtime.NumGoroutine()
		s := &sdeint.Settings{Paths: 8, Workers: 2, Seed: 1, SharedStep: shared, ProgressEvery: time.Millisecond,
			Progress: func(sdeint.Progress) { panic("boom in Progress") }}
		s.Control.RTol, s.Control.ATol = 1e-6, 1e-6 // enough steps to outlast a tick
		res, err := errsSolve(t, context.Background(), &p, methods.Roberts{}, s)
		var pe *sdeint.PanicError
		if res == nil || res.Status != sdeint.FuncError || !errors.As(err, &pe) || !strings.Contains(err.Error(), "boom in Progress") {
			t.Fatalf("shared %v: result %v, error %v; want FuncError with the hook's panic", shared, res != nil, err)
		}
		for i, ps := range res.Path {
			if ps.Status == sdeint.NotTerminated {
				t.Errorf("shared %v: path %d not terminated", shared, i)
			}
		}
		if after := goroutinesAfter(before); after > before {
			t.Errorf("shared %v: %d goroutines after the solve, %d before", shared, after, before)
		}
	}
}

// panicNorm is an error norm whose Combine panics: shared-step mode calls
// it on Solve's goroutine to reduce the batch's norm.
type panicNorm struct{ control.ErrorNorm }

func (panicNorm) Combine(_, _ float64) float64 { panic("boom in Combine") }

// TestSharedNormPanics: in shared-step mode, a plugged norm that panics in
// the batch reduction stops the solve with FuncError, as it does in a
// worker, instead of escaping from Solve.
func TestSharedNormPanics(t *testing.T) {
	p := hardGBM()
	std, err := sdeint.DefaultControl(&p, methods.Roberts{}, control.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := errsSolve(t, context.Background(), &p, methods.Roberts{}, &sdeint.Settings{Norm: panicNorm{&std.Tolerance}, SharedStep: true, Paths: 6, Workers: 2, Seed: 1})
	var pe *sdeint.PanicError
	if res == nil || res.Status != sdeint.FuncError || !errors.As(err, &pe) || !strings.Contains(err.Error(), "boom in Combine") {
		t.Fatalf("result %v, error %v; want FuncError with the norm's panic", res != nil, err)
	}
	for i, ps := range res.Path {
		if ps.Status != sdeint.Stopped || ps.T != p.T0 || res.X[i] != 1 {
			t.Errorf("path %d: %v at T = %v, X = %v; want Stopped at T0 with X0", i, ps.Status, ps.T, res.X[i])
		}
	}
}

// goroutinesAfter returns the number of goroutines once it has fallen to
// before, or after a second: a solve's goroutines may take a moment to
// exit after it returns.
func goroutinesAfter(before int) int {
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(time.Second); n > before && time.Now().Before(deadline); n = runtime.NumGoroutine() {
		time.Sleep(time.Millisecond)
	}
	return n
}

// TestHugeWorkers: Workers far above the paths is clamped to them, with
// the results of Workers = Paths (with SharedStep, MaxInt workers divided
// by zero while sizing the blocks).
func TestHugeWorkers(t *testing.T) {
	p := hardGBM()
	for _, shared := range []bool{false, true} {
		ref, err := sdeint.Solve(context.Background(), &p, methods.Roberts{}, &sdeint.Settings{Paths: 5, Workers: 5, Seed: 1, SharedStep: shared})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []int{1 << 40, math.MaxInt} {
			res, err := errsSolve(t, context.Background(), &p, methods.Roberts{}, &sdeint.Settings{Paths: 5, Workers: w, Seed: 1, SharedStep: shared})
			if err != nil {
				t.Fatalf("shared %v, Workers %d: %v", shared, w, err)
			}
			for i := range res.X {
				if res.X[i] != ref.X[i] {
					t.Errorf("shared %v, Workers %d: X[%d] = %v, Workers 5 gave %v", shared, w, i, res.X[i], ref.X[i])
				}
			}
		}
	}
}

// badVerdict is a controller whose Decide returns a Decision that does not
// exist.
type badVerdict struct{ overshoot }

func (badVerdict) Propose(_ []float64, t, stop float64) (float64, float64, bool) {
	return min(t+0.3, stop), 0.3, true
}
func (badVerdict) Decide(_ []float64, _, _, _ float64) (control.Decision, float64) {
	return control.Decision(7), 0.3
}

// TestControllerUnknownDecision: a plugged controller whose Decide returns
// an unknown Decision stops the solve with FuncError naming it (it was
// taken as a rejection: the path retried until its budget of 10⁶
// attempts ran out and ended "step budget exhausted").
func TestControllerUnknownDecision(t *testing.T) {
	p := hardGBM()
	res, err := sdeint.Solve(context.Background(), &p, methods.Roberts{}, &sdeint.Settings{Controller: badVerdict{}, Paths: 3, Seed: 1})
	if res == nil || res.Status != sdeint.FuncError || err == nil || !strings.Contains(err.Error(), "Decision(7)") {
		t.Fatalf("result %v, error %v; want FuncError naming Decision(7)", res != nil, err)
	}
	for i, ps := range res.Path {
		if ps.Rejected+ps.Accepted > 1 {
			t.Errorf("path %d: %d attempts after an unknown verdict", i, ps.Rejected+ps.Accepted)
		}
	}
}

// TestGridNegativeSteps: a brownian.Grid with negative Steps is refused
// before any work, naming it; it was taken silently as the fast path
// (Steps = 0), whose paths differ from any pre-drawn grid's.
func TestGridNegativeSteps(t *testing.T) {
	p := hardGBM()
	for _, s := range []sdeint.Settings{{Steps: 16}, {}} {
		s.Brownian = brownian.Grid{Steps: -5}
		res, err := sdeint.Solve(context.Background(), &p, methods.Roberts{}, &s)
		if res != nil || err == nil || !strings.Contains(err.Error(), "Grid.Steps = -5") {
			t.Errorf("Steps %d: result %v, error %v; want a refusal naming Grid.Steps", s.Steps, res != nil, err)
		}
	}
}

// stepperPanics is a method whose NewStepper panics.
type stepperPanics struct{ sdeint.Method }

func (stepperPanics) NewStepper(sdeint.Dims, int) sdeint.Stepper { panic("boom in NewStepper") }

// newPathPanics is a Brownian source whose NewPath panics.
type newPathPanics struct{ brownian.Bridge }

func (newPathPanics) NewPath(int, float64) brownian.Path { panic("boom in NewPath") }

// WithLevy keeps the source (the embedded Bridge's would replace it).
func (s newPathPanics) WithLevy() brownian.Source { return s }

// TestPanicInSetup: plugged code that panics while Solve prepares the
// solve (a method's NewStepper, a Brownian source's NewPath, on Solve's
// goroutine before the workers start) is returned as an error wrapping a
// *PanicError, with a nil Result, instead of unwinding out of Solve.
func TestPanicInSetup(t *testing.T) {
	for _, c := range []struct {
		name string
		m    sdeint.Method
		s    sdeint.Settings
		want string
	}{
		{"NewStepper", stepperPanics{methods.Roberts{}}, sdeint.Settings{}, "boom in NewStepper"},
		{"NewStepper shared", stepperPanics{methods.Roberts{}}, sdeint.Settings{SharedStep: true}, "boom in NewStepper"},
		{"NewPath", methods.Roberts{}, sdeint.Settings{Brownian: newPathPanics{}}, "boom in NewPath"},
		{"NewPath Lévy", methods.SRA1{}, sdeint.Settings{Brownian: newPathPanics{}}, "boom in NewPath"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := errsOU()
			c.s.Paths, c.s.Workers, c.s.Seed = 4, 2, 1
			res, err := errsSolve(t, context.Background(), &p, c.m, &c.s)
			var pe *sdeint.PanicError
			if res != nil || !errors.As(err, &pe) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("result %v, error %v; want a nil Result and the panic %q", res != nil, err, c.want)
			}
		})
	}
}

// plainSource is a Brownian source without Lévy areas: it hides the
// bridge's WithLevy and its paths' IncrementLevy.
type plainSource struct{ b brownian.Bridge }

func (s plainSource) Name() string { return "plain" }
func (s plainSource) Exact() bool  { return true }
func (s plainSource) NewPath(m int, span float64) brownian.Path {
	return plainPath{s.b.NewPath(m, span)}
}

type plainPath struct{ p brownian.Path }

func (p plainPath) Reset(k brownian.Key)                { p.p.Reset(k) }
func (p plainPath) Increment(dst []float64, to float64) { p.p.Increment(dst, to) }
func (p plainPath) Accept()                             { p.p.Accept() }
func (p plainPath) Reject()                             { p.p.Reject() }

// TestLevySourceRefused: a method that needs space-time Lévy areas is
// refused, naming the source, when the plugged source cannot serve them,
// at adaptive and fixed steps; a method that needs none runs on it.
func TestLevySourceRefused(t *testing.T) {
	p := errsOU()
	for _, steps := range []int{0, 16} {
		res, err := sdeint.Solve(context.Background(), &p, methods.SRA1{}, &sdeint.Settings{Brownian: plainSource{}, Steps: steps})
		if res != nil || err == nil || !strings.Contains(err.Error(), "Lévy areas, which Brownian source plain does not serve") {
			t.Errorf("Steps %d: result %v, error %v; want a refusal naming the source", steps, res != nil, err)
		}
	}
	if _, err := sdeint.Solve(context.Background(), &p, methods.Roberts{}, &sdeint.Settings{Brownian: plainSource{}, Seed: 1}); err != nil {
		t.Errorf("roberts on the plain source: %v", err)
	}
}

// TestZeroATolComponent: a zero entry of ATolVec (a purely relative
// tolerance on one component) on a component that stays at 0 does not
// stall the solve. Its error and scale were both 0, the norm 0/0 = NaN at
// every attempt, and the path ended "step size collapsed to 0" at T0 after
// 452 rejections.
func TestZeroATolComponent(t *testing.T) {
	p := sdeint.Problem{Dim: 2, T0: 0, T1: 1, X0: []float64{1, 0},
		Drift: sdeint.Lift(2, 2, func(dst []float64, _ float64, x []float64) { dst[0], dst[1] = -x[0], 0 })}
	for _, rule := range []control.Rule{control.RulePaper, control.RuleMainstream} {
		for _, norm := range []control.Norm{control.ScaledL2, control.Linf} {
			s := &sdeint.Settings{Control: control.Settings{RTol: 1e-4, ATolVec: []float64{1e-6, 0}, Rule: rule, Norm: norm}}
			res, err := sdeint.Solve(context.Background(), &p, methods.DP5{}, s)
			if err != nil || res.Path[0].Rejected > 10 || math.Abs(res.X[0]-math.Exp(-1)) > 1e-3 || res.X[1] != 0 {
				t.Errorf("%v, %v: error %v, X %v after %d rejections; want success near (e⁻¹, 0)", rule, norm, err, res.X, res.Path[0].Rejected)
			}
		}
	}
}

// hugeMemory is a controller declaring 2⁴⁰ values of memory per path.
type hugeMemory struct{ overshoot }

func (hugeMemory) StateSize() int { return 1 << 40 }

// negativeState is a method declaring a negative memory per path.
type negativeState struct{ sdeint.Method }

func (m negativeState) Properties() sdeint.Properties {
	p := m.Method.Properties()
	p.State = func(sdeint.Dims) int { return -3 }
	return p
}

// TestDeclaredMemory: the memory a plugged controller or method declares
// per path counts in MaxMemory (a controller's StateSize of 2⁴⁰ died out
// of memory allocating the workers), and a negative one is refused
// (make panicked).
func TestDeclaredMemory(t *testing.T) {
	p := hardGBM()
	res, err := errsSolve(t, context.Background(), &p, methods.Roberts{}, &sdeint.Settings{Controller: hugeMemory{}})
	if res != nil || err == nil || !strings.Contains(err.Error(), "MaxMemory") {
		t.Errorf("StateSize 2⁴⁰: result %v, error %v; want a refusal naming MaxMemory", res != nil, err)
	}
	res, err = errsSolve(t, context.Background(), &p, negativeState{methods.Roberts{}}, &sdeint.Settings{})
	if res != nil || err == nil || !strings.Contains(err.Error(), "memory of -3 values per path") {
		t.Errorf("State −3: result %v, error %v; want a refusal naming it", res != nil, err)
	}
}

// TestCollapseBelowSpacing: a path whose step cannot move time (t + h == t:
// dx/dt = −x wants steps of about 1 at t = 1e20, where float64 spacing is
// 16384) ends StepCollapse with a message that says so, instead of only
// "collapsed to 1.53" (or to an explicit H0 of 0.01), which read like an
// error-control failure.
func TestCollapseBelowSpacing(t *testing.T) {
	p := &sdeint.Problem{Dim: 1, T0: 1e20, T1: 1e20 + 1e6, X0: []float64{1},
		Drift: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = -x[0] })}
	for _, s := range []control.Settings{{H0: 0.01}, {}} {
		res, err := sdeint.Solve(context.Background(), p, methods.DP5{}, &sdeint.Settings{Paths: 1, Control: s})
		if res == nil || res.Status != sdeint.StepCollapse || err == nil || !strings.Contains(err.Error(), "below the spacing of float64") {
			t.Errorf("H0 %v: %v, %v; want StepCollapse saying the step is below the float spacing", s.H0, res.Status, err)
		}
	}
}
