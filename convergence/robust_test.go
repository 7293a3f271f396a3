package convergence

// Adversarial tests of the study settings.

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// TestReferenceSettingsRefused: a RefFactor of 1 made Strong's same-path
// reference the finest solve itself (error 0 at the finest step, order
// NaN, no error) and a negative one was silently taken as 1; in
// WorkPrecision a negative RefFactor or RefSteps asked for a reference of
// negative steps. Each is refused with ErrSettings before any solve.
func TestReferenceSettingsRefused(t *testing.T) {
	ctx := context.Background()
	p := problems.DoubleWell() // no exact solution: a same-path reference
	for _, s := range []Settings{{RefFactor: 1}, {RefFactor: -3}, {RefSteps: -8}} {
		s.Paths = 10
		if r, err := Strong(ctx, p, methods.EM{}, []float64{0.25, 0.125}, s); r != nil || !errors.Is(err, ErrSettings) {
			t.Errorf("Strong with RefFactor %d, RefSteps %d: result %v, error %v; want ErrSettings", s.RefFactor, s.RefSteps, r, err)
		}
		s.Steps = []int{4}
		if r, err := WorkPrecision(ctx, p, []sdeint.Method{methods.EM{}}, nil, nil, s); r != nil || !errors.Is(err, ErrSettings) {
			t.Errorf("WorkPrecision with RefFactor %d, RefSteps %d: result %v, error %v; want ErrSettings", s.RefFactor, s.RefSteps, r, err)
		}
	}
}

// TestWeakPhiWithoutFunction: a Settings.Phi without its function Phi is
// refused with ErrSettings (Weak dereferenced the nil function).
func TestWeakPhiWithoutFunction(t *testing.T) {
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Weak panicked: %v", r)
		}
	}()
	r, err := Weak(context.Background(), problems.GBM(), methods.EM{}, []float64{0.25, 0.125}, Settings{Paths: 10, Phi: &problems.Expectation{Name: "x²"}})
	if r != nil || !errors.Is(err, ErrSettings) {
		t.Errorf("result %v, error %v; want ErrSettings", r, err)
	}
}

// TestStudyStoppedKeepsRows: a study whose context is cancelled after its
// first step size returns that row, its order NaN, with the cancellation
// (Strong and Weak returned a nil Result, the finished solves lost).
func TestStudyStoppedKeepsRows(t *testing.T) {
	for _, kind := range []string{"strong", "weak"} {
		ctx, cancel := context.WithCancel(context.Background())
		s := Settings{Paths: 10, Seed: 1}
		calls := 0
		s.Progress = func(string) {
			if calls++; calls == 2 {
				cancel() // as the second solve starts
			}
		}
		p := problems.GBM()
		var r *Result
		var err error
		if kind == "strong" {
			r, err = Strong(ctx, p, methods.EM{}, []float64{0.25, 0.125, 0.0625}, s)
		} else {
			r, err = Weak(ctx, p, methods.EM{}, []float64{0.25, 0.125, 0.0625}, s)
		}
		cancel()
		if !errors.Is(err, context.Canceled) || r == nil || len(r.Rows) != 1 || r.Rows[0].Dt != 0.25 || !math.IsNaN(r.Order) {
			t.Errorf("%s: result %+v, error %v; want the first row, order NaN, and the cancellation", kind, r, err)
		}
	}
}

// TestNilProblemOrMethod: a nil problem or method is refused with
// ErrSettings; the studies dereferenced it and panicked.
func TestNilProblemOrMethod(t *testing.T) {
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("a study panicked: %v", r)
		}
	}()
	ctx, dts, s := context.Background(), []float64{0.25, 0.125}, Settings{Paths: 10}
	for _, c := range []struct {
		p *problems.Problem
		m sdeint.Method
	}{{nil, methods.EM{}}, {problems.GBM(), nil}} {
		if r, err := Strong(ctx, c.p, c.m, dts, s); r != nil || !errors.Is(err, ErrSettings) {
			t.Errorf("Strong(%v, %v): %v, %v", c.p != nil, c.m, r, err)
		}
		if r, err := Weak(ctx, c.p, c.m, dts, s); r != nil || !errors.Is(err, ErrSettings) {
			t.Errorf("Weak(%v, %v): %v, %v", c.p != nil, c.m, r, err)
		}
		if r, err := WorkPrecision(ctx, c.p, []sdeint.Method{c.m}, []float64{0.1}, nil, s); r != nil || !errors.Is(err, ErrSettings) {
			t.Errorf("WorkPrecision(%v, %v): %v, %v", c.p != nil, c.m, r, err)
		}
	}
}

// TestWorkPrecisionTolerances: a tolerance that is not finite and positive
// is refused before any solve. A tolerance of 0 ran at the solver's default
// 1e-2 (0 means the default) in a row labelled 0; a negative or NaN one
// failed the study after the rows before it.
func TestWorkPrecisionTolerances(t *testing.T) {
	for _, tol := range []float64{0, -1e-3, math.NaN(), math.Inf(1)} {
		r, err := WorkPrecision(context.Background(), problems.GBM(), []sdeint.Method{methods.Roberts{}}, []float64{1e-2, tol}, nil, Settings{Paths: 10})
		if r != nil || !errors.Is(err, ErrSettings) {
			t.Errorf("tolerance %v: result %v, error %v; want ErrSettings", tol, r != nil, err)
		}
	}
}
