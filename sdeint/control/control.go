// Package control holds gofast's step-size control: error tolerances, error
// norms and the integral, PI and PID controllers that turn a method's
// embedded error estimate into accept/reject decisions and new step sizes.
//
// The package is numerical only; the solver in package sdeint applies it to
// each path's own clock (or, in shared-step mode, to the whole batch).
// Two small interfaces are its extension points: ErrorNorm reduces a path's
// error estimate to one number (Tolerance implements the rules and norms
// below), and Controller chooses each path's attempts and accepts or rejects
// them, with per-path memory held by the solver (Adaptive implements
// integral, PI and PID control; Fixed implements fixed steps). New resolves
// the defaults from Settings and a method's Defaults.
//
// Two tolerance rules are offered. The rule of Jolicoeur-Martineau et al.
// (2021, arXiv:2105.14080, Algorithm 1) scales the error by
// δ_i = max(ε_abs, ε_rel·max(|x'_i|, |x'prev_i|)), where x' is the low-order
// proposal and x'prev the last accepted one. The mainstream rule of ODE and
// SDE codes (Hairer, Nørsett & Wanner, Solving ODEs I, §II.4; StochasticDiffEq.jl)
// uses δ_i = ε_abs,i + ε_rel·max(|x_i|, |x_new,i|).
package control

import (
	"errors"
	"fmt"
	"math"
)

// Norm selects how the scaled error vector e_i/δ_i is reduced to one number.
type Norm int

const (
	ScaledL2 Norm = iota // sqrt(Σ (e_i/δ_i)² / n), the RMS norm (default)
	L2                   // sqrt(Σ (e_i/δ_i)²), not divided by n
	Linf                 // max |e_i/δ_i|
)

func (n Norm) String() string {
	switch n {
	case ScaledL2:
		return "l2scaled"
	case L2:
		return "l2"
	case Linf:
		return "linf"
	}
	return fmt.Sprintf("Norm(%d)", int(n))
}

// ParseNorm returns the Norm named s ("l2scaled", "rms", "l2" or "linf").
func ParseNorm(s string) (Norm, error) {
	switch s {
	case "l2scaled", "rms", "":
		return ScaledL2, nil
	case "l2":
		return L2, nil
	case "linf", "inf":
		return Linf, nil
	}
	return 0, fmt.Errorf("control: unknown norm %q (want l2scaled, l2 or linf)", s)
}

// Rule selects the tolerance rule.
type Rule int

const (
	RuleDefault    Rule = iota // the method's default
	RulePaper                  // δ = max(ε_abs, ε_rel·max(|x'|, |x'prev|))
	RuleMainstream             // δ = ε_abs + ε_rel·max(|x|, |x_new|)
)

func (r Rule) String() string {
	switch r {
	case RuleDefault:
		return "default"
	case RulePaper:
		return "paper"
	case RuleMainstream:
		return "mainstream"
	}
	return fmt.Sprintf("Rule(%d)", int(r))
}

// Settings configures the built-in step-size control (Tolerance and
// Adaptive; see New). The zero value means the defaults:
// ε_rel = ε_abs = 1e-2, the method's tolerance rule, exponent and clamps,
// scaled L2 norm, safety 0.9, a first step estimated by probing the method,
// no minimum or maximum step.
type Settings struct {
	// RTol and ATol are the relative and absolute tolerances ε_rel and
	// ε_abs (default 1e-2 each). Zero means the default, so a purely
	// relative or absolute control takes a tiny value (say 1e-300) for the
	// other.
	RTol float64
	ATol float64
	// ATolVec, if not nil, gives one absolute tolerance per component and
	// overrides ATol.
	ATolVec []float64
	Rule    Rule // tolerance rule (default: the method's)
	// NoPrev drops x'prev from the paper's rule: δ = max(ε_abs, ε_rel·|x'|).
	NoPrev bool
	Norm   Norm    // error norm (default scaled L2)
	Safety float64 // safety factor θ (default 0.9)
	// Exponent is r in the integral controller h ← θ·h·E^(−r). The default
	// is the method's: 1/(q+1) for an error estimate growing as h^(q+1),
	// 0.9 for the paper's pair.
	Exponent float64
	// PCoeff, ICoeff and DCoeff, when any is non-zero, select a PID
	// controller in the parametrisation of Diffrax's PIDController
	// (Söderlind, ACM TOMS 29(1), 2003): with k = q+1,
	// h ← θ·h·E_n^(−β1)·E_{n−1}^(−β2)·E_{n−2}^(−β3), β1 = (P+I+D)/k,
	// β2 = −(P+2D)/k, β3 = D/k. P = 0, I = 1, D = 0 is integral control;
	// Diffrax suggests P = 0.1, I = 0.3 for SDEs. After a rejected attempt
	// the retry uses θ·E^(−max(β1, 1/k)) (Adaptive.Factor).
	PCoeff, ICoeff, DCoeff float64
	// MinFactor and MaxFactor clamp the step-size factor. Zero means the
	// method's default ([0.2, 1.125] for the SDE methods, [0.2, 10] for ODE pairs, none for the paper's pair in diffusion sampling); setting
	// either turns clamping on, the other taking its usual default.
	// Clamping applies to an error of 0 too: unclamped, such a step is
	// followed by one to the next stop (the infinite factor), clamped it
	// grows by MaxFactor only. Clamping wins: a zero estimate says the
	// estimate saw no error at this step, not that any step is safe, and
	// the mainstream codes (Hairer's DOPRI5, OrdinaryDiffEq.jl) cap it
	// alike.
	MinFactor, MaxFactor float64
	// Unclamped turns clamping off whatever the method's default.
	Unclamped bool
	// H0 is the initial step size |h|. Zero (the default) chooses each
	// path's first step by probing the method (AutoStarter), from a first
	// probe of min(0.01, HMax, FirstSpan·span) (or HMin if larger); a positive
	// H0 is the first step of every path.
	H0 float64
	// FirstTarget and FirstSpan tune the probes of the first step (H0
	// zero): the error norm the first step aims at (default 0.5: below 1,
	// since the probes' increment is typical, not the worst) and the
	// largest first step as a fraction of the span (default 0.01; 1 for no
	// cap). A larger first step saves work on smooth problems at loose
	// tolerances but can step over a short feature of the solution, which
	// no error estimate sees from outside (docs/convergence.md, "The first
	// step").
	FirstTarget, FirstSpan float64
	HMin                   float64 // a proposed step below HMin stops the path (default none)
	HMax                   float64 // largest step size (default none)
}

// Defaults are what a method contributes to its controller.
type Defaults struct {
	Rule     Rule    // RulePaper or RuleMainstream
	Exponent float64 // integral exponent r
	Order    float64 // k = q+1: the error estimate grows as h^k (for PID)
	Clamped  bool    // clamp the factor by default
	// MinFactor and MaxFactor are the default clamps when Clamped (zero:
	// 0.2 and 10).
	MinFactor, MaxFactor float64
	// PCoeff, ICoeff and DCoeff, when any is non-zero, make the default a
	// PID controller (see Settings.PCoeff), used when the user sets
	// neither an Exponent nor PID coefficients.
	PCoeff, ICoeff, DCoeff float64
}

// Standard is the default step-size control, resolved from Settings and a
// method's Defaults: the Tolerance error norm and the Adaptive (integral, PI
// or PID) controller. Its fields and methods are theirs.
type Standard struct {
	Tolerance
	Adaptive
}

// New resolves s with the method's defaults d for a problem of dimension n
// into the default error norm and controller. Invalid settings are reported
// together.
func New(s Settings, d Defaults, n int) (*Standard, error) {
	tol, terr := NewTolerance(s, d, n)
	ad, aerr := NewAdaptive(s, d)
	if err := errors.Join(terr, aerr); err != nil {
		return nil, err
	}
	return &Standard{Tolerance: *tol, Adaptive: *ad}, nil
}

// NewTolerance resolves the error-norm part of s (tolerances, rule and
// norm) with the method's defaults d for a problem of dimension n.
func NewTolerance(s Settings, d Defaults, n int) (*Tolerance, error) {
	c := &Tolerance{
		RTol:    orDefault(s.RTol, 1e-2),
		Rule:    s.Rule,
		UsePrev: !s.NoPrev,
		Norm:    s.Norm,
	}
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("control: "+format, a...)) }
	if !(s.RTol >= 0) || math.IsInf(s.RTol, 0) {
		bad("RTol = %v, want finite ≥ 0", s.RTol)
	}
	atol := orDefault(s.ATol, 1e-2)
	if !(s.ATol >= 0) || math.IsInf(s.ATol, 0) {
		bad("ATol = %v, want finite ≥ 0", s.ATol)
	}
	c.ATol = make([]float64, n)
	if s.ATolVec != nil {
		if len(s.ATolVec) != n {
			bad("len(ATolVec) = %d, want the dimension %d", len(s.ATolVec), n)
		} else {
			for i, a := range s.ATolVec {
				if !(a >= 0) || math.IsInf(a, 0) {
					bad("ATolVec[%d] = %v, want finite ≥ 0", i, a)
				}
			}
			copy(c.ATol, s.ATolVec)
		}
	} else {
		for i := range c.ATol {
			c.ATol[i] = atol
		}
	}
	if c.Rule == RuleDefault {
		c.Rule = d.Rule
	}
	if c.Rule != RulePaper && c.Rule != RuleMainstream {
		bad("unknown tolerance rule %v", s.Rule)
	}
	if s.Norm < ScaledL2 || s.Norm > Linf {
		bad("unknown norm %v", s.Norm)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// NewAdaptive resolves the controller part of s (safety, exponent or PID
// coefficients, clamps, step-size bounds) with the method's defaults d.
func NewAdaptive(s Settings, d Defaults) (*Adaptive, error) {
	c := &Adaptive{
		Safety:      orDefault(s.Safety, 0.9),
		H0:          orDefault(s.H0, 0.01),
		Auto:        s.H0 == 0,
		FirstTarget: orDefault(s.FirstTarget, 0.5),
		FirstSpan:   orDefault(s.FirstSpan, 0.01),
		HMin:        s.HMin,
		HMax:        s.HMax,
		MinFactor:   0,
		MaxFactor:   math.Inf(1),
	}
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("control: "+format, a...)) }
	if !(c.Safety > 0 && c.Safety <= 1) {
		// Above 1 a rejected step can be retried at the same size, with
		// the same error, until the budget is spent.
		bad("Safety = %v, want a value in (0, 1]", s.Safety)
	}
	if !(c.FirstTarget > 0) || math.IsInf(c.FirstTarget, 0) {
		bad("FirstTarget = %v, want finite > 0", s.FirstTarget)
	}
	if !(c.FirstSpan > 0 && c.FirstSpan <= 1) {
		bad("FirstSpan = %v, want a fraction of the span in (0, 1]", s.FirstSpan)
	}
	// Each bad value is reported once: a bad HMin or H0 does not also
	// report the comparisons it takes part in.
	h0ok := c.H0 > 0 && !math.IsInf(c.H0, 0)
	hminok := c.HMin >= 0 && !math.IsInf(c.HMin, 0)
	if !h0ok {
		bad("H0 = %v, want finite > 0", s.H0)
	}
	if !hminok {
		bad("HMin = %v, want finite ≥ 0", s.HMin)
	} else if s.H0 == 0 {
		c.H0 = max(c.H0, c.HMin) // the default first probe is not below HMin
	} else if h0ok && c.H0 < c.HMin {
		bad("H0 = %v is below HMin = %v", c.H0, c.HMin)
	}
	if c.HMax == 0 {
		c.HMax = math.Inf(1)
	}
	if !(c.HMax > 0) || (hminok && c.HMax < c.HMin) {
		bad("HMax = %v, want > 0 and ≥ HMin", s.HMax)
	}
	if s.Exponent == 0 && s.PCoeff == 0 && s.ICoeff == 0 && s.DCoeff == 0 {
		s.PCoeff, s.ICoeff, s.DCoeff = d.PCoeff, d.ICoeff, d.DCoeff
	}
	k := d.Order
	if !(k > 0) {
		k = 1
	}
	c.Order = k
	if s.PCoeff != 0 || s.ICoeff != 0 || s.DCoeff != 0 {
		c.B1 = (s.PCoeff + s.ICoeff + s.DCoeff) / k
		c.B2 = -(s.PCoeff + 2*s.DCoeff) / k
		c.B3 = s.DCoeff / k
		c.PID = c.B2 != 0 || c.B3 != 0
		if s.Exponent != 0 {
			bad("set either Exponent or the PID coefficients, not both")
		}
		if !(c.B1 > 0) {
			bad("PID coefficients give β1 = %v, want > 0", c.B1)
		}
		if math.IsInf(c.B1, 0) || math.IsInf(c.B2, 0) || math.IsInf(c.B3, 0) || math.IsNaN(c.B2) || math.IsNaN(c.B3) {
			bad("PID coefficients give β = (%v, %v, %v), want finite exponents", c.B1, c.B2, c.B3)
		}
	} else {
		c.B1 = orDefault(s.Exponent, d.Exponent)
		if !(c.B1 > 0) || math.IsInf(c.B1, 0) {
			bad("Exponent = %v, want finite > 0", c.B1)
		}
	}
	clamped := d.Clamped || s.MinFactor != 0 || s.MaxFactor != 0
	if clamped && !s.Unclamped {
		c.MinFactor = orDefault(s.MinFactor, orDefault(d.MinFactor, 0.2))
		c.MaxFactor = orDefault(s.MaxFactor, orDefault(d.MaxFactor, 10))
		if !(c.MinFactor > 0) || !(c.MaxFactor > 1) || c.MinFactor >= 1 || math.IsInf(c.MaxFactor, 0) {
			bad("clamps [%v, %v], want 0 < MinFactor < 1 < MaxFactor < ∞", c.MinFactor, c.MaxFactor)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		// The checks above name the Settings field; this one guards
		// against a resolution that Validate would refuse.
		return nil, fmt.Errorf("control: internal: resolved settings refused: %w", err)
	}
	return c, nil
}

func orDefault(v, d float64) float64 {
	if v == 0 {
		return d
	}
	return v
}
