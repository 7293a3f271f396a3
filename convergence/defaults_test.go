package convergence

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// The acceptance bar of the SDE controller defaults (issue 9): an adaptive
// solve at tolerance ε (ε_rel = ε_abs = ε, the method's default controller,
// the bridge) is at least as efficient as fixed steps of the same method
// when its error is not significantly above the fixed-step frontier
// interpolated log–log at the same mean NFE (AsEfficient: e − f ≤
// 4·√(SE_e² + SE_f²)); it is clearly better when it is significantly below,
// f − e > 4·√(SE_e² + SE_f²). Errors are strong (mean RMS of X(T) against
// the exact solution on the solver's path, or against a 16× finer
// fixed-step solve of the same method on the same virtual-Brownian-tree path
// for ou), seed 1.

// significantlyBetter is the "clearly better" verdict.
func significantlyBetter(r WPRow) bool {
	return r.FixedError-r.Error > 4*math.Hypot(r.ErrorSE, r.FixedErrorSE)
}

// TestControllerDefaultsFast is the default-run version of the bar, 1000
// paths: Roberts' pair at its defaults is at least as efficient as fixed
// steps on issue 9's GBM (tolerances 1e-2, 1e-3) and on cubic (1e-3), and
// clearly better on the drift pulse gauss-pulse (1e-2, 1e-3), as RKMil is
// there (drift part at the step's end: 0.56 / 0.28; over the previous step,
// 5.8 / 8.1, worse than fixed steps) and LambaEM with ForwardDrift (on
// this multiplicative noise its default takes the drift part over the
// previous step, to keep the steps stopping times, and is 5.8 / 1.4);
// sriw1, the default method
// there, on gbm (1e-2, 1e-3); the paper's pair on additive at 1e-4. The
// controller the methods had before (integral, exponent 1, clamps
// [0.2, 10], h0 = 0.01) must fail on the GBM — measured 3.0 and 4.3 times
// fixed steps' error — so the bar can tell them apart.
func TestControllerDefaultsFast(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	old := Controller{Name: "old", Control: control.Settings{Exponent: 1, MaxFactor: 10, H0: 0.01}}
	for _, c := range []struct {
		p      *problems.Problem
		m      sdeint.Method
		tols   []float64
		steps  []int
		ctls   []Controller
		better bool
	}{
		{mustProblem(t, "gbm-torchsde"), methods.Roberts{}, []float64{1e-2, 1e-3}, []int{16, 32, 64, 128, 256, 512, 1024}, []Controller{{Name: "i"}, old}, false},
		{mustProblem(t, "cubic"), methods.Roberts{}, []float64{1e-3}, []int{32, 64, 128, 256, 512}, nil, false},
		{mustProblem(t, "gbm"), methods.SRIW1{}, []float64{1e-2, 1e-3}, []int{8, 16, 32, 64, 128, 256, 512}, nil, false},
		{mustProblem(t, "gauss-pulse"), methods.Roberts{}, []float64{1e-2, 1e-3}, []int{32, 64, 128, 256, 512}, nil, true},
		{mustProblem(t, "gauss-pulse"), methods.LambaEM{ForwardDrift: true}, []float64{1e-2, 1e-3}, []int{16, 32, 64, 128, 256, 512}, nil, true},
		{mustProblem(t, "gauss-pulse"), methods.RKMil{}, []float64{1e-2, 1e-3}, []int{16, 32, 64, 128, 256, 512}, nil, true},
		{mustProblem(t, "additive"), methods.GGF{}, []float64{1e-4}, []int{16, 32, 64, 128}, nil, false},
	} {
		wp, err := WorkPrecision(context.Background(), c.p, []sdeint.Method{c.m}, c.tols, c.ctls, Settings{Paths: 1000, Seed: 1, Steps: c.steps})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range wp.Rows {
			if r.Mode != ModeAdaptive {
				continue
			}
			t.Logf("%s %s %s tol %g: error %.3g ± %.2g at NFE %.0f; fixed steps %.3g ± %.2g; efficiency %.2f",
				c.p.Name, r.Method, r.Controller, r.Tol, r.Error, r.ErrorSE, r.NFEMean, r.FixedError, r.FixedErrorSE, r.Efficiency)
			switch {
			case math.IsNaN(r.FixedError):
				t.Errorf("%s %s tol %g: NFE %.0f outside the fixed steps' range", c.p.Name, r.Method, r.Tol, r.NFEMean)
			case r.Controller == "old" && r.AsEfficient:
				t.Errorf("%s %s tol %g: the old controller passes the bar (efficiency %.2f)", c.p.Name, r.Method, r.Tol, r.Efficiency)
			case r.Controller != "old" && !r.AsEfficient:
				t.Errorf("%s %s tol %g: less efficient than fixed steps: %.3g ± %.2g against %.3g ± %.2g", c.p.Name, r.Method, r.Tol, r.Error, r.ErrorSE, r.FixedError, r.FixedErrorSE)
			case c.better && !significantlyBetter(r):
				t.Errorf("%s %s tol %g: not clearly better than fixed steps: %.3g ± %.2g against %.3g ± %.2g", c.p.Name, r.Method, r.Tol, r.Error, r.ErrorSE, r.FixedError, r.FixedErrorSE)
			}
		}
	}
}

// knownMisses are the cells of the full sweep where the defaults do not
// meet the bar (docs/convergence.md, "Controller defaults" and "The first
// step", says why). TestControllerDefaultsLong checks that they still miss,
// so that this list cannot go stale: a cell that starts to pass must leave
// it. Keyed "problem method tol".
var knownMisses = map[string]bool{
	// The tolerance does not bind (errors 1e-7…1e-3 at 1e-2): the work is
	// the ramp from the first step, at most a hundredth of the span,
	// growing by 9/8 per step, against the oracle's equal steps.
	"cubic sriw1 0.01": true,
	"wave sriw1 0.01":  true, "wave sriw1 0.001": true, "wave sriw1 0.0001": true,
	"wave roberts 0.01": true, "wave roberts 0.001": true, "wave roberts 0.0001": true,
	"additive sosra 0.01": true, "additive sosra 0.001": true,
	"additive ggf 0.01": true, "additive ggf 0.001": true,
	"additive roberts 0.01": true, "additive roberts 0.001": true,
	// Additive noise on a time-homogeneous problem: equal steps are
	// optimal and the estimates follow the noise (ggf, roberts: E ∝ hΔW);
	// sosra's embedded estimate does not bind at 1e-2 and 1e-3 (errors
	// 2e-4, 4e-5) and misses by 1.14 at 1e-4.
	"ou sosra 0.01": true, "ou sosra 0.001": true, "ou sosra 0.0001": true,
	"ou ggf 0.01": true, "ou ggf 0.001": true, "ou ggf 0.0001": true,
	"ou roberts 0.01": true, "ou roberts 0.001": true, "ou roberts 0.0001": true,
	// At 1e-4 on the pulse: sriw1 by 3.4 times (docs/convergence.md).
	"gauss-pulse sriw1 0.0001": true,
}

// TestControllerDefaultsLong is the full sweep of the bar (GOFAST_LONG=1,
// a few minutes): gbm, cubic, wave, additive, ou, gbm-torchsde, the drift
// pulse (gauss-pulse) and two-noise, each with its default method (methods.Default) and
// with roberts and ggf where Solve accepts them, at tolerances 1e-2, 1e-3,
// 1e-4, 2000 paths, fixed steps 2…8192 (2…2048 for ou, 2…16384 for
// two-noise; both are measured against 16× finer fixed-step solves on a
// Brownian tree). Every
// cell meets the bar but the known misses, and the pulse is clearly better
// at 1e-2 and 1e-3. The table it logs (docs/convergence.md) also gives each cell's
// efficiency with the first step fixed at h0 = 0.01 (the default before
// the probes) and with the controllers before issue 9.
func TestControllerDefaultsLong(t *testing.T) {
	if os.Getenv("GOFAST_LONG") == "" {
		t.Skip("set GOFAST_LONG=1 for the full sweep of the controller defaults")
	}
	tols := []float64{1e-2, 1e-3, 1e-4}
	var steps []int
	for n := 2; n <= 8192; n *= 2 {
		steps = append(steps, n)
	}
	var table strings.Builder
	fmt.Fprintln(&table, "| problem | method | tol | NFE | error ± SE | fixed steps at that NFE | efficiency | verdict | with h0 = 0.01 | before issue 9 |")
	fmt.Fprintln(&table, "|---|---|---|---|---|---|---|---|---|---|")
	for _, name := range []string{"gbm", "cubic", "wave", "additive", "ou", "gbm-torchsde", "gauss-pulse", "two-noise"} {
		p := mustProblem(t, name)
		ms := []sdeint.Method{methods.Default(&p.SDE)}
		for _, m := range []sdeint.Method{methods.Roberts{}, methods.GGF{}} {
			if !slices.ContainsFunc(ms, func(x sdeint.Method) bool { return x.Properties().Name == m.Properties().Name }) {
				ms = append(ms, m)
			}
		}
		st := steps
		switch name {
		case "ou":
			st = steps[:11]
		case "two-noise":
			st = append(slices.Clone(steps), 16384)
		}
		wp, err := WorkPrecision(context.Background(), p, ms, tols, nil, Settings{Paths: 2000, Seed: 1, Steps: st, SkipRefused: true})
		if err != nil {
			t.Fatal(err)
		}
		// The same cells with the first step fixed at 0.01, and with the
		// controllers before issue 9: integral with exponent 1/(q+1) and
		// clamps [0.2, 10] (the paper's r = 0.9 without clamps for ggf).
		h0, before := map[string]float64{}, map[string]float64{}
		for _, m := range ms {
			old := control.Settings{Exponent: 1, MaxFactor: 10, H0: 0.01}
			if m.Properties().Name == "ggf" {
				old = control.Settings{Exponent: 0.9, Unclamped: true, H0: 0.01}
			} else if c := p.SDE.Noise.Class(p.SDE.Dim); c == sdeint.ClassAdditive {
				old.Exponent = 1 / 1.5
			}
			ctls := []Controller{{Name: "h0", Control: control.Settings{H0: 0.01}}, {Name: "old", Control: old}}
			ow, err := WorkPrecision(context.Background(), p, []sdeint.Method{m}, tols, ctls, Settings{Paths: 2000, Seed: 1, Steps: st, SkipRefused: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range ow.Rows {
				if r.Mode == ModeAdaptive {
					key := fmt.Sprintf("%s %s %g", name, r.Method, r.Tol)
					if r.Controller == "h0" {
						h0[key] = r.Efficiency
					} else {
						before[key] = r.Efficiency
					}
				}
			}
		}
		adaptive := 0
		for _, r := range wp.Rows {
			if r.Mode != ModeAdaptive {
				continue
			}
			adaptive++
			key := fmt.Sprintf("%s %s %g", name, r.Method, r.Tol)
			verdict := "as efficient"
			switch {
			case significantlyBetter(r):
				verdict = "better"
			case !r.AsEfficient:
				verdict = "MISS"
			}
			fmt.Fprintf(&table, "| %s | %s | %g | %.0f | %.3g ± %.2g | %.3g ± %.2g | %.2f | %s | %.2f | %.2f |\n", name, r.Method, r.Tol, r.NFEMean,
				r.Error, r.ErrorSE, r.FixedError, r.FixedErrorSE, r.Efficiency, verdict, h0[key], before[key])
			switch {
			case knownMisses[key] && r.AsEfficient:
				t.Errorf("%s: a known miss now meets the bar (efficiency %.2f): remove it from knownMisses", key, r.Efficiency)
			case !knownMisses[key] && !r.AsEfficient:
				t.Errorf("%s: less efficient than fixed steps: %.3g ± %.2g against %.3g ± %.2g (efficiency %.2f)", key, r.Error, r.ErrorSE, r.FixedError, r.FixedErrorSE, r.Efficiency)
			case name == "gauss-pulse" && r.Tol >= 1e-3 && !significantlyBetter(r):
				t.Errorf("%s: not clearly better than fixed steps (efficiency %.2f)", key, r.Efficiency)
			}
		}
		if name == "two-noise" {
			// Non-commutative Itô noise: only lambaem adapts (roberts
			// and ggf are refused), and the study says why.
			t.Logf("two-noise: %d adaptive rows; skipped: %v", adaptive, wp.Skipped)
			if adaptive != len(tols) {
				t.Errorf("two-noise: %d adaptive rows, want %d (lambaem)", adaptive, len(tols))
			}
		}
	}
	t.Log("\n" + table.String())
}

// TestFrontier: on fixed rows that follow a power law e = c·NFE^(−p) the
// log–log interpolation is exact between rows, the relative SE is
// interpolated, and outside the rows' range the frontier is unknown (NaN)
// and the verdict false; AsEfficient draws its line at 4 SE of the
// difference.
func TestFrontier(t *testing.T) {
	rows := []WPRow{
		{NFEMean: 400, Error: 3 * math.Pow(400, -1.5), ErrorSE: 0.02 * 3 * math.Pow(400, -1.5)},
		{NFEMean: 100, Error: 3 * math.Pow(100, -1.5), ErrorSE: 0.04 * 3 * math.Pow(100, -1.5)},
	}
	e, se := Frontier(rows, 200)
	want := 3 * math.Pow(200, -1.5)
	if math.Abs(e-want) > 1e-12*want || math.Abs(se/e-0.03) > 1e-12 {
		t.Errorf("Frontier at 200: %v ± %v, want %v with relative SE 0.03", e, se, want)
	}
	if e, se := Frontier(rows, 100); e != rows[1].Error || se != rows[1].ErrorSE {
		t.Errorf("Frontier at a row: %v ± %v, want %v ± %v", e, se, rows[1].Error, rows[1].ErrorSE)
	}
	for _, nfe := range []float64{50, 401} {
		if e, se := Frontier(rows, nfe); !math.IsNaN(e) || !math.IsNaN(se) {
			t.Errorf("Frontier at %v outside [100, 400]: %v ± %v, want NaN", nfe, e, se)
		}
	}
	if AsEfficient(1, 0.1, math.NaN(), 0.1) {
		t.Error("AsEfficient with an unknown frontier")
	}
	// SE of the difference √(0.3² + 0.4²) = 0.5: the line is at f + 2.
	if !AsEfficient(3, 0.3, 1, 0.4) || AsEfficient(3.01, 0.3, 1, 0.4) {
		t.Error("AsEfficient does not draw its line at 4 SE of the difference")
	}
	if !significantlyBetter(WPRow{Error: 1, ErrorSE: 0.3, FixedError: 3.01, FixedErrorSE: 0.4}) ||
		significantlyBetter(WPRow{Error: 1, ErrorSE: 0.3, FixedError: 3, FixedErrorSE: 0.4}) {
		t.Error("significantlyBetter does not draw its line at 4 SE of the difference")
	}
}

// TestCompareBestFixed: an adaptive row is compared with its own method's
// fixed steps (Efficiency) and with the best fixed-step frontier of any
// method at its NFE (Relative); a method whose fixed rows do not cover the
// NFE takes no part, and with none covering it Relative is NaN.
func TestCompareBestFixed(t *testing.T) {
	fixedRow := func(m string, nfe, e float64) WPRow {
		return WPRow{Method: m, Mode: ModeFixed, NFEMean: nfe, Error: e, ErrorSE: e / 100}
	}
	wp := &WPResult{Rows: []WPRow{
		fixedRow("a", 100, 1e-3), fixedRow("a", 400, 1e-4),
		fixedRow("b", 100, 4e-4), fixedRow("b", 400, 2.5e-5),
		fixedRow("c", 1000, 1e-9), fixedRow("c", 2000, 1e-10), // outside: ignored
		{Method: "a", Mode: ModeAdaptive, NFEMean: 200, Error: 1e-4, ErrorSE: 1e-6},
		{Method: "a", Mode: ModeAdaptive, NFEMean: 50, Error: 1e-4, ErrorSE: 1e-6},
	}}
	wp.compare()
	r := wp.Rows[6]
	// At NFE 200, midway in log NFE: a's frontier √(1e-3·1e-4), b's √(4e-4·2.5e-5) = 1e-4.
	if wantA := math.Sqrt(1e-7); math.Abs(r.FixedError/wantA-1) > 1e-12 || math.Abs(r.Efficiency-1e-4/wantA) > 1e-12 {
		t.Errorf("own frontier %v, efficiency %v; want %v, %v", r.FixedError, r.Efficiency, wantA, 1e-4/wantA)
	}
	if r.BestFixedMethod != "b" || math.Abs(r.BestFixedError/1e-4-1) > 1e-12 || math.Abs(r.Relative-1) > 1e-12 {
		t.Errorf("best fixed %v (%s), relative %v; want 1e-4 (b), 1", r.BestFixedError, r.BestFixedMethod, r.Relative)
	}
	if r := wp.Rows[7]; !math.IsNaN(r.Relative) || r.BestFixedMethod != "" {
		t.Errorf("NFE 50 outside every frontier: relative %v (%q), want NaN", r.Relative, r.BestFixedMethod)
	}
}

// TestLambaBar: on two-noise (zero drift, non-commutative noise) LambaEM's
// estimate is E_n alone and both ways of taking E_d choose the same steps,
// so the errors are equal; the default (backward drift difference, no
// drift evaluation after a path's first step, sdeint/methods/driftdiff.go)
// meets the bar at 1e-2 and 1e-3, and ForwardDrift (Lamba's, one more
// drift evaluation per attempt) misses it: it pays twice the NFE for the
// same steps, √2 in error at strong order ½ (measured 1.42 and 1.37 at
// 1000 paths, against 4 SE of the difference ≈ 0.1). 1000 paths, fixed
// steps 16…2048 against 16× finer solves on the same tree paths.
func TestLambaBar(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	p := mustProblem(t, "two-noise")
	run := func(m sdeint.Method) []WPRow {
		wp, err := WorkPrecision(context.Background(), p, []sdeint.Method{m}, []float64{1e-2, 1e-3}, nil,
			Settings{Paths: 1000, Seed: 1, Steps: []int{16, 32, 64, 128, 256, 512, 1024, 2048}})
		if err != nil {
			t.Fatal(err)
		}
		var rows []WPRow
		for _, r := range wp.Rows {
			if r.Mode == ModeAdaptive {
				rows = append(rows, r)
			}
		}
		return rows
	}
	def, fwd := run(methods.LambaEM{}), run(methods.LambaEM{ForwardDrift: true})
	if len(def) != 2 || len(fwd) != 2 {
		t.Fatalf("%d and %d adaptive rows, want 2 each", len(def), len(fwd))
	}
	for i, r := range def {
		f := fwd[i]
		t.Logf("two-noise tol %g: backward E_d: error %.4g ± %.2g, NFE %.1f, efficiency %.2f; forward E_d: NFE %.1f, efficiency %.2f",
			r.Tol, r.Error, r.ErrorSE, r.NFEMean, r.Efficiency, f.NFEMean, f.Efficiency)
		if r.Error != f.Error {
			t.Errorf("tol %g: errors %v and %v differ: with zero drift the steps must be the same", r.Tol, r.Error, f.Error)
		}
		if !r.AsEfficient {
			t.Errorf("tol %g: less efficient than fixed steps (efficiency %.2f)", r.Tol, r.Efficiency)
		}
		if math.IsNaN(f.FixedError) || f.AsEfficient {
			t.Errorf("tol %g: the forward drift difference meets the bar (efficiency %.2f): the test cannot tell them apart", f.Tol, f.Efficiency)
		}
	}
}
