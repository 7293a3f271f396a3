package sdeint

import (
	"fmt"
	"math"
	"time"
)

// Status says how a path, or a whole solve, ended.
type Status int

const (
	// NotTerminated: the path has not ended (never seen in a returned
	// Result).
	NotTerminated Status = iota
	// Success: the path reached T1.
	Success
	// NotFinite: the drift, the diffusion or the new state held NaN or Inf
	// at a fixed step, or at adaptive steps until the step size shrank to
	// nothing (each such attempt is rejected and the step shrunk); the path
	// stopped at its last accepted state.
	NotFinite
	// StepCollapse: the step size fell so low that t + h == t, or below
	// the minimum step.
	StepCollapse
	// BudgetExhausted: the path used its budget of attempted steps.
	BudgetExhausted
	// Cancelled: the context was cancelled before the path ended.
	Cancelled
	// FuncError: a drift or diffusion call for this path returned an error,
	// which stopped the solve.
	FuncError
	// Stopped: an error elsewhere stopped the solve before this path
	// ended: another path's function error, or a panic in the Progress
	// hook or in shared-step mode's batch norm (PathError.Err holds it).
	Stopped
)

var statusNames = [...]string{"not terminated", "success", "NaN or Inf", "step size collapsed", "step budget exhausted", "cancelled", "function error", "stopped"}

func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// PathError describes why one path stopped early. Err holds the drift's or
// diffusion's own error for FuncError, and the context's error for
// Cancelled.
type PathError struct {
	Path   int     // global path index
	Status Status  // why it stopped
	T      float64 // time of the last accepted state
	// Where names what went wrong: "drift", "diffusion", "state", "domain"
	// (Problem.InDomain refused the state; Component −1), "init"
	// (Problem.Init) or "method" (the method's step returned an error of
	// its own) for NotFinite and FuncError, or "step" for a panic in
	// the stepping machinery (a plugged method, controller, norm or
	// Brownian source: Err is a *PanicError), or "controller" for a
	// plugged Controller that broke its contract (Err says how); empty
	// otherwise.
	Where string
	// TEval is the time at which Where was evaluated (NotFinite).
	TEval float64
	// Component is the first offending component (NotFinite), or −1.
	Component int
	// Rows is the number of paths in the batched call that returned the
	// error (FuncError): the function was called on all of them at once,
	// so the error may come from any of them.
	Rows int
	// H is the step size at the end (StepCollapse, and NotFinite at
	// adaptive steps).
	H   float64
	Err error
}

func (e *PathError) Error() string {
	switch e.Status {
	case NotFinite:
		if e.Where == "domain" {
			return fmt.Sprintf("path %d: the state left the problem's domain (Problem.InDomain) at t = %g (last accepted t = %g)", e.Path, e.TEval, e.T)
		}
		return fmt.Sprintf("path %d: %s has NaN or Inf in component %d at t = %g (last accepted t = %g)", e.Path, e.Where, e.Component, e.TEval, e.T)
	case StepCollapse:
		if ulp := math.Nextafter(math.Abs(e.T), math.Inf(1)) - math.Abs(e.T); e.H > 0 && e.H < ulp {
			// t + h == t: the step cannot move time, whatever the error.
			return fmt.Sprintf("path %d: step size collapsed to %g at t = %g, below the spacing of float64 there (%g): time cannot advance; shift the time origin (T0 near 0) or use larger steps", e.Path, e.H, e.T, ulp)
		}
		return fmt.Sprintf("path %d: step size collapsed to %g at t = %g", e.Path, e.H, e.T)
	case BudgetExhausted:
		return fmt.Sprintf("path %d: step budget exhausted at t = %g", e.Path, e.T)
	case FuncError:
		if e.Rows > 1 {
			return fmt.Sprintf("path %d: %s failed at t = %g, in a batched call on %d paths (any of them may have raised it): %v", e.Path, e.Where, e.TEval, e.Rows, e.Err)
		}
		return fmt.Sprintf("path %d: %s failed at t = %g: %v", e.Path, e.Where, e.TEval, e.Err)
	case Cancelled:
		return fmt.Sprintf("path %d: cancelled at t = %g: %v", e.Path, e.T, e.Err)
	case Stopped:
		if e.Err != nil {
			return fmt.Sprintf("path %d: stopped at t = %g by an error elsewhere in the solve: %v", e.Path, e.T, e.Err)
		}
		return fmt.Sprintf("path %d: stopped at t = %g by another path's error", e.Path, e.T)
	}
	return fmt.Sprintf("path %d: %v at t = %g", e.Path, e.Status, e.T)
}

func (e *PathError) Unwrap() error { return e.Err }

// PathStats are the counts and final clock of one path.
type PathStats struct {
	Status   Status
	T        float64 // time reached (T1 on success)
	H        float64 // last step-size proposal |h|
	Accepted int     // accepted steps
	Rejected int     // rejected attempts
	// MinStep is the smallest step size |h| the controller proposed for
	// an accepted step (before shortening it to land on a save time or
	// T1; the step itself for fixed steps), 0 before the first. A MinStep
	// far below the typical step says the path went through a near
	// singularity (a blow-up, a pole, the edge of the domain): check the
	// result with a tighter tolerance, since a loose one can step over a
	// singularity unseen (docs/limits.md).
	MinStep float64
	// NonFinite counts the rejected attempts whose stages or proposals
	// held NaN or Inf (included in Rejected).
	NonFinite int
	// Probes counts the trial steps that chose the path's first step size
	// (control.AutoStarter); they are not attempts.
	Probes int
	// DriftEvals and DiffusionEvals count evaluations for this path, rejected
	// attempts and probes included.
	DriftEvals, DiffusionEvals int
	// NFE counts stage evaluations (the drift evaluations): 2 per attempt of
	// a 2-stage pair, rejections and probes included, the convention of
	// Jolicoeur-Martineau et al. (2021).
	NFE int
	// Err describes an early stop; nil on success.
	Err *PathError
}

// Stats are totals over all paths.
type Stats struct {
	Accepted, Rejected         int64
	Probes                     int64 // first-step probes (PathStats.Probes)
	DriftEvals, DiffusionEvals int64
	NFE                        int64
	Failed                     int // paths that did not succeed
	Rounds                     int // step rounds (shared-step mode only)
	Wall                       time.Duration
}

// TraceEntry records one attempted step of a path.
type TraceEntry struct {
	T   float64 // start of the attempt
	H   float64 // signed step attempted
	Err float64 // error norm (0 for fixed steps)
	// HTry is the step size |h| the controller proposed for the attempt
	// (HMax applied), before it was shortened to land on a save time or
	// T1; |H| for fixed steps.
	HTry     float64
	Accepted bool
}

// Result holds what a solve computed. Matrices are row-major, one row per
// path, path i of this solve (global index PathOffset+i) in row i.
type Result struct {
	// Status is Success when every path succeeded. Otherwise it is
	// FuncError if a function failed, Cancelled if the context was
	// cancelled, else the status of the first path that failed.
	Status Status

	Paths, Dim, NoiseDim int
	PathOffset           int
	T0, T1               float64
	Method               string // the method's name
	Brownian             string // the Brownian source's name
	Adaptive             bool   // adaptive (true) or fixed steps
	SharedStep           bool
	// Override is the refusal that Settings.Override overrode, if any.
	Override string

	X []float64 // Paths×Dim: final state (the last accepted one)
	W []float64 // Paths×NoiseDim: W(T) − W(T0) at the final time T

	// SaveAt are the save times; Saved holds Paths×len(SaveAt)×Dim states
	// and SavedW the matching Paths×len(SaveAt)×NoiseDim values of
	// W(t) − W(T0). Saves a path did not reach are NaN.
	SaveAt []float64
	Saved  []float64
	SavedW []float64

	Path  []PathStats
	Stats Stats
	// Trace, with Settings.Trace, holds every attempt of every path.
	Trace [][]TraceEntry
}

// Row returns path i's final state.
func (r *Result) Row(i int) []float64 { return r.X[i*r.Dim : (i+1)*r.Dim] }

// WRow returns path i's final W.
func (r *Result) WRow(i int) []float64 { return r.W[i*r.NoiseDim : (i+1)*r.NoiseDim] }

// SavedRow returns path i's state at save time j.
func (r *Result) SavedRow(i, j int) []float64 {
	o := (i*len(r.SaveAt) + j) * r.Dim
	return r.Saved[o : o+r.Dim]
}

// SavedWRow returns path i's W at save time j.
func (r *Result) SavedWRow(i, j int) []float64 {
	o := (i*len(r.SaveAt) + j) * r.NoiseDim
	return r.SavedW[o : o+r.NoiseDim]
}

// NFEMean returns the mean NFE per path.
func (r *Result) NFEMean() float64 { return float64(r.Stats.NFE) / float64(r.Paths) }

// NFEMax returns the largest NFE of a path.
func (r *Result) NFEMax() int {
	m := 0
	for _, p := range r.Path {
		m = max(m, p.NFE)
	}
	return m
}

// RefusalError is returned, before any work, when a method does not apply
// to a problem (a calculus mismatch, adaptive steps where they do not
// converge). Settings.Override runs the pair anyway, for ablations.
type RefusalError struct {
	Method string
	Reason string
	// Final says Settings.Override cannot lift the refusal: the method
	// does not apply to the problem's noise class at all.
	Final bool
}

func (e *RefusalError) Error() string {
	if e.Final {
		return "sdeint: " + e.Reason
	}
	return "sdeint: " + e.Reason + " (Settings.Override runs it anyway, for ablations)"
}

// SolveError summarises the paths that did not succeed. It wraps the first
// path's error, so errors.Is and errors.As see through to it.
type SolveError struct {
	Status Status
	Failed int // paths that did not succeed
	Paths  int
	First  *PathError
}

func (e *SolveError) Error() string {
	return fmt.Sprintf("sdeint: %d of %d paths did not finish (%v); first: %v", e.Failed, e.Paths, e.Status, e.First)
}

func (e *SolveError) Unwrap() error {
	if e.First == nil {
		return nil // not a typed nil
	}
	return e.First
}

// PanicError is a panic in user code recovered by the solver: in a
// problem's function (drift, diffusion, Init, InDomain), or in a plugged
// method, controller, norm or Brownian source. The solve stops with
// FuncError and returns what it computed; Value is what was passed to
// panic and Stack the panicking goroutine's stack.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }
