package control

import "math"

// ErrorNorm reduces a path's error estimate to one number, the error norm:
// an attempt with norm ≤ 1 is within tolerance. It may be shared by
// goroutines, so its methods must not modify it.
//
// The norm comes in three steps so that shared-step mode can reduce over a
// whole batch: Accumulate gives one path's partial norm, Combine merges two
// partial norms (associative and commutative, with identity 0; the solver
// combines in path order, so results do not depend on the workers), and
// Finish turns a partial norm over count components into the norm. For a
// single path the norm is Finish(Accumulate(…), len(e)).
type ErrorNorm interface {
	// Accumulate returns the partial norm of one path's error vector e.
	// low is the low-order proposal x', prev the last accepted low-order
	// proposal x'prev, x the state before the step and high the
	// high-order proposal: what the tolerance rules scale e by. The slices
	// have the problem's dimension and must not be modified.
	Accumulate(e, low, prev, x, high []float64) float64
	// Combine merges two partial norms.
	Combine(a, b float64) float64
	// Finish turns a partial norm over count components into the norm.
	Finish(acc float64, count int) float64
}

// NormOf returns the error norm of one path under nrm; see ErrorNorm.
func NormOf(nrm ErrorNorm, e, low, prev, x, high []float64) float64 {
	return nrm.Finish(nrm.Accumulate(e, low, prev, x, high), len(e))
}

// Tolerance is the built-in ErrorNorm: the error scaled componentwise by a
// tolerance rule and reduced by a Norm. It implements the two rules (the
// paper's, with or without x'prev, and the mainstream one; see the package
// comment) under each of the three norms (scaled L2, L2, Linf). NewTolerance
// resolves it from Settings.
type Tolerance struct {
	RTol    float64
	ATol    []float64 // one per component
	Rule    Rule      // RulePaper or RuleMainstream
	UsePrev bool      // paper rule with x'prev
	Norm    Norm
}

var _ ErrorNorm = (*Tolerance)(nil)

// Accumulate returns the partial error norm of one path: Σ (e_i/δ_i)² for
// the L2 norms, max |e_i/δ_i| for Linf. low is the low-order proposal x',
// prev the last accepted low-order proposal x'prev (used by the paper's
// rule), x the state before the step and high the high-order proposal (used
// by the mainstream rule). Finish turns partial norms into the norm.
func (c *Tolerance) Accumulate(e, low, prev, x, high []float64) float64 {
	// One loop per rule, with the builtin max (inlined, unlike math.Max on
	// amd64): this loop runs over every component of every attempt.
	n := len(e)
	atol, rt, inf := c.ATol[:n], c.RTol, c.Norm == Linf
	var acc float64
	add := func(s float64) {
		if inf {
			acc = max(acc, math.Abs(s))
		} else {
			acc += s * s
		}
	}
	// A component without error adds nothing, even where its scale is 0
	// (a zero ATolVec entry on a component at 0): 0/0 would make every
	// attempt's norm NaN and collapse the step. A NaN error still
	// propagates, for the solver to report.
	switch {
	case c.Rule == RulePaper && c.UsePrev:
		low, prev = low[:n], prev[:n]
		for i, ei := range e {
			if ei != 0 {
				add(ei / max(atol[i], rt*max(math.Abs(low[i]), math.Abs(prev[i]))))
			}
		}
	case c.Rule == RulePaper:
		low = low[:n]
		for i, ei := range e {
			if ei != 0 {
				add(ei / max(atol[i], rt*math.Abs(low[i])))
			}
		}
	default:
		x, high = x[:n], high[:n]
		for i, ei := range e {
			if ei != 0 {
				add(ei / (atol[i] + rt*max(math.Abs(x[i]), math.Abs(high[i]))))
			}
		}
	}
	return acc
}

// Combine merges two partial norms.
func (c *Tolerance) Combine(a, b float64) float64 {
	if c.Norm == Linf {
		return math.Max(a, b)
	}
	return a + b
}

// Finish turns a partial norm over count components into the error norm.
func (c *Tolerance) Finish(acc float64, count int) float64 {
	switch c.Norm {
	case ScaledL2:
		return math.Sqrt(acc / float64(count))
	case L2:
		return math.Sqrt(acc)
	}
	return acc
}

// ErrorNorm returns the error norm of one path: NormOf(c, …).
func (c *Tolerance) ErrorNorm(e, low, prev, x, high []float64) float64 {
	return c.Finish(c.Accumulate(e, low, prev, x, high), len(e))
}
