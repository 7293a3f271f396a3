package brownian

import "math"

// Grid serves fixed steps.
//
// With Steps = 0 it is the fast path: every increment is one fresh normal
// draw per dimension, nothing kept. It does not remember rejected draws, so
// it serves fixed steps only (FixedOnly); for adaptive steps use Bridge or
// Tree.
//
// With Steps = N > 0 the path is pre-drawn, lazily, on the grid of N equal
// intervals of the span: W at the grid times is the running sum of
// independent N(0, span/N) increments, and off-grid times are linearly
// interpolated. A fixed-step solve on any grid that is a subset of this one
// (a coarser dyadic grid, say) is driven by exactly the summed increments of
// the same path, which is how strong convergence is measured on one path.
// The path keeps only the grid values from its current time on, so memory
// per path is m values per grid cell of the longest attempt ahead.
type Grid struct {
	Steps int
}

// Name returns "grid".
func (Grid) Name() string { return "grid" }

// Exact returns true for a pre-drawn grid (W is a fixed function of time)
// and false for the fast path, which redraws after a rejection.
func (g Grid) Exact() bool { return g.Steps > 0 }

// FixedOnly reports whether the source serves fixed steps only.
func (g Grid) FixedOnly() bool { return g.Steps <= 0 }

// NewPath returns a grid path of dimension m over a span of the given length.
func (g Grid) NewPath(m int, span float64) Path {
	if g.Steps <= 0 {
		return &redrawPath{}
	}
	return &gridPath{m: m, n: g.Steps, span: span, cum: make([]float64, m, 4*m), cur: make([]float64, m), wto: make([]float64, m)}
}

type gridPath struct {
	m, n    int
	span    float64
	stream  Stream
	cum     []float64 // W at grid points off…filled
	off     int       // grid index of cum's first point
	filled  int
	tau, to float64
	cur     []float64 // W(tau)
	wto     []float64
	pending bool
}

func (p *gridPath) Reset(k Key) {
	p.stream.Reset(k, Increments)
	p.cum = p.cum[:p.m]
	clear(p.cum)
	clear(p.cur)
	p.filled, p.off = 0, 0
	p.tau, p.to, p.pending = 0, 0, false
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

// value writes W(t): the grid value when t is a grid time (to rounding),
// else the straight line between the neighbouring grid values.
func (p *gridPath) value(dst []float64, t float64) {
	m := p.m
	x := t / p.span * float64(p.n)
	k := math.Round(x)
	if math.Abs(x-k) <= 1e-9*max(1, x) {
		i := int(k)
		p.fill(i)
		copy(dst, p.point(i))
		return
	}
	i := min(int(x), p.n-1)
	p.fill(i + 1)
	f := x - float64(i)
	a, b := p.point(i), p.point(i+1)
	for j := range dst[:m] {
		dst[j] = a[j] + f*(b[j]-a[j])
	}
}

func (p *gridPath) Increment(dst []float64, to float64) {
	if !(to > p.tau) || to > p.span*(1+1e-12) {
		clear(dst)
		p.pending = false
		return
	}
	p.value(p.wto, min(to, p.span))
	for j := range dst {
		dst[j] = p.wto[j] - p.cur[j]
	}
	p.to, p.pending = to, true
}

func (p *gridPath) Accept() {
	if !p.pending {
		return
	}
	p.tau = p.to
	copy(p.cur, p.wto)
	p.pending = false
	// Drop the grid points before the current time: later attempts start
	// here.
	if k := min(int(p.tau/p.span*float64(p.n)), p.filled); k > p.off {
		n := copy(p.cum, p.cum[(k-p.off)*p.m:])
		p.cum = p.cum[:n]
		p.off = k
	}
}

func (p *gridPath) Reject() { p.pending = false }
