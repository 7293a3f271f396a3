package sdeint

import (
	"time"

	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/control"
)

// Settings configure a solve. The zero value means the defaults: one path,
// seed 0, GOMAXPROCS workers, adaptive steps with the bridge source, the
// method's default controller, per-path step sizes, a budget of 10⁶ attempts
// per path.
type Settings struct {
	// Paths is the number of paths P. Zero means len(X0)/Dim when X0 has
	// one row per path, else 1.
	Paths int
	// PathOffset is the global index of this solve's first path: path i
	// draws from the streams of path PathOffset+i, so paths 1000–1999 of one
	// run equal paths 0–999 of a run with offset 1000.
	PathOffset int
	// Seed keys every random stream of the solve.
	Seed uint64
	// Workers is the number of goroutines (default GOMAXPROCS). Results do
	// not depend on it.
	Workers int
	// BatchSize bounds the rows of each batched call (default: the paths
	// split in about four blocks per worker, at most 1024 rows). Results do
	// not depend on it.
	BatchSize int
	// Brownian is the source of Brownian paths (default brownian.Bridge for
	// adaptive steps, the fast brownian.Grid{} for fixed steps).
	Brownian brownian.Source

	// Steps, when positive, selects fixed steps (control.Fixed): Steps
	// equal steps from T0 to T1. Save times off that grid are added to it.
	Steps int
	// Grid, when not nil, selects fixed steps on this grid, which must
	// run strictly monotonically from T0 to T1.
	Grid []float64

	// Control configures adaptive step-size control: the default error
	// norm (control.Tolerance) and controller (control.Adaptive), resolved
	// with the method's control.Defaults.
	Control control.Settings
	// Controller, if not nil, replaces the default controller built from
	// Control: it chooses every path's attempts and accepts or rejects
	// them (see control.Controller). Steps and Grid must then be unset;
	// they select control.Fixed.
	Controller control.Controller
	// Norm, if not nil, replaces the default error norm built from
	// Control, for a controller that uses the error estimate.
	Norm control.ErrorNorm
	// SharedStep gives all paths one clock: one step size from the error
	// norm over the whole batch, one accept/reject decision, as torchsde and
	// k-diffusion do. The batch is every path of the solve (BatchSize is
	// ignored): solve the paths of one batch together. It is an ablation:
	// results depend on the batch (not on the workers: the batch norm is
	// reduced in path order).
	SharedStep bool

	// SaveAt lists times, in the integration direction within [T0, T1], at
	// which to save each path's state and W. The solver lands exactly on
	// them.
	SaveAt []float64

	// MaxAttempts is the budget of attempted steps per path (default
	// DefaultMaxAttempts, 10⁶).
	MaxAttempts int
	// MaxMemory bounds, in bytes, the memory Solve may allocate for its
	// result and its workers' buffers (default 4 GiB). Solve estimates it
	// before any work and refuses a solve above it, rather than dying out
	// of memory: raise it, or solve the paths in chunks with PathOffset.
	MaxMemory int64
	// Override lets Solve run a method on a problem it refuses (a calculus
	// mismatch, or adaptive steps on non-commutative noise), for ablations.
	// The overridden refusal is recorded in Result.Override.
	Override bool
	// Trace records every attempt of every path in Result.Trace. It
	// allocates as it goes; use it for diagnostics on small runs.
	Trace bool

	// Progress, if not nil, is called from Solve's goroutine at most every
	// ProgressEvery (default 1 s) while the solve runs.
	Progress      func(Progress)
	ProgressEvery time.Duration
}

// Progress reports on a running solve.
type Progress struct {
	Elapsed   time.Duration
	Paths     int   // paths in the solve
	PathsDone int   // paths that have ended
	Attempts  int64 // attempted steps so far
	NFE       int64 // stage evaluations so far
	// TMin is the least time reached, in the direction of integration, by
	// the paths that have not ended: T0 while some path has not started,
	// T1 once every path has ended. It never moves backward between calls.
	TMin float64
}

// DefaultMaxAttempts is the default of Settings.MaxAttempts, the budget of
// attempted steps per path: Solve refuses more fixed steps than it.
const DefaultMaxAttempts = 1_000_000

const defaultMaxMemory = 4 << 30
