package brownian

import (
	"math"
	"math/rand/v2"
)

// Purpose separates the independent streams of one path.
type Purpose uint64

// Streams of a path. Each purpose gives an independent stream, so that, for
// example, changing how many auxiliary signs a method draws leaves the
// Brownian increments unchanged.
const (
	Increments Purpose = 1 // Brownian increments and bridge draws
	Aux        Purpose = 2 // auxiliary draws of a method (Roberts' random signs)
	Init       Purpose = 3 // initial states (prior draws)
)

// Key identifies one path's randomness: the run's seed and the path's global
// index (the path offset of a run already added).
type Key struct {
	Seed uint64
	Path uint64
}

// Stream is a reproducible random stream for one (seed, path, purpose). It is
// a PCG-DXSM generator (math/rand/v2's PCG, whose output is fixed by its
// specification) seeded by hashing the key, with gofast's own normal sampler,
// so its values do not change with the Go release.
//
// The zero Stream is usable but every zero Stream gives the same values; use
// NewStream or Reset. A Stream must not be used by two goroutines at once.
type Stream struct {
	pcg rand.PCG
}

// NewStream returns the stream of key k for purpose p.
func NewStream(k Key, p Purpose) Stream {
	var s Stream
	s.Reset(k, p)
	return s
}

// Reset sets s to the start of the stream of key k for purpose p.
func (s *Stream) Reset(k Key, p Purpose) {
	a := mix64(k.Seed ^ mix64(uint64(p)*0x9e3779b97f4a7c15))
	b := mix64(a ^ mix64(k.Path+0xd1b54a32d192ed03))
	s.pcg.Seed(a, b)
}

// mix64 is the SplitMix64 finaliser (Steele, Lea & Flood, OOPSLA 2014): a
// bijection of uint64 with full avalanche, used to derive stream seeds.
func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Uint64 returns 64 uniformly random bits.
func (s *Stream) Uint64() uint64 { return s.pcg.Uint64() }

// Float64 returns a uniform number in the open interval (0, 1).
func (s *Stream) Float64() float64 { return unit(s.pcg.Uint64()) }

// Sign returns −1 or +1 with equal probability.
func (s *Stream) Sign() float64 {
	if s.pcg.Uint64()>>63 == 0 {
		return -1
	}
	return 1
}

// Norm returns a standard normal number, by the ziggurat method of Marsaglia
// & Tsang (J. Stat. Softw. 5(8), 2000) with 128 layers in Doornik's form
// (ZIGNOR, 2005), drawing the layer and the abscissa from separate bits of
// one 64-bit number.
func (s *Stream) Norm() float64 {
	r := s.pcg.Uint64()
	if z, ok := zigFast(r); ok {
		return z
	}
	return zigSlow(r, s)
}

// bitSource gives uniformly random 64-bit numbers.
type bitSource interface{ Uint64() uint64 }

// zigFast is the ziggurat's common case (about 98.8% of draws): the point
// falls inside a layer's rectangle.
func zigFast(r uint64) (float64, bool) {
	i := r & (zigLayers - 1)
	u := 2*((float64(r>>11)+0.5)*0x1p-53) - 1 // in (−1, 1)
	if math.Abs(u) < zig.ratio[i] {
		return u * zig.x[i], true
	}
	return 0, false
}

// zigSlow finishes a draw that zigFast declined for r: the wedge test, the
// tail, or a new attempt, drawing what it needs from src.
func zigSlow(r uint64, src bitSource) float64 {
	for {
		i := r & (zigLayers - 1)
		u := 2*((float64(r>>11)+0.5)*0x1p-53) - 1
		if math.Abs(u) < zig.ratio[i] {
			return u * zig.x[i]
		}
		if i == 0 {
			return normTail(u < 0, src)
		}
		x := u * zig.x[i]
		f0 := math.Exp(-0.5 * (zig.x[i]*zig.x[i] - x*x))
		f1 := math.Exp(-0.5 * (zig.x[i+1]*zig.x[i+1] - x*x))
		if f1+unit(src.Uint64())*(f0-f1) < 1 {
			return x
		}
		r = src.Uint64()
	}
}

// unit maps 64 random bits to a uniform number in (0, 1).
func unit(r uint64) float64 { return (float64(r>>11) + 0.5) * 0x1p-53 }

// normTail samples the normal tail beyond zigR (Marsaglia 1964).
func normTail(negative bool, src bitSource) float64 {
	for {
		x := math.Log(unit(src.Uint64())) / zigR // negative
		y := math.Log(unit(src.Uint64()))
		if -2*y >= x*x {
			if negative {
				return x - zigR
			}
			return zigR - x
		}
	}
}

// counter is a counter-based generator: its n-th number is a hash of
// (key, n). The virtual tree gives every node its own key, so a node's
// values do not depend on the order in which nodes are visited.
type counter struct{ key, n uint64 }

func (c *counter) Uint64() uint64 {
	c.n++
	return mix64(c.key + c.n*0x9e3779b97f4a7c15)
}

// Norm returns a standard normal number (the ziggurat of Stream.Norm).
func (c *counter) Norm() float64 {
	r := c.Uint64()
	if z, ok := zigFast(r); ok {
		return z
	}
	return zigSlow(r, c)
}

const (
	zigLayers = 128
	zigR      = 3.442619855899      // start of the tail
	zigV      = 9.91256303526217e-3 // area of each layer
)

// zigTables holds the ziggurat's layer edges; it is computed once and only read.
type zigTables struct {
	x     [zigLayers + 1]float64 // layer edges, x[0] = V/f(R), x[1] = R, x[128] = 0
	ratio [zigLayers]float64     // x[i+1]/x[i]
}

var zig = newZigTables()

func newZigTables() *zigTables {
	t := new(zigTables)
	f := math.Exp(-0.5 * zigR * zigR)
	t.x[0] = zigV / f
	t.x[1] = zigR
	for i := 2; i < zigLayers; i++ {
		t.x[i] = math.Sqrt(-2 * math.Log(zigV/t.x[i-1]+f))
		f = math.Exp(-0.5 * t.x[i] * t.x[i])
	}
	t.x[zigLayers] = 0
	for i := range zigLayers {
		t.ratio[i] = t.x[i+1] / t.x[i]
	}
	return t
}
