package bcheck

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// The setting: Roberts' pair on Itô GBM at ε_rel = ε_abs = 1e-2 rejects
// about 40% of its attempts (asserted ≥ 30%), and whether an attempt is
// rejected depends on its Brownian draw. 10⁵ paths.
const paths = 100_000

func run(t *testing.T, src brownian.Source, frac float64) *Report {
	t.Helper()
	r, err := Run(context.Background(), problems.GBM(), methods.Roberts{}, src, Settings{RTol: 1e-2, ATol: 1e-2, Paths: paths, Seed: 2026, Frac: frac})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s, t_m = %v: rejection rate %.3f, Var W(T1) %.4f ± %.4f, Var W(t_m) %.4f ± %.4f, Var inc %.4f ± %.4f, corr %.4f ± %.4f, KS p %.3g",
		r.Brownian, r.TMid, r.RejectionRate, r.WVar, r.WVarSE, r.WMidVar, r.WMidVarSE, r.WIncVar, r.WIncVarSE, r.WCorr, r.WCorrSE, r.KSP)
	if r.RejectionRate < 0.3 {
		t.Fatalf("%s: rejection rate %.3f < 0.3: the setting does not stress the source", r.Brownian, r.RejectionRate)
	}
	return r
}

// TestExactSources: for the bridge and the tree, W(t_m)/√t_m is N(0,1) by KS
// (p > 0.001), the three normalised variances are 1 within 4 SE and the
// correlation of W(t_m) with W(T1) − W(t_m) is 0 within 4 SE. For the tree
// W(T1) is the root draw whatever the steps, so the interior time is what
// tests it. The tree is a pure function of time, so no rejection can bias
// it; but t_m is then its root's midpoint, a top-level draw, so the tree is
// also checked at t_m = 0.3, a time reached through every level of the
// bisection and the leaf interpolation.
func TestExactSources(t *testing.T) {
	for _, c := range []struct {
		src  brownian.Source
		frac float64
	}{{brownian.Bridge{}, 0.5}, {brownian.Bridge{}, 0.3}, {brownian.Tree{}, 0.5}, {brownian.Tree{}, 0.3}, {brownian.Tree{Tol: 1e-3}, 0.3}} {
		src := c.src
		r := run(t, src, c.frac)
		if d := r.MaxDeviation(); d > 4 {
			t.Errorf("%+v: a variance or the correlation deviates by %.2f SE", src, d)
		}
		if r.KSP < 1e-3 {
			t.Errorf("%+v: KS p = %v", src, r.KSP)
		}
	}
}

// TestRedrawBiasDetected: the same setting detects redraw's bias: Var W(T1)
// falls short of 1 by far more than 4 SE (about 0.7 here, with SE 0.005),
// because the draws that are rejected are mostly the large ones.
func TestRedrawBiasDetected(t *testing.T) {
	r := run(t, brownian.Redraw{}, 0.5)
	if math.Abs(r.WVar-1) <= 4*r.WVarSE {
		t.Errorf("redraw: Var W(T1) = %.4f ± %.4f is within 4 SE of 1", r.WVar, r.WVarSE)
	}
}

// TestBiasTableSmoke runs the table at a tiny size and checks its shape.
func TestBiasTableSmoke(t *testing.T) {
	rows, err := BiasTable(context.Background(), Settings{Paths: 200, Seed: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(BiasCases()) * len(BiasTolerances) * 2; len(rows) != want {
		t.Fatalf("%d rows, want %d", len(rows), want)
	}
	var b strings.Builder
	if err := WriteMarkdown(&b, rows); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(b.String(), "\n"); lines != len(rows)+2 {
		t.Errorf("table has %d lines, want %d:\n%s", lines, len(rows)+2, b.String())
	}
	if !strings.Contains(b.String(), "| ou | ggf | 0.05 | redraw |") {
		t.Errorf("table lacks the ou/ggf/redraw row at 0.05:\n%s", b.String())
	}
}
