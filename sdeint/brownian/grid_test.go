package brownian

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/gofast-sde/gofast/internal/mcstat"
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

// TestGridExactOffGrid: a pre-drawn grid of 4 cells (length ¼) serves times
// inside its cells exactly, under fixed and adaptive steps.
//
// A single step to the off-grid time 0.3 gives Var W(0.3) = 0.3 (4 SE over
// 40000 paths, SE ≈ 0.3·√(2/n) ≈ 0.0021); linear interpolation between the
// grid values would give 0.3 − 0.05·0.2/0.25 = 0.26, 19 SE off.
//
// The draw-dependent rejections of rejectingWalk (stops at 0.3 and 0.7, so
// both stops and most attempts fall inside cells; at least 30% of the
// attempts rejected) leave W(0.3) and W(0.7) − W(0.3) with variances 0.3 and
// 0.4 (4 SE), uncorrelated (4 SE), and W(0.3)/√0.3 N(0, 1) by KS
// (p > 0.001). And W at the grid times ½ and 1 is the grid's value, bit for
// bit, whatever was drawn inside the cells: adaptive and fixed-step solves on
// the grid share the path there.
func TestGridExactOffGrid(t *testing.T) {
	const n = 40000
	src := Grid{Steps: 4}
	p := src.NewPath(1, 1)
	w := make([]float64, n)
	for i := range n {
		w[i] = treeW(p, Key{Seed: 21, Path: uint64(i)}, 0.3, 1)[0]
	}
	if v, se := mcstat.VarSE(w); math.Abs(v-0.3) > 4*se {
		t.Errorf("single step: Var W(0.3) = %.4f ± %.4f, want 0.3", v, se)
	}

	mid, end, rate := rejectingWalkStops(src, n, 22, 0.3, 0.7)
	t.Logf("rejection rate %.3f", rate)
	if rate < 0.3 {
		t.Fatalf("rejection rate %.3f < 0.3: the test does not stress the source", rate)
	}
	inc := make([]float64, n)
	for i := range inc {
		inc[i] = end[i] - mid[i]
	}
	for _, c := range []struct {
		name string
		x    []float64
		want float64
	}{{"W(0.3)", mid, 0.3}, {"W(0.7) − W(0.3)", inc, 0.4}} {
		if v, se := mcstat.VarSE(c.x); math.Abs(v-c.want) > 4*se {
			t.Errorf("under rejections: Var %s = %.4f ± %.4f, want %v", c.name, v, se, c.want)
		}
	}
	if r, se := mcstat.CorrSE(mid, inc); math.Abs(r) > 4*se {
		t.Errorf("under rejections: corr(W(0.3), W(0.7) − W(0.3)) = %.4f ± %.4f", r, se)
	}
	norm := make([]float64, n)
	for i := range norm {
		norm[i] = mid[i] / math.Sqrt(0.3)
	}
	if _, pv := mcstat.KS(norm, mcstat.NormalCDF); pv < 1e-3 {
		t.Errorf("under rejections: W(0.3)/√0.3 fails KS, p = %v", pv)
	}

	// Grid values: an adaptive walk with rejections inside cells, against
	// fixed quarter steps.
	for path := range uint64(50) {
		k := Key{Seed: 23, Path: path}
		fixed := src.NewPath(1, 1).(*gridPath)
		fixed.Reset(k)
		var dw [1]float64
		want := map[float64]float64{}
		for _, to := range []float64{0.25, 0.5, 0.75, 1} {
			fixed.Increment(dw[:], to)
			fixed.Accept()
			want[to] = fixed.cur[0]
		}
		q := src.NewPath(1, 1).(*gridPath)
		q.Reset(k)
		for _, a := range []struct {
			to     float64
			accept bool
		}{{0.4, false}, {0.1, true}, {0.3, false}, {0.2, true}, {0.5, true}, {0.9, false}, {0.6, true}, {1, true}} {
			q.Increment(dw[:], a.to)
			if !a.accept {
				q.Reject()
				continue
			}
			q.Accept()
			if v, ok := want[a.to]; ok && q.cur[0] != v {
				t.Fatalf("path %d: W(%v) = %v after in-cell queries, %v on fixed steps", path, a.to, q.cur[0], v)
			}
		}
	}
}

// TestGridMemory: inside a cell a pre-drawn grid remembers rejected draws as
// the bridge does: a retry to a rejected attempt's end returns the same
// increment, and a shorter accepted step followed by the rest sums to it.
func TestGridMemory(t *testing.T) { checkMemory(t, Grid{Steps: 2}, 0.3, 0.1) }

// FuzzGrid drives a pre-drawn grid path (7 cells, so that few targets are
// grid times) with arbitrary float targets and accept flags: it must never
// panic; an increment to a target after the current time within the span is
// finite, and to any other target zero; the in-cell points stay sorted after
// the current position; and W at a grid time is the grid's value, bit for
// bit, whatever was queried inside the cells before.
func FuzzGrid(f *testing.F) {
	seed := func(vs ...float64) []byte {
		var b []byte
		for i, v := range vs {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
			b = append(b, byte(i%3))
		}
		return b
	}
	f.Add(seed(0.1, 0.05, 0.3, 2.0/7, 0.2, 1))
	f.Add(seed(1e-300, 1.0/7*(1+1e-10), 1, 2, math.NaN(), math.Inf(1), -1, 0.7))
	f.Add(seed(0.3, 0.3, 0.30000000000000004, 0.29999999999999993, 0.5, 1+1e-13))
	const cells = 7
	f.Fuzz(func(t *testing.T, data []byte) {
		k := Key{Seed: 1, Path: 2}
		ref := Grid{Steps: cells}.NewPath(2, 1).(*gridPath)
		ref.Reset(k)
		ref.fill(cells)
		p := Grid{Steps: cells}.NewPath(2, 1).(*gridPath)
		p.Reset(k)
		var dw [2]float64
		for len(data) >= 9 {
			to := math.Float64frombits(binary.LittleEndian.Uint64(data))
			flag := data[8]
			data = data[9:]
			p.Increment(dw[:], to)
			valid := to > p.tau && to <= 1+1e-12
			for _, v := range dw {
				if valid && (math.IsNaN(v) || math.IsInf(v, 0)) {
					t.Fatalf("increment to %v from %v is %v", to, p.tau, dw)
				}
				if !valid && v != 0 {
					t.Fatalf("invalid target %v from %v gave %v, want 0", to, p.tau, dw)
				}
			}
			if flag%2 == 0 {
				p.Accept()
			} else {
				p.Reject()
			}
			if x := p.xtau; valid && flag%2 == 0 && x == math.Trunc(x) {
				for j, v := range p.cur {
					if v != ref.point(int(x))[j] {
						t.Fatalf("W at grid point %v is %v, the grid's %v", x, p.cur, ref.point(int(x)))
					}
				}
			}
			for i := range p.xs {
				if !(p.xs[i] > p.xtau) || i > 0 && !(p.xs[i] > p.xs[i-1]) {
					t.Fatalf("in-cell points out of order: x(τ) = %v, %v", p.xtau, p.xs)
				}
			}
		}
	})
}
