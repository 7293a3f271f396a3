package brownian

import (
	"fmt"
	"math"
	"slices"
)

// Grid serves fixed steps, and with Steps > 0 adaptive ones too.
//
// With Steps = 0 it is the fast path: every increment is one fresh normal
// draw per dimension, nothing kept. It does not remember rejected draws, so
// it serves fixed steps only (FixedOnly); for adaptive steps use Bridge or
// Tree.
//
// With Steps = N > 0 the path is pre-drawn, lazily, on the grid of N equal
// intervals of the span: W at the grid times is the running sum of
// independent N(0, span/N) increments. A fixed-step solve on any grid that
// is a subset of this one (a coarser dyadic grid, say) is driven by exactly
// the summed increments of the same path, which is how strong convergence is
// measured on one path.
//
// W at a time inside a cell is drawn from the Brownian bridge between its
// known neighbours (the cell's ends, the current time, and the cell's points
// drawn before, rejected attempts included), as Bridge does, from a stream
// of its own: the path is exactly Brownian at every time, whatever the
// accept/reject decisions, so Grid{Steps: N} also serves adaptive steps and
// fixed steps off its grid; and the grid values do not depend on the
// queries inside cells, so such solves share W at the grid times with the
// fixed-step solves on the grid. (Interpolating linearly instead would give
// W(t) inside a cell the variance t − (t−t_k)(t_{k+1}−t)/(t_{k+1}−t_k), too
// small.) Off-grid values, like the bridge's, depend on the order of the
// queries; use Tree for a W that is a fixed function of time everywhere.
//
// The path keeps only the grid values from its current time on and the
// points drawn inside cells after it, so memory per path is m values per
// grid cell of the longest attempt ahead plus m per pending in-cell point.
//
// With Levy, the paths also serve the space-time Lévy area of every attempt
// (they implement LevyPath). The fast path draws a fresh area N(0, h/12)
// per attempt; a pre-drawn grid draws one area per cell and per dimension,
// so that a step over whole cells gets the exact (ΔW, H) of their union
// (joinLevy): a fixed-step solve on a coarser dyadic grid sees exactly the
// joined increments and areas of the fine cells it covers. Inside a cell,
// every known interval carries its area and a new point splits its interval
// by the exact conditional law given the interval's increment and area
// (splitLevy), with memory, as Bridge with Levy does. The areas come from a
// stream of their own, so W at the grid times (and on the fast path W
// everywhere) is the same with Levy as without; W inside cells is not (it
// is drawn given the areas too).
type Grid struct {
	Steps int
	Levy  bool
}

// Name returns "grid".
func (Grid) Name() string { return "grid" }

// Exact returns true for a pre-drawn grid (bridge draws inside cells keep
// rejected values) and false for the fast path, which redraws after a
// rejection.
func (g Grid) Exact() bool { return g.Steps > 0 }

// WithLevy returns the grid with Lévy areas on.
func (g Grid) WithLevy() Source { g.Levy = true; return g }

// FixedOnly reports whether the source serves fixed steps only: the fast
// path does, a pre-drawn grid serves adaptive steps too.
func (g Grid) FixedOnly() bool { return g.Steps <= 0 }

// Validate reports a negative Steps, which would silently select the fast
// path (Steps = 0).
func (g Grid) Validate() error {
	if g.Steps < 0 {
		return fmt.Errorf("brownian: Grid.Steps = %d, want ≥ 0 (0: the fast path, fresh draws per step)", g.Steps)
	}
	return nil
}

// cellDraws is the private stream purpose of a pre-drawn grid's draws inside
// cells, distinct from the exported purposes, so that those draws leave the
// grid values (drawn from Increments) unchanged.
const cellDraws Purpose = 0x67726964 // "grid"

// areaDraws is the private stream purpose of a grid's Lévy areas (one per
// cell and dimension, or one per attempt on the fast path), so that the
// increments are those of the grid without Levy.
const areaDraws Purpose = 0x67617265 // "gare"

// NewPath returns a grid path of dimension m over a span of the given length.
func (g Grid) NewPath(m int, span float64) Path {
	if g.Steps <= 0 {
		if g.Levy {
			return &fastLevyPath{}
		}
		return &redrawPath{}
	}
	p := &gridPath{m: m, n: g.Steps, span: span, cell: span / float64(g.Steps),
		cum: make([]float64, m, 4*m), cur: make([]float64, m), wto: make([]float64, m)}
	if g.Levy {
		p.levy = true
		p.ga = make([]float64, m, 4*m)
		p.ato = make([]float64, m)
		p.acc = make([]float64, m)
	}
	return p
}

// fastLevyPath is the fast path with Lévy areas: a fresh increment from the
// increment stream, as without Levy, and a fresh area N(0, h/12) per
// dimension from a stream of its own.
type fastLevyPath struct {
	redrawPath
	area Stream
}

func (p *fastLevyPath) Reset(k Key) {
	p.redrawPath.Reset(k)
	p.area.Reset(k, areaDraws)
}

// IncrementLevy draws a fresh increment and Lévy area.
func (p *fastLevyPath) IncrementLevy(dw, area []float64, to float64) {
	p.Increment(dw, to)
	s12 := math.Sqrt(max(p.to-p.tau, 0) / 12)
	for i := range area {
		area[i] = s12 * p.area.Norm()
	}
}

type gridPath struct {
	m, n    int
	span    float64
	cell    float64   // span/n
	stream  Stream    // grid increments
	inner   Stream    // draws inside cells
	cum     []float64 // W at grid points off…filled
	off     int       // grid index of cum's first point
	filled  int
	tau, to float64
	// Positions in grid units (time/cell) of tau and to, a grid index
	// exactly when the time is a grid time to rounding.
	xtau, xto float64
	cur       []float64 // W(tau)
	wto       []float64
	// Known points inside cells after tau, in increasing position, with m
	// values each in vs.
	xs, vs  []float64
	pending bool
	// drawn: the pending attempt's W(to) is a new draw inside a cell, not
	// yet in xs (kept on Reject; on Accept it becomes W(tau), so the
	// common no-rejection step never touches xs).
	drawn bool

	// With levy, every known point after tau carries the Lévy area of the
	// interval from the known point before it (tau, a grid point or an
	// in-cell point): ga for the grid points (m per point, aligned with
	// cum; a point's value is the whole cell's area until the cell is
	// split), as for the in-cell points (aligned with vs), ato for the
	// pending new draw. acc is scratch for joining.
	levy     bool
	area     Stream
	ga, as   []float64
	ato, acc []float64
}

func (p *gridPath) Reset(k Key) {
	p.stream.Reset(k, Increments)
	p.inner.Reset(k, cellDraws)
	p.cum = p.cum[:p.m]
	clear(p.cum)
	if p.levy {
		p.area.Reset(k, areaDraws)
		p.ga = p.ga[:p.m]
		p.as = p.as[:0]
	}
	clear(p.cur)
	p.filled, p.off = 0, 0
	p.tau, p.to, p.pending, p.drawn = 0, 0, false, false
	p.xtau, p.xto = 0, 0
	p.xs, p.vs = p.xs[:0], p.vs[:0]
}

// fill draws the grid up to point k.
func (p *gridPath) fill(k int) {
	m := p.m
	sd := math.Sqrt(p.span / float64(p.n))
	for ; p.filled < k; p.filled++ {
		i := p.filled - p.off
		p.cum = append(p.cum, make([]float64, m)...)
		prev, next := p.cum[i*m:(i+1)*m], p.cum[(i+1)*m:(i+2)*m]
		for j := range next {
			next[j] = prev[j] + sd*p.stream.Norm()
		}
		if p.levy {
			p.ga = append(p.ga, make([]float64, m)...)
			a := p.ga[(i+1)*m : (i+2)*m]
			for j := range a {
				a[j] = sd / math.Sqrt(12) * p.area.Norm()
			}
		}
	}
}

// point returns W at grid point k (off ≤ k ≤ filled).
func (p *gridPath) point(k int) []float64 {
	i := k - p.off
	return p.cum[i*p.m : (i+1)*p.m]
}

// value writes W(t) and returns t's position in grid units: the grid value
// when t is a grid time (to rounding), else a value inside the cell (see
// inCell), with drawn reporting a new draw.
func (p *gridPath) value(dst []float64, t float64) (x float64, drawn bool) {
	x = t / p.span * float64(p.n)
	k := math.Round(x)
	if math.Abs(x-k) <= 1e-9*max(1, x) {
		i := int(k)
		p.fill(i)
		copy(dst, p.point(i))
		return k, false
	}
	i := min(int(x), p.n-1)
	p.fill(i + 1)
	return x, p.inCell(dst, x, i)
}

// inCell writes W at the position x inside cell i: a known point's value,
// or a draw from the Brownian bridge between x's known neighbours in the
// cell, reported by drawn, which the caller must keep (see keep) unless it
// becomes the current time.
func (p *gridPath) inCell(dst []float64, x float64, i int) (drawn bool) {
	m := p.m
	j, found := slices.BinarySearch(p.xs, x)
	if found {
		copy(dst, p.vs[j*m:(j+1)*m])
		return false
	}
	// Neighbours: the latest known point before x in the cell (its start,
	// the current time or an earlier draw) and the earliest after it.
	xa, wa := float64(i), p.point(i)
	if p.xtau > xa {
		xa, wa = p.xtau, p.cur
	}
	if j > 0 && p.xs[j-1] > xa {
		xa, wa = p.xs[j-1], p.vs[(j-1)*m:j*m]
	}
	xb, wb := float64(i+1), p.point(i+1)
	if j < len(p.xs) && p.xs[j] < xb {
		xb, wb = p.xs[j], p.vs[j*m:(j+1)*m]
	}
	if !(x > xa) {
		// x rounds onto the current time: nothing to draw.
		copy(dst, wa)
		return false
	}
	if p.levy {
		// Split [xa, xb] with its increment and area; the area of
		// [x, xb] goes to xb's slot now, that of [xa, x] to ato, kept
		// with the point (keep) or dropped with everything before it
		// when the attempt is accepted.
		ab := p.ga[(i+1-p.off)*m : (i+2-p.off)*m]
		if xb < float64(i+1) {
			ab = p.as[j*m : (j+1)*m]
		}
		h, alpha := p.cell*(xb-xa), (x-xa)/(xb-xa)
		for k := range dst[:m] {
			w1, h1, h2 := splitLevy(wb[k]-wa[k], ab[k], h, alpha, &p.inner)
			dst[k], p.ato[k], ab[k] = wa[k]+w1, h1, h2
		}
		return true
	}
	frac := (x - xa) / (xb - xa)
	// The bridge variance; positions are in grid units, so (x−xa) and
	// (xb−x)/(xb−xa) are at most 1.
	sd := math.Sqrt(p.cell * (x - xa) * ((xb - x) / (xb - xa)))
	for k := range dst[:m] {
		dst[k] = wa[k] + frac*(wb[k]-wa[k]) + sd*p.inner.Norm()
	}
	return true
}

// keep stores the pending attempt's new in-cell draw among the known points.
func (p *gridPath) keep() {
	if p.pending && p.drawn {
		j, _ := slices.BinarySearch(p.xs, p.xto)
		p.xs = slices.Insert(p.xs, j, p.xto)
		p.vs = slices.Insert(p.vs, j*p.m, p.wto...)
		if p.levy {
			p.as = slices.Insert(p.as, j*p.m, p.ato...)
		}
	}
	p.drawn = false
}

func (p *gridPath) Increment(dst []float64, to float64) {
	// An attempt left unsettled counts as rejected: its draw stays known.
	p.keep()
	if !(to > p.tau) || to > p.span*(1+1e-12) {
		clear(dst)
		p.pending = false
		return
	}
	p.xto, p.drawn = p.value(p.wto, min(to, p.span))
	for j := range dst {
		dst[j] = p.wto[j] - p.cur[j]
	}
	p.to, p.pending = to, true
}

func (p *gridPath) Accept() {
	if !p.pending {
		return
	}
	p.tau, p.xtau = p.to, p.xto
	copy(p.cur, p.wto)
	p.pending, p.drawn = false, false
	// Drop the grid points before the current time and the in-cell points
	// up to it: later attempts start here.
	if k := min(int(p.tau/p.span*float64(p.n)), p.filled); k > p.off {
		n := copy(p.cum, p.cum[(k-p.off)*p.m:])
		p.cum = p.cum[:n]
		if p.levy {
			copy(p.ga, p.ga[(k-p.off)*p.m:])
			p.ga = p.ga[:n]
		}
		p.off = k
	}
	switch {
	case len(p.xs) == 0:
	case p.xs[len(p.xs)-1] <= p.xtau:
		p.xs, p.vs, p.as = p.xs[:0], p.vs[:0], p.as[:0]
	default:
		j, found := slices.BinarySearch(p.xs, p.xtau)
		if found {
			j++
		}
		n := copy(p.xs, p.xs[j:])
		p.xs = p.xs[:n]
		n = copy(p.vs, p.vs[j*p.m:])
		p.vs = p.vs[:n]
		if p.levy {
			copy(p.as, p.as[j*p.m:])
			p.as = p.as[:n]
		}
	}
}

func (p *gridPath) Reject() {
	p.keep()
	p.pending = false
}

// IncrementLevy serves the increment and the space-time Lévy area of the
// attempt, joining (joinLevy) the known intervals between the current time
// and to: whole cells with their drawn areas, pieces of cells with the
// areas of their splits. It panics if the grid was made without Levy.
func (p *gridPath) IncrementLevy(dw, area []float64, to float64) {
	if !p.levy {
		panic("brownian: IncrementLevy on a Grid without Levy")
	}
	p.Increment(dw, to)
	clear(area)
	if !p.pending {
		return
	}
	m := p.m
	// Walk the known points after tau up to the attempt's end, in order:
	// the grid points k > xtau and the in-cell points xs; with a new draw
	// the last piece is [its left neighbour, xto] with area ato.
	x0, w0 := p.xtau, p.cur
	h := 0.0
	k := int(math.Floor(p.xtau)) + 1
	j := 0
	piece := func(x float64, w, a []float64) {
		hs := p.cell * (x - x0)
		for d := range area {
			sw := w[d] - w0[d]
			if h == 0 {
				p.acc[d], area[d] = sw, a[d]
			} else {
				p.acc[d], area[d] = joinLevy(p.acc[d], area[d], h, sw, a[d], hs)
			}
		}
		h += hs
		x0, w0 = x, w
	}
	for {
		xk := float64(k)
		nextGrid := k <= p.filled && (xk < p.xto || !p.drawn && xk == p.xto)
		nextIn := j < len(p.xs) && (p.xs[j] < p.xto || !p.drawn && p.xs[j] == p.xto)
		switch {
		case nextIn && (!nextGrid || p.xs[j] < xk):
			piece(p.xs[j], p.vs[j*m:(j+1)*m], p.as[j*m:(j+1)*m])
			j++
		case nextGrid:
			piece(xk, p.point(k), p.ga[(k-p.off)*m:(k-p.off+1)*m])
			k++
		default:
			if p.drawn {
				piece(p.xto, p.wto, p.ato)
			}
			return
		}
	}
}
