package brownian

import (
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
type Grid struct {
	Steps int
}

// Name returns "grid".
func (Grid) Name() string { return "grid" }

// Exact returns true for a pre-drawn grid (bridge draws inside cells keep
// rejected values) and false for the fast path, which redraws after a
// rejection.
func (g Grid) Exact() bool { return g.Steps > 0 }

// FixedOnly reports whether the source serves fixed steps only: the fast
// path does, a pre-drawn grid serves adaptive steps too.
func (g Grid) FixedOnly() bool { return g.Steps <= 0 }

// cellDraws is the private stream purpose of a pre-drawn grid's draws inside
// cells, distinct from the exported purposes, so that those draws leave the
// grid values (drawn from Increments) unchanged.
const cellDraws Purpose = 0x67726964 // "grid"

// NewPath returns a grid path of dimension m over a span of the given length.
func (g Grid) NewPath(m int, span float64) Path {
	if g.Steps <= 0 {
		return &redrawPath{}
	}
	return &gridPath{m: m, n: g.Steps, span: span, cell: span / float64(g.Steps),
		cum: make([]float64, m, 4*m), cur: make([]float64, m), wto: make([]float64, m)}
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
}

func (p *gridPath) Reset(k Key) {
	p.stream.Reset(k, Increments)
	p.inner.Reset(k, cellDraws)
	p.cum = p.cum[:p.m]
	clear(p.cum)
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
		p.off = k
	}
	switch {
	case len(p.xs) == 0:
	case p.xs[len(p.xs)-1] <= p.xtau:
		p.xs, p.vs = p.xs[:0], p.vs[:0]
	default:
		j, found := slices.BinarySearch(p.xs, p.xtau)
		if found {
			j++
		}
		n := copy(p.xs, p.xs[j:])
		p.xs = p.xs[:n]
		n = copy(p.vs, p.vs[j*p.m:])
		p.vs = p.vs[:n]
	}
}

func (p *gridPath) Reject() {
	p.keep()
	p.pending = false
}
