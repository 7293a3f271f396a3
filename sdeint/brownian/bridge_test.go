package brownian

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/gofast-sde/gofast/internal/mcstat"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
)

// rejectingWalk drives a path over [0, 1] with a stop at ½ and a rejection
// rule that depends on the draw, the situation that biases a forgetful
// source: an attempt of length h is rejected when |ΔW| > √h (probability
// 2(1 − Φ(1)) ≈ 32% per attempt for an exact source), retried with h/2, and
// h grows by 1.5 after an acceptance. As a real controller's minimum step
// would, attempts shorter than 1e-3 are accepted whatever their draw (else a
// pinned point beyond a pathological draw could be unreachable). It returns
// W(½), W(1) and the rejection rate.
func rejectingWalk(src Source, paths int, seed uint64) (mid, end []float64, rate float64) {
	return rejectingWalkStops(src, paths, seed, 0.5, 1)
}

// rejectingWalkStops is rejectingWalk over [0, stop2] with a stop at stop1:
// it returns W(stop1), W(stop2) and the rejection rate.
func rejectingWalkStops(src Source, paths int, seed uint64, stop1, stop2 float64) (mid, end []float64, rate float64) {
	mid, end = make([]float64, paths), make([]float64, paths)
	p := src.NewPath(1, 1)
	var dw [1]float64
	attempts, rejected := 0, 0
	for i := range paths {
		p.Reset(Key{Seed: seed, Path: uint64(i)})
		tau, h, w := 0.0, 0.1, 0.0
		for _, stop := range []float64{stop1, stop2} {
			for tau < stop {
				to := math.Min(tau+h, stop)
				p.Increment(dw[:], to)
				attempts++
				if to-tau > 1e-3 && math.Abs(dw[0]) > math.Sqrt(to-tau) {
					p.Reject()
					rejected++
					h /= 2
					continue
				}
				p.Accept()
				w += dw[0]
				tau = to
				h *= 1.5
			}
			if stop == stop1 {
				mid[i] = w
			}
		}
		end[i] = w
	}
	return mid, end, float64(rejected) / float64(attempts)
}

// checkBrownian returns the deviations, in SE, of the normalised variances
// of W(½), W(1) and W(1) − W(½) from 1 and of their correlation from 0, and
// the KS p-value of W(½)/√½.
func checkBrownian(mid, end []float64) (dev [4]float64, ks float64) {
	inc := make([]float64, len(end))
	norm := make([]float64, len(mid))
	for i := range end {
		inc[i] = end[i] - mid[i]
		norm[i] = mid[i] / math.Sqrt(0.5)
	}
	for j, c := range []struct {
		x   []float64
		len float64
	}{{mid, 0.5}, {end, 1}, {inc, 0.5}} {
		v, se := mcstat.VarSE(c.x)
		dev[j] = (v/c.len - 1) / (se / c.len)
	}
	r, se := mcstat.CorrSE(mid, inc)
	dev[3] = r / se
	_, ks = mcstat.KS(norm, mcstat.NormalCDF)
	return dev, ks
}

// TestBridgeExactUnderRejection: with about a third of the attempts rejected
// by a rule that looks at the draw, the bridge's W(½), W(1) and
// W(1) − W(½) have variances ½, 1, ½ within 4 SE, the two pieces are
// uncorrelated within 4 SE, and W(½)/√½ is N(0,1) by KS (p > 0.001).
func TestBridgeExactUnderRejection(t *testing.T) {
	mid, end, rate := rejectingWalk(Bridge{}, 100_000, 11)
	if rate < 0.3 {
		t.Fatalf("rejection rate %.3f < 0.3: the test does not stress the source", rate)
	}
	dev, ks := checkBrownian(mid, end)
	for j, name := range []string{"Var W(½)/½", "Var W(1)", "Var(W(1)−W(½))/½", "corr"} {
		if math.Abs(dev[j]) > 4 {
			t.Errorf("%s deviates by %.2f SE", name, dev[j])
		}
	}
	if ks < 1e-3 {
		t.Errorf("KS p = %v for W(½)/√½", ks)
	}
}

// TestRedrawBiasedUnderRejection: the same walk with Redraw accepts only
// draws with |ΔW| ≤ √h, so every accepted increment is a truncated normal of
// variance (1 − 2φ(1)/(2Φ(1) − 1))·h ≈ 0.29h: Var W(1) falls far below 1.
// The rejection rate must reach 30%, as for the bridge, or the walk is not
// the stress it claims to be.
func TestRedrawBiasedUnderRejection(t *testing.T) {
	mid, end, rate := rejectingWalk(Redraw{}, 100_000, 11)
	t.Logf("rejection rate %.3f", rate)
	if rate < 0.3 {
		t.Fatalf("rejection rate %.3f < 0.3: the test does not stress the source", rate)
	}
	dev, _ := checkBrownian(mid, end)
	if dev[1] > -4 {
		t.Errorf("redraw's Var W(1) deviates by only %.2f SE; the bias should be detected", dev[1])
	}
}

// TestBridgeMemory: a retry to a rejected attempt's end returns the same
// increment; a shorter retry is consistent with it (the rest is kept).
func TestBridgeMemory(t *testing.T) { checkMemory(t, Bridge{}, 0.5, 0.2) }

// checkMemory checks that src remembers rejected draws: after a rejected
// attempt to long, a retry to long returns the same increment, and an
// accepted step to short followed by the rest to long sums to it (two
// Brownian components).
func checkMemory(t *testing.T, src Source, long, short float64) {
	t.Helper()
	p := src.NewPath(2, 1)
	p.Reset(Key{Seed: 1, Path: 2})
	var a, b, c, d [2]float64
	p.Increment(a[:], long)
	p.Reject()
	p.Increment(b[:], long)
	if a != b {
		t.Fatalf("same attempt after a rejection: %v then %v", a, b)
	}
	p.Reject()
	p.Increment(c[:], short)
	p.Accept()
	p.Increment(d[:], long)
	p.Accept()
	for j := range a {
		if got := c[j] + d[j]; math.Abs(got-a[j]) > 1e-15 {
			t.Errorf("component %d: W(%v) + (W(%v) − W(%v)) = %v, want the rejected W(%v) = %v", j, short, long, short, got, long, a[j])
		}
	}
}

// TestBridgeProperty (gopter): for random sequences of attempts with sizes
// down to 1e-14 and random accept/reject decisions, covering [0, 1], with and
// without the Lévy area, the accepted increments sum to the path's final W to
// rounding, and no served increment or area and no pending value or area on
// the path is NaN or Inf. A non-finite value at any attempt fails the
// property, not only at the last one.
func TestBridgeProperty(t *testing.T) {
	params := gopter.DefaultTestParametersWithSeed(1)
	params.MinSuccessfulTests = 200
	props := gopter.NewProperties(params)
	type attempt struct {
		Exp    float64 // attempt length = 10^Exp × remaining time
		Accept bool
	}
	genAttempt := gopter.CombineGens(gen.Float64Range(-14, 0), gen.Bool()).Map(func(v []any) attempt {
		return attempt{Exp: v[0].(float64), Accept: v[1].(bool)}
	})
	props.Property("accepted increments sum to W(1), every value finite", prop.ForAll(
		func(seq []attempt, m int, path uint64, levy bool) bool {
			p := Bridge{Levy: levy}.NewPath(m, 1).(*bridgePath)
			p.Reset(Key{Seed: 9, Path: path})
			sum := make([]float64, m)
			dw, area := make([]float64, m), make([]float64, m)
			tau := 0.0
			step := func(to float64, accept bool) bool {
				if levy {
					p.IncrementLevy(dw, area, to)
				} else {
					p.Increment(dw, to)
				}
				if !allFinite(dw) || !allFinite(area) || !allFinite(p.vals) || !allFinite(p.areas) || !allFinite(p.cur) {
					return false
				}
				if accept {
					p.Accept()
					for j := range sum {
						sum[j] += dw[j]
					}
					tau = to
				} else {
					p.Reject()
				}
				return true
			}
			for _, a := range seq {
				to := tau + math.Pow(10, a.Exp)*(1-tau)
				if to <= tau {
					continue // rounding: too short to leave τ
				}
				if !step(to, a.Accept) {
					return false
				}
			}
			if tau < 1 && !step(1, true) {
				return false
			}
			for j := range sum {
				if math.Abs(sum[j]-p.cur[j]) > 1e-12*(1+math.Abs(p.cur[j])) {
					return false
				}
			}
			return p.tau == 1
		},
		gen.SliceOf(genAttempt),
		gen.IntRange(1, 3),
		gen.UInt64(),
		gen.Bool(),
	))
	props.TestingRun(t)
}

// allFinite reports whether no element of x is NaN or ±Inf.
func allFinite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// FuzzBridge drives a bridge path, with or without the Lévy area, with
// arbitrary float targets and accept flags: it must never panic; every
// increment and area to a finite target after the current time must be
// finite (so splitLevy, IncrementLevy and joinLevy see arbitrary splits),
// every pending value and area stays finite, and an invalid target gives
// zeros.
func FuzzBridge(f *testing.F) {
	seed := func(vs ...float64) []byte {
		var b []byte
		for i, v := range vs {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
			b = append(b, byte(i%3))
		}
		return b
	}
	for _, levy := range []bool{false, true} {
		f.Add(seed(0.5, 0.25, 0.5, 1), levy)
		f.Add(seed(1e-14, 2e-14, 1, 1e-300, math.NaN(), math.Inf(1), -1, 0.7), levy)
		f.Add(seed(0.3, 0.3, 0.3, 0.29999999999999993, 0.30000000000000004, 1), levy)
	}
	// Splits at fractions near 0, ½ and 1 of a pending interval, on both
	// branches of splitLevy.
	f.Add(seed(1, 1e-12, 0.5, 0.9999999999, 0.75, 1), true)
	f.Fuzz(func(t *testing.T, data []byte, levy bool) {
		p := Bridge{Levy: levy}.NewPath(2, 1).(*bridgePath)
		p.Reset(Key{Seed: 1})
		var dw, area [2]float64
		for len(data) >= 9 {
			to := math.Float64frombits(binary.LittleEndian.Uint64(data))
			flag := data[8]
			data = data[9:]
			if levy {
				p.IncrementLevy(dw[:], area[:], to)
			} else {
				p.Increment(dw[:], to)
			}
			valid := to > p.tau && !math.IsInf(to, 0)
			for j := range dw {
				if valid && !allFinite([]float64{dw[j], area[j]}) {
					t.Fatalf("levy %v: increment to %v from %v is %v, area %v", levy, to, p.tau, dw, area)
				}
				if !valid && (dw[j] != 0 || area[j] != 0) {
					t.Fatalf("levy %v: invalid target %v from %v gave %v, area %v; want 0", levy, to, p.tau, dw, area)
				}
			}
			if !allFinite(p.vals) || !allFinite(p.areas) {
				t.Fatalf("levy %v: non-finite pending values %v or areas %v at times %v", levy, p.vals, p.areas, p.times)
			}
			before := p.tau
			if flag%2 == 0 {
				p.Accept()
				if valid && p.tau != to || !valid && p.tau != before {
					t.Fatalf("after accepting %v the time is %v", to, p.tau)
				}
			} else {
				p.Reject()
			}
			for i := 1; i < len(p.times); i++ {
				if !(p.times[i] > p.times[i-1]) || !(p.times[0] > p.tau) {
					t.Fatalf("pending points out of order: τ = %v, %v", p.tau, p.times)
				}
			}
		}
	})
}
