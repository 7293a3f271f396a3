package quality

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// directionsStream is the second PCG word of the Directions generator.
const directionsStream = 0x64697273 // "dirs"

// Directions returns L unit vectors in d dimensions, row-major (L×d),
// drawn from seed: each is a vector of independent standard normals
// divided by its norm, hence uniform on the unit sphere (Muller, Commun.
// ACM 2 (1959) 19–20). Directions panics if d < 1 or L < 1.
func Directions(d, L int, seed uint64) []float64 {
	mustPositive("Directions", "d", d)
	mustPositive("Directions", "L", L)
	rng := rand.New(rand.NewPCG(seed, directionsStream))
	u := make([]float64, L*d)
	for l := range L {
		row := u[l*d : (l+1)*d]
		for {
			var s float64
			for j := range row {
				row[j] = rng.NormFloat64()
				s += row[j] * row[j]
			}
			if s > 0 {
				s = 1 / math.Sqrt(s)
				for j := range row {
					row[j] *= s
				}
				break
			}
		}
	}
	return u
}

// SlicedW2 returns the sliced 2-Wasserstein distance between the samples x
// (nx rows of d values) and y (ny rows) over the L = len(dirs)/d unit
// directions u_l of dirs (L×d, see Directions), in data units:
//
//	SW = √( (1/L) Σ_l W₂²(u_lᵀx, u_lᵀy) ),
//
// (Rabin, Peyré, Delon & Bernot, SSVM 2011; Bonneel, Rabin, Peyré & Pfister,
// J. Math. Imaging Vis. 51 (2015) 22–45) where W₂ between two 1-D empirical
// distributions is computed by quantile matching: with m = max(nx, ny) and
// levels t_k = (k+½)/m,
//
//	W₂² = (1/m) Σ_k (Q_x(t_k) − Q_y(t_k))²,
//
// and Q_z is the empirical quantile function of the sorted projections
// z₍₀₎ ≤ … ≤ z₍ₙ₋₁₎ interpolated linearly between z₍ᵢ₎ at level (i+½)/n
// (constant beyond the end points). For nx = ny this is exactly the
// sorted matching (1/n) Σ_i (x₍ᵢ₎ − y₍ᵢ₎)². For y = x + v (the same sample
// shifted) SW² = (1/L) Σ_l (u_l·v)², whose mean over uniform directions is
// ‖v‖²/d.
//
// The SE is a grouped jackknife over G = min(10, nx, ny) groups, replicate
// g deleting group g of x and group g of y together (see FrechetSamples).
// It covers the sampling error of both samples for the given directions,
// not the variation over the choice of directions (the directions are a
// fixed part of the metric's definition). Near SW = 0 the SE is unreliable
// (see the package documentation).
//
// Cost: the projections are computed once, as one matrix product (O((nx +
// ny)·d·L)); then, per direction, each sample is sorted once together with
// the group of each row, and every replicate is an O(n) pass that skips
// one group, so no re-sorting is needed. Directions are processed in
// parallel; the result does not depend on GOMAXPROCS.
//
// SlicedW2 panics if a size is not positive, len(dirs) is not a positive
// multiple of d, or a length does not match; se is NaN if min(nx, ny) < 2.
func SlicedW2(x []float64, nx int, y []float64, ny int, d int, dirs []float64) (sw, se float64) {
	mustShape("SlicedW2", "x", len(x), nx, d)
	mustShape("SlicedW2", "y", len(y), ny, d)
	if len(dirs) == 0 || len(dirs)%d != 0 {
		panic(fmt.Sprintf("quality: SlicedW2: len(dirs) = %d is not a positive multiple of d = %d", len(dirs), d))
	}
	L := len(dirs) / d
	g := min(slicedGroups, nx, ny)

	// px is L×nx: row l holds u_lᵀx_i for every row i of x; likewise py.
	u := mat.NewDense(L, d, dirs)
	px := mat.NewDense(L, nx, nil)
	px.Mul(u, mat.NewDense(nx, d, x).T())
	py := mat.NewDense(L, ny, nil)
	py.Mul(u, mat.NewDense(ny, d, y).T())
	pxr, pyr := px.RawMatrix(), py.RawMatrix()

	// w2[l*(g+1)+k] is W₂² along direction l without group k, or with all
	// rows for k = g.
	w2 := make([]float64, L*(g+1))
	workers := min(runtime.GOMAXPROCS(0), L)
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newSliceScratch(nx, ny)
			for l := range next {
				s.direction(w2[l*(g+1):(l+1)*(g+1)],
					pxr.Data[l*pxr.Stride:l*pxr.Stride+nx],
					pyr.Data[l*pyr.Stride:l*pyr.Stride+ny], g)
			}
		}()
	}
	for l := range L {
		next <- l
	}
	close(next)
	wg.Wait()

	// Reduce in direction order so the result is deterministic.
	reps := make([]float64, g+1)
	for l := range L {
		for k := range g + 1 {
			reps[k] += w2[l*(g+1)+k]
		}
	}
	for k := range reps {
		reps[k] = math.Sqrt(reps[k] / float64(L))
	}
	sw = reps[g]
	if min(nx, ny) < 2 {
		return sw, math.NaN()
	}
	return sw, jackknifeSE(reps[:g])
}

// valueGroup is a projected value with the jackknife group of its row.
type valueGroup struct {
	v float64
	g int32
}

// sliceScratch is one worker's buffers for SlicedW2.
type sliceScratch struct {
	sx, sy []valueGroup
	bx, by []float64
}

func newSliceScratch(nx, ny int) *sliceScratch {
	return &sliceScratch{
		sx: make([]valueGroup, nx), sy: make([]valueGroup, ny),
		bx: make([]float64, nx), by: make([]float64, ny),
	}
}

// direction fills out[k] with W₂² between the projections zx and zy
// without group k (k < g), and out[g] with all rows.
func (s *sliceScratch) direction(out, zx, zy []float64, g int) {
	sortWithGroups(s.sx, zx, g)
	sortWithGroups(s.sy, zy, g)
	for k := 0; k <= g; k++ {
		out[k] = w2Sorted(filterGroup(s.bx, s.sx, k), filterGroup(s.by, s.sy, k))
	}
}

// sortWithGroups fills dst with the values of z and their group among g
// contiguous groups, sorted by value.
func sortWithGroups(dst []valueGroup, z []float64, g int) {
	n := len(z)
	for k := range g {
		lo, hi := groupBounds(k, n, g)
		for i := lo; i < hi; i++ {
			dst[i] = valueGroup{z[i], int32(k)}
		}
	}
	slices.SortFunc(dst, func(a, b valueGroup) int { return cmp.Compare(a.v, b.v) })
}

// filterGroup writes the sorted values of src not in group skip to buf and
// returns them.
func filterGroup(buf []float64, src []valueGroup, skip int) []float64 {
	buf = buf[:0]
	for _, e := range src {
		if int(e.g) != skip {
			buf = append(buf, e.v)
		}
	}
	return buf
}

// w2Sorted returns the squared 1-D Wasserstein-2 distance between the
// empirical distributions of the sorted samples a and b by quantile
// matching on max(len(a), len(b)) levels (see SlicedW2).
func w2Sorted(a, b []float64) float64 {
	if len(a) == len(b) {
		var s float64
		for i, v := range a {
			d := v - b[i]
			s += d * d
		}
		return s / float64(len(a))
	}
	m := max(len(a), len(b))
	var s float64
	for k := range m {
		t := (float64(k) + 0.5) / float64(m)
		d := quantile(a, t) - quantile(b, t)
		s += d * d
	}
	return s / float64(m)
}

// quantile returns the empirical quantile at level t of the sorted sample
// z, interpolated linearly between z[i] at level (i+½)/n.
func quantile(z []float64, t float64) float64 {
	n := len(z)
	pos := t*float64(n) - 0.5
	if pos <= 0 {
		return z[0]
	}
	if pos >= float64(n-1) {
		return z[n-1]
	}
	i := int(pos)
	f := pos - float64(i)
	return z[i] + f*(z[i+1]-z[i])
}
