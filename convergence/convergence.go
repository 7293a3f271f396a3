// Package convergence measures what a method achieves on problems with
// known answers: strong and weak convergence orders with standard errors,
// and work–precision curves of adaptive solving. Results are plain rows, to
// print as CSV or JSON or to plot.
//
// Strong errors are measured on the same Brownian path at every step size:
// the path is pre-drawn on the finest grid (brownian.Grid) and summed to
// the coarser ones, and compared with the exact solution on that path, or,
// where none exists, with a fine solve on the same path. The order is the
// least-squares slope of log mean error against log step, with a grouped
// jackknife SE over paths, which accounts for the rows sharing paths
// (mcstat.LogLogSlope). Weak errors use common random numbers: the mean
// difference φ(X_N) − φ(X_exact(W)) on the same paths, or the difference
// from an exact expectation (mcstat.LogLogSlopeAbs).
package convergence

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/gofast-sde/gofast/internal/mcstat"
	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
)

// Row is one step size (or tolerance) of a study.
type Row struct {
	Dt      float64 `json:"dt"`
	Error   float64 `json:"error"`
	ErrorSE float64 `json:"error_se"`
	NFEMean float64 `json:"nfe_mean"`
}

// Result is a convergence study.
type Result struct {
	Problem string  `json:"problem"`
	Method  string  `json:"method"`
	Kind    string  `json:"kind"` // "strong" or "weak"
	Paths   int     `json:"paths"`
	Seed    uint64  `json:"seed"`
	Rows    []Row   `json:"rows"`
	Order   float64 `json:"order"`
	OrderSE float64 `json:"order_se"`
	// Reference says what the errors are measured against.
	Reference string `json:"reference"`
}

// Settings configure a study. The zero value means 1000 paths (strong) or
// 10⁴ (weak), seed 0, GOMAXPROCS workers.
type Settings struct {
	Paths   int
	Seed    uint64
	Workers int
	// RefFactor: without an exact solution, strong errors are measured
	// against a solve with the same method on the same path with steps
	// RefFactor times smaller than the smallest (default 16).
	RefFactor int
	// Phi is the weak test function (default: the first component, with
	// the problem's exact Mean; a problem's first Expect when it has no
	// pathwise solution and no Mean).
	Phi *problems.Expectation
	// ExactExpectation makes weak errors compare with the exact expectation
	// of Phi rather than with φ(exact solution) on the same paths.
	ExactExpectation bool
	// Override is passed to sdeint (e.g. the paper's Heun on an Itô
	// problem, an ablation).
	Override bool
	// Brownian is the source of adaptive solves in WorkPrecision (default
	// the bridge); the order studies always use a pre-drawn grid.
	Brownian brownian.Source
	// Progress, if not nil, hears about each solve.
	Progress func(msg string)

	// Steps lists the fixed step counts WorkPrecision solves each method
	// with, beside its adaptive tolerances.
	Steps []int
	// RefSteps is the fixed step count of WorkPrecision's same-path
	// reference for a problem without an exact solution (default RefFactor
	// times the largest of Steps; with neither, WorkPrecision measures the
	// weak error of the mean).
	RefSteps int
	// SkipRefused makes WorkPrecision note and skip the solves Solve
	// refuses instead of failing.
	SkipRefused bool
	// Peers are other toolkits' points, carried into WPResult for the plot.
	Peers []Peer
}

// present refuses a nil problem or method, which a study would dereference.
// Its errors wrap ErrSettings.
func present(p *problems.Problem, ms ...sdeint.Method) error {
	if p == nil {
		return fmt.Errorf("%w: nil problem", ErrSettings)
	}
	for i, m := range ms {
		if m == nil {
			return fmt.Errorf("%w: method %d is nil", ErrSettings, i)
		}
	}
	return nil
}

// reference checks the settings of a same-path reference: a RefFactor of 1
// makes the reference the finest solve itself (its error 0, the order NaN),
// and a negative one or a negative RefSteps a solve of no steps. Its
// errors wrap ErrSettings.
func (s Settings) reference() error {
	if s.RefFactor < 0 || s.RefFactor == 1 || s.RefSteps < 0 {
		return fmt.Errorf("%w: RefFactor = %d, RefSteps = %d: want RefFactor ≥ 2 (0: the default 16) and RefSteps ≥ 0", ErrSettings, s.RefFactor, s.RefSteps)
	}
	return nil
}

func (s Settings) paths(def int) (int, error) {
	switch {
	case s.Paths == 0:
		return def, nil
	case s.Paths < 2:
		return 0, fmt.Errorf("convergence: %d paths: need at least 2 for a standard error", s.Paths)
	}
	return s.Paths, nil
}

// groups is the number of path groups of the jackknife SE of an order: 20,
// or one path per group when there are fewer paths.
func groups(paths int) int { return min(20, paths) }

// knowsSomething reports whether p carries anything exact a study can
// compare with. Without it (lorenz: chaotic over its span, so even a
// same-path reference does not converge at practical steps) a study would
// only measure noise.
func knowsSomething(p *problems.Problem) error {
	if p.Solution == nil && p.Mean == nil && p.Var == nil && len(p.Expect) == 0 && p.Stationary == nil {
		return fmt.Errorf("%w: problem %s has no solution, moments or expectations to measure errors against", ErrNothingExact, p.Name)
	}
	return nil
}

// ErrNothingExact is returned (wrapped) for a problem that knows nothing
// exactly, or not what the study needs.
var ErrNothingExact = errors.New("convergence: nothing exact to compare with")

// Phi returns a weak test function of p by name: "xK" is the K-th
// component (from 1), with its exact expectation when p knows its Mean;
// "K" (from 0) is p.Expect[K], a test function with an exact expectation.
func Phi(p *problems.Problem, name string) (*problems.Expectation, error) {
	var k int
	if _, err := fmt.Sscanf(name, "x%d", &k); err == nil && fmt.Sprintf("x%d", k) == name {
		if k < 1 || k > p.SDE.Dim {
			return nil, fmt.Errorf("convergence: φ %q: problem %s has components x1…x%d", name, p.Name, p.SDE.Dim)
		}
		e := &problems.Expectation{Name: name, Phi: func(x []float64) float64 { return x[k-1] }}
		if p.Mean != nil {
			mean := make([]float64, p.SDE.Dim)
			e.Value = func(t float64) float64 { p.Mean(mean, t); return mean[k-1] }
		}
		return e, nil
	}
	if _, err := fmt.Sscanf(name, "%d", &k); err == nil && fmt.Sprint(k) == name && k >= 0 && k < len(p.Expect) {
		return &p.Expect[k], nil
	}
	var known []string
	for i, e := range p.Expect {
		known = append(known, fmt.Sprintf("%d (%s)", i, e.Name))
	}
	list := "none"
	if len(known) > 0 {
		list = strings.Join(known, ", ")
	}
	return nil, fmt.Errorf("convergence: unknown φ %q for %s: want x1…x%d or the index of an exact expectation: %s", name, p.Name, p.SDE.Dim, list)
}

// DefaultStrongDts are 2⁻³ … 2⁻⁹; DefaultWeakDts 2⁻³ … 2⁻⁷.
var (
	DefaultStrongDts = dyadic(3, 9)
	DefaultWeakDts   = dyadic(3, 7)
)

func dyadic(lo, hi int) []float64 {
	var d []float64
	for k := lo; k <= hi; k++ {
		d = append(d, math.Ldexp(1, -k))
	}
	return d
}

// gridSteps returns the number of steps of each dt over span and the
// finest grid, which all of them divide. It refuses fewer than two distinct
// step sizes; its errors wrap ErrSettings.
func gridSteps(span float64, dts []float64, factor int) ([]int, int, error) {
	if len(dts) < 2 {
		return nil, 0, fmt.Errorf("%w: need at least two step sizes", ErrSettings)
	}
	steps := make([]int, len(dts))
	fine := 1
	distinct := false
	for i, dt := range dts {
		if !(dt > 0) || dt > span {
			return nil, 0, fmt.Errorf("%w: step %v outside (0, %v]", ErrSettings, dt, span)
		}
		n := math.Round(span / dt)
		if math.Abs(n-span/dt) > 1e-9*n {
			return nil, 0, fmt.Errorf("%w: step %v does not divide the span %v", ErrSettings, dt, span)
		}
		steps[i] = int(n)
		distinct = distinct || steps[i] != steps[0]
		fine = lcm(fine, steps[i])
		if fine > 1<<24 {
			return nil, 0, fmt.Errorf("%w: the step sizes need a grid of more than 2²⁴ cells", ErrSettings)
		}
	}
	if !distinct {
		// One step size repeated: no slope to fit (the order was NaN).
		return nil, 0, fmt.Errorf("%w: need at least two distinct step sizes, got %v", ErrSettings, dts)
	}
	return steps, fine * max(factor, 1), nil
}

func lcm(a, b int) int {
	g, x := a, b
	for x != 0 {
		g, x = x, g%x
	}
	return a / g * b
}

// solve runs p with fixed steps on the pre-drawn path of the fine grid.
func solve(ctx context.Context, p *problems.Problem, m sdeint.Method, steps, fine, paths int, s Settings) (*sdeint.Result, error) {
	if s.Progress != nil {
		s.Progress(fmt.Sprintf("%s %s: %d steps, %d paths", p.Name, m.Properties().Name, steps, paths))
	}
	return sdeint.Solve(ctx, &p.SDE, m, &sdeint.Settings{
		Paths: paths, Seed: s.Seed, Workers: s.Workers, Steps: steps,
		Brownian: brownian.Grid{Steps: fine}, Override: s.Override,
	})
}

// rms returns the root mean square of a − b.
func rms(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return math.Sqrt(s / float64(len(a)))
}

// stopped returns the study stopped by err after the solves it finished:
// their rows, with the order NaN (it needs every step size).
func (r *Result) stopped(err error) (*Result, error) {
	r.Order, r.OrderSE = math.NaN(), math.NaN()
	return r, err
}

// Strong measures the strong order of m on p at the step sizes dts (each
// must divide the span). A study stopped by a failed or cancelled solve
// returns the rows it finished, its order NaN, with the error; settings
// it cannot run return a nil Result.
func Strong(ctx context.Context, p *problems.Problem, m sdeint.Method, dts []float64, s Settings) (*Result, error) {
	if err := present(p, m); err != nil {
		return nil, err
	}
	if err := knowsSomething(p); err != nil {
		return nil, err
	}
	if err := s.reference(); err != nil {
		return nil, err
	}
	span := math.Abs(p.SDE.T1 - p.SDE.T0)
	factor := 1
	if p.Solution == nil {
		factor = s.RefFactor
		if factor == 0 {
			factor = 16
		}
	}
	steps, fine, err := gridSteps(span, dts, factor)
	if err != nil {
		return nil, err
	}
	paths, err := s.paths(1000)
	if err != nil {
		return nil, err
	}
	res := &Result{Problem: p.Name, Method: m.Properties().Name, Kind: "strong", Paths: paths, Seed: s.Seed}
	n := p.SDE.Dim
	// The reference: exact on each path, or a fine solve on the same path.
	ref := make([]float64, paths*n)
	if p.Solution != nil {
		res.Reference = "exact solution on the same Brownian path"
	} else {
		r, err := solve(ctx, p, m, fine, fine, paths, s)
		if err != nil {
			return res.stopped(fmt.Errorf("convergence: reference solve: %w", err))
		}
		copy(ref, r.X)
		res.Reference = fmt.Sprintf("%s with %d steps on the same Brownian path", res.Method, fine)
	}
	errs := make([][]float64, len(dts))
	for i, st := range steps {
		r, err := solve(ctx, p, m, st, fine, paths, s)
		if err != nil {
			return res.stopped(err)
		}
		errs[i] = make([]float64, paths)
		for j := range paths {
			want := ref[j*n : (j+1)*n]
			if p.Solution != nil {
				p.Solution(want, p.SDE.T1, r.WRow(j))
			}
			errs[i][j] = rms(r.Row(j), want)
		}
		e, se := mcstat.MeanSE(errs[i])
		res.Rows = append(res.Rows, Row{Dt: dts[i], Error: e, ErrorSE: se, NFEMean: r.NFEMean()})
	}
	res.Order, res.OrderSE = mcstat.LogLogSlope(dts, errs, groups(paths))
	return res, nil
}

// phi picks the weak test function and its exact expectation at T1, if
// known.
func phi(p *problems.Problem, s Settings) (problems.Expectation, bool, error) {
	if s.Phi != nil {
		if s.Phi.Phi == nil {
			return problems.Expectation{}, false, fmt.Errorf("%w: Settings.Phi %q has no function Phi", ErrSettings, s.Phi.Name)
		}
		return *s.Phi, s.Phi.Value != nil, nil
	}
	first := problems.Expectation{Name: "x₁", Phi: func(x []float64) float64 { return x[0] }}
	if p.Mean != nil {
		mean := make([]float64, p.SDE.Dim)
		first.Value = func(t float64) float64 { p.Mean(mean, t); return mean[0] }
		return first, true, nil
	}
	if p.Solution == nil && len(p.Expect) > 0 {
		return p.Expect[0], true, nil
	}
	if p.Solution != nil {
		return first, false, nil
	}
	return problems.Expectation{}, false, fmt.Errorf("%w: problem %s has no exact solution or expectation", ErrNothingExact, p.Name)
}

// Weak measures the weak order of m on p at the step sizes dts: the error
// is |E[φ(X_N)] − E[φ(X_exact)]|, with common random numbers (the
// difference on each path against the exact solution on that path) when
// the problem has a pathwise solution, else against the exact expectation.
// A study stopped by a failed or cancelled solve returns the rows it
// finished, its order NaN, with the error.
func Weak(ctx context.Context, p *problems.Problem, m sdeint.Method, dts []float64, s Settings) (*Result, error) {
	if err := present(p, m); err != nil {
		return nil, err
	}
	f, haveExact, err := phi(p, s)
	if err != nil {
		return nil, err
	}
	crn := p.Solution != nil && !s.ExactExpectation
	if !crn && !haveExact {
		return nil, fmt.Errorf("%w: no exact expectation of %s for problem %s", ErrNothingExact, f.Name, p.Name)
	}
	span := math.Abs(p.SDE.T1 - p.SDE.T0)
	steps, fine, err := gridSteps(span, dts, 1)
	if err != nil {
		return nil, err
	}
	paths, err := s.paths(10000)
	if err != nil {
		return nil, err
	}
	res := &Result{Problem: p.Name, Method: m.Properties().Name, Kind: "weak", Paths: paths, Seed: s.Seed}
	if crn {
		res.Reference = fmt.Sprintf("E[%s] of the exact solution on the same paths (common random numbers)", f.Name)
	} else {
		res.Reference = fmt.Sprintf("exact E[%s]", f.Name)
	}
	n := p.SDE.Dim
	exact := make([]float64, n)
	vals := make([][]float64, len(dts))
	for i, st := range steps {
		r, err := solve(ctx, p, m, st, fine, paths, s)
		if err != nil {
			return res.stopped(err)
		}
		vals[i] = make([]float64, paths)
		var want float64
		if !crn {
			want = f.Value(p.SDE.T1)
		}
		for j := range paths {
			if crn {
				p.Solution(exact, p.SDE.T1, r.WRow(j))
				want = f.Phi(exact)
			}
			vals[i][j] = f.Phi(r.Row(j)) - want
		}
		e, se := mcstat.MeanSE(vals[i])
		res.Rows = append(res.Rows, Row{Dt: dts[i], Error: math.Abs(e), ErrorSE: se, NFEMean: r.NFEMean()})
	}
	res.Order, res.OrderSE = mcstat.LogLogSlopeAbs(dts, vals, groups(paths))
	return res, nil
}
