package sdeint

import (
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/gofast-sde/gofast/sdeint/control"
)

// Order is what a method achieves on one noise class.
type Order struct {
	Strong float64 // strong order of the method's result
	Weak   float64 // weak order of the method's result
	// ErrQ is q in the growth E ∝ h^(q+1) of the embedded error estimate
	// (measured per step); 0 for methods without one.
	ErrQ float64
	// Adaptive says adaptive stepping converges on this class. It does not
	// when the kept state is of strong order ½ and the error estimate looks
	// at the Brownian increment: the step grid then depends on the increments
	// and the Itô sums pick up a bias that does not vanish (Gaines & Lyons,
	// SIAM J. Appl. Math. 57(5), 1997); nor on non-commutative noise, whose
	// Lévy areas the estimates miss. For order-1 results the bias vanishes
	// with the tolerance but can still dominate the error (measured for
	// Roberts' pair on GBM, docs/brownian.md).
	Adaptive bool
	// NotApplicable says the method does not solve problems of this noise
	// class at all, with fixed steps or adaptive ones: e.g. a scheme for
	// additive noise, whose stages assume g independent of x. Solve refuses
	// such problems, whatever Settings.Override says.
	NotApplicable bool
}

// Properties describe a method to the solver.
type Properties struct {
	// Name is the short name, as the command line spells it.
	Name string
	// Calculus is the calculus the method's result converges in. Itô and
	// Stratonovich agree for additive noise and ODEs, where any method
	// applies.
	Calculus Calculus
	// Adaptive says the method has an embedded error estimate.
	Adaptive bool
	// Signs says the method needs one random sign per Brownian component
	// per attempt (Step.Signs).
	Signs bool
	// Normals says the method needs one extra standard normal per Brownian
	// component per attempt (Step.Normals), from the path's auxiliary
	// stream: e.g. a Langevin corrector's noise.
	Normals bool
	// Levy says the method needs the space-time Lévy area of every
	// attempt (Step.Area). Solve then asks the Brownian source for it
	// (brownian.LevySource) and refuses sources that cannot serve it.
	Levy bool
	// State, if not nil, gives the number of values of per-path memory the
	// method keeps between steps (Step.State), e.g. a first-same-as-last
	// stage.
	State func(d Dims) int
	// Orders is the table of orders per noise class.
	Orders [NumNoiseClasses]Order
	// Control is the method's default controller: tolerance rule, exponent
	// and clamps. The solver fills in Exponent and Order from the noise
	// class when they are zero.
	Control control.Defaults
}

// Method is a step method. A Method value is immutable and may be shared;
// its Steppers hold per-worker scratch.
type Method interface {
	Properties() Properties
	// NewStepper returns a stepper for batches of at most rows paths of a
	// problem with the given dimensions, used by one goroutine.
	NewStepper(d Dims, rows int) Stepper
}

// Dims are the dimensions of a problem as a stepper needs them.
type Dims struct {
	N     int        // state dimension
	M     int        // Brownian components
	GSize int        // diffusion values per path
	Noise NoiseShape // how g multiplies dW
	// Class is the problem's noise class (Noise.Class), for a method whose
	// estimate must differ by class (LambaEM's drift part).
	Class NoiseClass
}

// Stepper advances a batch of paths by one attempted step.
type Stepper interface {
	// Step computes, for each of the s.K rows, the proposals from s.X over
	// the step s.H from time s.T with Brownian increment s.DW: the result
	// s.High (what the state becomes if the step is accepted) and, when
	// s.Adaptive, the low-order proposal s.Low and the error vector s.Err.
	// It evaluates the problem through s.Drift and s.Diffusion on all K rows
	// at once and returns their error, if any.
	Step(s *Step) error
}

// Step is one attempted step of a batch: the inputs a Stepper reads, the
// outputs it writes, and the problem's functions bound to the batch. All
// matrices are row-major with one row per path.
type Step struct {
	K     int       // number of rows
	Dims  Dims      // problem dimensions
	T     []float64 // K start times
	H     []float64 // K signed step sizes (negative when integrating backward)
	X     []float64 // K×N states at T
	DW    []float64 // K×M Brownian increments over the step
	Signs []float64 // K×M random signs ±1, when the method asked for them
	// TEnd holds the K end times: the time a row reaches if its step is
	// accepted, and so its next step's T, exactly. T + H can differ from
	// it in the last bit (from 1 down to a stop at 0.2, 1 + fl(0.2 − 1) =
	// 0.19999999999999996), so a stage kept for the next step (first same
	// as last) is evaluated at TEnd.
	TEnd []float64
	// Normals holds K×M standard normals, when the method asked for them.
	Normals []float64
	// Area holds K×M space-time Lévy areas of the step, when the method
	// asked for them (Properties.Levy): per component
	// H = (1/h)∫(W(s) − W(t))ds − ½ΔW over the step, N(0, |h|/12) and
	// independent of ΔW (see brownian.LevyPath). With it a method gets
	// ∫(W(s) − W(t))ds = |h|(½ΔW + H), the I_(1,0) of Kloeden & Platen.
	Area []float64
	// Adaptive says Low and Err are wanted; otherwise only High is read.
	Adaptive bool
	High     []float64 // K×N result
	Low      []float64 // K×N low-order proposal
	Err      []float64 // K×N error estimate
	// State holds each row's method memory (K×Properties.State(Dims)) for its
	// current (t, x); it is all zero when the path starts. A stepper writes
	// the memory for the proposed state into NextState, which the solver
	// keeps if the step is accepted.
	State, NextState []float64

	eval *evaluator
}

// Drift evaluates the drift on the step's K rows: dst (K×N) = f(t, x).
func (s *Step) Drift(dst, t, x []float64) error { return s.eval.drift(dst, t, x) }

// DriftRows evaluates the drift on some of the step's rows: rows lists them
// (distinct, each below K) and dst (len(rows)×N), t and x hold one row per
// entry, in that order. A stepper that already holds f for the other rows
// (a first-same-as-last stage) calls it so that each path is evaluated, and
// charged in its NFE, only where it needs to be: per-path counts then do
// not depend on which paths share a batch. rows must stay unchanged until
// Step returns.
func (s *Step) DriftRows(dst, t, x []float64, rows []int) error {
	return s.eval.driftRows(dst, t, x, rows)
}

// Diffusion evaluates the diffusion on the step's K rows: dst (K×GSize) =
// g(t, x). For NoNoise it does nothing.
func (s *Step) Diffusion(dst, t, x []float64) error { return s.eval.diffusion(dst, t, x) }

// AddNoise adds g·dw to dst for K rows: dst (K×N), g (K×GSize), dw (K×M),
// according to the noise shape.
//
// Scalar noise uses gonum's axpy (assembly on amd64, bit-identical to the
// loop, 2–3× faster at N = 3072). Diagonal noise keeps its loop: gonum has
// no element-wise multiply-add, and MulTo then Add (two passes and a
// scratch vector) measured no faster. General noise keeps its loop too:
// floats.Dot sums in another order, so results would change.
func (d Dims) AddNoise(dst, g, dw []float64, k int) {
	n, m := d.N, d.M
	switch d.Noise {
	case ScalarNoise:
		for r := range k {
			floats.AddScaled(dst[r*n:(r+1)*n], dw[r], g[r*n:(r+1)*n])
		}
	case DiagonalNoise:
		dst, g, dw = dst[:k*n], g[:k*n], dw[:k*n]
		for i := range dst {
			dst[i] += g[i] * dw[i]
		}
	case GeneralNoise:
		for r := range k {
			row, wr := dst[r*n:(r+1)*n], dw[r*m:(r+1)*m]
			gr := g[r*n*m : (r+1)*n*m]
			for i := range row {
				gi := gr[i*m : (i+1)*m]
				var s float64
				for j, w := range wr {
					s += gi[j] * w
				}
				row[i] += s
			}
		}
	}
}

// SqrtAbs writes sqrt(|h_r|) for each row.
func SqrtAbs(dst, h []float64) {
	for i, v := range h {
		dst[i] = math.Sqrt(math.Abs(v))
	}
}
