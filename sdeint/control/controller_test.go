package control

// Unit tests of the Controller implementations: Adaptive's proposals and
// decisions on a path's memory (the formulas of the solver's step loop), and
// Fixed's grid walk.

import (
	"math"
	"testing"
)

// TestAdaptiveWalk drives Adaptive through one path by hand: the first
// proposal is H0, a proposal reaching the stop lands on it, the next
// proposal is the attempt's own length times Factor, and an accepted clipped
// step keeps at least the unclipped proposal.
func TestAdaptiveWalk(t *testing.T) {
	c := mustNew(t, Settings{Safety: 0.9, Exponent: 0.5, H0: 0.1}, mainstreamDefaults, 1)
	var ctl Controller = &c.Adaptive
	st := make([]float64, ctl.StateSize())
	if h := ctl.Start(st, 0, 2); h != 0.1 {
		t.Fatalf("Start = %v, want H0 0.1", h)
	}
	// Unclipped attempt [0, 0.1], E = 0.25: factor 0.9·0.25^(−½) = 1.8.
	tEnd, hTry, ok := ctl.Propose(st, 0, 1)
	if !ok || tEnd != 0.1 || hTry != 0.1 {
		t.Fatalf("Propose = %v, %v, %v; want 0.1, 0.1, true", tEnd, hTry, ok)
	}
	d, h := ctl.Decide(st, 0, tEnd, 0.25)
	if d != Accept || !near(h, 0.18) {
		t.Fatalf("Decide(E = 0.25) = %v, %v; want accept, 0.18", d, h)
	}
	// Rejected attempt, E = 4: factor 0.45.
	tEnd, _, _ = ctl.Propose(st, 0.1, 1)
	if d, h = ctl.Decide(st, 0.1, tEnd, 4); d != Reject || !near(h, 0.18*0.45) {
		t.Fatalf("Decide(E = 4) = %v, %v; want reject, %v", d, h, 0.18*0.45)
	}
	// A non-finite attempt shrinks by MinFactor.
	tEnd, _, _ = ctl.Propose(st, 0.1, 1)
	if d, h2 := ctl.Decide(st, 0.1, tEnd, math.Inf(1)); d != Reject || !near(h2, h*0.2) {
		t.Fatalf("Decide(+Inf) = %v, %v; want reject, %v", d, h2, h*0.2)
	}
	// Clipped: proposal 0.5 from 0.9 toward the stop at 1 lands on it; the
	// accepted step's factor applies to 0.1, and the proposal stays ≥ 0.5.
	st[adH] = 0.5
	tEnd, hTry, ok = ctl.Propose(st, 0.9, 1)
	if !ok || tEnd != 1 || hTry != 0.5 {
		t.Fatalf("clipped Propose = %v, %v, %v; want 1, 0.5, true", tEnd, hTry, ok)
	}
	if d, h = ctl.Decide(st, 0.9, tEnd, 0.25); d != Accept || h != 0.5 {
		t.Errorf("accepted clipped step: %v, %v; want accept, 0.5 (≥ the unclipped proposal)", d, h)
	}
	// Zero error: the factor is MaxFactor (clamped), the proposal capped
	// at the span 2.
	st[adH] = 0.5
	tEnd, _, _ = ctl.Propose(st, 0, 1)
	if _, h = ctl.Decide(st, 0, tEnd, 0); h != 2 {
		t.Errorf("zero error: proposal %v, want the span 2", h)
	}
	// Backward in time.
	st[adH] = 0.25
	if tEnd, _, ok = ctl.Propose(st, 1, 0); !ok || tEnd != 0.75 {
		t.Errorf("backward Propose from 1 = %v, %v; want 0.75", tEnd, ok)
	}
}

// TestAdaptiveCollapse: a proposal below HMin, or too small to move t, ends
// the path; one that reaches the stop does not, however small.
func TestAdaptiveCollapse(t *testing.T) {
	c := mustNew(t, Settings{HMin: 1e-3}, mainstreamDefaults, 1)
	st := make([]float64, c.StateSize())
	c.Start(st, 0, 1)
	st[adH] = 5e-4
	if _, h, ok := c.Propose(st, 0, 1); ok || h != 5e-4 {
		t.Errorf("h = 5e-4 < HMin: Propose ok %v, h %v; want a collapse at 5e-4", ok, h)
	}
	if tEnd, _, ok := c.Propose(st, 1-1e-4, 1); !ok || tEnd != 1 {
		t.Errorf("h = 5e-4 reaching the stop: %v, %v; want to land on 1", tEnd, ok)
	}
	c = mustNew(t, Settings{}, mainstreamDefaults, 1)
	c.Start(st, 0, 1e6)
	st[adH] = 1e-12
	if _, _, ok := c.Propose(st, 1e5, 1e6); ok {
		t.Error("h = 1e-12 at t = 1e5 does not move t, but Propose went on")
	}
}

// TestAdaptiveMemory: the PID memory lives in the path's slice, so two
// paths sharing one controller keep their own.
func TestAdaptiveMemory(t *testing.T) {
	d := mainstreamDefaults
	d.Order = 2
	c := mustNew(t, Settings{PCoeff: 0.1, ICoeff: 0.3}, d, 1)
	a, b := make([]float64, c.StateSize()), make([]float64, c.StateSize())
	c.Start(a, 0, 1)
	c.Start(b, 0, 1)
	tEnd, _, _ := c.Propose(a, 0, 1)
	c.Decide(a, 0, tEnd, 0.5)
	if a[adE1] != 0.5 || b[adE1] != 1 {
		t.Errorf("E1: path a %v, path b %v; want 0.5 and 1", a[adE1], b[adE1])
	}
	// Same attempt, same error, different memory: different factors.
	ta, _, _ := c.Propose(a, tEnd, 1)
	tb, _, _ := c.Propose(b, tEnd, 1)
	_, ha := c.Decide(a, tEnd, ta, 0.25)
	_, hb := c.Decide(b, tEnd, tb, 0.25)
	if ha == hb {
		t.Errorf("PI with different memories gave the same proposal %v", ha)
	}
}

// TestFixed: attempts end on the grid points, or on a stop between them
// (the grid index stays until the next point is reached); every finite
// attempt is accepted, a non-finite one stops the path.
func TestFixed(t *testing.T) {
	var ctl Controller = &Fixed{Grid: []float64{0, 0.25, 0.5, 1}}
	if ctl.UsesError() {
		t.Error("Fixed uses the error estimate")
	}
	st := make([]float64, ctl.StateSize())
	if h := ctl.Start(st, 0, 1); h != 0 {
		t.Errorf("Start = %v, want 0", h)
	}
	type step struct{ t, stop, tEnd, hTry float64 }
	for _, s := range []step{{0, 1, 0.25, 0.25}, {0.25, 0.4, 0.4, 0.15}, {0.4, 1, 0.5, 0.1}, {0.5, 1, 1, 0.5}} {
		tEnd, hTry, ok := ctl.Propose(st, s.t, s.stop)
		if !ok || tEnd != s.tEnd || !near(hTry, s.hTry) {
			t.Fatalf("Propose from %v, stop %v = %v, %v, %v; want %v, %v", s.t, s.stop, tEnd, hTry, ok, s.tEnd, s.hTry)
		}
		if d, h := ctl.Decide(st, s.t, tEnd, 0); d != Accept || h != 0 {
			t.Fatalf("Decide = %v, %v; want accept, 0", d, h)
		}
	}
	if _, _, ok := ctl.Propose(st, 1, 1); ok {
		t.Error("Propose past the end of the grid went on")
	}
	ctl.Start(st, 0, 1)
	for _, e := range []float64{math.Inf(1), math.NaN()} {
		if d, _ := ctl.Decide(st, 0, 0.25, e); d != Stop {
			t.Errorf("Decide(%v) = %v, want stop", e, d)
		}
	}
	if st[0] != 0 {
		t.Errorf("a stopped attempt moved the grid index to %v", st[0])
	}
}

// TestNormOf: NormOf is Finish∘Accumulate, for the built-in norm as for any.
func TestNormOf(t *testing.T) {
	ctl := mustNew(t, Settings{Rule: RulePaper, RTol: 0.1, ATolVec: vecATol, Norm: L2}, paperDefaults, 3)
	var nrm ErrorNorm = &ctl.Tolerance
	if got, want := NormOf(nrm, vecE, vecLow, vecPrev, vecX, vecHigh), math.Sqrt(1.0/225+2.25+0.04); !near(got, want) {
		t.Errorf("NormOf = %v, want %v", got, want)
	}
}

func TestDecisionString(t *testing.T) {
	for d, want := range map[Decision]string{Accept: "accept", Reject: "reject", Stop: "stop", Decision(7): "Decision(7)"} {
		if got := d.String(); got != want {
			t.Errorf("%d: %q, want %q", int(d), got, want)
		}
	}
}

// TestAdaptiveProbes drives the first-step probes (AutoStarter) by hand on
// an estimate of order k = 2 over the span [0, 2]: each probe's next size
// solves E(h') = FirstTarget (0.5) for E ∝ h², within a factor 100 of h, at
// most FirstSpan (here a tenth) of the span, below half a probe that was
// not finite, and at least HMin; +Inf shrinks by
// 100 and 0 grows by 100; the probes end within a factor 2, when the size
// cannot move, when it grows past the cap, or after MaxProbes. FirstTarget
// and FirstSpan move the target and the cap; H0 set turns the probes off.
func TestAdaptiveProbes(t *testing.T) {
	d := mainstreamDefaults
	d.Order = 2
	if c := mustNew(t, Settings{}, d, 1); c.Adaptive.FirstSpan != 0.01 || c.Adaptive.FirstTarget != 0.5 {
		t.Errorf("defaults: FirstSpan %v, FirstTarget %v; want 0.01, 0.5", c.Adaptive.FirstSpan, c.Adaptive.FirstTarget)
	}
	c := mustNew(t, Settings{FirstSpan: 0.1}, d, 1)
	a := &c.Adaptive
	if !a.AutoStart() {
		t.Fatal("H0 unset: AutoStart false")
	}
	st := make([]float64, a.StateSize())
	if h := a.Start(st, 0, 2); h != 0.01 {
		t.Fatalf("Start = %v, want the first probe 0.01", h)
	}
	for _, c := range []struct {
		h, err float64
		n      int
		next   float64
		done   bool
	}{
		{0.01, 0.5 * 16, 1, 0.0025, false}, // (1/16)^(1/2): ¼
		{0.01, 0.5 / 2, 1, 0.01 * math.Sqrt2, true},
		{0.01, 0.5 * 1e8, 1, 1e-4, false}, // clamped to 1/100
		{0.01, 0.5 * 1e-8, 1, 0.2, true},  // ×100 = 1, capped at span/10
		{0.01, 0.5 / 900, 1, 0.2, true},   // ×30, capped at span/10
		{0.1, 0.5 * 1e8, 1, 0.001, false}, // down by 100: probe again
		{0.2, 0.5 * 1e-8, 2, 0.2, true},   // cannot move
		{0.01, math.Inf(1), 1, 1e-4, false},
		{0.01, math.NaN(), 1, 1e-4, false},
		{0.01, 0, 1, 0.2, true},
		{0.01, 0.5 * 16, MaxProbes, 0.0025, true},
	} {
		a.Start(st, 0, 2)
		next, done := a.NextProbe(st, c.h, c.err, c.n)
		if !near(next, c.next) || done != c.done {
			t.Errorf("NextProbe(h %v, err %v, n %d) = %v, %v; want %v, %v", c.h, c.err, c.n, next, done, c.next, c.done)
		}
	}
	// After a non-finite probe of 0.01, no probe or first step above 0.005.
	a.Start(st, 0, 2)
	a.NextProbe(st, 0.01, math.Inf(1), 1)
	if next, done := a.NextProbe(st, 1e-4, 1e-9, 2); next != 0.005 || !done {
		t.Errorf("after a NaN probe of 0.01: NextProbe = %v, %v; want 0.005, true", next, done)
	}
	a.SetStep(st, 0.05)
	if tEnd, hTry, ok := a.Propose(st, 0, 2); !ok || tEnd != 0.05 || hTry != 0.05 {
		t.Errorf("after SetStep(0.05): Propose = %v, %v, %v", tEnd, hTry, ok)
	}

	// HMin above a tenth of the span, HMax below it.
	c = mustNew(t, Settings{HMin: 0.5}, d, 1)
	c.Adaptive.Start(st, 0, 2)
	if next, _ := c.Adaptive.NextProbe(st, 0.5, 1e-9, 1); next != 0.5 {
		t.Errorf("HMin 0.5: next probe %v, want 0.5", next)
	}
	c = mustNew(t, Settings{HMax: 0.05, FirstSpan: 0.1}, d, 1)
	if h := c.Adaptive.Start(st, 0, 2); h != 0.01 {
		t.Errorf("HMax 0.05: Start = %v", h)
	}
	if next, _ := c.Adaptive.NextProbe(st, 0.01, 1e-9, 1); next != 0.05 {
		t.Errorf("HMax 0.05: next probe %v, want 0.05", next)
	}
	c = mustNew(t, Settings{FirstTarget: 0.125, FirstSpan: 1}, d, 1)
	c.Adaptive.Start(st, 0, 2)
	if next, done := c.Adaptive.NextProbe(st, 0.01, 0.5, 1); !near(next, 0.005) || !done {
		t.Errorf("FirstTarget 0.125: NextProbe = %v, %v; want 0.005, true", next, done)
	}
	if next, done := c.Adaptive.NextProbe(st, 0.01, 1e-12, 1); !near(next, 1) || done {
		t.Errorf("FirstSpan 1: NextProbe = %v, %v; want 1 (×100, under the span 2), false", next, done)
	}
	c = mustNew(t, Settings{H0: 0.3}, d, 1)
	if c.Adaptive.AutoStart() {
		t.Error("H0 set: AutoStart true")
	}
	if h := c.Adaptive.Start(st, 0, 2); h != 0.3 {
		t.Errorf("H0 0.3: Start = %v", h)
	}
}
