package control

// Unit tests of the step-size controller: resolution of settings against a
// method's defaults, the error norms under both tolerance rules on
// hand-computed vectors, and the step-size factor.

import (
	"math"
	"strings"
	"testing"
)

var (
	paperDefaults      = Defaults{Rule: RulePaper, Exponent: 0.9}
	mainstreamDefaults = Defaults{Rule: RuleMainstream, Exponent: 0.5, Order: 2, Clamped: true}
)

func mustNew(t *testing.T, s Settings, d Defaults, n int) *Standard {
	t.Helper()
	c, err := New(s, d, n)
	if err != nil {
		t.Fatalf("New(%+v, %+v, %d): %v", s, d, n, err)
	}
	return c
}

// near reports whether a and b agree to a relative 1e-13 (the factor is
// computed through exp and log).
func near(a, b float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= 1e-13*math.Max(math.Abs(a), math.Abs(b))
}

func TestNewDefaults(t *testing.T) {
	c := mustNew(t, Settings{}, paperDefaults, 3)
	inf := math.Inf(1)
	if c.RTol != 1e-2 || len(c.ATol) != 3 || c.ATol[0] != 1e-2 || c.ATol[1] != 1e-2 || c.ATol[2] != 1e-2 {
		t.Errorf("tolerances RTol %v, ATol %v, want 1e-2 and three 1e-2", c.RTol, c.ATol)
	}
	if c.Rule != RulePaper || !c.UsePrev || c.Norm != ScaledL2 {
		t.Errorf("rule %v, UsePrev %v, norm %v; want paper with prev, scaled L2", c.Rule, c.UsePrev, c.Norm)
	}
	if c.Safety != 0.9 || c.H0 != 0.01 || c.HMin != 0 || c.HMax != inf {
		t.Errorf("safety %v, H0 %v, HMin %v, HMax %v; want 0.9, 0.01, 0, +Inf", c.Safety, c.H0, c.HMin, c.HMax)
	}
	if c.B1 != 0.9 || c.B2 != 0 || c.B3 != 0 || c.PID {
		t.Errorf("exponents %v %v %v, PID %v; want the method's 0.9 and integral control", c.B1, c.B2, c.B3, c.PID)
	}
	if c.MinFactor != 0 || c.MaxFactor != inf {
		t.Errorf("clamps [%v, %v], want none for an unclamped method", c.MinFactor, c.MaxFactor)
	}

	c = mustNew(t, Settings{}, mainstreamDefaults, 2)
	if c.Rule != RuleMainstream || c.B1 != 0.5 || c.MinFactor != 0.2 || c.MaxFactor != 10 {
		t.Errorf("mainstream defaults: rule %v, B1 %v, clamps [%v, %v]; want mainstream, 0.5, [0.2, 10]", c.Rule, c.B1, c.MinFactor, c.MaxFactor)
	}
}

func TestNewClamps(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		name     string
		s        Settings
		d        Defaults
		min, max float64
	}{
		{"clamped default", Settings{}, mainstreamDefaults, 0.2, 10},
		{"unclamped default", Settings{}, paperDefaults, 0, inf},
		{"Unclamped overrides the default", Settings{Unclamped: true}, mainstreamDefaults, 0, inf},
		{"Unclamped overrides MinFactor", Settings{Unclamped: true, MinFactor: 0.5}, paperDefaults, 0, inf},
		{"MinFactor alone turns clamps on", Settings{MinFactor: 0.5}, paperDefaults, 0.5, 10},
		{"MaxFactor alone turns clamps on", Settings{MaxFactor: 4}, paperDefaults, 0.2, 4},
		{"both set", Settings{MinFactor: 0.3, MaxFactor: 5}, mainstreamDefaults, 0.3, 5},
	} {
		ctl := mustNew(t, c.s, c.d, 1)
		if ctl.MinFactor != c.min || ctl.MaxFactor != c.max {
			t.Errorf("%s: clamps [%v, %v], want [%v, %v]", c.name, ctl.MinFactor, ctl.MaxFactor, c.min, c.max)
		}
	}
}

func TestNewExplicit(t *testing.T) {
	atol := []float64{1e-3, 2e-3}
	s := Settings{
		RTol: 1e-4, ATol: 5e-5, ATolVec: atol, Rule: RuleMainstream, NoPrev: true, Norm: Linf,
		Safety: 0.8, Exponent: 0.3, H0: 0.05, HMin: 1e-6, HMax: 0.5,
	}
	c := mustNew(t, s, paperDefaults, 2)
	if c.RTol != 1e-4 || c.ATol[0] != 1e-3 || c.ATol[1] != 2e-3 {
		t.Errorf("RTol %v, ATol %v: want 1e-4 and ATolVec over ATol", c.RTol, c.ATol)
	}
	atol[0] = 7 // the controller keeps its own copy
	if c.ATol[0] != 1e-3 {
		t.Errorf("the controller aliases ATolVec")
	}
	if c.Rule != RuleMainstream || c.UsePrev || c.Norm != Linf || c.Safety != 0.8 || c.B1 != 0.3 || c.PID {
		t.Errorf("%+v: settings not taken over the defaults", c)
	}
	if c.H0 != 0.05 || c.HMin != 1e-6 || c.HMax != 0.5 {
		t.Errorf("H0 %v, HMin %v, HMax %v", c.H0, c.HMin, c.HMax)
	}
	c = mustNew(t, Settings{ATol: 3e-3}, mainstreamDefaults, 3)
	for i, a := range c.ATol {
		if a != 3e-3 {
			t.Errorf("ATol[%d] = %v, want the scalar ATol 3e-3", i, a)
		}
	}
}

// TestNewPID: the coefficients map to exponents as in Diffrax's
// PIDController: β1 = (P+I+D)/k, β2 = −(P+2D)/k, β3 = D/k with k the
// method's Order (1 when it is unset).
func TestNewPID(t *testing.T) {
	for _, c := range []struct {
		name       string
		s          Settings
		order      float64
		b1, b2, b3 float64
		pid        bool
	}{
		{"PID", Settings{PCoeff: 0.1, ICoeff: 0.3, DCoeff: 0.05}, 2, 0.45 / 2, -0.2 / 2, 0.05 / 2, true},
		{"PI", Settings{PCoeff: 0.1, ICoeff: 0.3}, 1.5, 0.4 / 1.5, -0.1 / 1.5, 0, true},
		{"I only is integral", Settings{ICoeff: 1}, 2, 0.5, 0, 0, false},
		{"order unset", Settings{PCoeff: 0.2, ICoeff: 0.4}, 0, 0.6, -0.2, 0, true},
	} {
		d := mainstreamDefaults
		d.Order = c.order
		ctl := mustNew(t, c.s, d, 1)
		if !near(ctl.B1, c.b1) || !near(ctl.B2, c.b2) || !near(ctl.B3, c.b3) || ctl.PID != c.pid {
			t.Errorf("%s: β = (%v, %v, %v), PID %v; want (%v, %v, %v), %v", c.name, ctl.B1, ctl.B2, ctl.B3, ctl.PID, c.b1, c.b2, c.b3, c.pid)
		}
	}
}

// TestNewErrors: each invalid setting is refused with a nil controller and a
// message naming the field; several are reported together.
func TestNewErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		name string
		s    Settings
		d    Defaults
		want string
	}{
		{"negative RTol", Settings{RTol: -1e-3}, paperDefaults, "RTol"},
		{"NaN RTol", Settings{RTol: nan}, paperDefaults, "RTol"},
		{"Inf RTol", Settings{RTol: inf}, paperDefaults, "RTol"},
		{"negative ATol", Settings{ATol: -1}, paperDefaults, "ATol"},
		{"NaN ATol", Settings{ATol: nan}, paperDefaults, "ATol"},
		{"ATolVec length", Settings{ATolVec: []float64{1e-3}}, paperDefaults, "ATolVec"},
		{"ATolVec negative", Settings{ATolVec: []float64{1e-3, -1e-3}}, paperDefaults, "ATolVec[1]"},
		{"ATolVec NaN", Settings{ATolVec: []float64{nan, 1e-3}}, paperDefaults, "ATolVec[0]"},
		{"unknown rule", Settings{Rule: Rule(7)}, paperDefaults, "rule"},
		{"no rule at all", Settings{}, Defaults{Exponent: 0.5}, "rule"},
		{"unknown norm", Settings{Norm: Norm(5)}, paperDefaults, "norm"},
		{"negative Safety", Settings{Safety: -0.5}, paperDefaults, "Safety"},
		{"NaN Safety", Settings{Safety: nan}, paperDefaults, "Safety"},
		{"negative H0", Settings{H0: -0.1}, paperDefaults, "H0"},
		{"negative FirstTarget", Settings{FirstTarget: -0.5}, paperDefaults, "FirstTarget"},
		{"Inf FirstTarget", Settings{FirstTarget: inf}, paperDefaults, "FirstTarget"},
		{"FirstSpan above 1", Settings{FirstSpan: 1.5}, paperDefaults, "FirstSpan"},
		{"NaN FirstSpan", Settings{FirstSpan: nan}, paperDefaults, "FirstSpan"},
		{"negative HMin", Settings{HMin: -1}, paperDefaults, "HMin"},
		{"negative HMax", Settings{HMax: -1}, paperDefaults, "HMax"},
		{"HMax < HMin", Settings{HMin: 0.1, HMax: 0.05}, paperDefaults, "HMax"},
		{"Exponent and PID", Settings{Exponent: 0.5, PCoeff: 0.1, ICoeff: 0.3}, paperDefaults, "Exponent"},
		{"PID β1 ≤ 0", Settings{PCoeff: -0.5, ICoeff: 0.2}, paperDefaults, "β1"},
		// Finite coefficients whose sum overflows: a user's setting, not
		// an internal error.
		{"PID β infinite", Settings{PCoeff: 1e308, ICoeff: 1e308}, paperDefaults, "want finite exponents"},
		{"negative Exponent", Settings{Exponent: -0.5}, paperDefaults, "Exponent"},
		{"no exponent at all", Settings{}, Defaults{Rule: RulePaper}, "Exponent"},
		{"MinFactor 2", Settings{MinFactor: 2}, paperDefaults, "MinFactor"},
		{"MinFactor NaN", Settings{MinFactor: nan}, paperDefaults, "MinFactor"},
		{"MaxFactor 0.5", Settings{MaxFactor: 0.5}, paperDefaults, "MaxFactor"},
		{"MaxFactor Inf", Settings{MaxFactor: inf}, mainstreamDefaults, "MaxFactor"},
	} {
		ctl, err := New(c.s, c.d, 2)
		if err == nil || ctl != nil {
			t.Errorf("%s: New = %v, %v; want a nil controller and an error", c.name, ctl, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not mention %q", c.name, err, c.want)
		}
	}
	_, err := New(Settings{RTol: -1, Safety: -1, H0: -1}, paperDefaults, 1)
	for _, w := range []string{"RTol", "Safety", "H0"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("joined errors %v do not mention %s", err, w)
		}
	}
}

// Regression: HMin above the default H0 once made every path collapse at
// T0; the default H0 is now max(0.01, HMin), and an explicit H0 < HMin is
// refused.
func TestNewH0BelowHMin(t *testing.T) {
	c, err := New(Settings{HMin: 0.1}, mainstreamDefaults, 1)
	if err == nil && c.H0 < c.HMin {
		t.Errorf("New accepted H0 = %v below HMin = %v: every path would stop at T0 without an attempt", c.H0, c.HMin)
	}
	// An explicit H0 above HMin is fine.
	mustNew(t, Settings{HMin: 0.1, H0: 0.2}, mainstreamDefaults, 1)
}

// The vectors of the norm tests.
var (
	vecE    = []float64{0.02, -0.3, 0.1}
	vecLow  = []float64{1, -2, 0.001}
	vecPrev = []float64{3, 0.5, 0.002}
	vecX    = []float64{1, -1, 0}
	vecHigh = []float64{2, 0.5, -0.4}
	vecATol = []float64{0.01, 0.01, 0.5}
)

// TestNorms: Accumulate and Finish on hand-computed scaled errors s_i = e_i/δ_i.
//
//	paper, with prev:  δ = max(ATol, 0.1·max(|low|, |prev|)) = (0.3, 0.2, 0.5)
//	                   s = (1/15, −1.5, 0.2)
//	paper, no prev:    δ = max(ATol, 0.1·|low|) = (0.1, 0.2, 0.5)
//	                   s = (0.2, −1.5, 0.2)
//	mainstream:        δ = ATol + 0.1·max(|x|, |high|) = (0.21, 0.11, 0.54)
//	                   s = (2/21, −30/11, 10/54)
func TestNorms(t *testing.T) {
	for _, c := range []struct {
		name   string
		s      Settings
		sumSq  float64
		maxAbs float64
	}{
		{"paper", Settings{Rule: RulePaper}, 1.0/225 + 2.25 + 0.04, 1.5},
		{"paper no prev", Settings{Rule: RulePaper, NoPrev: true}, 0.04 + 2.25 + 0.04, 1.5},
		{"mainstream", Settings{Rule: RuleMainstream}, 4.0/441 + 900.0/121 + 100.0/2916, 30.0 / 11},
	} {
		for _, nc := range []struct {
			norm      Norm
			acc, want float64
		}{
			{ScaledL2, c.sumSq, math.Sqrt(c.sumSq / 3)},
			{L2, c.sumSq, math.Sqrt(c.sumSq)},
			{Linf, c.maxAbs, c.maxAbs},
		} {
			s := c.s
			s.RTol, s.ATolVec, s.Norm = 0.1, vecATol, nc.norm
			ctl := mustNew(t, s, paperDefaults, 3)
			acc := ctl.Accumulate(vecE, vecLow, vecPrev, vecX, vecHigh)
			if !near(acc, nc.acc) {
				t.Errorf("%s/%v: Accumulate = %v, want %v", c.name, nc.norm, acc, nc.acc)
			}
			if got := ctl.Finish(acc, 3); !near(got, nc.want) {
				t.Errorf("%s/%v: Finish = %v, want %v", c.name, nc.norm, got, nc.want)
			}
			if got := ctl.ErrorNorm(vecE, vecLow, vecPrev, vecX, vecHigh); !near(got, nc.want) {
				t.Errorf("%s/%v: ErrorNorm = %v, want %v", c.name, nc.norm, got, nc.want)
			}
		}
	}
	// The scalar ATol applies to every component: with RTol tiny, δ = ATol.
	ctl := mustNew(t, Settings{Rule: RuleMainstream, RTol: 1e-300, ATol: 0.1, Norm: L2}, paperDefaults, 3)
	if got, want := ctl.ErrorNorm(vecE, vecLow, vecPrev, vecX, vecHigh), math.Sqrt(0.04+9+1); !near(got, want) {
		t.Errorf("absolute only: %v, want %v", got, want)
	}
}

// TestCombine: partial norms of two paths combine into the norm of the
// concatenated vector, as shared-step mode needs.
func TestCombine(t *testing.T) {
	e2 := []float64{0.5, 0.01, -0.02}
	for _, norm := range []Norm{ScaledL2, L2, Linf} {
		ctl := mustNew(t, Settings{Rule: RulePaper, RTol: 0.1, ATolVec: vecATol, Norm: norm}, paperDefaults, 3)
		a := ctl.Accumulate(vecE, vecLow, vecPrev, vecX, vecHigh)
		b := ctl.Accumulate(e2, vecLow, vecPrev, vecX, vecHigh)
		// e2 scaled: (0.5/0.3, 0.01/0.2, −0.02/0.5) = (5/3, 0.05, −0.04).
		sumSq := 1.0/225 + 2.25 + 0.04 + 25.0/9 + 0.0025 + 0.0016
		want := map[Norm]float64{ScaledL2: math.Sqrt(sumSq / 6), L2: math.Sqrt(sumSq), Linf: 5.0 / 3}[norm]
		if got := ctl.Finish(ctl.Combine(a, b), 6); !near(got, want) {
			t.Errorf("%v: combined norm %v, want %v", norm, got, want)
		}
		if ctl.Combine(a, b) != ctl.Combine(b, a) || ctl.Combine(0, a) != a {
			t.Errorf("%v: Combine is not symmetric with identity 0", norm)
		}
	}
}

func TestAccept(t *testing.T) {
	c := mustNew(t, Settings{}, paperDefaults, 1)
	for _, x := range []struct {
		err float64
		ok  bool
	}{{0, true}, {0.5, true}, {1, true}, {math.Nextafter(1, 2), false}, {3, false}, {math.NaN(), false}, {math.Inf(1), false}} {
		if c.Accept(x.err) != x.ok {
			t.Errorf("Accept(%v) = %v", x.err, !x.ok)
		}
	}
}

// TestFactorIntegral: f = θ·E^(−r), clamped; a zero error gives +Inf or
// MaxFactor; a rejected step never grows.
func TestFactorIntegral(t *testing.T) {
	var st State
	st.Reset()
	free := mustNew(t, Settings{Safety: 0.9, Exponent: 0.5}, paperDefaults, 1)
	clamped := mustNew(t, Settings{Safety: 0.9, Exponent: 0.5}, mainstreamDefaults, 1)
	for _, c := range []struct {
		name     string
		ctl      *Standard
		err      float64
		accepted bool
		want     float64
	}{
		{"zero error", free, 0, true, math.Inf(1)},
		{"zero error clamped", clamped, 0, true, 10},
		{"E = 0.25", free, 0.25, true, 1.8},           // 0.9·0.25^(−½)
		{"E = 4 rejected", free, 4, false, 0.45},      // 0.9·4^(−½)
		{"E = 1e-8", free, 1e-8, true, 9000},          // 0.9·10⁴
		{"E = 1e-8 clamped", clamped, 1e-8, true, 10}, // MaxFactor
		{"E = 1e6 rejected", free, 1e6, false, 9e-4},
		{"E = 1e6 rejected clamped", clamped, 1e6, false, 0.2}, // MinFactor
	} {
		if got := c.ctl.Factor(c.err, c.accepted, &st); !near(got, c.want) {
			t.Errorf("%s: Factor = %v, want %v", c.name, got, c.want)
		}
	}
	if st.E1 != 1 || st.E2 != 1 {
		t.Errorf("integral control changed the memory: %+v", st)
	}
	// Exponent 0.9: 0.9·0.5^(−0.9) = 0.9·2^0.9.
	c9 := mustNew(t, Settings{}, paperDefaults, 1)
	if got, want := c9.Factor(0.5, true, &st), 0.9*1.8660659830736148; !near(got, want) {
		t.Errorf("r = 0.9: Factor(0.5) = %v, want %v", got, want)
	}

	// New refuses a safety above 1 (a rejected step would be retried at the
	// same size until the budget is spent); a controller built by hand with
	// one must still never grow a rejected step.
	if _, err := New(Settings{Safety: 2}, paperDefaults, 1); err == nil || !strings.Contains(err.Error(), "Safety") {
		t.Errorf("New with Safety 2: error %v, want a refusal", err)
	}
	big := mustNew(t, Settings{Exponent: 0.5}, paperDefaults, 1)
	big.Safety = 2
	if got := big.Factor(1.1, false, &st); got != 1 {
		t.Errorf("rejected with θ = 2, E = 1.1: factor %v, want 1 (no growth)", got)
	}
	if got, want := big.Factor(0.64, true, &st), 2.5; !near(got, want) {
		t.Errorf("accepted with θ = 2, E = 0.64: factor %v, want %v", got, want)
	}
	for _, e := range []float64{1.0000001, 1.5, 10, 1e10} {
		for _, ctl := range []*Standard{free, clamped, big} {
			if f := ctl.Factor(e, false, &st); !(f <= 1) {
				t.Errorf("rejected step with E = %v grows by %v", e, f)
			}
		}
	}
}

// TestFactorPID: f = θ·E_n^(−β1)·E_{n−1}^(−β2)·E_{n−2}^(−β3) on accepted
// steps, the memory shifting on accepted steps only; rejected steps use
// integral control for the estimate's growth, θ·E^(−1/k) (here k = 2,
// 1/k = 0.5 > β1), and leave the memory alone. With β1 > 1/k (an
// aggressive PID) a rejection uses β1.
func TestFactorPID(t *testing.T) {
	d := mainstreamDefaults
	d.Order = 2
	c := mustNew(t, Settings{PCoeff: 0.1, ICoeff: 0.3, DCoeff: 0.05, Unclamped: true}, d, 1)
	b1, b2, b3 := 0.225, -0.1, 0.025
	const bRej = 0.5
	var st State
	st.Reset()
	steps := []struct {
		err      float64
		accepted bool
		want     float64
		e1, e2   float64 // memory after the step
	}{
		{0.5, true, 0.9 * math.Pow(0.5, -b1), 0.5, 1},
		{2, false, 0.9 * math.Pow(2, -bRej), 0.5, 1},
		{0.25, true, 0.9 * math.Pow(0.25, -b1) * math.Pow(0.5, -b2), 0.25, 0.5},
		{0.8, true, 0.9 * math.Pow(0.8, -b1) * math.Pow(0.25, -b2) * math.Pow(0.5, -b3), 0.8, 0.25},
		{3, false, 0.9 * math.Pow(3, -bRej), 0.8, 0.25},
	}
	for i, s := range steps {
		got := c.Factor(s.err, s.accepted, &st)
		if !near(got, s.want) {
			t.Errorf("step %d (E %v, accepted %v): factor %v, want %v", i, s.err, s.accepted, got, s.want)
		}
		if st.E1 != s.e1 || st.E2 != s.e2 {
			t.Errorf("step %d: memory %+v, want E1 %v, E2 %v", i, st, s.e1, s.e2)
		}
	}
	st.Reset()
	if st.E1 != 1 || st.E2 != 1 {
		t.Errorf("Reset: %+v", st)
	}
	// A plugged controller with a tiny Order: 3^(−1000) underflows to 0,
	// and the retry must still have a step (it shrinks by 0.2, unclamped).
	tiny := *c
	tiny.Order = 1e-3
	if got := tiny.Factor(3, false, &st); got != nonFiniteFactor {
		t.Errorf("rejection with Order 1e-3: factor %v, want %v", got, nonFiniteFactor)
	}
	// β1 = (0.5 + 1 + 0)/2 = 0.75 > 1/k = 0.5.
	hot := mustNew(t, Settings{PCoeff: 0.5, ICoeff: 1, Unclamped: true}, d, 1)
	if got, want := hot.Factor(2, false, &st), 0.9*math.Pow(2, -0.75); !near(got, want) {
		t.Errorf("rejection with β1 = 0.75 > 1/k: factor %v, want %v", got, want)
	}
}

// Regression: the PID memory once kept errors down to 1e-300, so one
// accepted step with error 0 shrank the next factor to ~1e-30; it now keeps
// at least 1e-4 (Hairer's DOPRI5).
func TestFactorPIDAfterZeroError(t *testing.T) {
	d := mainstreamDefaults
	d.Order = 1
	c := mustNew(t, Settings{PCoeff: 0.1, ICoeff: 0.3, Unclamped: true}, d, 1)
	var st State
	st.Reset()
	if f := c.Factor(0, true, &st); !math.IsInf(f, 1) {
		t.Fatalf("zero error: factor %v, want +Inf", f)
	}
	if f := c.Factor(0.5, true, &st); !(f >= 0.1) {
		t.Errorf("accepted E = 0.5 after an exact step: factor %v, want ≥ 0.1 (memory %+v)", f, st)
	}
}

func TestParseNorm(t *testing.T) {
	for _, c := range []struct {
		s    string
		want Norm
	}{{"l2scaled", ScaledL2}, {"rms", ScaledL2}, {"", ScaledL2}, {"l2", L2}, {"linf", Linf}, {"inf", Linf}} {
		got, err := ParseNorm(c.s)
		if err != nil || got != c.want {
			t.Errorf("ParseNorm(%q) = %v, %v; want %v", c.s, got, err, c.want)
		}
	}
	for _, n := range []Norm{ScaledL2, L2, Linf} {
		if got, err := ParseNorm(n.String()); err != nil || got != n {
			t.Errorf("ParseNorm(%q) = %v, %v: does not round-trip", n.String(), got, err)
		}
	}
	for _, s := range []string{"l3", "max", "l2 "} {
		if _, err := ParseNorm(s); err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("ParseNorm(%q): error %v, want one naming the input", s, err)
		}
	}
}

func TestStrings(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{ScaledL2.String(), "l2scaled"}, {L2.String(), "l2"}, {Linf.String(), "linf"}, {Norm(9).String(), "Norm(9)"},
		{RuleDefault.String(), "default"}, {RulePaper.String(), "paper"}, {RuleMainstream.String(), "mainstream"}, {Rule(9).String(), "Rule(9)"},
	} {
		if c.got != c.want {
			t.Errorf("String() = %q, want %q", c.got, c.want)
		}
	}
}

// TestParseController: the names the command line accepts, and clear errors
// for the rest.
func TestParseController(t *testing.T) {
	for in, want := range map[string]Settings{
		"":                {},
		"default":         {},
		"i":               {ICoeff: 1},
		"Integral":        {ICoeff: 1},
		"pi":              {PCoeff: 0.1, ICoeff: 0.3},
		"pid:0.2/0.4/0.1": {PCoeff: 0.2, ICoeff: 0.4, DCoeff: 0.1},
	} {
		got, err := ParseController(in)
		if err != nil || got.PCoeff != want.PCoeff || got.ICoeff != want.ICoeff || got.DCoeff != want.DCoeff {
			t.Errorf("ParseController(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"p", "pid", "pid:1/2", "pid:a/0/0", "pid:0/0/0", "pid:NaN/1/0", "pi:1", "i:2", "default:1"} {
		if _, err := ParseController(in); err == nil {
			t.Errorf("ParseController(%q) accepted", in)
		}
	}
}

// TestAdaptiveValidate: a zero or partly filled Adaptive is refused with
// the fields named; every resolution of New passes (New calls Validate, so
// a disagreement between the two would refuse good settings).
func TestAdaptiveValidate(t *testing.T) {
	if err := (&Adaptive{}).Validate(); err == nil {
		t.Error("zero Adaptive validated")
	} else {
		for _, f := range []string{"Safety", "B1", "MaxFactor", "H0", "HMax"} {
			if !strings.Contains(err.Error(), f) {
				t.Errorf("error %q does not name %s", err, f)
			}
		}
	}
	for _, s := range []Settings{
		{}, {H0: 0.5}, {HMin: 0.02}, {HMin: 1e-3, HMax: 0.1}, {Unclamped: true},
		{MinFactor: 0.5, MaxFactor: 1.5}, {PCoeff: 0.1, ICoeff: 0.3, DCoeff: 0.05},
		{Exponent: 2}, {FirstSpan: 1, FirstTarget: 10},
	} {
		for _, d := range []Defaults{paperDefaults, mainstreamDefaults} {
			c, err := NewAdaptive(s, d)
			if err != nil {
				t.Errorf("NewAdaptive(%+v): %v", s, err)
				continue
			}
			if err := c.Validate(); err != nil {
				t.Errorf("NewAdaptive(%+v) fails Validate: %v", s, err)
			}
		}
	}
	c, _ := NewAdaptive(Settings{}, paperDefaults)
	c.FirstSpan = 0
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "FirstSpan") {
		t.Errorf("Auto with FirstSpan 0: error %v, want one naming FirstSpan", err)
	}
	c.FirstSpan, c.Order = 0.01, 0 // NextProbe reads Order 0 as 1
	if err := c.Validate(); err != nil {
		t.Errorf("Auto with Order 0: %v, want accepted", err)
	}
	// PI/PID control reads Order after a rejection, with or without Auto.
	pid, _ := NewAdaptive(Settings{H0: 0.01, PCoeff: 0.1, ICoeff: 0.2}, mainstreamDefaults)
	for _, k := range []float64{math.NaN(), math.Inf(1), -1} {
		pid.Order = k
		if err := pid.Validate(); err == nil || !strings.Contains(err.Error(), "Order") {
			t.Errorf("PID with Order %v: error %v, want one naming Order", k, err)
		}
	}
}
