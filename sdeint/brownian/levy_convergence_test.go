package brownian_test

import (
	"context"
	"math"
	"testing"

	"github.com/gofast-sde/gofast/convergence"
	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
)

// integralMethod is a throwaway fixed-step method that needs Lévy areas: on
// the state (W, ∫₀ W ds) it adds ΔW to the first component and the exact
// ∫ W over the step, h·W(t) + |h|(½ΔW + H), to the second. It is exact on
// the problem of integralProblem, so its results show the plumbed (ΔW, H)
// exactly. With useArea false it drops H: the trapezoidal rule, whose error
// on [0, 1], −Σ h·H over the steps, is N(0, h/12).
type integralMethod struct{ useArea bool }

func (m integralMethod) Properties() sdeint.Properties {
	p := sdeint.Properties{Name: "levy-integral", Calculus: sdeint.Ito, Levy: true}
	for c := range p.Orders {
		p.Orders[c] = sdeint.Order{NotApplicable: true}
	}
	p.Orders[sdeint.ClassAdditive] = sdeint.Order{Strong: 1.5, Weak: 2}
	return p
}

func (m integralMethod) NewStepper(sdeint.Dims, int) sdeint.Stepper { return m }

func (m integralMethod) Step(s *sdeint.Step) error {
	for r := range s.K {
		h, dw := s.H[r], s.DW[r]
		x, y := s.X[2*r:2*r+2], s.High[2*r:2*r+2]
		area := 0.0
		if m.useArea {
			area = s.Area[r]
		}
		y[0] = x[0] + dw
		y[1] = x[1] + h*x[0] + math.Abs(h)*(dw/2+area)
	}
	return nil
}

// integralProblem is dX₁ = dW, dX₂ = X₁ dt on [0, 1] from 0: X = (W, ∫₀ W).
// It has no Solution (∫W is not a function of W(1)), so convergence.Strong
// measures against a fine solve on the same path.
func integralProblem() *problems.Problem {
	return &problems.Problem{
		Name: "integral",
		SDE: sdeint.Problem{
			Dim:   2,
			Noise: sdeint.Noise{Shape: sdeint.ScalarNoise, Additive: true, Commutative: true},
			T0:    0, T1: 1,
			X0: []float64{0, 0},
			Drift: sdeint.Lift(2, 2, func(dst []float64, _ float64, x []float64) {
				dst[0], dst[1] = 0, x[0]
			}),
			Diffusion: sdeint.Lift(2, 2, func(dst []float64, _ float64, _ []float64) {
				dst[0], dst[1] = 1, 0
			}),
		},
		Mean: func(dst []float64, _ float64) { dst[0], dst[1] = 0, 0 },
	}
}

// TestConvergenceLevyGrid: convergence.Strong drives a Lévy-area method on
// brownian.Grid{Steps: fine}, which the solver upgrades to Levy. The method
// being exact, every step size (2⁻²…2⁻⁵, reference 2⁻⁹) must give the
// reference to rounding (mean error below 1e-14: the values are O(1) and
// sums over at most 512 steps), which holds only if each coarse step sees
// exactly the joined (ΔW, H) of the fine cells it covers. Without the areas
// the same study must show the trapezoidal rule's error: at h = ¼ it is
// N(0, 1/48 − 1/(12·512)) against the reference (whose own error is part of
// the coarse one), mean absolute value √(2/π)·0.144 ≈ 0.115 (SE ≈ 0.006
// over 200 paths): above 1e-2 by far.
//
// And a direct solve on 8 steps over Grid{Steps: 64} returns X₂ = ∫₀¹ W
// equal (1e-14) to the sum over the 64 cells, from the Lévy grid's own fine
// walk on the same path key, and X₁ = W(1) bit for bit.
func TestConvergenceLevyGrid(t *testing.T) {
	ctx := context.Background()
	p := integralProblem()
	dts := []float64{0.25, 0.125, 0.0625, 0.03125}
	set := convergence.Settings{Paths: 200, Seed: 3, Workers: 1}
	res, err := convergence.Strong(ctx, p, integralMethod{useArea: true}, dts, set)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Rows {
		if !(r.Error < 1e-14) {
			t.Errorf("dt %v: mean error %v against %s, want rounding", r.Dt, r.Error, res.Reference)
		}
	}
	res, err = convergence.Strong(ctx, p, integralMethod{useArea: false}, dts, set)
	if err != nil {
		t.Fatal(err)
	}
	if e := res.Rows[0].Error; !(e > 1e-2) {
		t.Errorf("without the areas, dt ¼: mean error %v, want > 1e-2 (the test could not see wrong areas)", e)
	}

	const paths, cells = 20, 64
	r, err := sdeint.Solve(ctx, &p.SDE, integralMethod{useArea: true}, &sdeint.Settings{
		Paths: paths, Seed: 9, Workers: 1, Steps: 8, Brownian: brownian.Grid{Steps: cells},
	})
	if err != nil {
		t.Fatal(err)
	}
	lp := brownian.Grid{Steps: cells, Levy: true}.NewPath(1, 1).(brownian.LevyPath)
	var dw, ar [1]float64
	for i := range paths {
		lp.Reset(brownian.Key{Seed: 9, Path: uint64(i)})
		w, in := 0.0, 0.0
		for c := range cells {
			lp.IncrementLevy(dw[:], ar[:], float64(c+1)/cells)
			lp.Accept()
			in += (w + dw[0]/2 + ar[0]) / cells
			w += dw[0]
		}
		x := r.Row(i)
		if x[0] != r.WRow(i)[0] || math.Abs(x[1]-in) > 1e-14 {
			t.Errorf("path %d: solve on 8 steps gives (W, ∫W) = %v (W(1) %v), the 64 cells give ∫W = %v", i, x, r.WRow(i)[0], in)
		}
	}
}
