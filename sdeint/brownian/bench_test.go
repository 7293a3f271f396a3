package brownian

import (
	"testing"
)

// BenchmarkIncrement measures the cost of one increment (m = 1) of each
// source on a stepping access pattern: a path walks [0, 1] in steps of 1e-3
// (not a dyadic fraction, as adaptive steps are not) and is reset at the
// end. "rejections" first attempts a double step and rejects it, then
// accepts the single step, as an adaptive solver might. "dyadic" steps by
// 2⁻¹⁰, as fixed-step convergence studies do: the tree then finds each point
// ten levels up. The plain normal draw is the yardstick.
func BenchmarkIncrement(b *testing.B) {
	b.Run("normal-draw", func(b *testing.B) {
		s := NewStream(Key{Seed: 1}, Increments)
		var x float64
		for b.Loop() {
			x += s.Norm()
		}
		sink = x
	})
	cases := []struct {
		name   string
		src    Source
		reject bool
		levy   bool
		h      float64
	}{
		{"grid", Grid{}, false, false, 0},
		{"grid-predrawn-4096", Grid{Steps: 4096}, false, false, 0},
		{"bridge", Bridge{}, false, false, 0},
		{"bridge/rejections", Bridge{}, true, false, 0},
		{"bridge-levy/rejections", Bridge{Levy: true}, true, true, 0},
		{"redraw", Redraw{}, false, false, 0},
		{"tree-1e-3/cold", Tree{Tol: 1e-3, NoCache: true}, false, false, 0},
		{"tree-1e-3/cached", Tree{Tol: 1e-3}, false, false, 0},
		{"tree-1e-6/cold", Tree{Tol: 1e-6, NoCache: true}, false, false, 0},
		{"tree-1e-6/cached", Tree{Tol: 1e-6}, false, false, 0},
		{"tree-1e-6/cached/rejections", Tree{Tol: 1e-6}, true, false, 0},
		{"tree-levy-1e-6/cached", Tree{Tol: 1e-6, Levy: true}, false, true, 0},
		{"tree-1e-6/cached/dyadic", Tree{Tol: 1e-6}, false, false, 1.0 / 1024},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			p := c.src.NewPath(1, 1)
			lp, _ := p.(LevyPath)
			dw, area := make([]float64, 1), make([]float64, 1)
			h := c.h
			if h == 0 {
				h = 1e-3
			}
			path, tau, try := uint64(0), 0.0, 0
			p.Reset(Key{Seed: 1, Path: path})
			var x float64
			for b.Loop() {
				to := min(tau+h, 1)
				if c.reject && try%2 == 0 {
					to = min(tau+2*h, 1)
				}
				if c.levy {
					lp.IncrementLevy(dw, area, to)
				} else {
					p.Increment(dw, to)
				}
				x += dw[0]
				if c.reject && try%2 == 0 {
					p.Reject()
				} else {
					p.Accept()
					tau = to
				}
				try++
				if tau >= 1 {
					path++
					p.Reset(Key{Seed: 1, Path: path})
					tau = 0
				}
			}
			sink = x
		})
	}
}

var sink float64
