package control

import (
	"math"
	"testing"
)

// FuzzNew resolves random settings with random method defaults: New either
// refuses them with an error or returns a controller that behaves. Starting
// a path and feeding it random error norms (0, tiny, huge, NaN, Inf
// included) — first as the probes of its first step when it probes —,
// every proposal must be finite and ≥ 0, a rejected step must
// never grow, and clamps must hold; the norm of a finite error vector
// against finite states must be ≥ 0 (or NaN only when the tolerance is 0
// somewhere).
func FuzzNew(f *testing.F) {
	f.Add(1e-2, 1e-2, 0.9, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, uint8(0), uint8(0), false, 0.5, 2.0, 1e-9)
	f.Add(1e-6, 0.0, 1.0, 0.9, 0.0, 0.0, 0.0, 0.2, 1.125, 0.5, 1e-3, 0.1, uint8(1), uint8(2), true, 0.0, math.Inf(1), math.NaN())
	f.Add(-1.0, math.NaN(), 2.0, -1.0, 0.1, 0.3, 0.0, 1.5, 0.5, -1.0, 1.0, -3.0, uint8(2), uint8(1), false, 1e300, 1e-300, 0.0)
	f.Add(1e-3, 1e-3, 0.9, 0.0, 0.1, 0.3, 0.05, 0.0, 0.0, 0.01, 0.0, 0.0, uint8(1), uint8(0), false, 1.0, 1.0, 1.0)
	f.Fuzz(func(t *testing.T, rtol, atol, safety, exponent, pc, ic, dc, minF, maxF, h0, hmin, hmax float64,
		rule, norm uint8, unclamped bool, e1, e2, e3 float64) {
		s := Settings{RTol: rtol, ATol: atol, Safety: safety, Exponent: exponent, PCoeff: pc, ICoeff: ic, DCoeff: dc,
			MinFactor: minF, MaxFactor: maxF, H0: h0, HMin: hmin, HMax: hmax,
			Rule: Rule(rule % 4), Norm: Norm(norm % 4), Unclamped: unclamped}
		for _, d := range []Defaults{
			{Rule: RulePaper, Exponent: 0.9},
			{Rule: RuleMainstream, Exponent: 1, Order: 1, Clamped: true},
			{Rule: RuleMainstream, Exponent: 2.0 / 3, Order: 1.5, Clamped: true, MaxFactor: 1.125, PCoeff: 0.1, ICoeff: 0.3},
		} {
			c, err := New(s, d, 2)
			if err != nil {
				if c != nil {
					t.Fatal("a controller with an error")
				}
				continue
			}
			state := make([]float64, c.StateSize())
			h := c.Start(state, 0, 1)
			if !(h > 0) || math.IsInf(h, 0) {
				t.Fatalf("Start proposes %v", h)
			}
			if c.AutoStart() {
				// The probes: every size is positive, finite, within
				// [HMin, HMax] and the caps, and they end by MaxProbes.
				hp, done, bad := h, false, math.Inf(1)
				for n, e := range []float64{e1, e2, e3} {
					if !(e >= 0 && e <= math.MaxFloat64) {
						bad = min(bad, hp)
					}
					hp, done = c.NextProbe(state, hp, e, n+1)
					// At most FirstSpan of the span (1 here) and half a
					// probe that was not finite, unless HMin is larger.
					if !(hp > 0) || hp > max(min(c.FirstSpan, bad/2), c.HMin) || hp < c.HMin || hp > c.HMax {
						t.Fatalf("probe %d (err %v) proposes %v (HMin %v, HMax %v, FirstSpan %v, bad %v)", n+1, e, hp, c.HMin, c.HMax, c.FirstSpan, bad)
					}
					if done {
						break
					}
				}
				if !done {
					t.Fatalf("probes not done after %d", MaxProbes)
				}
				c.SetStep(state, hp)
			}
			tt := 0.0
			for _, e := range []float64{e1, e2, e3, 0, math.NaN(), math.Inf(1), 1e-300, 1e300, 1, 1.0000001} {
				tEnd, hTry, ok := c.Propose(state, tt, 1)
				if !ok {
					break
				}
				if !(tEnd > tt && tEnd <= 1) || !(hTry > 0) {
					t.Fatalf("Propose from %v: end %v, hTry %v", tt, tEnd, hTry)
				}
				d, hNext := c.Decide(state, tt, tEnd, e)
				if !(hNext >= 0) || math.IsInf(hNext, 0) {
					t.Fatalf("Decide(err %v) proposes %v", e, hNext)
				}
				// hTry, not tEnd − tt: t + hTry rounds, so the attempt's
				// length can fall a few ulps of t below the proposal.
				if d == Reject && hNext > hTry {
					t.Fatalf("a rejected step of %v grew to %v (err %v)", hTry, hNext, e)
				}
				if d == Accept {
					tt = tEnd
				}
				if tt == 1 {
					break
				}
			}
			nrm := c.ErrorNorm([]float64{0.1, -0.2}, []float64{1, 2}, []float64{1, 2}, []float64{1, 2}, []float64{1, 2})
			if math.IsNaN(nrm) || nrm < 0 {
				t.Fatalf("norm %v of a finite error vector", nrm)
			}
		}
	})
}
