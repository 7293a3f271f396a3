package convergence

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/gofast-sde/gofast/internal/mcstat"
	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// The SRA methods need Lévy areas, which the pre-drawn Grid of Strong and
// Weak does not serve yet; these studies run the same measurements on the
// virtual Brownian tree with Lévy areas instead. Its W and areas over the
// dyadic steps used here (at least 2⁻¹³ of the span, above the tree's
// leaves of 2⁻²⁰) are exact and the same for every step size, so every step
// size solves the same Brownian path, areas included, as Strong requires.

// treeSolve runs p with fixed steps on the tree's path.
func treeSolve(ctx context.Context, p *problems.Problem, m sdeint.Method, steps, paths int, seed uint64) (*sdeint.Result, error) {
	return sdeint.Solve(ctx, &p.SDE, m, &sdeint.Settings{
		Paths: paths, Seed: seed, Steps: steps, Brownian: brownian.Tree{Levy: true}})
}

// treeStrong is Strong on the tree: the mean RMS error against the exact
// solution on the same path, or against a solve with 16 times smaller steps
// on the same path, and the least-squares order with its grouped jackknife
// SE.
func treeStrong(ctx context.Context, p *problems.Problem, m sdeint.Method, dts []float64, paths int, seed uint64) (*Result, error) {
	span := math.Abs(p.SDE.T1 - p.SDE.T0)
	factor := 1
	if p.Solution == nil {
		factor = 16
	}
	steps, fine, err := gridSteps(span, dts, factor)
	if err != nil {
		return nil, err
	}
	res := &Result{Problem: p.Name, Method: m.Properties().Name, Kind: "strong", Paths: paths, Seed: seed}
	n := p.SDE.Dim
	ref := make([]float64, paths*n)
	if p.Solution != nil {
		res.Reference = "exact solution on the same Brownian path (tree)"
	} else {
		r, err := treeSolve(ctx, p, m, fine, paths, seed)
		if err != nil {
			return nil, err
		}
		copy(ref, r.X)
		res.Reference = fmt.Sprintf("%s with %d steps on the same Brownian path (tree)", res.Method, fine)
	}
	errs := make([][]float64, len(dts))
	for i, st := range steps {
		r, err := treeSolve(ctx, p, m, st, paths, seed)
		if err != nil {
			return nil, err
		}
		errs[i] = make([]float64, paths)
		for j := range paths {
			want := ref[j*n : (j+1)*n]
			if p.Solution != nil {
				p.Solution(want, p.SDE.T1, r.WRow(j))
			}
			errs[i][j] = rms(r.Row(j), want)
		}
		e, se := mcstat.MeanSE(errs[i])
		res.Rows = append(res.Rows, Row{Dt: dts[i], Error: e, ErrorSE: se, NFEMean: r.NFEMean()})
	}
	res.Order, res.OrderSE = mcstat.LogLogSlope(dts, errs, groups(paths))
	return res, nil
}

// treeWeak is Weak with common random numbers on the tree: the error is
// |mean of φ(X_N) − φ(X_ref)| over paths, X_ref the exact solution on the
// path or, without one, a solve with 16 times smaller steps than the
// smallest on the same path (whose own weak error is then 16² times
// smaller than the smallest measured).
func treeWeak(ctx context.Context, p *problems.Problem, m sdeint.Method, phi func([]float64) float64, phiName string, dts []float64, paths int, seed uint64) (*Result, error) {
	span := math.Abs(p.SDE.T1 - p.SDE.T0)
	factor := 1
	if p.Solution == nil {
		factor = 16
	}
	steps, fine, err := gridSteps(span, dts, factor)
	if err != nil {
		return nil, err
	}
	res := &Result{Problem: p.Name, Method: m.Properties().Name, Kind: "weak", Paths: paths, Seed: seed}
	n := p.SDE.Dim
	ref := make([]float64, paths)
	if p.Solution != nil {
		res.Reference = fmt.Sprintf("E[%s] of the exact solution on the same paths (common random numbers, tree)", phiName)
	} else {
		r, err := treeSolve(ctx, p, m, fine, paths, seed)
		if err != nil {
			return nil, err
		}
		for j := range paths {
			ref[j] = phi(r.Row(j))
		}
		res.Reference = fmt.Sprintf("E[%s] of %s with %d steps on the same paths (common random numbers, tree)", phiName, res.Method, fine)
	}
	exact := make([]float64, n)
	vals := make([][]float64, len(dts))
	for i, st := range steps {
		r, err := treeSolve(ctx, p, m, st, paths, seed)
		if err != nil {
			return nil, err
		}
		vals[i] = make([]float64, paths)
		for j := range paths {
			want := ref[j]
			if p.Solution != nil {
				p.Solution(exact, p.SDE.T1, r.WRow(j))
				want = phi(exact)
			}
			vals[i][j] = phi(r.Row(j)) - want
		}
		e, se := mcstat.MeanSE(vals[i])
		res.Rows = append(res.Rows, Row{Dt: dts[i], Error: math.Abs(e), ErrorSE: se, NFEMean: r.NFEMean()})
	}
	res.Order, res.OrderSE = mcstat.LogLogSlopeAbs(dts, vals, groups(paths))
	return res, nil
}

// pendulum is a nonlinear problem with additive noise of general shape,
// two components driven by two Brownian motions with time-dependent
// coefficients: dX₁ = X₂dt + 1.5dW₁ + 0.5t·dW₂, dX₂ = −sin X₁ dt + 0.6dW₁ +
// 0.9(1+t)dW₂, X(0) = (1, 0), on [0, 1]. No pathwise solution.
func pendulum() *problems.Problem {
	return &problems.Problem{
		Name: "pendulum (test)",
		SDE: sdeint.Problem{
			Dim: 2, T0: 0, T1: 1, X0: []float64{1, 0},
			Noise: sdeint.Noise{Shape: sdeint.GeneralNoise, M: 2, Additive: true, Commutative: true},
			Drift: sdeint.Lift(2, 2, func(dst []float64, _ float64, x []float64) {
				dst[0], dst[1] = x[1], -math.Sin(x[0])
			}),
			Diffusion: sdeint.Lift(2, 4, func(dst []float64, t float64, _ []float64) {
				dst[0], dst[1], dst[2], dst[3] = 1.5, 0.5*t, 0.6, 0.9*(1+t)
			}),
		},
	}
}

// sraStrongCases are the strong-order measurements of the SRA methods.
// Where the drift is linear (additive, additive4, ou) the local error terms
// of mean-square order 2 all carry f″ or x-derivatives of g and vanish, so
// the order is 2 (the special case, like ggf's 2 on additive). Where it is
// not (double-well: f″ = −6x with σ = 1; pendulum: f″ = sin x₁ against the
// noise 1.5 on x₁) the leading error term is ½f″g²·((I_(1,0)/h)²·h·αᵀ(B0e)²
// − h²/2) − f″g²·I_(1,1,0), of mean-square size h², and the order is 1.5.
// The drift's h² error is of comparable size at these steps and pulls the
// measured slope up: with the pendulum's noise on x₁ at 0.6 instead of 1.5
// the slope was 1.80 (sra1) over 2⁻⁵…2⁻¹¹, pre-asymptotic; with the noise
// of 1.5 the f″g² term dominates. The nonlinear problems have no pathwise
// solution: their reference is a solve with 16 times smaller steps on the
// same path, whose own error is 16^1.5 = 64 times below the smallest
// measured. Long marks the cases run only with GOFAST_LONG=1 (about 10 s
// each on one core).
var sraStrongCases = []struct {
	p      func() *problems.Problem
	dts    []float64
	theory float64
	long   bool
}{
	{problems.Additive, DefaultStrongDts, 2, false},
	{problems.Additive4, DefaultStrongDts, 2, false},
	{problems.OU, dyadic(3, 8), 2, false},
	{problems.DoubleWell, dyadic(4, 9), 1.5, false},
	{problems.DoubleWell, dyadic(5, 11), 1.5, true},
	{pendulum, dyadic(5, 11), 1.5, true},
}

// TestSRAStrongOrders: strong orders of sra1 and sosra on the tree, seed 1,
// bar ±0.3 with SE ≤ 0.1: 200 paths in the default run, and with
// GOFAST_LONG=1 1000 paths and the long cases.
func TestSRAStrongOrders(t *testing.T) {
	paths := 200
	if long() {
		paths = 1000
	}
	for _, m := range []sdeint.Method{methods.SRA1{}, methods.SOSRA{}} {
		for _, c := range sraStrongCases {
			if c.long && !long() {
				continue
			}
			r, err := treeStrong(context.Background(), c.p(), m, c.dts, paths, 1)
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range r.Rows {
				t.Logf("  dt %-9g error %.4g ± %.2g  NFE %.0f", row.Dt, row.Error, row.ErrorSE, row.NFEMean)
			}
			checkOrder(t, r, c.theory)
		}
	}
}

// TestSRAWeakOrders: weak order 2 of sra1 and sosra with common random
// numbers on the tree, dt = 2⁻³…2⁻⁷, seed 2, the weak bar ±0.3 with SE ≤
// 0.1: φ = x₁ on additive and additive4 (against the exact solution on each
// path) and on ou (against a solve with 16 times smaller steps on the same
// path), φ = x² on double-well (E X = 0 for the method too, by symmetry).
// 2000 paths in the default run (the linear problems: the per-path
// differences are strong errors of size h², so their mean, the weak error,
// is resolved); double-well and 10⁴ paths with GOFAST_LONG=1.
//
// Where the fitted order is not resolved (SE > 0.1: the error falls below
// its SE at the fine steps; measured for sosra on double-well, whose weak
// error falls as h³ at the coarse steps: 0.0076, 0.00095, 0.00011, then
// 2.6e-5 ± 1.0e-5 and 5.6e-7 ± 3.3e-6) the check is the one-sided one that
// weak order 2 implies: at every dt the error is at most the coarsest
// error's bound scaled by (dt/dt₀)², plus 4 SE:
// err(dt) ≤ (err(dt₀) + 4·SE(dt₀))·(dt/dt₀)² + 4·SE(dt).
func TestSRAWeakOrders(t *testing.T) {
	paths := 2000
	if long() {
		paths = 10000
	}
	x1 := func(x []float64) float64 { return x[0] }
	sq := func(x []float64) float64 { return x[0] * x[0] }
	for _, m := range []sdeint.Method{methods.SRA1{}, methods.SOSRA{}} {
		for _, c := range []struct {
			p       func() *problems.Problem
			phi     func([]float64) float64
			phiName string
			long    bool
		}{
			{problems.Additive, x1, "x₁", false},
			{problems.Additive4, x1, "x₁", false},
			{problems.OU, x1, "x₁", false},
			{problems.DoubleWell, sq, "x²", true},
		} {
			if c.long && !long() {
				continue
			}
			r, err := treeWeak(context.Background(), c.p(), m, c.phi, c.phiName, DefaultWeakDts, paths, 2)
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range r.Rows {
				t.Logf("  dt %-9g error %.4g ± %.2g", row.Dt, row.Error, row.ErrorSE)
			}
			if r.OrderSE <= 0.1 {
				checkOrder(t, r, 2)
				continue
			}
			t.Logf("weak %s %s: order %.3f ± %.3f unresolved; checking err ≤ C·dt²", r.Method, r.Problem, r.Order, r.OrderSE)
			r0 := r.Rows[0]
			for _, row := range r.Rows[1:] {
				q := row.Dt / r0.Dt
				if bound := (r0.Error+4*r0.ErrorSE)*q*q + 4*row.ErrorSE; row.Error > bound {
					t.Errorf("weak %s %s: error %.3g at dt %g above the h² bound %.3g from dt %g", r.Method, r.Problem, row.Error, row.Dt, bound, r0.Dt)
				}
			}
		}
	}
}
