package sdeint_test

// Adversarial tests of Solve's public API: plugged code that panics or
// breaks its contract, and settings at the edge of float64.

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

// startPanics is an Adaptive controller whose Start panics.
type startPanics struct{ *control.Adaptive }

func (startPanics) Start(_ []float64, _, _ float64) float64 { panic("boom in Start") }

// resetPanics is a Brownian source whose paths panic when keyed.
type resetPanics struct{ brownian.Bridge }

func (s resetPanics) NewPath(m int, span float64) brownian.Path {
	return resetPanicsPath{s.Bridge.NewPath(m, span)}
}

type resetPanicsPath struct{ brownian.Path }

func (resetPanicsPath) Reset(brownian.Key) { panic("boom in Reset") }

// TestPanicInPathStart: a plugged controller's Start or a plugged Brownian
// path's Reset that panics, which the worker calls while loading a block
// of paths, stops the solve with FuncError and a *PanicError, every path
// keeping its initial state (it killed the process from the worker
// goroutine: the load ran outside the worker's recover).
func TestPanicInPathStart(t *testing.T) {
	c, err := control.NewAdaptive(control.Settings{H0: 0.01}, control.Defaults{Order: 1, Exponent: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		s    sdeint.Settings
		init bool
		want string
	}{
		{"controller Start", sdeint.Settings{Controller: startPanics{c}}, false, "boom in Start"},
		{"controller Start shared", sdeint.Settings{Controller: startPanics{c}, SharedStep: true}, false, "boom in Start"},
		{"controller Start with Init", sdeint.Settings{Controller: startPanics{c}}, true, "boom in Start"},
		{"path Reset", sdeint.Settings{Brownian: resetPanics{}}, false, "boom in Reset"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := hardGBM()
			p.X0 = []float64{1, 2, 3, 4, 5, 6}
			if tc.init {
				p.X0 = nil
				p.Init = func(dst []float64, path int, _ *brownian.Stream) error { dst[0] = 1; return nil }
			}
			s := tc.s
			s.Workers, s.BatchSize, s.Seed = 2, 2, 1
			res, err := sdeint.Solve(context.Background(), &p, methods.Roberts{}, &s)
			var pe *sdeint.PanicError
			if res == nil || res.Status != sdeint.FuncError || !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("result %v, error %v; want FuncError with a PanicError %q", res != nil, err, tc.want)
			}
			for i, ps := range res.Path {
				if ps.Status != sdeint.FuncError && ps.Status != sdeint.Stopped {
					t.Errorf("path %d: status %v, want FuncError or Stopped", i, ps.Status)
				}
				want := float64(i + 1)
				if tc.init && ps.Status == sdeint.FuncError {
					want = math.NaN() // never drawn
				} else if tc.init {
					want = 1
				}
				if x := res.X[i]; x != want && !(math.IsNaN(x) && math.IsNaN(want)) {
					t.Errorf("path %d (%v): X = %v, want its initial state %v", i, ps.Status, x, want)
				}
			}
		})
	}
}

// TestInitPartialWrite: an Init that writes only some components of dst
// (relying on zeros elsewhere) gives every path the same initial state
// whatever the batch size (the unwritten components held the final state
// of the path the worker's row held before, so the results depended on
// BatchSize).
func TestInitPartialWrite(t *testing.T) {
	p := sdeint.Problem{Dim: 2, T0: 0, T1: 1,
		Noise:     sdeint.Noise{Shape: sdeint.DiagonalNoise, Additive: true, Commutative: true},
		Init:      func(dst []float64, _ int, rng *brownian.Stream) error { dst[0] = rng.Norm(); return nil },
		Drift:     sdeint.Lift(2, 2, func(dst []float64, _ float64, x []float64) { dst[0], dst[1] = -x[0], -x[1] }),
		Diffusion: sdeint.Lift(2, 2, func(dst []float64, _ float64, _ []float64) { dst[0], dst[1] = 1, 1 }),
	}
	var ref *sdeint.Result
	for _, b := range []int{4, 1, 3} {
		res, err := sdeint.Solve(context.Background(), &p, methods.Roberts{}, &sdeint.Settings{Paths: 4, BatchSize: b, Workers: 1, Seed: 1, SaveAt: []float64{0}})
		if err != nil {
			t.Fatal(err)
		}
		for i := range res.Paths {
			if x := res.SavedRow(i, 0)[1]; x != 0 {
				t.Errorf("batch %d, path %d: X₂(0) = %v, want 0 (Init left it unwritten)", b, i, x)
			}
		}
		if ref == nil {
			ref = res
			continue
		}
		for i := range res.X {
			if math.Float64bits(res.X[i]) != math.Float64bits(ref.X[i]) {
				t.Fatalf("batch %d: X[%d] = %v, batch 4 gave %v", b, i, res.X[i], ref.X[i])
			}
		}
	}
}
