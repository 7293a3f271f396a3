package brownian

import (
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/gofast-sde/gofast/internal/mcstat"
)

// levyWalk accepts fixed steps to the times ts on path k of p and returns
// the increment and area of each step, m values per step.
func levyWalk(p LevyPath, k Key, m int, ts []float64) (dw, area []float64) {
	p.Reset(k)
	dw, area = make([]float64, len(ts)*m), make([]float64, len(ts)*m)
	for i, to := range ts {
		p.IncrementLevy(dw[i*m:(i+1)*m], area[i*m:(i+1)*m], to)
		p.Accept()
	}
	return dw, area
}

func uniformTimes(steps int, span float64) []float64 {
	ts := make([]float64, steps)
	for i := range ts {
		ts[i] = float64(i+1) / float64(steps) * span
	}
	return ts
}

// TestGridLevyLaw: the law of (ΔW, H) served by a Lévy grid of 64 cells on
// steps over whole cells (a coarse fixed-step walk of 16 steps, 4 cells
// each, and one of a single step over the span) and on steps with partial
// cells at both ends (0.1 → 0.47 → 1, then 0.47 → 1 being the second
// step): per component, ΔW ~ N(0, h) and H ~ N(0, h/12) independent. With
// 20000 paths and 2 components, checked within 4 SE: the means of ΔW and H
// (SE √(v/n)), the variances (VarSE), corr(ΔW, H), the correlation of the
// areas of consecutive steps and of the two components (CorrSE). A wrong
// join (e.g. the plain mean of the cell areas) would give Var H over 4 cells
// (h/12)/4, 150 SE off; dropping the ½(βw1 − αw2) term gives Var H =
// (h/12)(1/4) + …, also far off.
func TestGridLevyLaw(t *testing.T) {
	const n, m = 20000, 2
	src := Grid{Steps: 64, Levy: true}
	p := src.NewPath(m, 1).(LevyPath)
	for _, c := range []struct {
		name string
		ts   []float64
	}{
		{"16 steps of 4 cells", uniformTimes(16, 1)},
		{"one step", []float64{1}},
		{"partial cells", []float64{0.1, 0.47, 1}},
	} {
		steps := len(c.ts)
		dws := make([][]float64, steps*m)
		hs := make([][]float64, steps*m)
		for i := range dws {
			dws[i], hs[i] = make([]float64, n), make([]float64, n)
		}
		for path := range n {
			dw, area := levyWalk(p, Key{Seed: 31, Path: uint64(path)}, m, c.ts)
			for i := range dw {
				dws[i][path], hs[i][path] = dw[i], area[i]
			}
		}
		for s := range steps {
			h := c.ts[s]
			if s > 0 {
				h -= c.ts[s-1]
			}
			for d := range m {
				i := s*m + d
				name := fmt.Sprintf("%s: step %d, component %d", c.name, s, d)
				for _, v := range []struct {
					what string
					x    []float64
					v    float64
				}{{"ΔW", dws[i], h}, {"H", hs[i], h / 12}} {
					if mean, se := mcstat.MeanSE(v.x); math.Abs(mean) > 4*se {
						t.Errorf("%s: mean %s = %.4g ± %.4g, want 0", name, v.what, mean, se)
					}
					if vr, se := mcstat.VarSE(v.x); math.Abs(vr-v.v) > 4*se {
						t.Errorf("%s: Var %s = %.5g ± %.4g, want %.5g", name, v.what, vr, se, v.v)
					}
				}
				if r, se := mcstat.CorrSE(dws[i], hs[i]); math.Abs(r) > 4*se {
					t.Errorf("%s: corr(ΔW, H) = %.4f ± %.4f", name, r, se)
				}
				if d > 0 {
					if r, se := mcstat.CorrSE(hs[i-1], hs[i]); math.Abs(r) > 4*se {
						t.Errorf("%s: corr(H₀, H₁) = %.4f ± %.4f", name, r, se)
					}
				}
				if s > 0 {
					if r, se := mcstat.CorrSE(hs[i-m], hs[i]); math.Abs(r) > 4*se {
						t.Errorf("%s: corr(H, previous step's H) = %.4f ± %.4f", name, r, se)
					}
				}
			}
		}
	}
}

// TestGridLevyCoarseJoinsFine: on a Lévy grid of 64 cells, a fixed-step walk
// on 16, 4 or 1 steps (dyadic subgrids) serves, for every step, exactly the
// (ΔW, H) that joinLevy makes of the fine walk's per-cell values joined in
// order (1e-15 absolute: both are the same sums of the same values; values
// are below 1 in size); the increments are bit for bit those of the grid
// without Levy (the areas come from a stream of their own); and the fast
// path's increments with Levy are those without.
func TestGridLevyCoarseJoinsFine(t *testing.T) {
	const m, cells = 2, 64
	for path := range uint64(20) {
		k := Key{Seed: 5, Path: path}
		p := Grid{Steps: cells, Levy: true}.NewPath(m, 1).(LevyPath)
		fw, fa := levyWalk(p, k, m, uniformTimes(cells, 1))
		plain := Grid{Steps: cells}.NewPath(m, 1)
		plain.Reset(k)
		var dw [m]float64
		for i := range cells {
			plain.Increment(dw[:], float64(i+1)/cells)
			plain.Accept()
			for d := range m {
				if dw[d] != fw[i*m+d] {
					t.Fatalf("path %d cell %d: ΔW %v with Levy, %v without", path, i, fw[i*m+d], dw[d])
				}
			}
		}
		for _, steps := range []int{16, 4, 1} {
			cw, ca := levyWalk(p, k, m, uniformTimes(steps, 1))
			per := cells / steps
			for s := range steps {
				for d := range m {
					w, H, h := 0.0, 0.0, 0.0
					for c := s * per; c < (s+1)*per; c++ {
						if h == 0 {
							w, H = fw[c*m+d], fa[c*m+d]
						} else {
							w, H = joinLevy(w, H, h, fw[c*m+d], fa[c*m+d], 1.0/cells)
						}
						h += 1.0 / cells
					}
					if math.Abs(cw[s*m+d]-w) > 1e-15 || math.Abs(ca[s*m+d]-H) > 1e-15 {
						t.Fatalf("path %d, %d steps, step %d: (ΔW, H) = (%v, %v), joined fine cells (%v, %v)",
							path, steps, s, cw[s*m+d], ca[s*m+d], w, H)
					}
				}
			}
		}
		// The fast path.
		f := Grid{Levy: true}.NewPath(m, 1).(LevyPath)
		g := Grid{}.NewPath(m, 1)
		f.Reset(k)
		g.Reset(k)
		var a, b, area [m]float64
		for i := range 10 {
			f.IncrementLevy(a[:], area[:], float64(i+1)/10)
			g.Increment(b[:], float64(i+1)/10)
			f.Accept()
			g.Accept()
			if a != b {
				t.Fatalf("fast path %d step %d: ΔW %v with Levy, %v without", path, i, a, b)
			}
		}
	}
}

// TestGridLevyFast: the fast path's areas are N(0, h/12), independent of
// the increments and of each other, at steps of 0.3 (20000 paths, 4 SE).
func TestGridLevyFast(t *testing.T) {
	const n = 20000
	p := Grid{Levy: true}.NewPath(1, 1).(LevyPath)
	w, h1, h2 := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		dw, a := levyWalk(p, Key{Seed: 8, Path: uint64(i)}, 1, []float64{0.3, 0.6})
		w[i], h1[i], h2[i] = dw[0], a[0], a[1]
	}
	if v, se := mcstat.VarSE(h1); math.Abs(v-0.3/12) > 4*se {
		t.Errorf("Var H = %.5f ± %.5f, want %.5f", v, se, 0.3/12)
	}
	if m, se := mcstat.MeanSE(h1); math.Abs(m) > 4*se {
		t.Errorf("mean H = %.5f ± %.5f", m, se)
	}
	for _, c := range []struct {
		name string
		x, y []float64
	}{{"corr(ΔW, H)", w, h1}, {"corr(H₁, H₂)", h1, h2}} {
		if r, se := mcstat.CorrSE(c.x, c.y); math.Abs(r) > 4*se {
			t.Errorf("%s = %.4f ± %.4f", c.name, r, se)
		}
	}
}

// TestGridLevyInCell: the conditional law of W inside an interval given its
// increment and area (derived in TestLevyMidpointLaw: z = (w1 − αw −
// 6αβH)/√(αβh(1 − 3αβ)) is N(0, 1), uncorrelated with w and H), on a Lévy
// grid of 4 cells: inside one cell ([0.3, 0.45] in [¼, ½], α = 0.3 and 0.8,
// the two branches of splitLevy) and across cells ([0.21, 0.83], α = 0.3
// and 0.8, split points 0.396 and 0.706 inside cells). The interval's start
// is an accepted in-cell time; the whole interval is attempted first and
// rejected, so the piece is drawn given it (memory). 20000 paths: KS
// p > 0.001, Var z = 1 within 4 SE, correlations within 4 SE of 0.
func TestGridLevyInCell(t *testing.T) {
	const n = 20000
	p := Grid{Steps: 4, Levy: true}.NewPath(1, 1).(LevyPath)
	dw, ar := make([]float64, 1), make([]float64, 1)
	for _, c := range []struct{ s, u, alpha float64 }{{0.3, 0.45, 0.3}, {0.3, 0.45, 0.8}, {0.21, 0.83, 0.3}, {0.21, 0.83, 0.8}} {
		h, a, b := c.u-c.s, c.alpha, 1-c.alpha
		sd := math.Sqrt(a * b * h * (1 - 3*a*b))
		z, ws, hs := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range n {
			p.Reset(Key{Seed: 14, Path: uint64(i)})
			p.Increment(dw, c.s)
			p.Accept()
			p.IncrementLevy(dw, ar, c.u)
			w, H := dw[0], ar[0]
			p.Reject()
			p.Increment(dw, c.s+a*h)
			z[i] = (dw[0] - a*w - 6*a*b*H) / sd
			ws[i], hs[i] = w, H
		}
		name := fmt.Sprintf("[%v, %v] at α = %v", c.s, c.u, c.alpha)
		if _, pv := mcstat.KS(z, mcstat.NormalCDF); pv < 1e-3 {
			t.Errorf("%s: z fails KS, p = %v", name, pv)
		}
		if v, se := mcstat.VarSE(z); math.Abs(v-1) > 4*se {
			t.Errorf("%s: Var z = %.4f ± %.4f, want 1", name, v, se)
		}
		if v, se := mcstat.VarSE(hs); math.Abs(v-h/12) > 4*se {
			t.Errorf("%s: Var H = %.5f ± %.5f, want %.5f", name, v, se, h/12)
		}
		for _, y := range []struct {
			name string
			x    []float64
		}{{"H", hs}, {"w", ws}} {
			if r, se := mcstat.CorrSE(z, y.x); math.Abs(r) > 4*se {
				t.Errorf("%s: corr(z, %s) = %.4f ± %.4f", name, y.name, r, se)
			}
		}
	}
}

// TestGridLevyMemory: after a rejected attempt inside a cell, a retry gives
// the same increment and area, and an accepted shorter step followed by the
// rest joins to them (1e-15); the same across cells. And under
// draw-dependent rejections (a step is rejected when |ΔW| > √h or
// |H| > √(h/12), halving h; accepted steps grow h by 1.5), ∫₀¹ W ds summed
// from the accepted steps, Σ h(W(τ) + ½ΔW + H), has its exact law: variance
// 1/3, covariance with W(1) ½ (as corr √3/2), over 10000 paths within 4 SE
// (SE of the variance ≈ (1/3)√(2/n) ≈ 0.005);
// at least 30% of attempts rejected. A source that forgets rejected draws
// (Redraw) fails the variance check.
func TestGridLevyMemory(t *testing.T) {
	for _, c := range []struct{ long, short float64 }{{0.3, 0.1}, {0.9, 0.2}} {
		p := Grid{Steps: 2, Levy: true}.NewPath(2, 1).(LevyPath)
		p.Reset(Key{Seed: 1, Path: 2})
		var a, ah, b, bh, d, dh, e, eh [2]float64
		p.IncrementLevy(a[:], ah[:], c.long)
		p.Reject()
		p.IncrementLevy(b[:], bh[:], c.long)
		if a != b || ah != bh {
			t.Fatalf("retry of [0, %v]: (%v, %v) then (%v, %v)", c.long, a, ah, b, bh)
		}
		p.Reject()
		p.IncrementLevy(d[:], dh[:], c.short)
		p.Accept()
		p.IncrementLevy(e[:], eh[:], c.long)
		p.Accept()
		for j := range a {
			w, H := joinLevy(d[j], dh[j], c.short, e[j], eh[j], c.long-c.short)
			if math.Abs(w-a[j]) > 1e-15 || math.Abs(H-ah[j]) > 1e-15 {
				t.Errorf("[0, %v] = [0, %v] ∪ [%v, %v], component %d: joined (%v, %v), rejected (%v, %v)",
					c.long, c.short, c.short, c.long, j, w, H, a[j], ah[j])
			}
		}
	}

	const n = 10000
	integ, w1, rate := levyRejectingWalk(Grid{Steps: 8, Levy: true}, n, 40)
	t.Logf("rejection rate %.3f", rate)
	if rate < 0.3 {
		t.Fatalf("rejection rate %.3f < 0.3: the test does not stress the source", rate)
	}
	if v, se := mcstat.VarSE(integ); math.Abs(v-1.0/3) > 4*se {
		t.Errorf("Var ∫W = %.4f ± %.4f, want 1/3", v, se)
	}
	if v, se := mcstat.VarSE(w1); math.Abs(v-1) > 4*se {
		t.Errorf("Var W(1) = %.4f ± %.4f, want 1", v, se)
	}
	if r, se := mcstat.CorrSE(integ, w1); math.Abs(r-math.Sqrt(3)/2) > 4*se {
		t.Errorf("corr(∫W, W(1)) = %.4f ± %.4f, want √3/2", r, se)
	}
	// The check's power: Redraw, which forgets rejected draws, fails it
	// (measured Var ∫W ≈ 0.11).
	integ, _, _ = levyRejectingWalk(Redraw{Levy: true}, n, 40)
	if v, se := mcstat.VarSE(integ); !(math.Abs(v-1.0/3) > 4*se) {
		t.Errorf("Redraw: Var ∫W = %.4f ± %.4f, the check cannot tell a source that forgets", v, se)
	}
}

// levyRejectingWalk walks paths over [0, 1] with draw-dependent rejections
// (see TestGridLevyMemory) and returns ∫₀¹ W ds and W(1) summed from the
// accepted steps, and the rejection rate.
func levyRejectingWalk(src Source, n int, seed uint64) (integ, w1 []float64, rate float64) {
	p := src.NewPath(1, 1).(LevyPath)
	integ, w1 = make([]float64, n), make([]float64, n)
	var dw, ar [1]float64
	attempts, rejected := 0, 0
	for i := range n {
		p.Reset(Key{Seed: seed, Path: uint64(i)})
		tau, h, w, in := 0.0, 0.1, 0.0, 0.0
		for tau < 1 {
			to := math.Min(tau+h, 1)
			hs := to - tau
			p.IncrementLevy(dw[:], ar[:], to)
			attempts++
			if hs > 1e-3 && (math.Abs(dw[0]) > math.Sqrt(hs) || math.Abs(ar[0]) > math.Sqrt(hs/12)) {
				p.Reject()
				rejected++
				h /= 2
				continue
			}
			p.Accept()
			in += hs * (w + dw[0]/2 + ar[0])
			w += dw[0]
			tau = to
			h *= 1.5
		}
		integ[i], w1[i] = in, w
	}
	return integ, w1, float64(rejected) / float64(attempts)
}

// TestGridLevyAllocs: a Lévy grid path, pre-drawn or fast, allocates
// nothing in steady state: walks of 1000 attempts over [0, 1] with every
// other attempt a rejected double step, reset between walks (a path's
// buffers reach their size in the first walk).
func TestGridLevyAllocs(t *testing.T) {
	for _, src := range []Grid{{Steps: 64, Levy: true}, {Levy: true}} {
		p := src.NewPath(2, 1).(LevyPath)
		dw, ar := make([]float64, 2), make([]float64, 2)
		path := uint64(0)
		walk := func() {
			p.Reset(Key{Seed: 2, Path: path})
			path++
			tau := 0.0
			for k := 0; tau < 1; k++ {
				to := min(tau+1.3e-3, 1)
				if k%2 == 0 && src.Steps > 0 {
					p.IncrementLevy(dw, ar, min(tau+2.6e-3, 1))
					p.Reject()
				}
				p.IncrementLevy(dw, ar, to)
				p.Accept()
				tau = to
			}
		}
		walk()
		if a := testing.AllocsPerRun(5, walk); a != 0 {
			t.Errorf("%#v: %v allocations per walk", src, a)
		}
	}
}

// FuzzGridLevy drives a pre-drawn Lévy grid path (7 cells) with arbitrary
// float targets and accept flags, as FuzzGrid does: it must never panic;
// every served increment and area is finite, and zero for a target that is
// not after the current time within the span; W at a grid time is the
// grid's value bit for bit, and ∫₀ W ds summed from the accepted increments
// and areas, Σ h(W(τ) + ½ΔW + H), is the grid's (from a walk over whole
// cells) to 1e-12, whatever was queried inside the cells before (h the
// step's length in grid positions: a time within 1e-9 of a grid time is
// served as that grid time).
func FuzzGridLevy(f *testing.F) {
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
	f.Add(seed(0.9, 0.8, 0.5, 0.45, 0.44, 0.2, 0.6, 0.65, 0.64, 6.0/7, 1))
	const cells = 7
	k := Key{Seed: 1, Path: 2}
	ref := Grid{Steps: cells, Levy: true}.NewPath(2, 1).(*gridPath)
	rw, ra := levyWalk(ref, k, 2, uniformTimes(cells, 1))
	ref.Reset(k)
	ref.fill(cells)
	// refW and refI: W and ∫₀ W ds at the grid points.
	var refW, refI [(cells + 1) * 2]float64
	var sum [2]float64
	for c := range cells {
		for d := range 2 {
			i := c*2 + d
			refI[i+2] = refI[i] + (1.0/cells)*(sum[d]+rw[i]/2+ra[i])
			sum[d] += rw[i]
			refW[i+2] = ref.point(c + 1)[d]
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := Grid{Steps: cells, Levy: true}.NewPath(2, 1).(*gridPath)
		p.Reset(k)
		var dw, ar, w, in [2]float64
		for len(data) >= 9 {
			to := math.Float64frombits(binary.LittleEndian.Uint64(data))
			flag := data[8]
			data = data[9:]
			tau, xtau := p.tau, p.xtau
			p.IncrementLevy(dw[:], ar[:], to)
			valid := to > tau && to <= 1+1e-12
			for j := range dw {
				for _, v := range []float64{dw[j], ar[j]} {
					if valid && (math.IsNaN(v) || math.IsInf(v, 0)) {
						t.Fatalf("attempt to %v from %v gave (%v, %v)", to, tau, dw, ar)
					}
					if !valid && v != 0 {
						t.Fatalf("invalid target %v from %v gave (%v, %v), want 0", to, tau, dw, ar)
					}
				}
			}
			if flag%2 == 1 {
				p.Reject()
				continue
			}
			p.Accept()
			// The step's length as the grid sees it: a time within 1e-9
			// (relative) of a grid time is that grid time.
			h := (p.xtau - xtau) / cells
			for j := range w {
				in[j] += h * (w[j] + dw[j]/2 + ar[j])
				w[j] += dw[j]
			}
			if x := p.xtau; valid && x == math.Trunc(x) {
				for j := range p.cur {
					i := int(x)*2 + j
					if p.cur[j] != refW[i] || math.Abs(in[j]-refI[i]) > 1e-12 {
						t.Fatalf("at grid point %v: W %v, ∫W %v; the grid's %v, %v", x, p.cur, in, refW[i:i+2], refI[i:i+2])
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

// TestGoldenGridLevy: with Levy on, a pre-drawn grid's W at the grid times
// has the digests TestGoldenPaths pins for the grid without Levy (bit for
// bit: the areas come from a stream of their own), and the Lévy grid's
// increments and areas (pre-drawn and fast path) are pinned to their values
// when the grid first served areas, under the same build rule as
// TestGoldenPaths (amd64, GOAMD64=v1; elsewhere only reproducibility is
// checked).
func TestGoldenGridLevy(t *testing.T) {
	pinned := false
	if bi, ok := debug.ReadBuildInfo(); ok && runtime.GOARCH == "amd64" {
		pinned = true
		for _, kv := range bi.Settings {
			if kv.Key == "GOAMD64" && kv.Value != "v1" {
				pinned = false
			}
		}
	}
	for _, c := range []struct {
		src            Source
		levy, gridOnly bool
		m              int
		span           float64
		want           uint64
	}{
		{Grid{Steps: 64, Levy: true}, false, true, 2, 1, 0xf53f29dfa1e94820},
		{Grid{Steps: 64, Levy: true}, false, true, 1, 2.5, 0x8e4945e81fe6ace3},
		{Grid{Steps: 64, Levy: true}, true, false, 2, 1, 0x3a7ea9f0a04f82a0},
		{Grid{Steps: 64, Levy: true}, true, true, 1, 2.5, 0x292ae0d048eeb2ac},
		{Grid{Levy: true}, true, true, 2, 1, 0xae47ca787bfc2760},
	} {
		got := pathDigest(c.src, c.levy, c.gridOnly, c.m, c.span)
		if again := pathDigest(c.src, c.levy, c.gridOnly, c.m, c.span); again != got {
			t.Errorf("%#v (levy %v, m %d): digest %#x, then %#x", c.src, c.levy, c.m, got, again)
		}
		if pinned && got != c.want {
			t.Errorf("%#v (levy %v, grid times only %v, m %d, span %v): digest %#x, want %#x",
				c.src, c.levy, c.gridOnly, c.m, c.span, got, c.want)
		}
	}
}
