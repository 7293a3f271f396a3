package convergence

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/gofast-sde/gofast/internal/mcstat"
	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/control"
)

// Modes of a work–precision row.
const (
	ModeAdaptive = "adaptive" // adaptive steps at one tolerance
	ModeFixed    = "fixed"    // fixed steps
)

// WPRow is one point of a work–precision study: one method solved
// adaptively with one controller at one tolerance, or with one number of
// fixed steps.
type WPRow struct {
	Method     string `json:"method"`
	Mode       string `json:"mode"`       // ModeAdaptive or ModeFixed
	Controller string `json:"controller"` // adaptive rows; "fixed" for fixed rows
	// Tol is the tolerance ε_rel = ε_abs of an adaptive row (NaN for fixed
	// rows); Steps the step count of a fixed row (0 for adaptive rows).
	Tol   float64 `json:"tol"`
	Steps int     `json:"steps"`
	// Error is the study's error (WPResult.Error says which) with its SE.
	Error   float64 `json:"error"`
	ErrorSE float64 `json:"error_se"`
	// MeanError and VarError are the sample mean and variance of X₁(T)
	// minus their exact values, with SEs; NaN where the problem does not
	// know them. They check the adaptive solve against exact moments: a
	// strong error measured on the solver's own Brownian path cannot reveal
	// a biased Brownian source, a moment error can.
	MeanError   float64 `json:"mean_error"`
	MeanErrorSE float64 `json:"mean_error_se"`
	VarError    float64 `json:"var_error"`
	VarErrorSE  float64 `json:"var_error_se"`
	NFEMean     float64 `json:"nfe_mean"`
	// RejectedMean is the mean number of rejected attempts per path.
	RejectedMean float64 `json:"rejected_mean"`
	// FixedError is, for an adaptive row, the error of the same method
	// with fixed steps at this row's NFE: the fixed rows' frontier
	// interpolated linearly in log error against log NFE between the two
	// fixed rows around it, with FixedErrorSE its SE (interpolated the same
	// way, relative). NaN for fixed rows, and when the row's NFE lies
	// outside the fixed rows' range (no extrapolation).
	FixedError   float64 `json:"fixed_error"`
	FixedErrorSE float64 `json:"fixed_error_se"`
	// Efficiency is Error/FixedError: below 1 the adaptive solve is more
	// accurate than fixed steps at equal work (NaN where FixedError is).
	Efficiency float64 `json:"efficiency"`
	// AsEfficient says the adaptive row is at least as efficient as fixed
	// steps: Error − FixedError ≤ 4·SE of the difference (see
	// AsEfficient). False where FixedError is NaN, and for fixed rows.
	AsEfficient bool `json:"as_efficient"`
	// BestFixedError is, for an adaptive row, the least fixed-step error
	// at this row's NFE over every method of the study (each method's
	// frontier interpolated as for FixedError; NaN where none covers the
	// NFE), BestFixedMethod the method that reaches it, and Relative =
	// Error/BestFixedError. Relative ranks adaptive rows of different
	// methods on one scale. Error × NFE at one tolerance does not: for a
	// method of order p it falls as NFE^(1−p), so it favours the method
	// that spends the most at that tolerance.
	BestFixedError  float64 `json:"best_fixed_error"`
	BestFixedMethod string  `json:"best_fixed_method"`
	Relative        float64 `json:"relative"`
	WallSeconds     float64 `json:"wall_seconds"`
}

// Peer is a reference point from another toolkit drawn beside a study:
// its error at its mean evaluation count on the same problem and metric.
type Peer struct {
	Name  string  `json:"name"`
	NFE   float64 `json:"nfe"`
	Error float64 `json:"error"`
}

// WPResult is a work–precision study.
type WPResult struct {
	Problem string  `json:"problem"`
	Paths   int     `json:"paths"`
	Seed    uint64  `json:"seed"`
	Rows    []WPRow `json:"rows"`
	// Error says what Error measures.
	Error string `json:"error_kind"`
	// Skipped lists, one note each, the method and mode pairs Solve
	// refused (Settings.SkipRefused).
	Skipped []string `json:"skipped,omitempty"`
	// Peers are reference points of other toolkits, drawn in the plot.
	Peers []Peer `json:"peers,omitempty"`
	// Brownian names the Brownian source of the adaptive solves.
	Brownian string `json:"brownian"`
}

// ErrSettings is returned (wrapped), before any solve, for study settings
// that cannot run: by WorkPrecision for a fixed step count, or a same-path
// reference, above sdeint.DefaultMaxAttempts steps; by Strong and Weak for
// step sizes that are not at least two distinct divisors of the span on a
// grid of at most 2²⁴ cells; by Strong and WorkPrecision for a RefFactor
// of 1 or below 0, or a negative RefSteps; by Weak for a Phi without its
// function; by all three for a nil problem or method; by WorkPrecision for
// a tolerance that is not finite and positive.
var ErrSettings = errors.New("convergence: invalid study settings")

// Controller is a named step-size controller of a work–precision study.
type Controller struct {
	Name string
	// Control is the controller; the study sets its RTol and ATol.
	Control control.Settings
}

// DefaultTols are the default work–precision tolerances.
var DefaultTols = []float64{1e-1, 1e-2, 1e-3, 1e-4}

// wpRef is how a study measures errors.
type wpRef struct {
	kind  string
	tree  bool // solve on a virtual Brownian tree, same path for every solve
	steps int  // fixed steps of the same-path reference (0: none)
}

// wpReference decides how errors are measured on p: against the exact
// solution on the solver's path; else, when the study has fixed steps or
// asks for it, against a same-path fine solve on a virtual Brownian tree;
// else the weak error of the mean.
func wpReference(p *problems.Problem, s Settings) (wpRef, error) {
	switch {
	case p.Solution != nil:
		return wpRef{kind: "strong: mean RMS error of X(T) against the exact solution on the solver's Brownian path"}, nil
	case len(s.Steps) > 0 || s.RefSteps > 0:
		n := s.RefSteps
		if n == 0 {
			f := s.RefFactor
			if f == 0 {
				f = 16
			}
			n = f * slices.Max(s.Steps)
		}
		if n > sdeint.DefaultMaxAttempts {
			// The solver refuses more fixed steps than its default budget.
			return wpRef{}, fmt.Errorf("%w: a reference of %d steps is too fine (the solver takes at most %d): lower the largest fixed step count, RefSteps or RefFactor", ErrSettings, n, sdeint.DefaultMaxAttempts)
		}
		return wpRef{kind: fmt.Sprintf("strong: mean RMS error of X(T) against the same method with %d fixed steps on the same Brownian path (virtual Brownian tree)", n), tree: true, steps: n}, nil
	case p.Mean != nil:
		return wpRef{kind: "weak: |mean X₁(T) − E X₁(T)|"}, nil
	}
	return wpRef{}, fmt.Errorf("%w: problem %s has no exact solution or mean", ErrNothingExact, p.Name)
}

// WorkPrecision solves p with each method: adaptively with each controller
// (nil: the method's own, named "default") at each tolerance (ε_rel = ε_abs =
// tol, the source s.Brownian or the bridge), and with each fixed step
// count of s.Steps. It reports the error — the strong error against the
// exact solution on the solver's own path when the problem has one; else,
// with fixed steps in the study (or s.RefSteps), the strong error against
// a fine fixed-step solve of the same method on the same path, every solve
// then running on a virtual Brownian tree; else |mean X₁(T) − E X₁(T)| —
// with its SE, the errors of the mean and variance of X₁(T) against the
// exact moments, the mean NFE and rejections and the wall time. Each
// adaptive row is compared with the same method's fixed-step frontier at
// its NFE (WPRow.FixedError, Efficiency, AsEfficient).
//
// A solve Solve refuses (a method/problem pair, or adaptive steps on a
// noise class the method cannot adapt on) fails the study unless
// s.SkipRefused, which notes it in WPResult.Skipped and goes on. A study
// stopped by an error (a cancelled context, a failed solve) returns the
// rows it finished with the error.
func WorkPrecision(ctx context.Context, p *problems.Problem, ms []sdeint.Method, tols []float64, ctls []Controller, s Settings) (*WPResult, error) {
	if err := present(p, ms...); err != nil {
		return nil, err
	}
	for _, tol := range tols {
		// A zero tolerance would run at the solver's default (0 means
		// the default) under the label 0.
		if !(tol > 0) || math.IsInf(tol, 0) {
			return nil, fmt.Errorf("%w: tolerance %v, want finite > 0", ErrSettings, tol)
		}
	}
	for _, n := range s.Steps {
		if n < 1 || n > sdeint.DefaultMaxAttempts {
			return nil, fmt.Errorf("%w: %d fixed steps, want 1 to %d (the solver's budget of attempts per path)", ErrSettings, n, sdeint.DefaultMaxAttempts)
		}
	}
	if err := s.reference(); err != nil {
		return nil, err
	}
	ref, err := wpReference(p, s)
	if err != nil {
		return nil, err
	}
	paths, err := s.paths(1000)
	if err != nil {
		return nil, err
	}
	if len(ctls) == 0 {
		ctls = []Controller{{Name: "default"}}
	}
	out := &WPResult{Problem: p.Name, Paths: paths, Seed: s.Seed, Error: ref.kind, Peers: s.Peers, Brownian: "bridge"}
	switch {
	case ref.tree:
		out.Brownian = brownian.Tree{}.Name()
	case s.Brownian != nil:
		out.Brownian = s.Brownian.Name()
	}
	w := newWPWork(p, paths)
	for _, m := range ms {
		name := m.Properties().Name
		var want []float64
		if ref.steps > 0 {
			r, err := w.solve(ctx, m, &sdeint.Settings{Steps: ref.steps, Brownian: brownian.Tree{}}, s)
			if err != nil {
				if skip(out, s, err, name, "reference") {
					continue
				}
				return nil, fmt.Errorf("convergence: reference solve: %w", err)
			}
			want = slices.Clone(r.X)
		}
		adaptive := m.Properties().Adaptive
		if !adaptive && len(tols) > 0 {
			out.Skipped = append(out.Skipped, fmt.Sprintf("%s adaptive: the method has no error estimate", name))
		}
		for _, ctl := range ctls {
			for _, tol := range tols {
				if !adaptive {
					break
				}
				c := ctl.Control
				c.RTol, c.ATol = tol, tol
				set := &sdeint.Settings{Control: c, Brownian: s.Brownian}
				if ref.tree {
					set.Brownian = brownian.Tree{}
				}
				if s.Progress != nil {
					s.Progress(fmt.Sprintf("%s %s (%s): tolerance %g, %d paths", p.Name, name, ctl.Name, tol, paths))
				}
				row, err := w.row(ctx, m, set, want, s)
				if err != nil {
					if skip(out, s, err, name, "adaptive") {
						break
					}
					out.compare()
					return out, err // the finished rows, with why it stopped
				}
				row.Mode, row.Controller, row.Tol = ModeAdaptive, ctl.Name, tol
				out.Rows = append(out.Rows, row)
			}
		}
		for _, n := range s.Steps {
			set := &sdeint.Settings{Steps: n}
			if ref.tree {
				set.Brownian = brownian.Tree{}
			}
			if s.Progress != nil {
				s.Progress(fmt.Sprintf("%s %s: %d fixed steps, %d paths", p.Name, name, n, paths))
			}
			row, err := w.row(ctx, m, set, want, s)
			if err != nil {
				if skip(out, s, err, name, "fixed") {
					break
				}
				out.compare()
				return out, err
			}
			row.Mode, row.Controller, row.Tol, row.Steps = ModeFixed, ModeFixed, math.NaN(), n
			out.Rows = append(out.Rows, row)
		}
	}
	out.compare()
	return out, nil
}

// skip notes a refused solve in out when s.SkipRefused and reports whether
// it did.
func skip(out *WPResult, s Settings, err error, method, mode string) bool {
	re, refused := errors.AsType[*sdeint.RefusalError](err)
	if !refused || !s.SkipRefused {
		return false
	}
	out.Skipped = append(out.Skipped, fmt.Sprintf("%s %s: %s", method, mode, re.Reason))
	return true
}

// wpWork holds a study's problem, exact moments and scratch.
type wpWork struct {
	p              *problems.Problem
	paths          int
	mean, vr, want []float64
	vals, x1       []float64
}

func newWPWork(p *problems.Problem, paths int) *wpWork {
	n := p.SDE.Dim
	w := &wpWork{p: p, paths: paths, mean: make([]float64, n), vr: make([]float64, n), want: make([]float64, n),
		vals: make([]float64, paths), x1: make([]float64, paths)}
	if p.Mean != nil {
		p.Mean(w.mean, p.SDE.T1)
	}
	if p.Var != nil {
		p.Var(w.vr, p.SDE.T1)
	}
	return w
}

// solve runs one solve of the study with its paths, seed and workers.
func (w *wpWork) solve(ctx context.Context, m sdeint.Method, set *sdeint.Settings, s Settings) (*sdeint.Result, error) {
	set.Paths, set.Seed, set.Workers, set.Override = w.paths, s.Seed, s.Workers, s.Override
	return sdeint.Solve(ctx, &w.p.SDE, m, set)
}

// row solves once and measures the row's errors; ref, if not nil, holds the
// same-path reference states.
func (w *wpWork) row(ctx context.Context, m sdeint.Method, set *sdeint.Settings, ref []float64, s Settings) (WPRow, error) {
	start := time.Now()
	r, err := w.solve(ctx, m, set, s)
	if err != nil {
		return WPRow{}, err
	}
	wall := time.Since(start)
	p, n := w.p, w.p.SDE.Dim
	for j := range w.paths {
		w.x1[j] = r.Row(j)[0]
		switch {
		case p.Solution != nil:
			p.Solution(w.want, p.SDE.T1, r.WRow(j))
			w.vals[j] = rms(r.Row(j), w.want)
		case ref != nil:
			w.vals[j] = rms(r.Row(j), ref[j*n:(j+1)*n])
		default:
			w.vals[j] = w.x1[j] - w.mean[0]
		}
	}
	e, se := mcstat.MeanSE(w.vals)
	row := WPRow{Method: m.Properties().Name, Error: math.Abs(e), ErrorSE: se,
		MeanError: math.NaN(), MeanErrorSE: math.NaN(), VarError: math.NaN(), VarErrorSE: math.NaN(),
		NFEMean: r.NFEMean(), RejectedMean: float64(r.Stats.Rejected) / float64(w.paths), WallSeconds: wall.Seconds(),
		FixedError: math.NaN(), FixedErrorSE: math.NaN(), Efficiency: math.NaN(),
		BestFixedError: math.NaN(), Relative: math.NaN()}
	if p.Mean != nil {
		mu, muSE := mcstat.MeanSE(w.x1)
		row.MeanError, row.MeanErrorSE = mu-w.mean[0], muSE
	}
	if p.Var != nil {
		v, vSE := mcstat.VarSE(w.x1)
		row.VarError, row.VarErrorSE = v-w.vr[0], vSE
	}
	return row, nil
}

// compare fills in each adaptive row's comparison with the same method's
// fixed-step frontier and with the best of every method's.
func (wp *WPResult) compare() {
	fixed := map[string][]WPRow{}
	var order []string // methods with fixed rows, in the rows' order
	for _, r := range wp.Rows {
		if r.Mode == ModeFixed && r.Error > 0 && r.NFEMean > 0 {
			if fixed[r.Method] == nil {
				order = append(order, r.Method)
			}
			fixed[r.Method] = append(fixed[r.Method], r)
		}
	}
	for i := range wp.Rows {
		r := &wp.Rows[i]
		if r.Mode != ModeAdaptive {
			continue
		}
		r.FixedError, r.FixedErrorSE = Frontier(fixed[r.Method], r.NFEMean)
		r.Efficiency = r.Error / r.FixedError
		r.AsEfficient = AsEfficient(r.Error, r.ErrorSE, r.FixedError, r.FixedErrorSE)
		r.BestFixedError, r.BestFixedMethod = math.NaN(), ""
		for _, m := range order {
			// In the rows' order, so that ties resolve the same way on
			// every run.
			if e, _ := Frontier(fixed[m], r.NFEMean); e < r.BestFixedError || (math.IsNaN(r.BestFixedError) && !math.IsNaN(e)) {
				r.BestFixedError, r.BestFixedMethod = e, m
			}
		}
		r.Relative = r.Error / r.BestFixedError
	}
}

// Frontier interpolates the error of fixed-step rows at a mean NFE:
// linearly in log error against log NFE between the two rows whose NFEs
// bracket nfe, with the relative SE interpolated the same way (the two
// rows' errors are positively correlated — they share paths — so this
// does not understate it). It returns NaN, NaN outside the rows' NFE range.
func Frontier(fixed []WPRow, nfe float64) (e, se float64) {
	rows := slices.Clone(fixed)
	sort.Slice(rows, func(i, j int) bool { return rows[i].NFEMean < rows[j].NFEMean })
	for i := 1; i < len(rows); i++ {
		a, b := rows[i-1], rows[i]
		if nfe < a.NFEMean || nfe > b.NFEMean || a.NFEMean == b.NFEMean {
			continue
		}
		switch nfe {
		case a.NFEMean:
			return a.Error, a.ErrorSE
		case b.NFEMean:
			return b.Error, b.ErrorSE
		}
		u := math.Log(nfe/a.NFEMean) / math.Log(b.NFEMean/a.NFEMean)
		e = math.Exp((1-u)*math.Log(a.Error) + u*math.Log(b.Error))
		rel := (1-u)*a.ErrorSE/a.Error + u*b.ErrorSE/b.Error
		return e, rel * e
	}
	if len(rows) == 1 && nfe == rows[0].NFEMean {
		return rows[0].Error, rows[0].ErrorSE
	}
	return math.NaN(), math.NaN()
}

// AsEfficient is the verdict "adaptive steps are at least as efficient as
// fixed steps" at one adaptive point: its error e (± se) is not
// significantly above the fixed-step frontier's error f (± fse) at the same
// NFE, e − f ≤ 4·√(se² + fse²). With an exact solution the adaptive solves
// (bridge) and the fixed ones (grid) draw their paths from different
// sources, so the two errors are practically independent and the SE of the
// difference is the root sum of squares; 4 SE makes a false "less
// efficient" verdict a 3e-5 chance when the two are equal. On a shared
// Brownian tree (no exact solution) the errors are positively correlated
// and the root sum of squares overstates the SE: the verdict is then
// lenient. A fixed frontier that is not known (NaN) gives false.
func AsEfficient(e, se, f, fse float64) bool {
	if math.IsNaN(f) {
		return false
	}
	return e-f <= 4*math.Hypot(se, fse)
}
