package sdeint_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// TestLiftWrongWidth: a function lifted for another width returns an
// error naming the widths, instead of writing into other paths' rows.
func TestLiftWrongWidth(t *testing.T) {
	for _, c := range []struct {
		name      string
		drift     sdeint.Func
		diffusion sdeint.Func
	}{
		{"drift output", sdeint.Lift(1, 2, func(dst []float64, _ float64, _ []float64) { dst[0], dst[1] = 1, 1 }), nil},
		{"drift state", sdeint.Lift(2, 1, func(dst []float64, _ float64, _ []float64) { dst[0] = 1 }), nil},
		{"diffusion output", nil, sdeint.Lift(1, 3, func(dst []float64, _ float64, _ []float64) {})},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := sdeint.Problem{Dim: 1, T0: 0, T1: 1, X0: []float64{1},
				Noise:     sdeint.Noise{Shape: sdeint.ScalarNoise},
				Drift:     sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = x[0] }),
				Diffusion: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = x[0] }),
			}
			if c.drift != nil {
				p.Drift = c.drift
			}
			if c.diffusion != nil {
				p.Diffusion = c.diffusion
			}
			res, err := sdeint.Solve(context.Background(), &p, methods.Roberts{}, &sdeint.Settings{Paths: 8, Workers: 2})
			if err == nil || res.Status != sdeint.FuncError || !strings.Contains(err.Error(), "sdeint.Lift: lifted for") {
				t.Fatalf("status %v, err %v; want FuncError from Lift", res.Status, err)
			}
		})
	}
}

// TestTreeTolRefused: a Tree with a negative or NaN Tol is refused, not
// silently replaced by the default.
func TestTreeTolRefused(t *testing.T) {
	p := sdeint.Problem{Dim: 1, T0: 0, T1: 1, X0: []float64{1},
		Drift: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = x[0] })}
	for _, tol := range []float64{-1, math.NaN()} {
		if err := (brownian.Tree{Tol: tol}).Validate(); err == nil || !strings.Contains(err.Error(), "Tree.Tol") {
			t.Errorf("Tree{Tol: %v}.Validate() = %v", tol, err)
		}
		res, err := sdeint.Solve(context.Background(), &p, methods.GGF{}, &sdeint.Settings{Brownian: brownian.Tree{Tol: tol}})
		if res != nil || err == nil || !strings.Contains(err.Error(), "Tree.Tol") {
			t.Errorf("Tol %v: solve returned %v, %v; want a refusal before any work", tol, res, err)
		}
	}
}

// hardGBM is a small scalar GBM for the bad-input table.
func hardGBM() sdeint.Problem {
	return sdeint.Problem{Dim: 1, T0: 0, T1: 1, X0: []float64{1},
		Noise:     sdeint.Noise{Shape: sdeint.ScalarNoise},
		Drift:     sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = 0.5 * x[0] }),
		Diffusion: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = x[0] }),
	}
}

// TestBadSettingsRefused: each bad setting of issue 10 is refused before
// any work with an error naming it (no panic, no out-of-memory death, no
// unrelated complaint).
func TestBadSettingsRefused(t *testing.T) {
	big := hardGBM()
	big.Dim, big.X0 = 1_000_000, make([]float64, 1_000_000)
	big.Noise = sdeint.Noise{}
	big.Diffusion = nil
	big.Drift = func(dst, _, _ []float64, _ sdeint.Batch) error { return nil }
	saves := make([]float64, 1_000_000)
	for i := range saves {
		saves[i] = float64(i+1) / float64(len(saves))
	}
	for _, c := range []struct {
		name string
		p    sdeint.Problem
		m    sdeint.Method
		s    sdeint.Settings
		want string
		not  string
	}{
		{"HMin above the span", hardGBM(), methods.Roberts{}, sdeint.Settings{Control: control.Settings{HMin: 2}}, "HMin", ""},
		{"Safety above 1", hardGBM(), methods.Roberts{}, sdeint.Settings{Control: control.Settings{Safety: 1.5}}, "Safety", ""},
		{"Steps 1e9", hardGBM(), methods.EM{}, sdeint.Settings{Steps: 1_000_000_000}, "MaxAttempts", ""},
		{"Steps MaxInt", hardGBM(), methods.EM{}, sdeint.Settings{Steps: math.MaxInt, MaxAttempts: math.MaxInt}, "MaxMemory", ""},
		{"Paths 1e9", hardGBM(), methods.Roberts{}, sdeint.Settings{Paths: 1_000_000_000}, "MaxMemory", ""},
		{"Dim × Paths 1e12", big, methods.DP5{}, sdeint.Settings{Paths: 1_000_000}, "MaxMemory", ""},
		{"1e6 saves × 1000 paths", hardGBM(), methods.Roberts{}, sdeint.Settings{Paths: 1000, SaveAt: saves}, "MaxMemory", ""},
		{"negative MaxMemory", hardGBM(), methods.Roberts{}, sdeint.Settings{MaxMemory: -1}, "MaxMemory", ""},
		{"PathOffset overflow", hardGBM(), methods.Roberts{}, sdeint.Settings{Paths: 10, PathOffset: math.MaxInt - 5}, "PathOffset", ""},
		{"em without Steps", hardGBM(), methods.EM{}, sdeint.Settings{}, "no error estimate", "tolerance rule"},
		// A refused fixed-step setting is still fixed steps: no adaptive-mode
		// complaints beside it (regression: em asked to "set Steps").
		{"em Steps above MaxAttempts", hardGBM(), methods.EM{}, sdeint.Settings{Steps: 100, MaxAttempts: 50}, "MaxAttempts", "no error estimate"},
		// One bad value, one complaint: no cascade of comparisons or
		// method refusals built on the bad value.
		{"HMin NaN", hardGBM(), methods.Roberts{}, sdeint.Settings{Control: control.Settings{HMin: math.NaN()}}, "HMin = NaN", "H0"},
		{"H0 negative", hardGBM(), methods.Roberts{}, sdeint.Settings{Control: control.Settings{H0: -1}}, "H0 = -1", "below HMin"},
		{"general noise M 0", func() sdeint.Problem {
			p := hardGBM()
			p.Noise = sdeint.Noise{Shape: sdeint.GeneralNoise}
			return p
		}(), methods.Roberts{}, sdeint.Settings{}, "Noise.M = 0", "refuses"},
		// A zero-value plugged Adaptive proposed steps of size 0: every
		// path ended "step size collapsed" after the solve began.
		{"zero Adaptive plugged", hardGBM(), methods.Roberts{}, sdeint.Settings{Controller: &control.Adaptive{}}, "Adaptive.Safety", ""},
		// An adaptive solve has no grid: a small MaxMemory must not speak of one.
		{"tiny MaxMemory adaptive", hardGBM(), methods.Roberts{}, sdeint.Settings{MaxMemory: 4}, "MaxMemory", "fixed steps"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := sdeint.Solve(context.Background(), &c.p, c.m, &c.s)
			if res != nil || err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("result %v, error %v; want a refusal naming %q", res != nil, err, c.want)
			}
			if c.not != "" && strings.Contains(err.Error(), c.not) {
				t.Errorf("error %q also says %q", err, c.not)
			}
		})
	}
}

// TestHugeBatchClamped: a BatchSize far above the paths is clamped to them
// (it used to allocate rows for the whole batch: 2⁴⁰ died out of memory).
func TestHugeBatchClamped(t *testing.T) {
	p := hardGBM()
	for _, b := range []int{1_000_000, 1 << 40} {
		res, err := sdeint.Solve(context.Background(), &p, methods.Roberts{}, &sdeint.Settings{Paths: 10, BatchSize: b, Seed: 1})
		if err != nil || res.Status != sdeint.Success {
			t.Fatalf("BatchSize %d: %v", b, err)
		}
	}
}

// TestPanicsRecovered: a panic in user code inside a worker reaches the
// caller as a FuncError carrying a *PanicError, with the other paths'
// results kept, instead of killing the process: in the drift of one path,
// in Init, in InDomain, in a plugged controller, and in shared-step mode.
func TestPanicsRecovered(t *testing.T) {
	const target = 5
	driftPanics := func(p *sdeint.Problem) {
		p.Drift = func(dst, tt, x []float64, b sdeint.Batch) error {
			for r := range tt {
				if b.Paths[r] == target && tt[r] > 0.5 {
					panic("boom in the drift")
				}
				dst[r] = 0.5 * x[r]
			}
			return nil
		}
	}
	for _, c := range []struct {
		name string
		edit func(p *sdeint.Problem, s *sdeint.Settings)
		want string
	}{
		{"drift", func(p *sdeint.Problem, _ *sdeint.Settings) { driftPanics(p) }, "boom in the drift"},
		{"drift shared", func(p *sdeint.Problem, s *sdeint.Settings) { driftPanics(p); s.SharedStep = true }, "boom in the drift"},
		{"init", func(p *sdeint.Problem, _ *sdeint.Settings) {
			p.Init = func(dst []float64, path int, _ *brownian.Stream) error {
				if path == target {
					var s []float64
					_ = s[3] // an index out of range
				}
				dst[0] = 1
				return nil
			}
		}, "index out of range"},
		{"in domain", func(p *sdeint.Problem, _ *sdeint.Settings) {
			p.InDomain = func(tt float64, _ []float64) bool {
				if tt > 0.5 {
					panic("boom in InDomain")
				}
				return true
			}
		}, "boom in InDomain"},
		{"controller", func(_ *sdeint.Problem, s *sdeint.Settings) { s.Controller = panicky{} }, "boom in the controller"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := hardGBM()
			s := &sdeint.Settings{Paths: 20, Seed: 1, Workers: 3, BatchSize: 4}
			c.edit(&p, s)
			res, err := sdeint.Solve(context.Background(), &p, methods.Roberts{}, s)
			var pe *sdeint.PanicError
			if res == nil || res.Status != sdeint.FuncError || !errors.As(err, &pe) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("result %v, error %v; want FuncError with a PanicError %q", res != nil, err, c.want)
			}
			if len(pe.Stack) == 0 {
				t.Error("PanicError has no stack")
			}
			for i, ps := range res.Path {
				if ps.Status == sdeint.NotTerminated {
					t.Errorf("path %d not terminated", i)
				}
			}
		})
	}
}

// panicky is a controller that panics when asked to decide.
type panicky struct{}

func (panicky) StateSize() int                          { return 0 }
func (panicky) UsesError() bool                         { return true }
func (panicky) Start(_ []float64, _, _ float64) float64 { return 0.1 }
func (panicky) Propose(_ []float64, t, stop float64) (float64, float64, bool) {
	return min(t+0.1, stop), 0.1, true
}
func (panicky) Decide(_ []float64, _, _, _ float64) (control.Decision, float64) {
	panic("boom in the controller")
}

// TestFuncErrorNamesTheCall: an error returned by a batched call is
// reported as the call's, on all its paths, not blamed on one of them.
func TestFuncErrorNamesTheCall(t *testing.T) {
	p := hardGBM()
	p.Drift = func(dst, tt, x []float64, b sdeint.Batch) error {
		for r := range tt {
			if b.Paths[r] == 6 && tt[r] > 0.5 {
				return errors.New("path 6 is unhappy")
			}
			dst[r] = 0.5 * x[r]
		}
		return nil
	}
	_, err := sdeint.Solve(context.Background(), &p, methods.Roberts{}, &sdeint.Settings{Paths: 8, BatchSize: 4, Workers: 1, Seed: 1})
	if err == nil || !strings.Contains(err.Error(), "in a batched call on 4 paths") || !strings.Contains(err.Error(), "path 6 is unhappy") {
		t.Fatalf("error %v: want the batched call of 4 paths named", err)
	}
}

// TestSingularityDiagnostics records what the solver does at a
// singularity, the limit docs/limits.md describes: dx/dt = −1/x from
// x(0) = 1 has the solution √(1 − 2t), which ends at t = ½. At tolerance
// 1e-2, dp5 steps over the end in five steps and reports success (X(1) =
// 0.21, meaningless); ggf also reports success, but its MinStep falls
// orders of magnitude below its first step (to 2.1e-9), the diagnostic. Tighter
// tolerances do not pass the end: the path ends by budget or collapse.
// Each figure is printed with -v.
func TestSingularityDiagnostics(t *testing.T) {
	p := sdeint.Problem{Dim: 1, T0: 0, T1: 1, X0: []float64{1},
		Drift: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = -1 / x[0] })}
	solve := func(m sdeint.Method, tol float64) *sdeint.Result {
		s := &sdeint.Settings{MaxAttempts: 200_000}
		s.Control.RTol, s.Control.ATol = tol, tol
		res, _ := sdeint.Solve(context.Background(), &p, m, s)
		ps := res.Path[0]
		t.Logf("%s at %g: %v, X(%.4g) = %.3g, %d accepted, %d rejected, MinStep %.3g", m.Properties().Name, tol, ps.Status, ps.T, res.X[0], ps.Accepted, ps.Rejected, ps.MinStep)
		return res
	}
	if r := solve(methods.DP5{}, 1e-2); r.Status != sdeint.Success || r.Path[0].Accepted > 10 {
		t.Errorf("dp5 at 1e-2 no longer steps over the end in a few steps: the doc's example is out of date")
	}
	if r := solve(methods.GGF{}, 1e-2); r.Status != sdeint.Success || !(r.Path[0].MinStep < 1e-6) {
		t.Errorf("ggf at 1e-2: status %v, MinStep %v; the doc says success with MinStep < 1e-6", r.Status, r.Path[0].MinStep)
	}
	for _, m := range []sdeint.Method{methods.DP5{}, methods.GGF{}} {
		if r := solve(m, 1e-6); r.Status == sdeint.Success {
			t.Errorf("%s at 1e-6 passed the end of the solution", m.Properties().Name)
		}
	}
}

// failingMethod wraps a method whose steps return an error of their own,
// before any evaluation, from the n-th call of Step on.
type failingMethod struct {
	sdeint.Method
	n int
}

func (m failingMethod) NewStepper(d sdeint.Dims, rows int) sdeint.Stepper {
	return &failingStepper{Stepper: m.Method.NewStepper(d, rows), n: m.n}
}

type failingStepper struct {
	sdeint.Stepper
	n, calls int
}

var errMethod = errors.New("the method's own failure")

func (s *failingStepper) Step(st *sdeint.Step) error {
	if s.calls++; s.calls >= s.n {
		return errMethod
	}
	return s.Stepper.Step(st)
}

// TestMethodError: a method's own error (no drift or diffusion call
// failed) ends the rows of its step FuncError with Where "method" and the
// error kept (it used to end every path Stopped, reported as "first:
// <nil>", or named the drift with a stale time).
func TestMethodError(t *testing.T) {
	p := hardGBM()
	for _, n := range []int{1, 5} { // during the probes, and later
		res, err := sdeint.Solve(context.Background(), &p, failingMethod{methods.Roberts{}, n}, &sdeint.Settings{Paths: 8, Seed: 1, Workers: 1, BatchSize: 8})
		if !errors.Is(err, errMethod) || res == nil || res.Status != sdeint.FuncError {
			t.Fatalf("n %d: result %v, error %v; want FuncError wrapping the method's error", n, res != nil, err)
		}
		if strings.Contains(err.Error(), "<nil>") || !strings.Contains(err.Error(), "method failed") {
			t.Errorf("n %d: error %q, want one naming the method", n, err)
		}
		failed := 0
		for i, ps := range res.Path {
			if ps.Status == sdeint.FuncError {
				failed++
				if ps.Err == nil || ps.Err.Where != "method" || ps.Err.Rows != 8 {
					t.Errorf("n %d, path %d: %+v, want Where method on 8 rows", n, i, ps.Err)
				}
			}
		}
		if failed != 8 {
			t.Errorf("n %d: %d paths FuncError, want the step's 8", n, failed)
		}
	}
}
