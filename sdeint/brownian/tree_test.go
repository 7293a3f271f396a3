package brownian

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gofast-sde/gofast/internal/mcstat"
)

// treeW returns W(t) of a tree path (first component) by the Path API: an
// accepted step from 0 to t.
func treeW(p Path, k Key, t float64, m int) []float64 {
	p.Reset(k)
	dw := make([]float64, m)
	p.Increment(dw, t)
	p.Accept()
	return dw
}

// TestTreeAdditivity: W(s,u) = W(s,t) + W(t,u) to 1e-12, for random
// s < t < u, as increments through the Path API of independent path objects.
func TestTreeAdditivity(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tr := range []Tree{{}, {Tol: 1e-3}, {Levy: true}, {NoCache: true}} {
		for trial := range 200 {
			ts := []float64{rng.Float64(), rng.Float64(), rng.Float64()}
			slices.Sort(ts)
			s, tm, u := ts[0], ts[1], ts[2]
			k := Key{Seed: 3, Path: uint64(trial)}
			const m = 2
			a, b := tr.NewPath(m, 1), tr.NewPath(m, 1)
			step := func(p Path, to float64) []float64 {
				dw := make([]float64, m)
				p.Increment(dw, to)
				p.Accept()
				return dw
			}
			a.Reset(k)
			b.Reset(k)
			step(a, s)
			step(b, s)
			st, tu, su := step(a, tm), step(a, u), step(b, u)
			for j := range m {
				if d := math.Abs(st[j] + tu[j] - su[j]); d > 1e-12 {
					t.Fatalf("%+v: W(s,t)+W(t,u) − W(s,u) = %g for s, t, u = %v", tr, d, ts)
				}
			}
		}
	}
}

// TestTreeQueryOrder: the values at 300 times are the same, bit for bit,
// queried in increasing order, in a random order, and without the cache.
func TestTreeQueryOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	times := make([]float64, 300)
	for i := range times {
		times[i] = 2 * rng.Float64()
	}
	for _, levy := range []bool{false, true} {
		eval := func(tr Tree, order []int) map[int][2]float64 {
			p := tr.NewPath(1, 2).(*treePath)
			p.Reset(Key{Seed: 4, Path: 9})
			out := map[int][2]float64{}
			w, in := make([]float64, 1), make([]float64, 1)
			for _, i := range order {
				p.eval(times[i], w, in)
				out[i] = [2]float64{w[0], in[0]}
			}
			return out
		}
		sorted := make([]int, len(times))
		for i := range sorted {
			sorted[i] = i
		}
		slices.SortFunc(sorted, func(a, b int) int { return int(math.Copysign(1, times[a]-times[b])) })
		random := rng.Perm(len(times))
		ref := eval(Tree{Levy: levy}, sorted)
		for name, got := range map[string]map[int][2]float64{
			"random order": eval(Tree{Levy: levy}, random),
			"no cache":     eval(Tree{Levy: levy, NoCache: true}, random),
		} {
			for i, v := range ref {
				if got[i] != v {
					t.Fatalf("levy %v, %s: value at t = %v is %v, want %v", levy, name, times[i], got[i], v)
				}
			}
		}
	}
}

// TestTreeLaw: over 40000 paths, bridge midpoints of a dyadic node are
// conditionally normal with variance (b−a)/4 (KS p > 0.001 on the
// normalised deviation from the endpoints' mean; with the Lévy area the law
// is another, see TestLevyMidpointLaw); W at the off-grid time 0.3 and the
// increment to 0.7 have variances 0.3 and 0.4 and are uncorrelated (4 SE);
// and paths are independent (see treeIndependence).
func TestTreeLaw(t *testing.T) {
	const n = 40000
	for _, tr := range []Tree{{Tol: 1e-4}, {Tol: 1e-4, Levy: true}} {
		z := make([]float64, n)
		w3, w37, w1 := make([]float64, n), make([]float64, n), make([]float64, n)
		w1seed := make([]float64, n)
		p := tr.NewPath(1, 1)
		a, b := 0.375, 0.5
		for i := range n {
			k := Key{Seed: 5, Path: uint64(i)}
			wa, wb, wm := treeW(p, k, a, 1)[0], treeW(p, k, b, 1)[0], treeW(p, k, (a+b)/2, 1)[0]
			z[i] = (wm - (wa+wb)/2) / math.Sqrt((b-a)/4)
			w3[i] = treeW(p, k, 0.3, 1)[0]
			w37[i] = treeW(p, k, 0.7, 1)[0] - w3[i]
			w1[i] = treeW(p, k, 1, 1)[0]
			w1seed[i] = treeW(p, Key{Seed: 6, Path: uint64(i)}, 1, 1)[0]
		}
		if !tr.Levy {
			if _, pv := mcstat.KS(z, mcstat.NormalCDF); pv < 1e-3 {
				t.Errorf("%+v: bridge midpoints fail KS, p = %v", tr, pv)
			}
		}
		for _, c := range []struct {
			x    []float64
			want float64
		}{{w3, 0.3}, {w37, 0.4}, {w1, 1}} {
			if v, se := mcstat.VarSE(c.x); math.Abs(v-c.want) > 4*se {
				t.Errorf("%+v: variance %.4f ± %.4f, want %v", tr, v, se, c.want)
			}
		}
		if r, se := mcstat.CorrSE(w3, w37); math.Abs(r) > 4*se {
			t.Errorf("%+v: corr(W(0.3), W(0.7)−W(0.3)) = %.4f ± %.4f", tr, r, se)
		}
		treeIndependence(t, tr, w3, w1, w1seed)
	}
}

// treeIndependence checks that distinct paths are independent: W(0.3) and
// W(1) of path i, against W(0.3) and W(1) of path i+lag, for adjacent and
// non-adjacent pairs (lags 1, 2, 3, 64, 1024 and n/2: neighbours, powers of
// two that a weak key hash would favour, and far apart), and W(1) of the
// same path index under seeds 5 and 6. Under independence a sample
// correlation of N pairs has SE 1/√(N−3) (Fisher's z, delta method at
// r = 0), computed here from N rather than from r so that a large r cannot
// widen its own bound; each must be within 4 SE of 0. The 25 checks per
// tree then raise a false alarm with probability about 25·6.3e-5 ≈ 0.2%.
func treeIndependence(t *testing.T, tr Tree, w3, w1, w1seed []float64) {
	t.Helper()
	n := len(w1)
	check := func(name string, x, y []float64) {
		se := 1 / math.Sqrt(float64(len(x)-3))
		if r, _ := mcstat.CorrSE(x, y); math.Abs(r) > 4*se {
			t.Errorf("%+v: %s correlate: r = %.4f, SE %.4f", tr, name, r, se)
		}
	}
	series := []struct {
		name string
		x    []float64
	}{{"W(0.3)", w3}, {"W(1)", w1}}
	for _, lag := range []int{1, 2, 3, 64, 1024, n / 2} {
		for _, a := range series {
			for _, b := range series {
				check(fmt.Sprintf("%s of path i and %s of path i+%d", a.name, b.name, lag), a.x[:n-lag], b.x[lag:])
			}
		}
	}
	check("W(1) of a path under seeds 5 and 6", w1, w1seed)
}

// TestLevyMidpointLaw: the conditional law of W inside an interval given the
// interval's increment and space-time Lévy area, for the Lévy tree and the
// Lévy bridge.
//
// Derivation. Take an interval of length h, W = 0 at its start, and split it
// at the fraction α (β = 1 − α). The pieces' increments w1 ~ N(0, αh),
// w2 ~ N(0, βh) and areas H1 ~ N(0, αh/12), H2 ~ N(0, βh/12) are
// independent (a piece's area is independent of its increment, and the
// pieces of a Brownian path are independent). From the definition,
// h(H + w/2) = ∫W = αh(H1 + w1/2) + βh(w1 + H2 + w2/2), so with w = w1 + w2
//
//	H = αH1 + βH2 + ½(βw1 − αw2).
//
// Hence Cov(w1, w) = αh, Cov(w1, H) = ½αβh, Var w = h, Cov(w, H) = 0 and
// Var H = (α³ + β³ + 3αβ)h/12 = h/12. (w1, w, H) being jointly Gaussian,
//
//	E[w1 | w, H] = αw + (½αβh)/(h/12)·H = αw + 6αβH,
//	Var[w1 | w, H] = αh − α²h − (½αβh)²/(h/12) = αβh(1 − 3αβ).
//
// At the midpoint (α = ½): W(mid) − (W(s) + W(u))/2 given (w, H) is
// N(3H/2, h/16), independent of w. So z = (w1 − αw − 6αβH)/√(αβh(1 − 3αβ))
// is N(0, 1) and uncorrelated with w and H. This is a law of Brownian motion,
// not of one construction, so it holds on off-grid intervals of the tree too.
//
// Checked over 20000 paths on the tree's dyadic node [0.375, 0.5] at its
// midpoint and on the off-grid [0.21, 0.83] at α = 0.3 and 0.8 (the two
// branches of splitLevy, for the bridge): KS p > 0.001, Var z = 1 within
// 4 SE, corr(z, H) and corr(z, w) within 4 SE of 0. A wrong mean
// coefficient shows in corr(z, H): 1.4H instead of 1.5H gives
// corr ≈ 0.1·√(1/12)/√(1/16) ≈ 0.12, about 16 SE.
func TestLevyMidpointLaw(t *testing.T) {
	const n = 20000
	for _, src := range []Source{Tree{Tol: 1e-5, Levy: true}, Bridge{Levy: true}} {
		p := src.NewPath(1, 1).(LevyPath)
		dw, ar := make([]float64, 1), make([]float64, 1)
		for _, c := range []struct{ s, u, alpha float64 }{{0.375, 0.5, 0.5}, {0.21, 0.83, 0.3}, {0.21, 0.83, 0.8}} {
			h, a, b := c.u-c.s, c.alpha, 1-c.alpha
			sd := math.Sqrt(a * b * h * (1 - 3*a*b))
			z, ws, hs := make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range n {
				p.Reset(Key{Seed: 13, Path: uint64(i)})
				p.Increment(dw, c.s)
				p.Accept()
				// The whole interval first, then (after a rejection, for
				// the bridge a split of the known interval) the piece.
				p.IncrementLevy(dw, ar, c.u)
				w, H := dw[0], ar[0]
				p.Reject()
				p.Increment(dw, c.s+a*h)
				z[i] = (dw[0] - a*w - 6*a*b*H) / sd
				ws[i], hs[i] = w, H
			}
			name := fmt.Sprintf("%s on [%v, %v] at α = %v", src.Name(), c.s, c.u, c.alpha)
			if _, pv := mcstat.KS(z, mcstat.NormalCDF); pv < 1e-3 {
				t.Errorf("%s: z fails KS, p = %v", name, pv)
			}
			if v, se := mcstat.VarSE(z); math.Abs(v-1) > 4*se {
				t.Errorf("%s: Var z = %.4f ± %.4f, want 1", name, v, se)
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
}

// TestTreeLevy: the tree's space-time Lévy area over an off-grid interval
// [0.21, 0.83] and over its two pieces split at 0.5: each has variance h/12
// (4 SE) and no correlation with its increment (4 SE); the pieces join to the
// whole interval's area (joinLevy) to 1e-9; and the area matches the
// definition (1/h)∫(W − W(s)) − ΔW/2 computed by the trapezoid rule on the
// tree's own W at 20000 points, to the rule's error.
func TestTreeLevy(t *testing.T) {
	const n = 20000
	s, u, e := 0.21, 0.5, 0.83
	tr := Tree{Tol: 1e-5, Levy: true}
	p := tr.NewPath(1, 1).(*treePath)
	type piece struct{ w, h []float64 }
	pieces := [3]piece{}
	for i := range pieces {
		pieces[i] = piece{make([]float64, n), make([]float64, n)}
	}
	dw, ar := make([]float64, 1), make([]float64, 1)
	for i := range n {
		k := Key{Seed: 6, Path: uint64(i)}
		for j, iv := range [][2]float64{{s, e}, {s, u}, {u, e}} {
			p.Reset(k)
			p.Increment(dw, iv[0])
			p.Accept()
			p.IncrementLevy(dw, ar, iv[1])
			pieces[j].w[i], pieces[j].h[i] = dw[0], ar[0]
		}
		w, h := joinLevy(pieces[1].w[i], pieces[1].h[i], u-s, pieces[2].w[i], pieces[2].h[i], e-u)
		if math.Abs(w-pieces[0].w[i]) > 1e-9 || math.Abs(h-pieces[0].h[i]) > 1e-9 {
			t.Fatalf("path %d: joined pieces (%v, %v), whole (%v, %v)", i, w, h, pieces[0].w[i], pieces[0].h[i])
		}
	}
	for j, h := range []float64{e - s, u - s, e - u} {
		if v, se := mcstat.VarSE(pieces[j].h); math.Abs(v-h/12) > 4*se {
			t.Errorf("interval %d: Var H = %.5f ± %.5f, want h/12 = %.5f", j, v, se, h/12)
		}
		if r, se := mcstat.CorrSE(pieces[j].h, pieces[j].w); math.Abs(r) > 4*se {
			t.Errorf("interval %d: corr(H, ΔW) = %.4f ± %.4f", j, r, se)
		}
	}
	// The definition, on one path.
	p.Reset(Key{Seed: 6, Path: 1})
	const steps = 20000
	w := make([]float64, 1)
	ws := make([]float64, steps+1)
	for i := range ws {
		p.eval(s+(e-s)*float64(i)/steps, w, nil)
		ws[i] = w[0]
	}
	var integral float64
	for i := range steps {
		integral += (ws[i] + ws[i+1]) / 2 * (e - s) / steps
	}
	want := integral/(e-s) - ws[0] - (ws[steps]-ws[0])/2
	p.Reset(Key{Seed: 6, Path: 1})
	p.Increment(dw, s)
	p.Accept()
	p.IncrementLevy(dw, ar, e)
	// The trapezoid rule misses each segment's bridge area, of SD
	// δ^1.5/√12 ≈ 5e-8 for the spacing δ = 3.1e-5; over 20000 independent
	// segments and divided by h = 0.62 that is an SD of 1.1e-5 in H, so
	// 1e-4 is 9 SD.
	if math.Abs(ar[0]-want) > 1e-4 {
		t.Errorf("Lévy area %v, trapezoid rule on the tree's W gives %v", ar[0], want)
	}
}

// TestSplitLevy: resplitting keeps the law. Draw independent pieces
// (w1, H1) ~ N(0, αh) × N(0, αh/12) and (w2, H2), join them, then split the
// join again with splitLevy: the new pieces must have the unconditional
// law again — the variances αh, αh/12, (1−α)h/12 (4 SE) and no correlation
// between w1 and H1 (4 SE). A wrong conditional mean or covariance shows.
// α = 0.1, 0.5 and 0.9 cover both branches of splitLevy.
func TestSplitLevy(t *testing.T) {
	const n, h = 50000, 2.0
	rng := rand.New(rand.NewPCG(7, 7))
	st := NewStream(Key{Seed: 8}, Increments)
	for _, alpha := range []float64{0.1, 0.5, 0.9} {
		w1s, h1s, h2s := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range n {
			a, b := alpha*h, (1-alpha)*h
			w, H := joinLevy(math.Sqrt(a)*rng.NormFloat64(), math.Sqrt(a/12)*rng.NormFloat64(), a,
				math.Sqrt(b)*rng.NormFloat64(), math.Sqrt(b/12)*rng.NormFloat64(), b)
			w1s[i], h1s[i], h2s[i] = splitLevy(w, H, h, alpha, &st)
		}
		for _, c := range []struct {
			name string
			x    []float64
			want float64
		}{{"w1", w1s, alpha * h}, {"H1", h1s, alpha * h / 12}, {"H2", h2s, (1 - alpha) * h / 12}} {
			if v, se := mcstat.VarSE(c.x); math.Abs(v-c.want) > 4*se {
				t.Errorf("α = %v: Var %s = %.5f ± %.5f, want %.5f", alpha, c.name, v, se, c.want)
			}
		}
		if r, se := mcstat.CorrSE(w1s, h1s); math.Abs(r) > 4*se {
			t.Errorf("α = %v: corr(w1, H1) = %.4f ± %.4f", alpha, r, se)
		}
	}
}

// TestLevyUnderRejection: under the draw-dependent rejections of
// rejectingWalk, the bridge's (and the tree's) accepted increments and Lévy
// areas, joined over [0, 1], give W(1) ~ N(0, 1) and H(0, 1) ~ N(0, 1/12),
// uncorrelated (variances and correlation within 4 SE, KS on H·√12).
func TestLevyUnderRejection(t *testing.T) {
	const n = 40000
	for _, src := range []Source{Bridge{Levy: true}, Tree{Levy: true, Tol: 1e-6}} {
		ws, hs, hz := make([]float64, n), make([]float64, n), make([]float64, n)
		p := src.NewPath(1, 1).(LevyPath)
		dw, ar := make([]float64, 1), make([]float64, 1)
		attempts, rejected := 0, 0
		for i := range n {
			p.Reset(Key{Seed: 12, Path: uint64(i)})
			tau, h := 0.0, 0.1
			var w, H, len float64
			for tau < 1 {
				to := math.Min(tau+h, 1)
				p.IncrementLevy(dw, ar, to)
				attempts++
				if to-tau > 1e-3 && math.Abs(dw[0]) > math.Sqrt(to-tau) {
					p.Reject()
					rejected++
					h /= 2
					continue
				}
				p.Accept()
				if len == 0 {
					w, H = dw[0], ar[0]
				} else {
					w, H = joinLevy(w, H, len, dw[0], ar[0], to-tau)
				}
				len += to - tau
				tau = to
				h *= 1.5
			}
			ws[i], hs[i], hz[i] = w, H, H*math.Sqrt(12)
		}
		rate := float64(rejected) / float64(attempts)
		if rate < 0.3 {
			t.Fatalf("%s: rejection rate %.3f < 0.3", src.Name(), rate)
		}
		if v, se := mcstat.VarSE(ws); math.Abs(v-1) > 4*se {
			t.Errorf("%s: Var W(1) = %.4f ± %.4f", src.Name(), v, se)
		}
		if v, se := mcstat.VarSE(hs); math.Abs(v-1.0/12) > 4*se {
			t.Errorf("%s: Var H(0,1) = %.5f ± %.5f, want 1/12", src.Name(), v, se)
		}
		if r, se := mcstat.CorrSE(ws, hs); math.Abs(r) > 4*se {
			t.Errorf("%s: corr(W(1), H) = %.4f ± %.4f", src.Name(), r, se)
		}
		if _, pv := mcstat.KS(hz, mcstat.NormalCDF); pv < 1e-3 {
			t.Errorf("%s: H·√12 fails KS, p = %v", src.Name(), pv)
		}
	}
}

// FuzzTree queries a tree path with arbitrary float targets and accept
// flags: it must never panic; a valid target (after the current time, within
// the span) gives finite values equal to those of a fresh path without the
// cache (W is a pure function), and an invalid one gives zeros.
func FuzzTree(f *testing.F) {
	seed := func(vs ...float64) []byte {
		var b []byte
		for i, v := range vs {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
			b = append(b, byte(i%3))
		}
		return b
	}
	f.Add(seed(0.5, 0.25, 0.75, 1), true)
	f.Add(seed(1e-300, 0.999999999, 1, 2, math.NaN(), math.Inf(1), -1), false)
	f.Add(seed(0.3, 0.3, 0.30000000000000004, 0.7), true)
	f.Fuzz(func(t *testing.T, data []byte, levy bool) {
		tr := Tree{Tol: 1e-4, Levy: levy}
		p := tr.NewPath(2, 1).(*treePath)
		ref := Tree{Tol: 1e-4, Levy: levy, NoCache: true}.NewPath(2, 1).(*treePath)
		k := Key{Seed: 1, Path: 2}
		p.Reset(k)
		ref.Reset(k)
		dw, ar := make([]float64, 2), make([]float64, 2)
		w, in, wr, inr := make([]float64, 2), make([]float64, 2), make([]float64, 2), make([]float64, 2)
		for len(data) >= 9 {
			to := math.Float64frombits(binary.LittleEndian.Uint64(data))
			flag := data[8]
			data = data[9:]
			valid := to > p.tau && to <= 1
			if levy {
				p.IncrementLevy(dw, ar, to)
			} else {
				p.Increment(dw, to)
			}
			for j := range dw {
				if valid && (math.IsNaN(dw[j]) || math.IsInf(dw[j], 0) || math.IsNaN(ar[j]) || math.IsInf(ar[j], 0)) {
					t.Fatalf("target %v from %v: increment %v, area %v", to, p.tau, dw, ar)
				}
				if !valid && dw[j] != 0 {
					t.Fatalf("invalid target %v from %v gave %v", to, p.tau, dw)
				}
			}
			if valid {
				p.eval(to, w, in)
				ref.eval(to, wr, inr)
				if !slices.Equal(w, wr) || levy && !slices.Equal(in, inr) {
					t.Fatalf("W(%v) = %v with the cache, %v without", to, w, wr)
				}
			}
			if flag%2 == 0 {
				p.Accept()
			} else {
				p.Reject()
			}
		}
	})
}
