package sdeint_test

// Tests of Solve's errors and statuses: one test (or table) per way a solve
// can be refused or a path can end early. Every test uses a fixed seed and
// small problems built inline or taken from package problems.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofast-sde/gofast/internal/mcstat"
	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

var errBoom = errors.New("boom")

// errsOU returns dX = −X dt + 0.2 dW (additive scalar noise, so Itô and
// Stratonovich agree), X(0) = 1, on [0, 1].
func errsOU() sdeint.Problem {
	return sdeint.Problem{
		Dim:       1,
		Noise:     sdeint.Noise{Shape: sdeint.ScalarNoise, Additive: true, Commutative: true},
		T0:        0,
		T1:        1,
		X0:        []float64{1},
		Drift:     sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = -x[0] }),
		Diffusion: sdeint.Lift(1, 1, func(dst []float64, _ float64, _ []float64) { dst[0] = 0.2 }),
	}
}

// errsNoncommutative returns dX₁ = X₂ dW₁, dX₂ = X₁ dW₂ (Itô): diagonal
// shape, non-commutative noise.
func errsNoncommutative() sdeint.Problem {
	return sdeint.Problem{
		Dim:   2,
		Noise: sdeint.Noise{Shape: sdeint.DiagonalNoise},
		T0:    0,
		T1:    1,
		X0:    []float64{1, 0.5},
		Drift: sdeint.Lift(2, 2, func(dst []float64, _ float64, _ []float64) { dst[0], dst[1] = 0, 0 }),
		Diffusion: sdeint.Lift(2, 2, func(dst []float64, _ float64, x []float64) {
			dst[0], dst[1] = x[1], x[0]
		}),
	}
}

// errsCalls counts the calls of a problem's functions.
type errsCalls struct{ drift, diffusion atomic.Int64 }

// wrap makes p's functions count their calls in c.
func (c *errsCalls) wrap(p *sdeint.Problem) {
	if f := p.Drift; f != nil {
		p.Drift = func(dst, t, x []float64, b sdeint.Batch) error {
			c.drift.Add(1)
			return f(dst, t, x, b)
		}
	}
	if g := p.Diffusion; g != nil {
		p.Diffusion = func(dst, t, x []float64, b sdeint.Batch) error {
			c.diffusion.Add(1)
			return g(dst, t, x, b)
		}
	}
}

// errsSolve calls Solve and turns a panic into a test failure, so that one
// engine crash does not take the other tests down with it.
func errsSolve(t *testing.T, ctx context.Context, p *sdeint.Problem, m sdeint.Method, s *sdeint.Settings) (res *sdeint.Result, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Solve panicked: %v", r)
		}
	}()
	return sdeint.Solve(ctx, p, m, s)
}

// errsCheck asserts the invariants every returned Result must satisfy: no
// path NotTerminated, successes at T1 without an error, failures with a
// PathError that agrees with their stats, Stats.Failed and Status consistent
// with the paths, and the returned error a *SolveError exactly when a path
// failed.
func errsCheck(t *testing.T, res *sdeint.Result, err error) {
	t.Helper()
	if res == nil {
		t.Fatalf("nil Result (err %v)", err)
	}
	if len(res.Path) != res.Paths {
		t.Fatalf("len(Path) = %d, want Paths = %d", len(res.Path), res.Paths)
	}
	failed := 0
	for i, ps := range res.Path {
		switch ps.Status {
		case sdeint.NotTerminated:
			failed++
			t.Errorf("path %d: status NotTerminated in a returned Result", i)
		case sdeint.Success:
			if ps.T != res.T1 || ps.Err != nil {
				t.Errorf("path %d: Success with T = %v (T1 = %v), Err = %v", i, ps.T, res.T1, ps.Err)
			}
		default:
			failed++
			switch {
			case ps.Err == nil:
				t.Errorf("path %d: status %v without a PathError", i, ps.Status)
			case ps.Err.Status != ps.Status || ps.Err.Path != res.PathOffset+i || ps.Err.T != ps.T:
				t.Errorf("path %d (status %v, T %v): PathError %+v disagrees", i, ps.Status, ps.T, *ps.Err)
			}
		}
	}
	if res.Stats.Failed != failed {
		t.Errorf("Stats.Failed = %d, want %d", res.Stats.Failed, failed)
	}
	if (res.Status == sdeint.Success) != (failed == 0) {
		t.Errorf("Status = %v with %d failed paths", res.Status, failed)
	}
	if (err == nil) != (failed == 0) {
		t.Errorf("err = %v with %d failed paths", err, failed)
	}
	if err != nil {
		var se *sdeint.SolveError
		if !errors.As(err, &se) {
			t.Errorf("error %T (%v) is not a *SolveError", err, err)
		} else if se.Status != res.Status || se.Failed != failed || se.Paths != res.Paths {
			t.Errorf("SolveError %+v disagrees with Status %v, %d failed of %d", *se, res.Status, failed, res.Paths)
		} else if se.First == nil || se.First.Status != res.Status {
			// errors.Is and errors.As would panic on a nil First: stop here.
			t.Fatalf("SolveError (%v) does not wrap a path error of status %v: First = %v; statuses %v", se, res.Status, se.First, errsCount(res))
		}
	}
}

// errsCount returns how many paths ended with each status.
func errsCount(res *sdeint.Result) map[sdeint.Status]int {
	c := map[sdeint.Status]int{}
	for _, ps := range res.Path {
		c[ps.Status]++
	}
	return c
}

func errsFinite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// TestErrorsInvalid: invalid problems and settings are refused before any
// work, with a nil Result and an error naming the offending field, and the
// problem's functions are never called.
func TestErrorsInvalid(t *testing.T) {
	base := func() (*sdeint.Problem, sdeint.Method, *sdeint.Settings) {
		p := errsOU()
		return &p, methods.GGF{}, &sdeint.Settings{Paths: 4, Seed: 1}
	}
	cases := []struct {
		name string
		want string // substring of the error message
		edit func(p **sdeint.Problem, m *sdeint.Method, s *sdeint.Settings)
	}{
		{"nil problem", "Problem", func(p **sdeint.Problem, _ *sdeint.Method, _ *sdeint.Settings) { *p = nil }},
		{"nil method", "Method", func(_ **sdeint.Problem, m *sdeint.Method, _ *sdeint.Settings) { *m = nil }},
		{"Dim 0", "Dim", func(p **sdeint.Problem, _ *sdeint.Method, _ *sdeint.Settings) { (*p).Dim = 0 }},
		{"nil Drift", "Drift", func(p **sdeint.Problem, _ *sdeint.Method, _ *sdeint.Settings) { (*p).Drift = nil }},
		{"noise without Diffusion", "Diffusion", func(p **sdeint.Problem, _ *sdeint.Method, _ *sdeint.Settings) { (*p).Diffusion = nil }},
		{"Diffusion with NoNoise", "Diffusion", func(p **sdeint.Problem, _ *sdeint.Method, _ *sdeint.Settings) {
			(*p).Noise = sdeint.Noise{Shape: sdeint.NoNoise}
		}},
		{"GeneralNoise M 0", "Noise.M", func(p **sdeint.Problem, _ *sdeint.Method, _ *sdeint.Settings) {
			(*p).Noise = sdeint.Noise{Shape: sdeint.GeneralNoise, Additive: true}
		}},
		{"DiagonalNoise wrong M", "Noise.M", func(p **sdeint.Problem, _ *sdeint.Method, _ *sdeint.Settings) {
			(*p).Noise = sdeint.Noise{Shape: sdeint.DiagonalNoise, M: 2, Additive: true}
		}},
		{"T0 == T1", "T0", func(p **sdeint.Problem, _ *sdeint.Method, _ *sdeint.Settings) { (*p).T1 = (*p).T0 }},
		{"NaN T1", "T1", func(p **sdeint.Problem, _ *sdeint.Method, _ *sdeint.Settings) { (*p).T1 = math.NaN() }},
		{"len(X0) not Dim nor Paths×Dim", "X0", func(p **sdeint.Problem, _ *sdeint.Method, _ *sdeint.Settings) {
			(*p).X0 = []float64{1, 2, 3} // 3 rows but Paths = 4
		}},
		{"NaN in X0", "X0", func(p **sdeint.Problem, _ *sdeint.Method, _ *sdeint.Settings) { (*p).X0 = []float64{math.NaN()} }},
		{"Inf in X0 rows", "X0", func(p **sdeint.Problem, _ *sdeint.Method, _ *sdeint.Settings) {
			(*p).X0 = []float64{1, 2, math.Inf(1), 4}
		}},
		{"negative Paths", "Paths", func(_ **sdeint.Problem, _ *sdeint.Method, s *sdeint.Settings) { s.Paths = -1 }},
		{"Steps and Grid", "Grid", func(_ **sdeint.Problem, _ *sdeint.Method, s *sdeint.Settings) {
			s.Steps, s.Grid = 4, []float64{0, 0.5, 1}
		}},
		{"Grid not from T0", "Grid", func(_ **sdeint.Problem, _ *sdeint.Method, s *sdeint.Settings) { s.Grid = []float64{0.1, 0.5, 1} }},
		{"Grid not to T1", "Grid", func(_ **sdeint.Problem, _ *sdeint.Method, s *sdeint.Settings) { s.Grid = []float64{0, 0.5, 0.9} }},
		{"Grid not monotone", "Grid", func(_ **sdeint.Problem, _ *sdeint.Method, s *sdeint.Settings) {
			s.Grid = []float64{0, 0.6, 0.4, 1}
		}},
		{"SaveAt outside the span", "SaveAt", func(_ **sdeint.Problem, _ *sdeint.Method, s *sdeint.Settings) { s.SaveAt = []float64{0.5, 1.5} }},
		{"SaveAt before T0", "SaveAt", func(_ **sdeint.Problem, _ *sdeint.Method, s *sdeint.Settings) { s.SaveAt = []float64{-0.1} }},
		{"SaveAt not monotone", "SaveAt", func(_ **sdeint.Problem, _ *sdeint.Method, s *sdeint.Settings) { s.SaveAt = []float64{0.5, 0.25} }},
		{"SaveAt repeated", "SaveAt", func(_ **sdeint.Problem, _ *sdeint.Method, s *sdeint.Settings) { s.SaveAt = []float64{0.5, 0.5} }},
		{"SharedStep with fixed steps", "SharedStep", func(_ **sdeint.Problem, _ *sdeint.Method, s *sdeint.Settings) {
			s.SharedStep, s.Steps = true, 10
		}},
		{"EM without Steps", "Steps", func(_ **sdeint.Problem, m *sdeint.Method, _ *sdeint.Settings) { *m = methods.EM{} }},
		{"negative RTol", "RTol", func(_ **sdeint.Problem, _ *sdeint.Method, s *sdeint.Settings) { s.Control.RTol = -1e-3 }},
		{"NaN ATol", "ATol", func(_ **sdeint.Problem, _ *sdeint.Method, s *sdeint.Settings) { s.Control.ATol = math.NaN() }},
		{"ATolVec wrong length", "ATolVec", func(_ **sdeint.Problem, _ *sdeint.Method, s *sdeint.Settings) {
			s.Control.ATolVec = []float64{1e-3, 1e-3}
		}},
		{"Safety < 0", "Safety", func(_ **sdeint.Problem, _ *sdeint.Method, s *sdeint.Settings) { s.Control.Safety = -0.5 }},
		{"HMax < HMin", "HMax", func(_ **sdeint.Problem, _ *sdeint.Method, s *sdeint.Settings) {
			s.Control.HMin, s.Control.HMax = 0.1, 0.05
		}},
		{"Exponent and PID", "Exponent", func(_ **sdeint.Problem, _ *sdeint.Method, s *sdeint.Settings) {
			s.Control.Exponent, s.Control.PCoeff, s.Control.ICoeff = 0.5, 0.1, 0.3
		}},
		{"MinFactor 2", "MinFactor", func(_ **sdeint.Problem, _ *sdeint.Method, s *sdeint.Settings) { s.Control.MinFactor = 2 }},
		{"MaxFactor 0.5", "MaxFactor", func(_ **sdeint.Problem, _ *sdeint.Method, s *sdeint.Settings) { s.Control.MaxFactor = 0.5 }},
		{"fixed steps exceed MaxAttempts", "MaxAttempts", func(_ **sdeint.Problem, _ *sdeint.Method, s *sdeint.Settings) {
			s.Steps, s.MaxAttempts = 100, 50
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, m, s := base()
			var calls errsCalls
			calls.wrap(p)
			c.edit(&p, &m, s)
			res, err := errsSolve(t, context.Background(), p, m, s)
			if res != nil {
				t.Errorf("Result not nil: status %v", res.Status)
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
			if n, g := calls.drift.Load(), calls.diffusion.Load(); n != 0 || g != 0 {
				t.Errorf("drift called %d times, diffusion %d times before the refusal", n, g)
			}
		})
	}

	// The base itself is valid, so every case above failed for its own
	// reason.
	p, m, s := base()
	if _, err := errsSolve(t, context.Background(), p, m, s); err != nil {
		t.Fatalf("base case: %v", err)
	}
}

// TestErrorsRefusals: method/problem pairs the methods do not support are
// refused before any work unless Settings.Override is set, which records the
// refusal in Result.Override.
func TestErrorsRefusals(t *testing.T) {
	refused := func(t *testing.T, p sdeint.Problem, m sdeint.Method, s sdeint.Settings, want ...string) {
		t.Helper()
		var calls errsCalls
		calls.wrap(&p)
		res, err := errsSolve(t, context.Background(), &p, m, &s)
		if res != nil || err == nil {
			t.Fatalf("not refused: res %v, err %v", res != nil, err)
		}
		for _, w := range append(want, "Override") {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("refusal %q does not mention %q", err, w)
			}
		}
		if calls.drift.Load() != 0 || calls.diffusion.Load() != 0 {
			t.Errorf("functions called before the refusal")
		}
		s.Override = true
		res, err = errsSolve(t, context.Background(), &p, m, &s)
		if err != nil {
			t.Fatalf("with Override: %v", err)
		}
		errsCheck(t, res, err)
		if res.Override == "" {
			t.Errorf("with Override: Result.Override is empty")
		}
		for _, w := range want {
			if !strings.Contains(res.Override, w) {
				t.Errorf("Result.Override %q does not mention %q", res.Override, w)
			}
		}
	}
	allowed := func(t *testing.T, p sdeint.Problem, m sdeint.Method, s sdeint.Settings) {
		t.Helper()
		res, err := errsSolve(t, context.Background(), &p, m, &s)
		if err != nil {
			t.Fatalf("refused: %v", err)
		}
		errsCheck(t, res, err)
		if res.Override != "" {
			t.Errorf("Result.Override = %q without a refusal", res.Override)
		}
	}
	set := sdeint.Settings{Paths: 8, Seed: 2}

	t.Run("roberts on Stratonovich GBM", func(t *testing.T) {
		refused(t, problems.GBMStrat().SDE, methods.Roberts{}, set, "Stratonovich", "Itô")
	})
	t.Run("ggf on Itô GBM", func(t *testing.T) {
		refused(t, problems.GBM().SDE, methods.GGF{}, set, "Stratonovich", "Itô")
	})
	t.Run("em on Stratonovich GBM", func(t *testing.T) {
		s := set
		s.Steps = 16
		refused(t, problems.GBMStrat().SDE, methods.EM{}, s, "Stratonovich", "Itô")
	})
	t.Run("adaptive on non-commutative noise", func(t *testing.T) {
		refused(t, errsNoncommutative(), methods.Roberts{}, set, "non-commutative")
	})
	t.Run("fixed steps on non-commutative noise", func(t *testing.T) {
		s := set
		s.Steps = 32
		allowed(t, errsNoncommutative(), methods.Roberts{}, s)
		allowed(t, errsNoncommutative(), methods.EM{}, s)
	})
	t.Run("adaptive on commutative diagonal noise", func(t *testing.T) {
		// g_i depends on X_i only: commutative, so adaptive is fine.
		p := errsNoncommutative()
		p.Noise.Commutative = true
		p.Diffusion = sdeint.Lift(2, 2, func(dst []float64, _ float64, x []float64) { dst[0], dst[1] = 0.3*x[0], 0.2*x[1] })
		allowed(t, p, methods.Roberts{}, set)
	})
	t.Run("ggf on Itô additive", func(t *testing.T) {
		allowed(t, problems.OU().SDE, methods.GGF{}, set)
		allowed(t, problems.Additive().SDE, methods.GGF{}, set)
	})
	t.Run("ggf on Itô ODE", func(t *testing.T) {
		p := sdeint.Problem{Dim: 1, T0: 0, T1: 1, X0: []float64{1},
			Drift: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = x[0] })}
		allowed(t, p, methods.GGF{}, set)
	})
}

// errsNaNDrift makes p's drift return NaN in component comp for the row of
// global path target once the row's time exceeds after.
func errsNaNDrift(p *sdeint.Problem, target, comp int, after float64) {
	f, n := p.Drift, p.Dim
	p.Drift = func(dst, t, x []float64, b sdeint.Batch) error {
		if err := f(dst, t, x, b); err != nil {
			return err
		}
		for r, g := range b.Paths {
			if g == target && t[r] > after {
				dst[r*n+comp] = math.NaN()
			}
		}
		return nil
	}
}

// TestErrorsNaNOnePath: a drift that turns NaN for one path after t = 0.5
// stops that path only, at its last accepted state, and the solve reports
// NotFinite with a PathError that names the drift. With a path offset the
// drift sees global indices and the PathError carries the global index.
func TestErrorsNaNOnePath(t *testing.T) {
	for _, c := range []struct {
		name   string
		p      sdeint.Problem
		m      sdeint.Method
		offset int
	}{
		{"ggf/ou", errsOU(), methods.GGF{}, 0},
		{"roberts/gbm", problems.GBM().SDE, methods.Roberts{}, 0},
		{"ggf/ou/offset", errsOU(), methods.GGF{}, 10},
		{"roberts/gbm/fixed", problems.GBM().SDE, methods.Roberts{}, 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			const paths, local = 100, 3
			global := c.offset + local
			p := c.p
			errsNaNDrift(&p, global, 0, 0.5)
			s := &sdeint.Settings{Paths: paths, PathOffset: c.offset, Seed: 3, Workers: 4}
			if strings.HasSuffix(c.name, "fixed") {
				s.Steps = 64
			}
			// At the SDE defaults (growth ≤ 9/8) the path creeps up to
			// t = 0.5 in ever smaller accepted steps and collapses right
			// after one: it must still end NotFinite, naming the drift.
			res, err := errsSolve(t, context.Background(), &p, c.m, s)
			errsCheck(t, res, err)
			if res.Status != sdeint.NotFinite || res.Stats.Failed != 1 {
				t.Fatalf("Status %v with %d failed, want NotFinite with 1", res.Status, res.Stats.Failed)
			}
			for i, ps := range res.Path {
				if i == local {
					continue
				}
				if ps.Status != sdeint.Success || ps.T != p.T1 {
					t.Errorf("path %d: %v at T = %v, want success at T1", i, ps.Status, ps.T)
				}
			}
			ps := res.Path[local]
			if ps.Status != sdeint.NotFinite {
				t.Fatalf("path %d: status %v, want NotFinite", local, ps.Status)
			}
			e := ps.Err
			if e.Where != "drift" || e.Component != 0 || !(e.TEval > 0.5) || e.Path != global {
				t.Errorf("PathError %+v: want Where drift, Component 0, TEval > 0.5, Path %d", *e, global)
			}
			if !(ps.T < p.T1) || ps.T > e.TEval {
				t.Errorf("path T = %v, want < T1 and ≤ TEval = %v", ps.T, e.TEval)
			}
			if x := res.Row(local); !errsFinite(x) {
				t.Errorf("X row %v is not the last accepted (finite) state", x)
			}
			var se *sdeint.SolveError
			if !errors.As(err, &se) || se.Status != sdeint.NotFinite || se.Failed != 1 {
				t.Fatalf("error %v is not a SolveError for one NotFinite path", err)
			}
			var pe *sdeint.PathError
			if !errors.As(err, &pe) || pe.Path != global {
				t.Errorf("errors.As found no PathError for path %d in %v", global, err)
			}
			if !strings.Contains(err.Error(), "drift") {
				t.Errorf("error %q does not name the drift", err)
			}
		})
	}
}

// TestErrorsInfDiffusion: +Inf in component 1 of the diffusion of one path
// stops that path with Where "diffusion".
func TestErrorsInfDiffusion(t *testing.T) {
	const target = 7
	p := sdeint.Problem{
		Dim:   2,
		Noise: sdeint.Noise{Shape: sdeint.DiagonalNoise, Additive: true, Commutative: true},
		T0:    0, T1: 1,
		X0:    []float64{1, 1},
		Drift: sdeint.Lift(2, 2, func(dst []float64, _ float64, x []float64) { dst[0], dst[1] = -x[0], -2*x[1] }),
		Diffusion: func(dst, t, _ []float64, b sdeint.Batch) error {
			for r := range t {
				dst[2*r], dst[2*r+1] = 0.1, 0.2
				if b.Paths[r] == target && t[r] > 0.3 {
					dst[2*r+1] = math.Inf(1)
				}
			}
			return nil
		},
	}
	for _, m := range []sdeint.Method{methods.GGF{}, methods.Roberts{}} {
		t.Run(m.Properties().Name, func(t *testing.T) {
			res, err := errsSolve(t, context.Background(), &p, m, &sdeint.Settings{Paths: 20, Seed: 4, Workers: 2})
			errsCheck(t, res, err)
			if res.Status != sdeint.NotFinite || res.Stats.Failed != 1 {
				t.Fatalf("Status %v with %d failed, want NotFinite with 1", res.Status, res.Stats.Failed)
			}
			ps := res.Path[target]
			if ps.Status != sdeint.NotFinite || ps.Err.Where != "diffusion" || ps.Err.Component != 1 || !(ps.Err.TEval > 0.3) {
				t.Fatalf("path %d: %v, %+v; want NotFinite in the diffusion, component 1, TEval > 0.3", target, ps.Status, ps.Err)
			}
			if !errsFinite(res.Row(target)) || !(ps.T < 1) {
				t.Errorf("path %d: X %v at T %v, want the last accepted state before T1", target, res.Row(target), ps.T)
			}
			var pe *sdeint.PathError
			if !errors.As(err, &pe) || pe.Where != "diffusion" {
				t.Errorf("errors.As: %v", err)
			}
		})
	}
}

// TestErrorsOverflow: a state that overflows ends its path NotFinite, not in
// a panic. With f = x² the drift overflows first (the state x + h·x² is
// finite whenever x² is, for h = 0.1), so Where is "drift"; with a finite
// drift whose step overflows, Where is "state". Both name the component.
func TestErrorsOverflow(t *testing.T) {
	t.Run("drift x²", func(t *testing.T) {
		// dx₀ = 0, dx₁ = x₁²: blows up at t = 1; EM with h = 0.1 overflows
		// around t = 2.
		p := sdeint.Problem{
			Dim: 2, T0: 0, T1: 3, X0: []float64{1, 1},
			Drift: sdeint.Lift(2, 2, func(dst []float64, _ float64, x []float64) { dst[0], dst[1] = 0, x[1]*x[1] }),
		}
		res, err := errsSolve(t, context.Background(), &p, methods.EM{}, &sdeint.Settings{Paths: 3, Steps: 30})
		errsCheck(t, res, err)
		for i, ps := range res.Path {
			if ps.Status != sdeint.NotFinite || ps.Err.Where != "drift" || ps.Err.Component != 1 {
				t.Fatalf("path %d: %v %+v, want NotFinite in drift component 1", i, ps.Status, ps.Err)
			}
			if ps.T >= 3 || ps.T < 1 || ps.Err.TEval != ps.T || !errsFinite(res.Row(i)) {
				t.Errorf("path %d: T %v, TEval %v, X %v", i, ps.T, ps.Err.TEval, res.Row(i))
			}
		}
		if res.Status != sdeint.NotFinite {
			t.Errorf("Status %v", res.Status)
		}
	})
	t.Run("state", func(t *testing.T) {
		p := sdeint.Problem{
			Dim: 2, T0: 0, T1: 1, X0: []float64{0, 1e308},
			Drift: sdeint.Lift(2, 2, func(dst []float64, _ float64, _ []float64) { dst[0], dst[1] = 1, 1.5e308 }),
		}
		res, err := errsSolve(t, context.Background(), &p, methods.EM{}, &sdeint.Settings{Steps: 1})
		errsCheck(t, res, err)
		ps := res.Path[0]
		if ps.Status != sdeint.NotFinite || ps.Err.Where != "state" || ps.Err.Component != 1 || ps.Err.TEval != 1 || ps.T != 0 {
			t.Fatalf("%v %+v, want NotFinite in the state, component 1, TEval 1, T 0", ps.Status, ps.Err)
		}
		if !slices.Equal(res.Row(0), p.X0) {
			t.Errorf("X = %v, want the initial state %v", res.Row(0), p.X0)
		}
		if !strings.Contains(err.Error(), "component 1") {
			t.Errorf("error %q does not name the component", err)
		}
	})
}

// errsFailingFunc returns a Func that fails with errBoom on its call number
// fail (1-based) and records the paths of that call.
func errsFailingFunc(f sdeint.Func, fail int64, calls *atomic.Int64, mu *sync.Mutex, failed *[]int) sdeint.Func {
	return func(dst, t, x []float64, b sdeint.Batch) error {
		if calls.Add(1) == fail {
			mu.Lock()
			*failed = slices.Clone(b.Paths)
			mu.Unlock()
			return errBoom
		}
		return f(dst, t, x, b)
	}
}

// TestErrorsFuncError: a drift or diffusion error stops the whole solve: the
// partial Result comes back with an error wrapping the function's, the paths
// of the failing call end FuncError, the others Stopped or Success.
func TestErrorsFuncError(t *testing.T) {
	for _, where := range []string{"drift", "diffusion"} {
		for _, workers := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/workers%d", where, workers), func(t *testing.T) {
				p := errsOU()
				var calls atomic.Int64
				var mu sync.Mutex
				var failed []int
				if where == "drift" {
					p.Drift = errsFailingFunc(p.Drift, 100, &calls, &mu, &failed)
				} else {
					p.Diffusion = errsFailingFunc(p.Diffusion, 100, &calls, &mu, &failed)
				}
				res, err := errsSolve(t, context.Background(), &p, methods.GGF{}, &sdeint.Settings{Paths: 64, Seed: 5, Workers: workers, BatchSize: 8})
				errsCheck(t, res, err)
				if err == nil || !errors.Is(err, errBoom) {
					t.Fatalf("error %v does not wrap errBoom", err)
				}
				if res.Status != sdeint.FuncError {
					t.Fatalf("Status %v, want FuncError", res.Status)
				}
				var pe *sdeint.PathError
				if !errors.As(err, &pe) || pe.Status != sdeint.FuncError || pe.Where != where {
					t.Errorf("first PathError %+v, want FuncError in the %s", pe, where)
				}
				if len(failed) == 0 {
					t.Fatal("the failing call was not made")
				}
				inCall := map[int]bool{}
				for _, g := range failed {
					inCall[g] = true
				}
				for i, ps := range res.Path {
					switch {
					case inCall[i]:
						if ps.Status != sdeint.FuncError || ps.Err.Where != where || !errors.Is(ps.Err, errBoom) {
							t.Errorf("path %d of the failing call: %v %+v", i, ps.Status, ps.Err)
						}
					case ps.Status == sdeint.Stopped:
						if !errors.Is(ps.Err, errBoom) {
							t.Errorf("stopped path %d: Err %v does not wrap errBoom", i, ps.Err)
						}
					case ps.Status != sdeint.Success:
						t.Errorf("path %d outside the failing call: %v, want Stopped or Success", i, ps.Status)
					}
				}
				if workers == 1 {
					// One worker runs the blocks in order: the 100th call
					// is well past the first block, which finished, and
					// the blocks after the failing one never started.
					c := errsCount(res)
					if c[sdeint.Success] == 0 || c[sdeint.Stopped] == 0 || c[sdeint.FuncError] != len(failed) {
						t.Errorf("statuses %v, want some Success, some Stopped, %d FuncError", c, len(failed))
					}
				}
			})
		}
	}
}

// TestErrorsDriftRows: Dormand–Prince evaluates the first stage on the
// subset of rows that lack it (engDecay, 64 paths in one block at tolerance
// 1e-8: the fast paths reject their first attempt). A NaN in such a call
// stops the path it belongs to, not the row of the same index in the block;
// an error in such a call ends its paths FuncError and the rest of the block
// Stopped.
func TestErrorsDriftRows(t *testing.T) {
	// H0 0.01 (not probed): the fast paths must reject their first attempt.
	s := &sdeint.Settings{Paths: 64, Seed: 4, Workers: 1, BatchSize: 64, Control: control.Settings{RTol: 1e-8, ATol: 1e-8, H0: 0.01}}
	const target = 40 // a = 41: its first attempt is rejected
	p := engDecay()
	f := p.Drift
	p.Drift = func(dst, t, x []float64, b sdeint.Batch) error {
		if err := f(dst, t, x, b); err != nil {
			return err
		}
		if len(b.Paths) < 64 {
			for r, g := range b.Paths {
				if g == target {
					dst[r] = math.NaN()
				}
			}
		}
		return nil
	}
	res, err := errsSolve(t, context.Background(), p, methods.DP5{}, s)
	errsCheck(t, res, err)
	for i, ps := range res.Path {
		switch {
		case i == target:
			if ps.Status != sdeint.NotFinite || ps.Err.Where != "drift" || ps.Err.TEval != 0 {
				t.Errorf("path %d: %v %+v, want NotFinite in the drift at t = 0", i, ps.Status, ps.Err)
			}
		case ps.Status != sdeint.Success:
			t.Errorf("path %d: %v, want success", i, ps.Status)
		}
	}

	var failed []int
	p = engDecay()
	f = p.Drift
	p.Drift = func(dst, t, x []float64, b sdeint.Batch) error {
		if len(b.Paths) < 64 && failed == nil {
			failed = slices.Clone(b.Paths)
			return errBoom
		}
		return f(dst, t, x, b)
	}
	res, err = errsSolve(t, context.Background(), p, methods.DP5{}, s)
	errsCheck(t, res, err)
	if !errors.Is(err, errBoom) || len(failed) == 0 || len(failed) == 64 {
		t.Fatalf("error %v after a call on %d paths, want errBoom on a subset", err, len(failed))
	}
	inCall := map[int]bool{}
	for _, g := range failed {
		inCall[g] = true
	}
	for i, ps := range res.Path {
		if inCall[i] {
			if ps.Status != sdeint.FuncError || ps.Err.TEval != 0 || !errors.Is(ps.Err, errBoom) {
				t.Errorf("path %d of the failing call: %v %+v", i, ps.Status, ps.Err)
			}
		} else if ps.Status != sdeint.Stopped || !errors.Is(ps.Err, errBoom) {
			t.Errorf("path %d outside the failing call: %v %+v, want Stopped", i, ps.Status, ps.Err)
		}
	}
}

// TestErrorsStepCollapse: steps that shrink to nothing end the path with
// StepCollapse before the singularity, with a finite step size in the
// PathError; a minimum step larger than the controller needs does the same.
func TestErrorsStepCollapse(t *testing.T) {
	t.Run("singular drift", func(t *testing.T) {
		// x' = 1/(0.5 − t)²: x = 1/(0.5 − t) blows up at t = 0.5.
		p := sdeint.Problem{
			Dim: 1, T0: 0, T1: 1, X0: []float64{2},
			Drift: sdeint.Lift(1, 1, func(dst []float64, t float64, _ []float64) { dst[0] = 1 / ((0.5 - t) * (0.5 - t)) }),
		}
		res, err := errsSolve(t, context.Background(), &p, methods.GGF{}, &sdeint.Settings{})
		errsCheck(t, res, err)
		ps := res.Path[0]
		t.Logf("%v: T %v, H %v, accepted %d, rejected %d", ps.Status, ps.T, ps.H, ps.Accepted, ps.Rejected)
		if ps.Status != sdeint.StepCollapse || !(ps.T < 0.5) || math.IsNaN(ps.Err.H) || math.IsInf(ps.Err.H, 0) {
			t.Fatalf("%v at T %v, %+v: want StepCollapse before 0.5 with a finite H", ps.Status, ps.T, ps.Err)
		}
		if res.Status != sdeint.StepCollapse || !strings.Contains(err.Error(), "step size") {
			t.Errorf("Status %v, error %q", res.Status, err)
		}
	})
	// Regression: HMin above the default H0 once ended every path at T0
	// without an attempt; the default H0 is now max(0.01, HMin).
	t.Run("HMin above the default H0", func(t *testing.T) {
		p := problems.GBM().SDE
		res, err := errsSolve(t, context.Background(), &p, methods.Roberts{}, &sdeint.Settings{
			Paths: 4, Seed: 6, Control: control.Settings{HMin: 0.1},
		})
		if res == nil {
			if err == nil || !strings.Contains(err.Error(), "H0") {
				t.Fatalf("refused with %v, want an error naming H0", err)
			}
			return
		}
		errsCheck(t, res, err)
		for i, ps := range res.Path {
			if ps.Accepted+ps.Rejected == 0 {
				t.Errorf("path %d: %v at T %v without a single attempt (H %v)", i, ps.Status, ps.T, ps.H)
			}
		}
	})
	t.Run("HMin", func(t *testing.T) {
		p := problems.GBM().SDE
		res, err := errsSolve(t, context.Background(), &p, methods.Roberts{}, &sdeint.Settings{
			Paths: 16, Seed: 6,
			Control: control.Settings{RTol: 1e-6, ATol: 1e-6, HMin: 0.1, H0: 0.1},
		})
		errsCheck(t, res, err)
		if res.Status != sdeint.StepCollapse || !strings.Contains(err.Error(), "step size") {
			t.Fatalf("Status %v, error %v: want StepCollapse mentioning the step size", res.Status, err)
		}
		for i, ps := range res.Path {
			if ps.Status != sdeint.StepCollapse || !(ps.Err.H < 0.1) || ps.Accepted+ps.Rejected < 1 || ps.T >= 1 {
				t.Errorf("path %d: %v after %d+%d attempts, H %v", i, ps.Status, ps.Accepted, ps.Rejected, ps.Err.H)
			}
		}
	})
}

// TestErrorsBudget: a budget of 5 attempts per path ends every path
// BudgetExhausted after exactly 5 attempts.
func TestErrorsBudget(t *testing.T) {
	p := problems.GBM().SDE
	res, err := errsSolve(t, context.Background(), &p, methods.Roberts{}, &sdeint.Settings{
		Paths: 32, Seed: 7, MaxAttempts: 5,
		Control: control.Settings{RTol: 1e-4, ATol: 1e-4},
	})
	errsCheck(t, res, err)
	if res.Status != sdeint.BudgetExhausted {
		t.Fatalf("Status %v, want BudgetExhausted", res.Status)
	}
	for i, ps := range res.Path {
		if ps.Status != sdeint.BudgetExhausted || ps.Accepted+ps.Rejected != 5 || ps.T >= 1 {
			t.Errorf("path %d: %v after %d accepted + %d rejected at T %v", i, ps.Status, ps.Accepted, ps.Rejected, ps.T)
		}
	}
	if !strings.Contains(err.Error(), "budget") {
		t.Errorf("error %q does not mention the budget", err)
	}
}

// TestErrorsCancelled: a cancelled context ends the paths Cancelled and the
// error wraps context.Canceled.
func TestErrorsCancelled(t *testing.T) {
	t.Run("before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		p := errsOU()
		var calls errsCalls
		calls.wrap(&p)
		res, err := errsSolve(t, ctx, &p, methods.GGF{}, &sdeint.Settings{Paths: 50, Seed: 8})
		errsCheck(t, res, err)
		if !errors.Is(err, context.Canceled) || res.Status != sdeint.Cancelled {
			t.Fatalf("Status %v, error %v: want Cancelled wrapping context.Canceled", res.Status, err)
		}
		for i, ps := range res.Path {
			if ps.Status != sdeint.Cancelled || ps.T != 0 || res.Row(i)[0] != 1 {
				t.Errorf("path %d: %v at T %v, X %v", i, ps.Status, ps.T, res.Row(i))
			}
		}
		if calls.drift.Load() != 0 {
			t.Errorf("drift called %d times", calls.drift.Load())
		}
	})
	// Regression: see TestErrorsCancelledOneP.
	t.Run("during", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		p := errsOU()
		f := p.Drift
		var calls atomic.Int64
		p.Drift = func(dst, t, x []float64, b sdeint.Batch) error {
			if calls.Add(1) == 50 {
				cancel()
			}
			return f(dst, t, x, b)
		}
		res, err := errsSolve(t, ctx, &p, methods.GGF{}, &sdeint.Settings{
			Paths: 2000, Seed: 9, Workers: 2,
			Control: control.Settings{RTol: 1e-3, ATol: 1e-3},
		})
		errsCheck(t, res, err)
		if !errors.Is(err, context.Canceled) || res.Status != sdeint.Cancelled {
			t.Fatalf("Status %v, error %v: want Cancelled wrapping context.Canceled", res.Status, err)
		}
		c := errsCount(res)
		if c[sdeint.Cancelled] == 0 || c[sdeint.Cancelled]+c[sdeint.Success] != res.Paths {
			t.Errorf("statuses %v, want Cancelled and Success only", c)
		}
		for i, ps := range res.Path {
			if ps.Status == sdeint.Cancelled && !errors.Is(ps.Err, context.Canceled) {
				t.Errorf("path %d: Err %v", i, ps.Err)
			}
		}
	})
}

// errsOneP runs the rest of the test with GOMAXPROCS 1, so that a goroutine
// readied by the running one waits until that one blocks or ends (or is
// preempted, after about 10 ms).
func errsOneP(t *testing.T) {
	old := runtime.GOMAXPROCS(1)
	t.Cleanup(func() { runtime.GOMAXPROCS(old) })
}

// TestErrorsCancelledOneP is a regression test: the workers once left the
// context to a watcher goroutine that, with every P busy stepping, ran too
// late, so a cancelled solve could finish with Success. Workers now check
// the context once per round; with GOMAXPROCS 1 a missed check shows every
// time.
func TestErrorsCancelledOneP(t *testing.T) {
	for _, nan := range []bool{false, true} {
		t.Run(fmt.Sprintf("NaN path %v", nan), func(t *testing.T) {
			errsOneP(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			p := errsOU()
			if nan {
				errsNaNDrift(&p, 0, 0, 0.5)
			}
			f := p.Drift
			var calls atomic.Int64
			p.Drift = func(dst, t, x []float64, b sdeint.Batch) error {
				if calls.Add(1) == 10 {
					cancel()
				}
				return f(dst, t, x, b)
			}
			res, err := errsSolve(t, ctx, &p, methods.GGF{}, &sdeint.Settings{Paths: 400, Seed: 9, Workers: 1, BatchSize: 16})
			errsCheck(t, res, err)
			t.Logf("statuses %v after %d drift calls", errsCount(res), calls.Load())
			if res.Status != sdeint.Cancelled || !errsIs(t, err, context.Canceled) {
				t.Errorf("Status %v, error %v: the context was cancelled at drift call 10 of %d; want Cancelled wrapping context.Canceled", res.Status, err, calls.Load())
			}
		})
	}
}

// errsIs is errors.Is, with a panic turned into a test failure.
func errsIs(t *testing.T, err, target error) (ok bool) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("errors.Is(%v, %v) panicked: %v", err, target, r)
			ok = false
		}
	}()
	return errors.Is(err, target)
}

// TestErrorsInit: an Init error is a function error with Where "init"; an
// Init that writes NaN ends that path NotFinite.
func TestErrorsInit(t *testing.T) {
	init := func(bad int, nan bool) func([]float64, int, *brownian.Stream) error {
		return func(dst []float64, path int, rng *brownian.Stream) error {
			dst[0] = 1 + 0.1*rng.Norm()
			if path == bad || bad < 0 {
				if nan {
					dst[0] = math.NaN()
					return nil
				}
				return errBoom
			}
			return nil
		}
	}
	t.Run("error on one path", func(t *testing.T) {
		p := errsOU()
		p.Init = init(5, false)
		res, err := errsSolve(t, context.Background(), &p, methods.GGF{}, &sdeint.Settings{Paths: 40, Seed: 10, Workers: 2, BatchSize: 4})
		errsCheck(t, res, err)
		if !errors.Is(err, errBoom) || res.Status != sdeint.FuncError {
			t.Fatalf("Status %v, error %v: want FuncError wrapping errBoom", res.Status, err)
		}
		ps := res.Path[5]
		if ps.Status != sdeint.FuncError || ps.Err.Where != "init" || ps.T != 0 {
			t.Errorf("path 5: %v %+v, want FuncError in init at T0", ps.Status, ps.Err)
		}
		for i, ps := range res.Path {
			if i != 5 && ps.Status != sdeint.Success && ps.Status != sdeint.Stopped {
				t.Errorf("path %d: %v, want Stopped or Success", i, ps.Status)
			}
		}
	})
	t.Run("NaN on one path", func(t *testing.T) {
		p := errsOU()
		p.Init = init(2, true)
		res, err := errsSolve(t, context.Background(), &p, methods.GGF{}, &sdeint.Settings{Paths: 10, Seed: 10, Workers: 2})
		errsCheck(t, res, err)
		if res.Status != sdeint.NotFinite || res.Stats.Failed != 1 {
			t.Fatalf("Status %v with %d failed, want NotFinite with 1", res.Status, res.Stats.Failed)
		}
		ps := res.Path[2]
		if ps.Status != sdeint.NotFinite || ps.Err.Where != "init" || ps.Err.Component != 0 || ps.T != 0 || ps.Accepted+ps.Rejected != 0 {
			t.Errorf("path 2: %v %+v", ps.Status, ps.Err)
		}
	})
	// Regression: finish once retired paths that loading had already ended
	// (Init error or NaN) and indexed slot −1.
	t.Run("error on every path", func(t *testing.T) {
		p := errsOU()
		p.Init = init(-1, false)
		res, err := errsSolve(t, context.Background(), &p, methods.GGF{}, &sdeint.Settings{Paths: 16, Seed: 10, Workers: 1, BatchSize: 4})
		errsCheck(t, res, err)
		if !errors.Is(err, errBoom) || res.Status != sdeint.FuncError {
			t.Fatalf("Status %v, error %v: want FuncError wrapping errBoom", res.Status, err)
		}
	})
	t.Run("NaN after cancellation", func(t *testing.T) { // the same regression
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		p := errsOU()
		p.Init = init(1, true)
		res, err := errsSolve(t, ctx, &p, methods.GGF{}, &sdeint.Settings{Paths: 4, Seed: 10})
		errsCheck(t, res, err)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v does not wrap context.Canceled", err)
		}
	})
}

// TestErrorsBackward: integrating from T0 = 1 down to T1 = 0.
func TestErrorsBackward(t *testing.T) {
	ode := sdeint.Problem{
		Dim: 1, T0: 1, T1: 0, X0: []float64{math.E},
		Drift: sdeint.Lift(1, 1, func(dst []float64, _ float64, x []float64) { dst[0] = x[0] }),
	}
	t.Run("ggf adaptive", func(t *testing.T) {
		res, err := errsSolve(t, context.Background(), &ode, methods.GGF{}, &sdeint.Settings{
			Control: control.Settings{RTol: 1e-8, ATol: 1e-8},
		})
		errsCheck(t, res, err)
		if err != nil {
			t.Fatal(err)
		}
		if x := res.Row(0)[0]; math.Abs(x-1) > 1e-5 || res.Path[0].T != 0 {
			t.Errorf("X(0) = %v at T %v, want 1 within 1e-5", x, res.Path[0].T)
		}
	})
	t.Run("em fixed", func(t *testing.T) {
		res, err := errsSolve(t, context.Background(), &ode, methods.EM{}, &sdeint.Settings{Steps: 1000})
		errsCheck(t, res, err)
		if err != nil {
			t.Fatal(err)
		}
		// EM gives e·(1 − 1/1000)^1000 ≈ 1 − 5e-4.
		if x := res.Row(0)[0]; math.Abs(x-1) > 1e-3 || res.Path[0].Accepted != 1000 {
			t.Errorf("X(0) = %v after %d steps, want 1 within 1e-3", x, res.Path[0].Accepted)
		}
	})
	t.Run("brownian", func(t *testing.T) {
		// OU backward from 2 to 0.5: W(T) − W(T0) has variance |T1 − T0|.
		p := errsOU()
		p.T0, p.T1 = 2, 0.5
		p.Diffusion = sdeint.Lift(1, 1, func(dst []float64, _ float64, _ []float64) { dst[0] = 0.5 })
		res, err := errsSolve(t, context.Background(), &p, methods.GGF{}, &sdeint.Settings{
			Paths: 4000, Seed: 11, SaveAt: []float64{1.5},
		})
		errsCheck(t, res, err)
		if err != nil {
			t.Fatal(err)
		}
		w := make([]float64, res.Paths)
		for i := range w {
			w[i] = res.WRow(i)[0]
		}
		v, se := mcstat.VarSE(w)
		t.Logf("Var W(T) = %.4f ± %.4f, want 1.5", v, se)
		if math.Abs(v-1.5) > 4*se {
			t.Errorf("Var W(T) = %.4f, more than 4 SE (%.4f) from 1.5", v, se)
		}
		for i := range res.Paths {
			if !errsFinite(res.SavedRow(i, 0)) {
				t.Fatalf("path %d: save at 1.5 not reached backward", i)
			}
		}
	})
}

// TestErrorsSaveAt: the solver lands exactly on save times and saves the
// state and W there; saves a failed path did not reach stay NaN.
func TestErrorsSaveAt(t *testing.T) {
	gbm := problems.GBMStrat()
	save := []float64{0, 0.1, 0.3, 0.55, 0.7, 1}
	t.Run("adaptive", func(t *testing.T) {
		p := gbm.SDE
		// H0 set: a probed first step depends on the span, and the
		// comparison below solves to 0.55 instead of 1.
		s := &sdeint.Settings{Paths: 6, Seed: 12, SaveAt: save, Trace: true, Workers: 2, Control: control.Settings{H0: 0.01}}
		res, err := errsSolve(t, context.Background(), &p, methods.GGF{}, s)
		errsCheck(t, res, err)
		if err != nil {
			t.Fatal(err)
		}
		for i := range res.Paths {
			tr := res.Trace[i]
			if len(tr) == 0 {
				t.Fatalf("path %d: empty trace", i)
			}
			for j, st := range save {
				if st == p.T0 {
					continue
				}
				hit := false
				for _, e := range tr {
					hit = hit || (e.Accepted && e.T+e.H == st)
				}
				if !hit {
					t.Errorf("path %d: no accepted attempt ends exactly at save time %v", i, st)
				}
				if !errsFinite(res.SavedRow(i, j)) || !errsFinite(res.SavedWRow(i, j)) {
					t.Errorf("path %d: save %d not written", i, j)
				}
			}
			// At T0 the saved state is X0 and W is 0.
			if res.SavedRow(i, 0)[0] != p.X0[0] || res.SavedWRow(i, 0)[0] != 0 {
				t.Errorf("path %d: save at T0 = %v, W %v", i, res.SavedRow(i, 0), res.SavedWRow(i, 0))
			}
			// The last save is T1: the final state and W.
			last := len(save) - 1
			if res.SavedRow(i, last)[0] != res.Row(i)[0] || res.SavedWRow(i, last)[0] != res.WRow(i)[0] {
				t.Errorf("path %d: save at T1 (%v, W %v) differs from X %v, W %v", i, res.SavedRow(i, last), res.SavedWRow(i, last), res.Row(i), res.WRow(i))
			}
		}
		// The state saved at 0.55 is the state a solve that stops at 0.55
		// reaches: same attempts, same Brownian values.
		q := gbm.SDE
		q.T1 = 0.55
		s2 := &sdeint.Settings{Paths: 6, Seed: 12, SaveAt: []float64{0.1, 0.3}, Control: s.Control}
		res2, err := errsSolve(t, context.Background(), &q, methods.GGF{}, s2)
		if err != nil {
			t.Fatal(err)
		}
		for i := range res.Paths {
			if res.SavedRow(i, 3)[0] != res2.Row(i)[0] || res.SavedWRow(i, 3)[0] != res2.WRow(i)[0] {
				t.Errorf("path %d: saved at 0.55 %v (W %v), a solve to 0.55 gives %v (W %v)", i,
					res.SavedRow(i, 3), res.SavedWRow(i, 3), res2.Row(i), res2.WRow(i))
			}
			// And the saved state is close to the exact solution on the
			// saved W.
			ex := make([]float64, 1)
			for j, st := range save {
				gbm.Solution(ex, st, res.SavedWRow(i, j))
				if x := res.SavedRow(i, j)[0]; math.Abs(x-ex[0]) > 0.2*ex[0] {
					t.Errorf("path %d at %v: saved %v, exact %v on the saved W", i, st, x, ex[0])
				}
			}
		}
	})
	t.Run("failed path", func(t *testing.T) {
		p := errsOU()
		errsNaNDrift(&p, 1, 0, 0.5)
		res, err := errsSolve(t, context.Background(), &p, methods.GGF{}, &sdeint.Settings{Paths: 3, Seed: 13, SaveAt: []float64{0.25, 0.75, 1}})
		errsCheck(t, res, err)
		if res.Path[1].Status != sdeint.NotFinite {
			t.Fatalf("path 1: %v", res.Path[1].Status)
		}
		if !errsFinite(res.SavedRow(1, 0)) || !errsFinite(res.SavedWRow(1, 0)) {
			t.Errorf("path 1: reached save at 0.25 not written: %v", res.SavedRow(1, 0))
		}
		for j := 1; j < 3; j++ {
			if !math.IsNaN(res.SavedRow(1, j)[0]) || !math.IsNaN(res.SavedWRow(1, j)[0]) {
				t.Errorf("path 1: unreached save %v = %v (W %v), want NaN", res.SaveAt[j], res.SavedRow(1, j), res.SavedWRow(1, j))
			}
		}
		for _, i := range []int{0, 2} {
			for j := range 3 {
				if !errsFinite(res.SavedRow(i, j)) {
					t.Errorf("path %d: save %d not written", i, j)
				}
			}
		}
	})
	t.Run("fixed off grid", func(t *testing.T) {
		p := errsOU()
		res, err := errsSolve(t, context.Background(), &p, methods.GGF{}, &sdeint.Settings{Paths: 4, Seed: 14, Steps: 10, SaveAt: []float64{0.25}, Trace: true})
		errsCheck(t, res, err)
		if err != nil {
			t.Fatal(err)
		}
		// A solve on the grid 0, 0.1, 0.2, 0.25 reaches the same state.
		res2, err := errsSolve(t, context.Background(), &p, methods.GGF{}, &sdeint.Settings{Paths: 4, Seed: 14, Grid: []float64{0, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}})
		if err != nil {
			t.Fatal(err)
		}
		q := p
		q.T1 = 0.25
		res3, err := errsSolve(t, context.Background(), &q, methods.GGF{}, &sdeint.Settings{Paths: 4, Seed: 14, Grid: []float64{0, 0.1, 0.2, 0.25}})
		if err != nil {
			t.Fatal(err)
		}
		for i := range res.Paths {
			if res.Path[i].Accepted != 11 {
				t.Errorf("path %d: %d steps, want 10 + 1 for the inserted save", i, res.Path[i].Accepted)
			}
			hit := false
			for _, e := range res.Trace[i] {
				hit = hit || e.T == 0.25
			}
			if !hit {
				t.Errorf("path %d: no step starts at the save time 0.25", i)
			}
			if res.SavedRow(i, 0)[0] != res3.Row(i)[0] || res.SavedWRow(i, 0)[0] != res3.WRow(i)[0] {
				t.Errorf("path %d: saved %v (W %v), solve to 0.25 gives %v (W %v)", i, res.SavedRow(i, 0), res.SavedWRow(i, 0), res3.Row(i), res3.WRow(i))
			}
			if res.Row(i)[0] != res2.Row(i)[0] {
				t.Errorf("path %d: X(1) = %v, on the explicit grid %v", i, res.Row(i)[0], res2.Row(i)[0])
			}
		}
	})
}

// TestErrorsLift: a lifted function is called once per row, with that row's
// time, state and output slices.
func TestErrorsLift(t *testing.T) {
	const n, out, k = 2, 3, 4
	type call struct {
		t       float64
		x       []float64
		dstLen  int
		dstAddr *float64
	}
	var calls []call
	f := sdeint.Lift(n, out, func(dst []float64, t float64, x []float64) {
		calls = append(calls, call{t, slices.Clone(x), len(dst), &dst[0]})
		for i := range dst {
			dst[i] = 100*t + 10*x[0] + float64(i)
		}
	})
	ts := []float64{0.1, 0.2, 0.3, 0.4}
	xs := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	dst := make([]float64, k*out)
	if err := f(dst, ts, xs, sdeint.Batch{Paths: []int{7, 8, 9, 10}}); err != nil {
		t.Fatal(err)
	}
	if len(calls) != k {
		t.Fatalf("%d calls, want %d", len(calls), k)
	}
	for r, c := range calls {
		if c.t != ts[r] || !slices.Equal(c.x, xs[r*n:(r+1)*n]) || c.dstLen != out || c.dstAddr != &dst[r*out] {
			t.Errorf("call %d: t %v, x %v, len(dst) %d; want t %v, x %v, len %d at row %d", r, c.t, c.x, c.dstLen, ts[r], xs[r*n:(r+1)*n], out, r)
		}
		for i := range out {
			if want := 100*ts[r] + 10*xs[r*n] + float64(i); dst[r*out+i] != want {
				t.Errorf("dst[%d][%d] = %v, want %v", r, i, dst[r*out+i], want)
			}
		}
	}
}

// TestErrorsProgress: the progress hook is called while a solve runs, with
// counts that never decrease and never exceed the totals, and a least time
// reached TMin that never moves backward and stays within the span, forward
// and backward. The drift's first call waits for the first progress call (at
// most 10 s), so the hook is certain to run during the solve, however fast
// the machine.
func TestErrorsProgress(t *testing.T) {
	for _, backward := range []bool{false, true} {
		p := errsOU()
		if backward {
			p.T0, p.T1 = p.T1, p.T0
		}
		f := p.Drift
		var sink atomic.Int64
		first := make(chan struct{})
		var once, wait sync.Once
		p.Drift = func(dst, t, x []float64, b sdeint.Batch) error {
			wait.Do(func() {
				select {
				case <-first:
				case <-time.After(10 * time.Second):
				}
			})
			// A little busy work per row so that the solve lasts a few
			// milliseconds.
			s := 0
			for range 200 * len(t) {
				s++
			}
			sink.Add(int64(s))
			return f(dst, t, x, b)
		}
		var mu sync.Mutex
		var seen []sdeint.Progress
		res, err := errsSolve(t, context.Background(), &p, methods.GGF{}, &sdeint.Settings{
			Paths: 20000, Seed: 15, Workers: 2,
			ProgressEvery: time.Millisecond,
			Progress: func(pr sdeint.Progress) {
				mu.Lock()
				seen = append(seen, pr)
				mu.Unlock()
				once.Do(func() { close(first) })
			},
		})
		errsCheck(t, res, err)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		t.Logf("backward %v: %d progress calls in %v, TMin from %v to %v", backward, len(seen), res.Stats.Wall, seen[0].TMin, seen[len(seen)-1].TMin)
		if len(seen) == 0 {
			t.Fatalf("no progress call in %v", res.Stats.Wall)
		}
		errsProgressCheck(t, seen, res, &p)
	}
}

// errsProgressCheck checks a solve's progress reports: counts and TMin
// never decrease (TMin in the direction of integration), counts stay within
// the totals and TMin within the span.
func errsProgressCheck(t *testing.T, seen []sdeint.Progress, res *sdeint.Result, p *sdeint.Problem) {
	t.Helper()
	dir := 1.0
	if p.T1 < p.T0 {
		dir = -1
	}
	prev := sdeint.Progress{TMin: p.T0}
	for i, pr := range seen {
		if pr.Paths != res.Paths {
			t.Errorf("call %d: Paths %d, want %d", i, pr.Paths, res.Paths)
		}
		if pr.PathsDone < prev.PathsDone || pr.Attempts < prev.Attempts || pr.NFE < prev.NFE || pr.Elapsed < prev.Elapsed {
			t.Errorf("call %d: %+v after %+v: counts decreased", i, pr, prev)
		}
		if pr.PathsDone > res.Paths || pr.Attempts > res.Stats.Accepted+res.Stats.Rejected || pr.NFE > res.Stats.NFE {
			t.Errorf("call %d: %+v exceeds the totals %+v", i, pr, res.Stats)
		}
		if (pr.TMin-prev.TMin)*dir < 0 {
			t.Errorf("call %d: TMin %v after %v moved backward", i, pr.TMin, prev.TMin)
		}
		if (pr.TMin-p.T0)*dir < 0 || (p.T1-pr.TMin)*dir < 0 {
			t.Errorf("call %d: TMin %v outside the span [%v, %v]", i, pr.TMin, p.T0, p.T1)
		}
		prev = pr
	}
}

// TestErrorsProgressShared: in shared-step mode the hook honours a
// ProgressEvery below one second. The drift sleeps 2 ms per call, so every
// round lasts longer than ProgressEvery = 1 ms and the hook runs after each
// one; TMin is the batch's clock and ends at T1.
func TestErrorsProgressShared(t *testing.T) {
	p := errsOU()
	f := p.Drift
	p.Drift = func(dst, t, x []float64, b sdeint.Batch) error {
		time.Sleep(2 * time.Millisecond)
		return f(dst, t, x, b)
	}
	var seen []sdeint.Progress // the hook runs on Solve's goroutine
	res, err := errsSolve(t, context.Background(), &p, methods.GGF{}, &sdeint.Settings{
		Paths: 8, Seed: 15, Workers: 2, SharedStep: true,
		ProgressEvery: time.Millisecond,
		Progress:      func(pr sdeint.Progress) { seen = append(seen, pr) },
	})
	errsCheck(t, res, err)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d progress calls in %d rounds, %v", len(seen), res.Stats.Rounds, res.Stats.Wall)
	if len(seen) != res.Stats.Rounds {
		t.Fatalf("%d progress calls in %d rounds of more than 1 ms, want one per round", len(seen), res.Stats.Rounds)
	}
	errsProgressCheck(t, seen, res, &p)
	if got := seen[len(seen)-1].TMin; got != p.T1 {
		t.Errorf("TMin after the last round %v, want T1 = %v", got, p.T1)
	}
	if mid := seen[len(seen)/2].TMin; !(mid > p.T0 && mid < p.T1) {
		t.Errorf("TMin half way %v, want inside (T0, T1)", mid)
	}
}

// Regression: a stop that came after every path had ended left
// SolveError.First nil, and Unwrap returned a typed nil that made errors.Is
// and errors.As panic.
func TestErrorsSolveErrorWithoutFirst(t *testing.T) {
	err := error(&sdeint.SolveError{Status: sdeint.Cancelled, Failed: 1, Paths: 10})
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("errors.Is on a SolveError without First panicked: %v", r)
		}
	}()
	if errors.Is(err, context.Canceled) {
		t.Errorf("errors.Is found context.Canceled in %v", err)
	}
	var pe *sdeint.PathError
	if errors.As(err, &pe) && pe == nil {
		t.Errorf("errors.As found a nil *PathError")
	}
}

// Regression: an accepted step with error 0 once stored 1e-300 as the PID
// memory, which multiplied the next factor by about 1e-15 (P = 0.1, I = 0.3)
// and, unclamped, collapsed the step on this smooth ODE whose error estimate
// is exactly 0 until t = 2.5. The memory now keeps at least 1e-4.
func TestErrorsPIDAfterZeroError(t *testing.T) {
	p := sdeint.Problem{
		Dim: 1, T0: 0, T1: 4, X0: []float64{0},
		Drift: sdeint.Lift(1, 1, func(dst []float64, t float64, _ []float64) {
			d := max(0, t-2.5)
			dst[0] = 10 * d * d
		}),
	}
	for _, pid := range []bool{false, true} {
		s := &sdeint.Settings{Control: control.Settings{RTol: 1e-3, ATol: 1e-3}}
		if pid {
			s.Control.PCoeff, s.Control.ICoeff = 0.1, 0.3
		}
		res, err := errsSolve(t, context.Background(), &p, methods.GGF{}, s)
		errsCheck(t, res, err)
		ps := res.Path[0]
		t.Logf("PID %v: %v at T %v after %d+%d attempts", pid, ps.Status, ps.T, ps.Accepted, ps.Rejected)
		if err != nil {
			t.Errorf("PID %v: %v", pid, err)
		} else if x, want := res.Row(0)[0], 10*1.5*1.5*1.5/3; math.Abs(x-want) > 0.05*want {
			t.Errorf("PID %v: X(4) = %v, want %v within 5%%", pid, x, want)
		}
	}
}
