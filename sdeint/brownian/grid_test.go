package brownian

import (
	"math"
	"testing"
)

// TestGridSubgrid: a pre-drawn grid of 64 cells serves a solve on 64 steps
// and one on 16 steps with the same path: every 4th point of the fine walk
// equals the coarse walk's point (to rounding), and W(1) agrees.
func TestGridSubgrid(t *testing.T) {
	src := Grid{Steps: 64}
	walk := func(steps int) []float64 {
		p := src.NewPath(2, 1)
		p.Reset(Key{Seed: 3, Path: 4})
		dw := make([]float64, 2)
		w := make([]float64, 2)
		var out []float64
		for k := 1; k <= steps; k++ {
			p.Increment(dw, float64(k)/float64(steps))
			p.Accept()
			w[0] += dw[0]
			w[1] += dw[1]
			out = append(out, w[0], w[1])
		}
		return out
	}
	fine, coarse := walk(64), walk(16)
	for k := range 16 {
		for j := range 2 {
			if d := math.Abs(fine[2*(4*k+3)+j] - coarse[2*k+j]); d > 1e-12 {
				t.Fatalf("point %d: fine %v, coarse %v", k, fine[2*(4*k+3)+j], coarse[2*k+j])
			}
		}
	}
	// A rejected long attempt, then shorter accepted ones: the same path.
	p := src.NewPath(2, 1)
	p.Reset(Key{Seed: 3, Path: 4})
	dw := make([]float64, 2)
	p.Increment(dw, 0.5)
	p.Reject()
	var sum float64
	for k := 1; k <= 8; k++ {
		p.Increment(dw, float64(k)/16)
		p.Accept()
		sum += dw[0]
	}
	if math.Abs(sum-fine[2*31]) > 1e-12 {
		t.Errorf("W(½) after a rejection: %v, want %v", sum, fine[2*31])
	}
}
