package sdeint_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// FuzzSolve solves random small problems with random settings, valid or
// not, with every registered method: Solve must never panic (nor recover
// a panic of its own or a method's) or hang, and
// its result must be consistent: an error before any work with no result,
// or a result whose status is Success exactly when the error is nil, with
// every path ended and every finished path at T1.
func FuzzSolve(f *testing.F) {
	f.Add(uint8(1), uint8(1), uint8(0), uint8(0), uint8(2), 1e-2, 1e-2, 0.0, 0.0, 0.0, 0.0, 1.0, uint16(0), uint8(4), uint8(0), uint8(0), uint16(0), false)
	f.Add(uint8(2), uint8(2), uint8(1), uint8(1), uint8(1), 1e-3, 1e-6, 0.5, 0.0, 0.2, 0.9, -1.0, uint16(10), uint8(7), uint8(2), uint8(3), uint16(50), true)
	f.Add(uint8(3), uint8(3), uint8(2), uint8(2), uint8(3), 0.0, 0.0, 1e-9, 1e-3, 0.0, 2.0, 2.0, uint16(0), uint8(1), uint8(1), uint8(1), uint16(0), false)
	f.Add(uint8(1), uint8(0), uint8(3), uint8(3), uint8(0), -1.0, math.NaN(), -1.0, 5.0, 10.0, 0.5, 0.5, uint16(3), uint8(0), uint8(9), uint8(0), uint16(1), false)
	f.Add(uint8(2), uint8(3), uint8(4), uint8(4), uint8(9), 1e-12, 1e-12, 0.0, 0.0, 1e-300, 1.0, 3.0, uint16(0), uint8(2), uint8(0), uint8(0), uint16(5), false)
	names := methods.Names()
	f.Fuzz(func(t *testing.T, dim, shape, fn, src, mi uint8, rtol, atol, h0, hmin, hmax, safety, t1 float64,
		steps uint16, paths, batch, workers uint8, budget uint16, shared bool) {
		n := int(dim%3) + 1
		p := sdeint.Problem{Dim: n, T0: 0, T1: t1, X0: make([]float64, n)}
		for i := range p.X0 {
			p.X0[i] = 0.5 + 0.1*float64(i)
		}
		// Drifts and diffusions with and without trouble: linear, a square
		// root (NaN below 0), a blow-up (x²), a pole in time.
		kind := int(fn % 5)
		drift := func(dst []float64, t float64, x []float64) {
			for i, v := range x {
				switch kind {
				case 0:
					dst[i] = -v
				case 1:
					dst[i] = -math.Sqrt(v)
				case 2:
					dst[i] = v * v * 10
				case 3:
					dst[i] = 1 / ((t - 0.5) * (t - 0.5))
				default:
					dst[i] = math.NaN()
				}
			}
		}
		p.Drift = sdeint.Lift(n, n, drift)
		switch shape % 4 {
		case 1:
			p.Noise = sdeint.Noise{Shape: sdeint.ScalarNoise, Commutative: true}
			p.Diffusion = sdeint.Lift(n, n, func(dst []float64, _ float64, x []float64) {
				for i, v := range x {
					dst[i] = 0.3 * v
				}
			})
		case 2:
			p.Noise = sdeint.Noise{Shape: sdeint.DiagonalNoise, Commutative: true, Additive: kind == 0}
			p.Diffusion = sdeint.Lift(n, n, func(dst []float64, _ float64, x []float64) {
				for i, v := range x {
					dst[i] = 0.2 * math.Sqrt(math.Abs(v))
					if kind == 0 {
						dst[i] = 0.2
					}
				}
			})
		case 3:
			m := int(shape/4)%3 + 1
			p.Noise = sdeint.Noise{Shape: sdeint.GeneralNoise, M: m}
			p.Diffusion = sdeint.Lift(n, n*m, func(dst []float64, _ float64, x []float64) {
				for i := range dst {
					dst[i] = 0.1 * x[i%n]
				}
			})
		}
		m, err := methods.ByName(names[int(mi)%len(names)])
		if err != nil {
			t.Fatal(err)
		}
		s := &sdeint.Settings{
			Paths: int(paths % 9), BatchSize: int(batch % 5), Workers: int(workers % 4),
			Seed: 7, MaxAttempts: int(budget), Steps: int(steps % 2000),
			SharedStep: shared,
		}
		s.Control.RTol, s.Control.ATol, s.Control.H0 = rtol, atol, h0
		s.Control.HMin, s.Control.HMax, s.Control.Safety = hmin, hmax, safety
		switch src % 4 {
		case 1:
			s.Brownian = brownian.Tree{Tol: 1e-3}
		case 2:
			s.Brownian = brownian.Redraw{}
		case 3:
			s.Brownian = brownian.Grid{Steps: 64}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		res, err := sdeint.Solve(ctx, &p, m, s)
		if res == nil {
			if err == nil {
				t.Fatal("nil result without an error")
			}
			return
		}
		if (res.Status == sdeint.Success) != (err == nil) {
			t.Fatalf("status %v with error %v", res.Status, err)
		}
		// The problem's functions never panic: a recovered panic is a bug
		// of the solver or of a method.
		if pe, ok := errors.AsType[*sdeint.PanicError](err); ok {
			t.Fatalf("panic in the solver: %v\n%s", pe.Value, pe.Stack)
		}
		if err != nil {
			var se *sdeint.SolveError
			if !errors.As(err, &se) {
				t.Fatalf("a partial result with a %T error, want *SolveError: %v", err, err)
			}
		}
		for i, ps := range res.Path {
			if ps.Status == sdeint.NotTerminated {
				t.Fatalf("path %d not terminated", i)
			}
			if ps.Status == sdeint.Success && ps.T != p.T1 {
				t.Fatalf("path %d succeeded at T = %v ≠ T1 = %v", i, ps.T, p.T1)
			}
		}
	})
}
