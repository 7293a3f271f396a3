package brownian

import "math"

// Redraw is the source of the official "Gotta Go Fast" code
// (Jolicoeur-Martineau et al. 2021, arXiv:2105.14080, Algorithm 1): every
// attempt draws a fresh increment N(0, (to−τ)·I) and a rejected draw is
// forgotten.
//
// Redraw is biased. Whether a step is rejected depends on its draw, so the
// accepted increments are not a Brownian path: large increments tend to be
// rejected and replaced by smaller ones, which typically shrinks the variance
// of W(T) (gofast measured Var W(1) ≈ 0.7 for Roberts' pair on geometric
// Brownian motion at tolerance 1e-2). It exists for ablations. Use Bridge.
//
// With Levy, each attempt also draws a fresh Lévy area N(0, h/12).
type Redraw struct {
	Levy bool
}

// Name returns "redraw".
func (Redraw) Name() string { return "redraw" }

// Exact returns false: redrawing after rejections biases the path.
func (Redraw) Exact() bool { return false }

// WithLevy returns the source with Lévy areas on.
func (r Redraw) WithLevy() Source { r.Levy = true; return r }

// NewPath returns a redraw path of dimension m.
func (r Redraw) NewPath(m int, span float64) Path { return &redrawPath{levy: r.Levy} }

type redrawPath struct {
	stream  Stream
	levy    bool
	tau, to float64
}

// IncrementLevy draws a fresh increment and Lévy area. It panics if the
// source was made without Levy.
func (p *redrawPath) IncrementLevy(dw, area []float64, to float64) {
	if !p.levy {
		panic("brownian: IncrementLevy on a Redraw without Levy")
	}
	p.Increment(dw, to)
	s12 := math.Sqrt(max(p.to-p.tau, 0) / 12)
	for i := range area {
		area[i] = s12 * p.stream.Norm()
	}
}

func (p *redrawPath) Reset(k Key) {
	p.stream.Reset(k, Increments)
	p.tau, p.to = 0, 0
}

func (p *redrawPath) Increment(dst []float64, to float64) {
	if !(to > p.tau) || math.IsInf(to, 1) {
		clear(dst)
		p.to = p.tau
		return
	}
	sd := math.Sqrt(to - p.tau)
	for i := range dst {
		dst[i] = sd * p.stream.Norm()
	}
	p.to = to
}

func (p *redrawPath) Accept() { p.tau = p.to }

func (p *redrawPath) Reject() {}
