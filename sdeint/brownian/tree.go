package brownian

import (
	"fmt"
	"math"
)

// Tree is the virtual Brownian tree: a path's W is a pure function of
// (seed, path, time), so any query order, any rejected attempt and any step
// sequence see the same path. Solutions at different step sizes or
// tolerances can be compared on one Brownian path, as strong convergence
// studies need.
//
// W is built by Brownian-bridge bisection of the span (Lévy's construction;
// as in Diffrax's VirtualBrownianTree, Kidger et al., "Efficient and accurate
// gradients for neural SDEs", NeurIPS 2021): the root draws W(span), and the
// node covering [a, b] draws W((a+b)/2) ~ N((W(a)+W(b))/2, (b−a)/4) from a
// counter-based generator keyed by hashing (seed, path, node). Bisection stops
// at intervals of length at most Tol; inside such a leaf W is the bridge's
// conditional mean, the straight line between the leaf's ends (with Levy, the
// quadratic mean given the leaf's Lévy area). Increments over intervals longer
// than Tol are exactly Brownian; below Tol the path is interpolated.
//
// With Levy, the area of a step comes from the difference of two running
// integrals ∫₀^t W, so it loses relative precision for steps below about
// 1e-9 of the span.
//
// A query costs one normal draw per level, ⌈log₂(span/Tol)⌉ levels (at most
// 60). Each path caches its last descent, so a query near the previous one
// only redoes the levels below their common ancestor.
//
// Memory per path is the descent stack: for each of the levels+1 nodes on
// the way from the root to a leaf, W at its two ends (2m values; 4m with
// Levy, adding the node's area and ∫₀ W to its start) and seven per-level
// scalars, (levels+1)·(2m+7) 8-byte words without Levy: about 23 KB for
// m = 64 at the default 20 levels. The descent needs the stack as scratch
// whether or not it is kept as a cache, so NoCache saves no memory.
type Tree struct {
	// Tol bounds the leaf length (time units). Zero means 1e-6 of the span.
	Tol float64
	// Levy also draws the space-time Lévy area of every node, so that
	// paths implement LevyPath. It doubles the draws per level; the W
	// values differ from those of a tree without it (another pure function).
	Levy bool
	// NoCache turns off the descent cache: every query descends from the
	// root (for benchmarks).
	NoCache bool
}

// Name returns "tree".
func (Tree) Name() string { return "tree" }

// Exact returns true: W is a fixed function of time, whatever is rejected.
func (Tree) Exact() bool { return true }

// WithLevy returns the tree with Lévy areas on.
func (tr Tree) WithLevy() Source { tr.Levy = true; return tr }

// Validate reports a Tol that is negative, NaN or infinite (zero means the
// default).
func (tr Tree) Validate() error {
	if !(tr.Tol >= 0) || math.IsInf(tr.Tol, 1) {
		return fmt.Errorf("brownian: Tree.Tol = %v, want a finite value ≥ 0 (0: 1e-6 of the span)", tr.Tol)
	}
	return nil
}

// maxTreeDepth bounds the levels so that node indices fit in 64 bits.
const maxTreeDepth = 60

// NewPath returns a tree path of dimension m over a span of the given length.
func (tr Tree) NewPath(m int, span float64) Path {
	tol := tr.Tol
	if !(tol > 0) {
		tol = 1e-6 * span
	}
	depth := 0
	if span > tol {
		depth = min(maxTreeDepth, int(math.Ceil(math.Log2(span/tol))))
	}
	p := &treePath{
		m: m, span: span, depth: depth, levy: tr.Levy, cache: !tr.NoCache,
		length: make([]float64, depth+1),
		lo:     make([]float64, depth+1),
		idx:    make([]uint64, depth+1),
		keys:   make([]uint64, depth+1),
		wlo:    make([]float64, (depth+1)*m),
		whi:    make([]float64, (depth+1)*m),
		wcur:   make([]float64, m),
		wto:    make([]float64, m),
	}
	p.sdMid = make([]float64, depth+1)
	p.sdW1 = make([]float64, depth+1)
	p.sdF = make([]float64, depth+1)
	for d := range p.length {
		L := math.Ldexp(span, -d)
		p.length[d] = L
		p.sdMid[d] = math.Sqrt(L) / 2 // the bridge midpoint: variance L/4
		p.sdW1[d] = math.Sqrt(L) / 4  // given the Lévy area: variance L/16
		p.sdF[d] = math.Sqrt(L / 12)
	}
	if tr.Levy {
		p.area = make([]float64, (depth+1)*m)
		p.ilo = make([]float64, (depth+1)*m)
		p.icur = make([]float64, m)
		p.ito = make([]float64, m)
	}
	return p
}

type treePath struct {
	m           int
	span        float64
	depth       int // leaf level D
	levy, cache bool
	key         uint64
	length      []float64 // interval length at each level: span/2^d
	sdMid       []float64 // per level: SD of the bridge midpoint
	sdW1, sdF   []float64 // per level: SDs of the Lévy split's draws
	// The descent cache: levels 0…valid−1 hold, for the node at that level
	// on the last query's descent, its start lo, heap index idx, W at its
	// ends, and with Levy its Lévy area and ∫₀^lo W.
	valid    int
	lo       []float64
	idx      []uint64
	keys     []uint64 // node keys: a hash chain from the root
	wlo, whi []float64
	area     []float64
	ilo      []float64
	// The current time τ, W(τ) and ∫₀^τ W; the current attempt's target.
	tau, to    float64
	wcur, icur []float64
	wto, ito   []float64
	pending    bool
	rng        counter
}

func (p *treePath) Reset(k Key) {
	a := mix64(k.Seed ^ mix64(uint64(Increments)*0x9e3779b97f4a7c15))
	p.key = mix64(a ^ mix64(k.Path+0x94d049bb133111eb))
	// The root: W(span) ~ N(0, span), and its Lévy area ~ N(0, span/12),
	// from their own key; every node draws its midpoint from its key, which
	// hashes its parent's key with the side it lies on.
	p.lo[0], p.idx[0] = 0, 1
	p.keys[0] = mix64(p.key ^ 0xd6e8feb86659fd93)
	c := p.gen(mix64(p.key))
	sd := math.Sqrt(p.span)
	for j := range p.m {
		p.wlo[j] = 0
		p.whi[j] = sd * c.Norm()
		if p.levy {
			p.area[j] = sd / math.Sqrt(12) * c.Norm()
			p.ilo[j] = 0
		}
	}
	p.valid = 1
	p.tau, p.to, p.pending = 0, 0, false
	clear(p.wcur)
	if p.levy {
		clear(p.icur)
	}
}

// Child key tags: a child's key is mix64(parent key + tag).
const (
	leftTag  = 0x632be59bd9b4e019
	rightTag = 0x8cb92ba72f3d8dd7
)

// gen returns a generator keyed by key. It lives in the path (on the heap
// already), so handing it to the ziggurat's slow path as an interface
// allocates nothing.
func (p *treePath) gen(key uint64) *counter {
	p.rng = counter{key: key}
	return &p.rng
}

// nodeNorm returns the first normal of the node with the given key, using
// the (already hashed) key itself as the random bits of the ziggurat's
// common case; later draws of the node come from gen(key).
func (p *treePath) nodeNorm(key uint64) float64 {
	if z, ok := zigFast(key); ok {
		return z
	}
	return zigSlow(key, p.gen(key))
}

// descend1 is the descent of eval from level d for the common case m = 1
// without Levy, with the same draws and arithmetic, so the same values: it
// carries the node in registers instead of reloading it from the stack it
// fills (about 11% faster at Tol 1e-6), and keys no generator unless the
// ziggurat needs one. (Choosing the child by bit masks instead of a branch
// was slower: the branch lets the next level start before the comparison.)
// It reports whether t is a node's midpoint; W(t) is then wlo at level
// valid−1.
func (p *treePath) descend1(t float64, d int) (atMid bool) {
	lo, idx, key := p.lo[d], p.idx[d], p.keys[d]
	wa, wb := p.wlo[d], p.whi[d]
	for ; d < p.depth; d++ {
		mid := lo + p.length[d]/2
		wm := 0.5*(wa+wb) + p.sdMid[d]*p.nodeNorm(key)
		if t < mid {
			idx, key, wb = 2*idx, mix64(key+leftTag), wm
		} else {
			lo, idx, key, wa = mid, 2*idx+1, mix64(key+rightTag), wm
		}
		p.lo[d+1], p.idx[d+1], p.keys[d+1] = lo, idx, key
		p.wlo[d+1], p.whi[d+1] = wa, wb
		if t == mid {
			p.valid = d + 2
			return true
		}
	}
	return false
}

// eval writes W(t) to dst and, with Levy and a non-nil integral, ∫₀^t W
// to integral.
func (p *treePath) eval(t float64, dst, integral []float64) {
	m := p.m
	d := 0
	if p.cache {
		// The deepest cached node whose interval holds t, in the sense of
		// the descent (which goes left iff t < mid): [lo, lo+L), closed
		// for the rightmost node. A time on a boundary thus always takes
		// the same route, so values are bit-identical with or without the
		// cache.
		for d = p.valid - 1; d > 0; d-- {
			lo := p.lo[d]
			if lo <= t && (t < lo+p.length[d] || p.idx[d] == 1<<(d+1)-1) {
				break
			}
		}
	}
	if m == 1 && !p.levy {
		if p.descend1(t, d) {
			dst[0] = p.wlo[p.valid-1]
			return
		}
		d = p.depth
	}
	for ; d < p.depth; d++ {
		L := p.length[d]
		mid := p.lo[d] + L/2
		left := t < mid
		key := p.keys[d]
		o, n := d*m, (d+1)*m
		if left {
			p.lo[d+1], p.idx[d+1], p.keys[d+1] = p.lo[d], 2*p.idx[d], mix64(key+leftTag)
		} else {
			p.lo[d+1], p.idx[d+1], p.keys[d+1] = mid, 2*p.idx[d]+1, mix64(key+rightTag)
		}
		c := p.gen(key)
		if !p.levy {
			sd := p.sdMid[d]
			for j := range m {
				var z float64
				if j == 0 {
					z = p.nodeNorm(key)
				} else {
					z = c.Norm()
				}
				wa, wb := p.wlo[o+j], p.whi[o+j]
				wm := 0.5*(wa+wb) + sd*z
				if left {
					p.wlo[n+j], p.whi[n+j] = wa, wm
				} else {
					p.wlo[n+j], p.whi[n+j] = wm, wb
				}
			}
		} else {
			// Midpoint split given the increment w and Lévy area H of the
			// node (the α = ½ case of splitLevy, drawn directly).
			sq, s12 := p.sdW1[d], p.sdF[d]
			for j := range m {
				var z1 float64
				if j == 0 {
					z1 = p.nodeNorm(key)
				} else {
					z1 = c.Norm()
				}
				wa, wb, H := p.wlo[o+j], p.whi[o+j], p.area[o+j]
				w := wb - wa
				w1 := 0.5*w + 1.5*H + sq*z1
				f := s12 * c.Norm()
				e := 2*H - 0.5*(2*w1-w)
				h1, h2 := 0.5*(e+f), 0.5*(e-f)
				if left {
					p.wlo[n+j], p.whi[n+j], p.area[n+j], p.ilo[n+j] = wa, wa+w1, h1, p.ilo[o+j]
				} else {
					// ∫ over the left half = (L/2)(H1 + w1/2) + (L/2)·W(a).
					p.wlo[n+j], p.whi[n+j], p.area[n+j] = wa+w1, wb, h2
					p.ilo[n+j] = p.ilo[o+j] + L/2*(h1+0.5*w1+wa)
				}
			}
		}
		if t == mid {
			// t is this node's midpoint, now known exactly: the deeper
			// levels would only interpolate to it. (Fixed dyadic steps end
			// here, many levels up.)
			p.valid = d + 2
			copy(dst, p.wlo[n:n+m])
			if p.levy && integral != nil {
				copy(integral, p.ilo[n:n+m])
			}
			return
		}
	}
	p.valid = p.depth + 1
	// Inside the leaf: the conditional mean path.
	D, L := p.depth, p.length[p.depth]
	x := min(1, max(0, (t-p.lo[D])/L))
	o := D * m
	for j := range m {
		wa, w := p.wlo[o+j], p.whi[o+j]-p.wlo[o+j]
		if !p.levy {
			dst[j] = wa + x*w
			continue
		}
		H := p.area[o+j]
		dst[j] = wa + x*w + 6*H*x*(1-x)
		if integral != nil {
			integral[j] = p.ilo[o+j] + L*(x*wa+x*x/2*w+6*H*(x*x/2-x*x*x/3))
		}
	}
}

// valid reports whether to is a target the path can serve: a time after
// the current one, within the span.
func (p *treePath) validTarget(to float64) bool {
	return to > p.tau && to <= p.span
}

func (p *treePath) Increment(dst []float64, to float64) {
	if !p.validTarget(to) {
		clear(dst)
		p.pending = false
		return
	}
	p.eval(to, p.wto, p.ito)
	for j := range dst {
		dst[j] = p.wto[j] - p.wcur[j]
	}
	p.to, p.pending = to, true
}

// IncrementLevy serves the increment and the space-time Lévy area
// H = (∫_τ^to W − (to−τ)·W(τ))/(to−τ) − ΔW/2, from the tree's W and its
// running integral. It panics if the tree was made without Levy.
func (p *treePath) IncrementLevy(dw, area []float64, to float64) {
	if !p.levy {
		panic("brownian: IncrementLevy on a Tree without Levy")
	}
	p.Increment(dw, to)
	if !p.pending {
		clear(area)
		return
	}
	h := to - p.tau
	for j := range area {
		area[j] = (p.ito[j]-p.icur[j])/h - p.wcur[j] - 0.5*dw[j]
	}
}

func (p *treePath) Accept() {
	if !p.pending {
		return
	}
	p.tau = p.to
	copy(p.wcur, p.wto)
	if p.levy {
		copy(p.icur, p.ito)
	}
	p.pending = false
}

func (p *treePath) Reject() { p.pending = false }
