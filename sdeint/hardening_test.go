package sdeint_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
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
