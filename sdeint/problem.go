package sdeint

import (
	"fmt"

	"github.com/gofast-sde/gofast/sdeint/brownian"
)

// Calculus is the stochastic calculus in which an SDE is written.
type Calculus int

const (
	Ito          Calculus = iota // Itô integral (the default)
	Stratonovich                 // Stratonovich integral
)

func (c Calculus) String() string {
	switch c {
	case Ito:
		return "Itô"
	case Stratonovich:
		return "Stratonovich"
	}
	return fmt.Sprintf("Calculus(%d)", int(c))
}

// NoiseShape says how the diffusion g multiplies the Brownian increment.
type NoiseShape int

const (
	// NoNoise: m = 0, the problem is an ODE and Diffusion is nil.
	NoNoise NoiseShape = iota
	// ScalarNoise: m = 1; g is an n-vector, dX_i = … + g_i dW.
	ScalarNoise
	// DiagonalNoise: m = n; g is an n-vector, dX_i = … + g_i dW_i.
	DiagonalNoise
	// GeneralNoise: m = Noise.M; g is an n×m matrix, row-major,
	// dX_i = … + Σ_j g_ij dW_j.
	GeneralNoise
)

func (s NoiseShape) String() string {
	switch s {
	case NoNoise:
		return "none"
	case ScalarNoise:
		return "scalar"
	case DiagonalNoise:
		return "diagonal"
	case GeneralNoise:
		return "general"
	}
	return fmt.Sprintf("NoiseShape(%d)", int(s))
}

// Noise describes the noise of a problem: its shape and the structural facts
// that decide which methods apply and which orders they reach.
type Noise struct {
	Shape NoiseShape
	// M is the number of Brownian components for GeneralNoise; it is
	// implied by the other shapes and must then be 0 or equal to it.
	M int
	// Additive says that g depends on t only, not on X.
	Additive bool
	// Commutative says that the noise columns' Lie brackets vanish:
	// Σ_l g_lj ∂_l g_ik = Σ_l g_lk ∂_l g_ij for all i, j, k. Scalar and
	// additive noise are always commutative. Diagonal shape does not imply it:
	// dX₁ = X₂ dW₁, dX₂ = X₁ dW₂ is diagonal-shaped and non-commutative; a
	// diagonal problem is commutative when each g_i depends on X_i only.
	Commutative bool
}

// Dims returns the number of Brownian components m and the number of
// diffusion values per path for a problem of dimension n.
func (nz Noise) Dims(n int) (m, gsize int) {
	switch nz.Shape {
	case ScalarNoise:
		return 1, n
	case DiagonalNoise:
		return n, n
	case GeneralNoise:
		return nz.M, n * nz.M
	}
	return 0, 0
}

// NoiseClass is the structure of a problem's noise as far as methods care:
// order tables and refusals are keyed by it. It follows from the flags, not
// from the shape alone.
type NoiseClass int

const (
	ClassNone           NoiseClass = iota // no noise: an ODE
	ClassAdditive                         // g depends on t only
	ClassScalar                           // one Brownian component, multiplicative
	ClassDiagonal                         // commutative diagonal: g_i depends on X_i only
	ClassCommutative                      // several components, commutative, not diagonal
	ClassNoncommutative                   // several components, not known to commute

	// NumNoiseClasses is the number of noise classes.
	NumNoiseClasses = iota
)

var classNames = [NumNoiseClasses]string{"none", "additive", "scalar", "commutative diagonal", "commutative", "non-commutative"}

func (c NoiseClass) String() string {
	if c >= 0 && c < NumNoiseClasses {
		return classNames[c]
	}
	return fmt.Sprintf("NoiseClass(%d)", int(c))
}

// Class returns the noise class of nz for a problem of dimension n.
func (nz Noise) Class(n int) NoiseClass {
	m, _ := nz.Dims(n)
	switch {
	case nz.Shape == NoNoise:
		return ClassNone
	case nz.Additive:
		return ClassAdditive
	case m == 1:
		return ClassScalar
	case nz.Commutative && nz.Shape == DiagonalNoise:
		return ClassDiagonal
	case nz.Commutative:
		return ClassCommutative
	}
	return ClassNoncommutative
}

// Batch tells a batched function which paths its rows belong to.
type Batch struct {
	// Worker is the index, in [0, workers), of the goroutine making the call.
	// Within one solve, calls with the same Worker never overlap, so a
	// function may keep scratch space per worker index; a function shared by
	// concurrent solves sees each index from each of them.
	Worker int
	// Paths holds the global index (path offset included) of the path of
	// each row. The order of rows is the solver's and carries no meaning.
	Paths []int
}

// Func is a batched drift or diffusion function. It writes the value for
// each of the k = len(t) rows into dst (k rows of the output width: n for a
// drift; n for scalar and diagonal noise, n·m for general noise for a
// diffusion), given one time per row in t and the states in x (k rows of n,
// row-major).
//
// Concurrency contract: the solver splits the paths across worker goroutines
// and each worker calls Func on its own rows, concurrently with the others.
// A Func must therefore be safe for concurrent calls with different
// b.Worker; calls with the same b.Worker are sequential. It must not retain
// dst, t, x or b.Paths after returning.
//
// A non-nil error stops the whole solve; it is returned, wrapped, with the
// results computed so far. NaN or Inf values in dst stop only the affected
// paths.
type Func func(dst, t, x []float64, b Batch) error

// Lift turns a single-path function f(dst, t, x), with len(x) = n and
// len(dst) = out, into a batched Func that calls it row by row. Called
// with rows of another width (an n or out that does not match the problem),
// the Func returns an error instead of writing across rows.
func Lift(n, out int, f func(dst []float64, t float64, x []float64)) Func {
	return func(dst, t, x []float64, _ Batch) error {
		if k := len(t); len(x) != k*n || len(dst) != k*out {
			return fmt.Errorf("sdeint.Lift: lifted for %d state and %d output values per row, called with %d and %d", n, out, len(x)/max(k, 1), len(dst)/max(k, 1))
		}
		for r, tr := range t {
			f(dst[r*out:(r+1)*out], tr, x[r*n:(r+1)*n])
		}
		return nil
	}
}

// Problem is the SDE dX = f(t, X) dt + g(t, X) dW, X(T0) = X0, on a batch
// of independent paths, solved from T0 to T1. T1 < T0 integrates backward in
// time (as reverse-time diffusion needs); the Brownian increments then have
// variance |h| for a step h.
type Problem struct {
	// Dim is the state dimension n.
	Dim int
	// Noise is the noise shape and structure. The zero value is NoNoise.
	Noise Noise
	// Calculus is the calculus the SDE is written in. Itô by default.
	Calculus Calculus
	// T0 and T1 are the start and end of the span; they must differ.
	T0, T1 float64
	// X0 is the initial state: n values shared by every path, or
	// paths·n values, one row per path (row i for path i of this solve,
	// before the path offset). Ignored when Init is set.
	X0 []float64
	// Init, if not nil, draws the initial state of path (its global index)
	// into dst from rng, the path's own stream for initial draws. dst holds
	// zeros when it is called.
	Init func(dst []float64, path int, rng *brownian.Stream) error
	// Drift is f. It is required.
	Drift Func
	// Diffusion is g. It is required unless the noise shape is NoNoise.
	Diffusion Func
	// InDomain, if not nil, says whether a state x at time t lies in the
	// problem's domain (e.g. x ≥ 0 for a square-root diffusion). At
	// adaptive steps a proposal outside it is rejected and the step shrunk,
	// like one holding NaN (the isoutofdomain option of the SciML
	// integrators); at fixed steps it ends the path NotFinite with Where
	// "domain". It is called once per attempted step and path, from the
	// workers, concurrently: it must be safe for concurrent use.
	InDomain func(t float64, x []float64) bool
}
