package brownian

import "testing"

// BenchmarkIncrementGridLevy measures the cost of one increment (m = 1) of
// the grid with and without Lévy areas, on BenchmarkIncrement's stepping
// pattern (a path walks [0, 1] in steps of 1e-3, reset at the end;
// "rejections" first attempts a double step and rejects it). The plain
// normal draw is the yardstick.
func BenchmarkIncrementGridLevy(b *testing.B) {
	b.Run("normal-draw", func(b *testing.B) {
		s := NewStream(Key{Seed: 1}, Increments)
		var x float64
		for b.Loop() {
			x += s.Norm()
		}
		sink = x
	})
	for _, c := range []struct {
		name   string
		src    Grid
		reject bool
	}{
		{"grid", Grid{}, false},
		{"grid-levy", Grid{Levy: true}, false},
		{"grid-predrawn-4096", Grid{Steps: 4096}, false},
		{"grid-predrawn-4096-levy", Grid{Steps: 4096, Levy: true}, false},
		{"grid-predrawn-4096/rejections", Grid{Steps: 4096}, true},
		{"grid-predrawn-4096-levy/rejections", Grid{Steps: 4096, Levy: true}, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			p := c.src.NewPath(1, 1)
			lp, _ := p.(LevyPath)
			dw, area := make([]float64, 1), make([]float64, 1)
			const h = 1e-3
			path, tau, try := uint64(0), 0.0, 0
			p.Reset(Key{Seed: 1, Path: path})
			var x float64
			for b.Loop() {
				to := min(tau+h, 1)
				if c.reject && try%2 == 0 {
					to = min(tau+2*h, 1)
				}
				if c.src.Levy {
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
