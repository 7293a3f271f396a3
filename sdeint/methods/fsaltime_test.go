package methods_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// TestFSALStopTime: a method that keeps a stage for the next step (first
// same as last: LambaEM and RKMil keep f at the result; the ODE pairs DP5
// and BS3 their last stage) must evaluate it at the time the path then has,
// exactly. The solver lands on a stop time exactly (Settings.SaveAt), but
// t + (tNew − t) need not equal tNew in floating point: from T0 = 1 down
// to the save time 0.2, H = fl(0.2 − 1) and 1 + H = 0.19999999999999996
// (a step to less than half the time, or across 0). Every step is accepted
// (ATol 1e6) and the first one (H0 2) is cut at the stop; the drift records
// the times it sees, and the stop must be among them. On the ODE dx/dt =
// f(t) with f = 1 for t ≥ 0.2 and 0 below (a drift that switches regime at
// a time the solve stops at, the use stop times have), the result of the
// Euler-based methods must be Euler's on the solve's own grid,
// x_{n+1} = x_n + h_n·f(t_n), recomputed from the trace: a first stage
// taken at 0.2 − 3e-17 instead of 0.2 is off by the whole step after the
// stop. The same from T0 = −1 up to 0.4 (−1 + fl(0.4 + 1) =
// 0.3999999999999999) with f = 1 from 0.4 on, 0 before.
func TestFSALStopTime(t *testing.T) {
	for _, c := range []struct {
		t0, t1, s float64
		f         func(t float64) float64
	}{
		{1, 0, 0.2, func(t float64) float64 { return b2f(t >= 0.2) }},
		{-1, 1, 0.4, func(t float64) float64 { return b2f(t >= 0.4) }},
	} {
		for _, m := range []sdeint.Method{methods.LambaEM{}, methods.RKMil{}, methods.RKMil{Stratonovich: true}, methods.DP5{}, methods.BS3{}} {
			name := m.Properties().Name
			var seen []float64
			p := &sdeint.Problem{Dim: 1, T0: c.t0, T1: c.t1, X0: []float64{0},
				Drift: func(dst, ts, _ []float64, _ sdeint.Batch) error {
					for i, v := range ts {
						seen = append(seen, v)
						dst[i] = c.f(v)
					}
					return nil
				}}
			res, err := sdeint.Solve(context.Background(), p, m, &sdeint.Settings{Paths: 1, Seed: 1, Workers: 1, Trace: true, SaveAt: []float64{c.s},
				Control: control.Settings{ATol: 1e6, RTol: 1e-300, H0: 2}})
			if err != nil {
				t.Fatal(err)
			}
			tr := res.Trace[0]
			if len(tr) < 2 || tr[0].T+tr[0].H == c.s || tr[1].T != c.s || !tr[0].Accepted {
				t.Fatalf("%s: trace %+v, want a first step cut at %g with t + h ≠ %g", name, tr, c.s, c.s)
			}
			if !slices.Contains(seen, c.s) {
				t.Errorf("%s from %g: the drift was never evaluated at the stop %g, where the second step starts", name, c.t0, c.s)
			}
			if _, ok := m.(methods.RKMil); !ok && m != sdeint.Method(methods.LambaEM{}) {
				continue
			}
			x := 0.0
			for _, e := range tr {
				if !e.Accepted {
					t.Fatalf("%s: attempt %+v rejected", name, e)
				}
				x += e.H * c.f(e.T)
			}
			if got := res.X[0]; math.Abs(got-x) > 1e-12 {
				t.Errorf("%s from %g: x(%g) = %.6f, want Euler's %.6f on its grid (first steps %+v %+v)",
					name, c.t0, c.t1, got, x, tr[0], tr[1])
			}
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// TestFSALFixedSteps: at fixed steps the methods that keep a first stage
// (LambaEM, RKMil) neither estimate nor remember: every step evaluates
// f(t, x) once, so a path's drift evaluations equal its steps, and
// LambaEM's result is Euler–Maruyama's bit for bit (gbm, 64 steps with a
// save time off the grid, 50 paths).
func TestFSALFixedSteps(t *testing.T) {
	p := problems.GBM()
	set := &sdeint.Settings{Paths: 50, Seed: 3, Steps: 64, SaveAt: []float64{0.3}, BatchSize: 7}
	em, err := sdeint.Solve(context.Background(), &p.SDE, methods.EM{}, set)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []sdeint.Method{methods.LambaEM{}, methods.RKMil{}} {
		res, err := sdeint.Solve(context.Background(), &p.SDE, m, set)
		if err != nil {
			t.Fatal(err)
		}
		for i, ps := range res.Path {
			if steps := ps.Accepted + ps.Rejected; ps.DriftEvals != steps || steps != 65 {
				t.Errorf("%s: path %d: %d drift evaluations over %d steps, want one per step, 65 steps (64 and the save time)", m.Properties().Name, i, ps.DriftEvals, steps)
			}
		}
		if _, ok := m.(methods.LambaEM); !ok {
			continue
		}
		for i := range res.X {
			if math.Float64bits(res.X[i]) != math.Float64bits(em.X[i]) {
				t.Fatalf("lambaem: path %d: %v at fixed steps, Euler–Maruyama %v", i, res.X[i], em.X[i])
			}
		}
	}
}
