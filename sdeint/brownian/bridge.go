package brownian

import "math"

// Bridge is the exact source for adaptive solving: a Brownian path that
// remembers every value it has drawn, after the rejection sampling with memory
// of Rackauckas & Nie (DCDS-B 22(7), 2017, RSwM3 in spirit).
//
// The path keeps the known points (τ_k, W(τ_k)) that lie beyond the current
// time. An attempt to time to
//   - reuses W(to) if that point is known;
//   - draws W(to) from the Brownian bridge between its known neighbours,
//     N(W_a + (to−τ_a)/(τ_b−τ_a)·(W_b−W_a), (to−τ_a)(τ_b−to)/(τ_b−τ_a)), if
//     to lies before a known point;
//   - otherwise extends the path with a fresh N(0, to−τ_last) increment.
//
// The new point is kept whether the attempt is accepted or not; accepting
// discards the points at or before to. Every value is drawn from its exact
// conditional law given everything drawn before, so the path is exactly
// Brownian whatever the accept/reject decisions, and a rejected attempt's
// information is reused by the retry instead of thrown away (which would bias
// the path, see Redraw).
//
// Memory per path is the number of pending points, typically a handful (a
// few dozen under an unclamped controller, see NewPath); a step costs one
// normal draw per dimension.
//
// With Levy, every known interval also carries its space-time Lévy area, and
// splits draw the increment and both areas from their exact conditional law
// given the interval's increment and area (see splitLevy); the path then
// implements LevyPath at two normal draws per dimension and step.
type Bridge struct {
	Levy bool
}

// Name returns "bridge".
func (Bridge) Name() string { return "bridge" }

// Exact returns true.
func (Bridge) Exact() bool { return true }

// WithLevy returns the bridge with Lévy areas on.
func (b Bridge) WithLevy() Source { b.Levy = true; return b }

// NewPath returns a bridge path of dimension m.
func (b Bridge) NewPath(m int, span float64) Path {
	// Room for a few pending points, kept small so that the stacks of a
	// block's paths lie close together in memory (room for 64 in place
	// measured 25–30% slower steps on 10⁴ one-dimensional paths).
	points := max(4, min(16, 1024/max(m, 1)))
	p := &bridgePath{m: m, levy: b.Levy, cur: make([]float64, m), times: make([]float64, 0, points), vals: make([]float64, 0, points*m)}
	if b.Levy {
		p.areas = make([]float64, 0, points*m)
	}
	// And spare room for a deep stack, taken over when the first one is
	// full, so that stepping does not allocate: the paper's unclamped
	// controller leaves the points of huge rejected attempts far ahead,
	// and on 10⁴ one-dimensional OU paths over a very long span (the
	// engine's BenchmarkRound) the deepest stack held 19 points after 200
	// rounds and 27 after 2·10⁴, growing about logarithmically.
	if deep := min(64, 1024/max(m, 1)); deep > points {
		p.spareTimes = make([]float64, 0, deep)
		p.spareVals = make([]float64, 0, deep*m)
		if b.Levy {
			p.spareAreas = make([]float64, 0, deep*m)
		}
	}
	return p
}

type bridgePath struct {
	m      int
	levy   bool
	stream Stream
	tau    float64   // current (last accepted) time
	cur    []float64 // W(tau)
	// Pending known points after tau, in increasing time; vals holds m
	// values per point. Capacity is kept, so the steady state allocates
	// nothing.
	times []float64
	vals  []float64
	// With Levy, areas holds the Lévy area of the interval ending at each
	// pending point (from the previous point, or from tau).
	areas []float64
	to    float64 // end of the current attempt
	toIdx int     // index of the point at to, or −1
	// Spare room for a deep stack (see NewPath); nil once taken.
	spareTimes, spareVals, spareAreas []float64
}

func (p *bridgePath) Reset(k Key) {
	p.stream.Reset(k, Increments)
	p.tau = 0
	clear(p.cur)
	p.times = p.times[:0]
	p.vals = p.vals[:0]
	p.areas = p.areas[:0]
	p.to, p.toIdx = 0, -1
}

func (p *bridgePath) Increment(dst []float64, to float64) {
	m := p.m
	if !(to > p.tau) || math.IsInf(to, 1) {
		clear(dst)
		p.toIdx = -1
		return
	}
	// The first pending point at or after to.
	j := 0
	for j < len(p.times) && p.times[j] < to {
		j++
	}
	if j == len(p.times) || p.times[j] != to {
		// W(to) is unknown: draw it given its known neighbours. The left
		// neighbour is the previous pending point or the current time.
		ta := p.tau
		if j > 0 {
			ta = p.times[j-1]
		}
		p.insert(j, to)
		wa := p.cur
		if j > 0 {
			wa = p.vals[(j-1)*m : j*m]
		}
		w := p.vals[j*m : (j+1)*m]
		switch {
		case j+1 < len(p.times) && p.levy:
			// Split the right neighbour's interval, with its Lévy area.
			tb := p.times[j+1]
			wb := p.vals[(j+1)*m : (j+2)*m]
			a, ab := p.areas[j*m:(j+1)*m], p.areas[(j+1)*m:(j+2)*m]
			alpha := (to - ta) / (tb - ta)
			for i := range w {
				w1, h1, h2 := splitLevy(wb[i]-wa[i], ab[i], tb-ta, alpha, &p.stream)
				w[i], a[i], ab[i] = wa[i]+w1, h1, h2
			}
		case j+1 < len(p.times):
			// Brownian bridge to the right neighbour.
			tb := p.times[j+1]
			wb := p.vals[(j+1)*m : (j+2)*m]
			frac := (to - ta) / (tb - ta)
			// Variance (to−ta)(tb−to)/(tb−ta), factored against overflow.
			sd := math.Sqrt(to-ta) * math.Sqrt((tb-to)/(tb-ta))
			for i := range w {
				w[i] = wa[i] + frac*(wb[i]-wa[i]) + sd*p.stream.Norm()
			}
		default:
			// Beyond every known point: a fresh increment.
			sd := math.Sqrt(to - ta)
			for i := range w {
				w[i] = wa[i] + sd*p.stream.Norm()
			}
			if p.levy {
				a, s12 := p.areas[j*m:(j+1)*m], sd/math.Sqrt(12)
				for i := range a {
					a[i] = s12 * p.stream.Norm()
				}
			}
		}
	}
	w := p.vals[j*m : (j+1)*m]
	for i := range dst {
		dst[i] = w[i] - p.cur[i]
	}
	p.to, p.toIdx = to, j
}

// insert opens a slot for a point at time t at index j.
func (p *bridgePath) insert(j int, t float64) {
	m := p.m
	if len(p.times) == cap(p.times) && p.spareTimes != nil {
		p.times = append(p.spareTimes, p.times...)
		p.vals = append(p.spareVals, p.vals...)
		if p.levy {
			p.areas = append(p.spareAreas, p.areas...)
		}
		p.spareTimes, p.spareVals, p.spareAreas = nil, nil, nil
	}
	p.times = append(p.times, t)
	p.vals = append(p.vals, make([]float64, m)...)
	if p.levy {
		p.areas = append(p.areas, make([]float64, m)...)
	}
	if j < len(p.times)-1 {
		copy(p.times[j+1:], p.times[j:])
		copy(p.vals[(j+1)*m:], p.vals[j*m:])
		if p.levy {
			copy(p.areas[(j+1)*m:], p.areas[j*m:])
		}
		p.times[j] = t
	}
}

func (p *bridgePath) Accept() {
	m, j := p.m, p.toIdx
	if j < 0 {
		return
	}
	p.tau = p.to
	copy(p.cur, p.vals[j*m:(j+1)*m])
	// Drop the points at or before the new current time.
	if j == len(p.times)-1 {
		p.times, p.vals, p.areas = p.times[:0], p.vals[:0], p.areas[:0]
	} else {
		n := copy(p.times, p.times[j+1:])
		p.times = p.times[:n]
		copy(p.vals, p.vals[(j+1)*m:])
		p.vals = p.vals[:n*m]
		if p.levy {
			copy(p.areas, p.areas[(j+1)*m:])
			p.areas = p.areas[:n*m]
		}
	}
	p.toIdx = -1
}

func (p *bridgePath) Reject() { p.toIdx = -1 }

// IncrementLevy serves the increment and the space-time Lévy area of the
// attempt, joining the known intervals between the current time and to. It
// panics if the bridge was made without Levy.
func (p *bridgePath) IncrementLevy(dw, area []float64, to float64) {
	if !p.levy {
		panic("brownian: IncrementLevy on a Bridge without Levy")
	}
	p.Increment(dw, to)
	clear(area)
	if p.toIdx < 0 {
		return
	}
	m := p.m
	for i := range area {
		// Join the pieces (τ, t₀], (t₀, t₁], …, (t_{j−1}, to].
		t0, w0 := p.tau, p.cur[i]
		var w, H, h float64
		for k := 0; k <= p.toIdx; k++ {
			tk, wk := p.times[k], p.vals[k*m+i]
			if k == 0 {
				w, H, h = wk-w0, p.areas[i], tk-t0
			} else {
				w, H = joinLevy(w, H, h, wk-w0, p.areas[k*m+i], tk-t0)
				h += tk - t0
			}
			t0, w0 = tk, wk
		}
		area[i] = H
	}
}
