package brownian

import (
	"math"
	"testing"

	"github.com/gofast-sde/gofast/internal/mcstat"
)

func TestStreamReproducible(t *testing.T) {
	k := Key{Seed: 7, Path: 123}
	a, b := NewStream(k, Increments), NewStream(k, Increments)
	for i := range 1000 {
		if x, y := a.Norm(), b.Norm(); x != y {
			t.Fatalf("draw %d: %v != %v for the same key", i, x, y)
		}
	}
	// Different seed, path or purpose: different streams.
	first := func(k Key, p Purpose) uint64 { s := NewStream(k, p); return s.Uint64() }
	base := first(k, Increments)
	for _, c := range []struct {
		k Key
		p Purpose
	}{{Key{8, 123}, Increments}, {Key{7, 124}, Increments}, {k, Aux}, {k, Init}} {
		if first(c.k, c.p) == base {
			t.Errorf("key %v purpose %d gives the same first draw as key %v", c.k, c.p, k)
		}
	}
}

// TestNormDistribution checks the ziggurat sampler against N(0,1): KS on 10⁶
// draws of one stream, mean 0 and variance 1 within 4 SE, and the tail
// beyond the ziggurat's base R, sampled by a separate branch, at its exact
// probability 2(1 − Φ(R)) within 4 SE (binomial SE).
func TestNormDistribution(t *testing.T) {
	const n = 1_000_000
	s := NewStream(Key{Seed: 1}, Increments)
	x := make([]float64, n)
	tail := 0
	for i := range x {
		x[i] = s.Norm()
		if math.Abs(x[i]) > zigR {
			tail++
		}
	}
	if _, p := mcstat.KS(x, mcstat.NormalCDF); p < 1e-3 {
		t.Errorf("KS p = %v < 1e-3", p)
	}
	if m, se := mcstat.MeanSE(x); math.Abs(m) > 4*se {
		t.Errorf("mean %v, more than 4 SE (%v) from 0", m, se)
	}
	if v, se := mcstat.VarSE(x); math.Abs(v-1) > 4*se {
		t.Errorf("variance %v, more than 4 SE (%v) from 1", v, se)
	}
	pt := 2 * (1 - mcstat.NormalCDF(zigR))
	se := math.Sqrt(pt * (1 - pt) / n)
	if got := float64(tail) / n; math.Abs(got-pt) > 4*se {
		t.Errorf("tail fraction %v, want %v ± 4·%v", got, pt, se)
	}
}

// TestStreamsIndependentAcrossPaths: the first draws of consecutive paths
// are N(0,1) (KS) and uncorrelated (|r| < 4 SE).
func TestStreamsIndependentAcrossPaths(t *testing.T) {
	const n = 100_000
	x := make([]float64, n)
	for i := range x {
		s := NewStream(Key{Seed: 3, Path: uint64(i)}, Increments)
		x[i] = s.Norm()
	}
	if _, p := mcstat.KS(x, mcstat.NormalCDF); p < 1e-3 {
		t.Errorf("KS p = %v < 1e-3", p)
	}
	if r, se := mcstat.CorrSE(x[:n-1], x[1:]); math.Abs(r) > 4*se {
		t.Errorf("lag-1 correlation across paths %v > 4·%v", r, se)
	}
}

func TestSignAndFloat(t *testing.T) {
	s := NewStream(Key{Seed: 5}, Aux)
	const n = 100_000
	sum := 0.0
	for range n {
		v := s.Sign()
		if v != 1 && v != -1 {
			t.Fatalf("Sign() = %v", v)
		}
		sum += v
		if u := s.Float64(); !(u > 0 && u < 1) {
			t.Fatalf("Float64() = %v outside (0, 1)", u)
		}
	}
	// The sum of n fair signs has SD √n.
	if math.Abs(sum) > 4*math.Sqrt(n) {
		t.Errorf("sum of %d signs = %v, beyond 4√n", n, sum)
	}
}
