package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/gofast-sde/gofast/internal/mcstat"
	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// brownianSources are the Brownian sources -brownian accepts, in the order
// usage lists them. The tree's Tol is set from -tree-tol by
// brownianFlags.source.
var brownianSources = []brownian.Source{brownian.Bridge{}, brownian.Tree{}, brownian.Redraw{}, brownian.Grid{}}

func brownianNames() []string {
	names := make([]string, len(brownianSources))
	for i, s := range brownianSources {
		names[i] = s.Name()
	}
	return names
}

// defaultTreeTol is the default of -tree-tol: the tree's leaf length as a
// fraction of the span, brownian.Tree's own default.
const defaultTreeTol = 1e-6

// brownianFlags are the flags that choose the Brownian source, shared by
// gofast solve and gofast brownian-check.
type brownianFlags struct {
	name    string
	treeTol float64
	// treeTolSet records whether -tree-tol was given (see parsed).
	treeTolSet bool
}

// register adds -brownian, with default def and help text help, and
// -tree-tol to fs.
func (b *brownianFlags) register(fs *flag.FlagSet, def, help string) {
	fs.StringVar(&b.name, "brownian", def, help)
	fs.Float64Var(&b.treeTol, "tree-tol", defaultTreeTol, "tree only: leaf length of the tree as a fraction of the span, > 0;\n"+
		"W is exactly Brownian over intervals longer than this and interpolated below it")
}

// parsed records which of the flags fs (already parsed) was given.
func (b *brownianFlags) parsed(fs *flag.FlagSet) {
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "tree-tol" {
			b.treeTolSet = true
		}
	})
}

// source returns the source the flags name for a solve over a span of the
// given length, with fixed steps or adaptive ones; "" is the bridge for
// adaptive steps and the fast grid for fixed steps. Its errors are usage
// errors.
func (b *brownianFlags) source(span float64, fixed bool) (brownian.Source, error) {
	name := b.name
	if name == "" {
		name = brownian.Bridge{}.Name()
		if fixed {
			name = brownian.Grid{}.Name()
		}
	}
	var src brownian.Source
	for _, s := range brownianSources {
		if s.Name() == name {
			src = s
		}
	}
	switch {
	case src == nil:
		return nil, fmt.Errorf("unknown Brownian source %q (valid: %s)", b.name, strings.Join(brownianNames(), ", "))
	case !(b.treeTol > 0) || b.treeTol >= 1:
		return nil, fmt.Errorf("-tree-tol = %v, want a fraction of the span in (0, 1); below about 1e-3, as W is interpolated within a leaf", b.treeTol)
	case b.treeTolSet && name != brownian.Tree{}.Name():
		return nil, fmt.Errorf("-tree-tol applies to -brownian tree only, not to the %s source", name)
	}
	if fo, ok := src.(brownian.FixedOnly); ok && fo.FixedOnly() && !fixed {
		return nil, fmt.Errorf("-brownian %s serves fixed steps only: it draws every increment afresh and forgets rejected draws, "+
			"which biases W under adaptive steps; use -brownian bridge or -brownian tree, or add -steps N for fixed steps", name)
	}
	if _, ok := src.(brownian.Tree); ok {
		src = brownian.Tree{Tol: b.treeTol * math.Abs(span)}
	}
	return src, nil
}

// brownianNote describes how exact the source named name is: under
// rejection for adaptive steps; with fixed steps nothing is rejected, so
// every source serves a Brownian path.
func brownianNote(name string, exact, fixed bool, treeTol float64) string {
	switch {
	case fixed:
		return "fixed steps: nothing is rejected, so W is Brownian"
	case name == brownian.Tree{}.Name():
		return fmt.Sprintf("exact under rejection: W is a pure function of time, leaf length %g of the span", treeTol)
	case exact:
		return "exact under rejection"
	}
	return "not exact under rejection: biased, for ablations"
}

// solveFlags are the flags of gofast solve.
type solveFlags struct {
	problem, method, norm       string
	brownian                    brownianFlags
	rtol, atol, h0, maxMemGiB   float64
	steps, paths, workers       int
	seed                        uint64
	sharedStep, noExtrapolation bool
	override, json, progress    bool
}

// solveReport is what gofast solve prints: the settings it ran with and the
// statistics of the result. Nullable statistics are nil when the problem
// does not know the exact value, no path succeeded, or (for a standard
// error) too few paths succeeded.
type solveReport struct {
	Problem         string `json:"problem"`
	Description     string `json:"description"`
	Calculus        string `json:"calculus"`
	Method          string `json:"method"`
	MethodCalculus  string `json:"method_calculus"`
	NoExtrapolation bool   `json:"no_extrapolation"`
	Brownian        string `json:"brownian"`
	// BrownianExact says whether the W the solver used is exactly
	// Brownian: the source is exact under rejection, or the steps are fixed
	// (nothing is rejected).
	BrownianExact bool `json:"brownian_exact"`
	// TreeTol is -tree-tol, the tree's leaf length as a fraction of the
	// span, when the source is the tree.
	TreeTol *float64 `json:"tree_tol,omitempty"`

	Paths int    `json:"paths"`
	Seed  uint64 `json:"seed"`

	RTol float64 `json:"rtol"`
	ATol float64 `json:"atol"`
	Norm string  `json:"norm"`
	// H0 is the -h0 flag; 0 means the solver's default (probed per path).
	H0 float64 `json:"h0"`
	// Steps is the number of fixed steps; 0 means adaptive.
	Steps      int    `json:"steps"`
	SharedStep bool   `json:"shared_step"`
	Override   string `json:"override"`

	Status    string `json:"status"`
	Succeeded int    `json:"succeeded"`
	Error     string `json:"error,omitempty"`

	NFEMean      float64 `json:"nfe_mean"`
	NFEMax       int     `json:"nfe_max"`
	AcceptedMean float64 `json:"accepted_mean"`
	RejectedMean float64 `json:"rejected_mean"`
	// ProbesMean is the mean number of trial steps that chose a path's
	// first step (sdeint.PathStats.Probes), counted in NFE.
	ProbesMean float64 `json:"probes_mean"`

	// StrongError is the mean over successful paths of the RMS over
	// components of X(T1) − exact(W(T1)).
	StrongError   *float64 `json:"strong_error"`
	StrongErrorSE *float64 `json:"strong_error_se"`
	// PathBias is the mean over successful paths of X₁(T1) − exact(W): a
	// systematic (weak) error seen with common random numbers, far more
	// precisely than by comparing the mean of X with the exact mean.
	PathBias   *float64 `json:"path_bias"`
	PathBiasSE *float64 `json:"path_bias_se"`
	// W statistics are of W(T1)/√|T1−T0|, first Brownian component.
	WMean   *float64 `json:"w_mean"`
	WMeanSE *float64 `json:"w_mean_se"`
	WVar    *float64 `json:"w_var"`
	WVarSE  *float64 `json:"w_var_se"`
	// X statistics are of X(T1), first component.
	XMean      *float64 `json:"x_mean"`
	XMeanSE    *float64 `json:"x_mean_se"`
	XMeanExact *float64 `json:"x_mean_exact"`
	XVar       *float64 `json:"x_var"`
	XVarSE     *float64 `json:"x_var_se"`
	XVarExact  *float64 `json:"x_var_exact"`

	WallSeconds float64 `json:"wall_seconds"`
}

func newSolveFlagSet(f *solveFlags, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("gofast solve", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&f.problem, "problem", "gbm", "problem: "+strings.Join(problems.Names(), ", "))
	fs.StringVar(&f.method, "method", "", "method: "+strings.Join(methods.Names(), ", ")+
		"\n(default: methods.Default, the best applicable by measurement: sosra for additive noise, sriw1 for\nItô scalar/diagonal noise, lambaem for other Itô noise, ggf for Stratonovich, dp5 for ODEs)")
	fs.Float64Var(&f.rtol, "rtol", 1e-2, "relative tolerance of adaptive steps, > 0")
	fs.Float64Var(&f.atol, "atol", 1e-2, "absolute tolerance of adaptive steps, > 0")
	fs.Float64Var(&f.h0, "h0", 0, "initial step size of adaptive steps (0: the solver's default, each path's first step chosen by probing the method)")
	fs.StringVar(&f.norm, "norm", "l2scaled", "error norm: l2scaled, l2, linf")
	fs.IntVar(&f.steps, "steps", 0, "number of fixed steps (0: adaptive steps)")
	fs.IntVar(&f.paths, "paths", 1000, "number of independent paths")
	fs.Uint64Var(&f.seed, "seed", 1, "random seed; same seed, same result, whatever -workers")
	fs.IntVar(&f.workers, "workers", 0, "worker goroutines (0: GOMAXPROCS)")
	fs.Float64Var(&f.maxMemGiB, "max-mem", 0, "memory the solve may take, in GiB; a solve estimated above it is refused\n(0: the library's default, 4 GiB)")
	f.brownian.register(fs, "", "Brownian source: "+strings.Join(brownianNames(), ", ")+
		"\n(default: bridge for adaptive steps, grid for fixed steps; tree is a pure function of time;"+
		"\nredraw is the paper's biased source, for ablations; grid serves fixed steps only)")
	fs.BoolVar(&f.sharedStep, "shared-step", false, "one step size for the whole batch (an ablation; adaptive steps only)")
	fs.BoolVar(&f.noExtrapolation, "no-extrapolation", false, "ggf only: keep the low-order proposal on acceptance (an ablation)")
	fs.BoolVar(&f.override, "override", false, "run a method on a problem it refuses (an ablation)")
	fs.BoolVar(&f.json, "json", false, "print one JSON object instead of the summary")
	fs.BoolVar(&f.progress, "progress", false, "print progress lines to stderr while solving")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "Usage: gofast solve [flags]")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Solve a test problem over many independent paths and summarise the result:")
		fmt.Fprintln(w, "work (NFE, accepted and rejected steps), strong error against the exact")
		fmt.Fprintln(w, "solution, the law of W(T), and X(T) against its exact moments.")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Flags:")
		fs.PrintDefaults()
	}
	return fs
}

// progressLine is the -progress report.
func progressLine(p sdeint.Progress) string {
	return fmt.Sprintf("gofast solve: %d/%d paths done, least t reached %.4g, %d attempts, NFE %d, %v",
		p.PathsDone, p.Paths, p.TMin, p.Attempts, p.NFE, p.Elapsed.Round(100*time.Millisecond))
}

// runSolve implements gofast solve.
func runSolve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f solveFlags
	fs := newSolveFlagSet(&f, stderr)
	if code, done := parseArgs(fs, args); done {
		return code
	}
	f.brownian.parsed(fs)
	usageErr := usageError(stderr, "solve")
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}

	prob, err := problems.ByName(f.problem)
	if err != nil {
		return usageErr("unknown problem %q (valid: %s)", f.problem, strings.Join(problems.Names(), ", "))
	}
	var method sdeint.Method
	if f.method == "" {
		method = methods.Default(&prob.SDE)
	} else if method, err = methods.ByName(f.method); err != nil {
		return usageErr("unknown method %q (valid: %s)", f.method, strings.Join(methods.Names(), ", "))
	}
	if f.noExtrapolation {
		if _, ok := method.(methods.GGF); !ok {
			return usageErr("-no-extrapolation applies to method ggf only, not %s", method.Properties().Name)
		}
		method = methods.GGF{NoExtrapolation: true}
	}
	norm, err := control.ParseNorm(f.norm)
	if err != nil {
		return usageErr("unknown norm %q (valid: l2scaled, l2, linf)", f.norm)
	}
	switch {
	case !(f.rtol > 0) || math.IsInf(f.rtol, 0):
		return usageErr("-rtol = %v, want a finite value > 0", f.rtol)
	case !(f.atol > 0) || math.IsInf(f.atol, 0):
		return usageErr("-atol = %v, want a finite value > 0", f.atol)
	case !(f.h0 >= 0) || math.IsInf(f.h0, 0):
		return usageErr("-h0 = %v, want a finite value ≥ 0", f.h0)
	case f.steps < 0 || f.steps > sdeint.DefaultMaxAttempts:
		return usageErr("-steps = %d, want 0 (adaptive) to %d (the solver's budget of attempts per path)", f.steps, sdeint.DefaultMaxAttempts)
	case f.paths < 1:
		return usageErr("-paths = %d, want ≥ 1", f.paths)
	case f.workers < 0:
		return usageErr("-workers = %d, want ≥ 0 (0: GOMAXPROCS)", f.workers)
	case f.sharedStep && f.steps > 0:
		return usageErr("-shared-step applies to adaptive steps only, not with -steps")
	}
	props := method.Properties()
	if f.steps == 0 && !props.Adaptive {
		return usageErr("method %s has no error estimate, so it runs with fixed steps only: add -steps N (e.g. -steps 100)", props.Name)
	}
	src, err := f.brownian.source(prob.SDE.T1-prob.SDE.T0, f.steps > 0)
	if err != nil {
		return usageErr("%v", err)
	}

	if !(f.maxMemGiB >= 0) || math.IsInf(f.maxMemGiB, 0) || f.maxMemGiB > 1<<30 {
		return usageErr("-max-mem = %v, want a finite value ≥ 0 in GiB (0: the default)", f.maxMemGiB)
	}
	set := &sdeint.Settings{
		MaxMemory:  int64(f.maxMemGiB * (1 << 30)),
		Paths:      f.paths,
		Seed:       f.seed,
		Workers:    f.workers,
		Brownian:   src,
		Steps:      f.steps,
		SharedStep: f.sharedStep,
		Override:   f.override,
		Control: control.Settings{
			RTol: f.rtol,
			ATol: f.atol,
			Norm: norm,
			H0:   f.h0,
		},
	}
	if f.progress {
		set.Progress = func(p sdeint.Progress) { fmt.Fprintln(stderr, progressLine(p)) }
	}

	res, err := sdeint.Solve(ctx, &prob.SDE, method, set)
	if res == nil {
		fmt.Fprintf(stderr, "gofast solve: %v\n", err)
		if re, refused := errors.AsType[*sdeint.RefusalError](err); refused {
			if !re.Final && !f.override {
				fmt.Fprintln(stderr, "gofast solve: pass -override to run it anyway, as an ablation (the output then names the overridden refusal)")
			}
			return 2 // a bad problem/method pair is a usage error, as in gofast convergence
		}
		if strings.Contains(err.Error(), "Settings.MaxMemory") {
			fmt.Fprintln(stderr, "gofast solve: -max-mem GiB raises the limit")
		}
		return 1
	}

	rep := report(prob, method, src, &f, norm, res)
	if err != nil {
		rep.Error = err.Error()
	}
	if f.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "gofast solve: %v\n", err)
			return 1
		}
	} else {
		printSummary(stdout, rep, res)
	}
	if err != nil {
		fmt.Fprintf(stderr, "gofast solve: %v\n", err)
		return 1
	}
	return 0
}

// report computes the statistics of res.
func report(prob *problems.Problem, method sdeint.Method, src brownian.Source, f *solveFlags, norm control.Norm, res *sdeint.Result) *solveReport {
	rep := &solveReport{
		Problem:         prob.Name,
		Description:     prob.Description,
		Calculus:        prob.SDE.Calculus.String(),
		Method:          res.Method,
		MethodCalculus:  method.Properties().Calculus.String(),
		NoExtrapolation: f.noExtrapolation,
		Brownian:        res.Brownian,
		BrownianExact:   src.Exact() || f.steps > 0,
		Paths:           res.Paths,
		Seed:            f.seed,
		RTol:            f.rtol,
		ATol:            f.atol,
		Norm:            norm.String(),
		H0:              f.h0,
		Steps:           f.steps,
		SharedStep:      res.SharedStep,
		Override:        res.Override,
		Status:          res.Status.String(),
		Succeeded:       res.Paths - res.Stats.Failed,
		NFEMean:         res.NFEMean(),
		NFEMax:          res.NFEMax(),
		AcceptedMean:    float64(res.Stats.Accepted) / float64(res.Paths),
		RejectedMean:    float64(res.Stats.Rejected) / float64(res.Paths),
		ProbesMean:      float64(res.Stats.Probes) / float64(res.Paths),
		WallSeconds:     res.Stats.Wall.Seconds(),
	}
	if _, ok := src.(brownian.Tree); ok {
		rep.TreeTol = &f.brownian.treeTol
	}

	// Statistics over the paths that reached T1.
	var ok []int
	for i, ps := range res.Path {
		if ps.Status == sdeint.Success {
			ok = append(ok, i)
		}
	}
	t1, n := res.T1, res.Dim
	if prob.Mean != nil {
		m := make([]float64, n)
		prob.Mean(m, t1)
		rep.XMeanExact = num(m[0])
	}
	if prob.Var != nil {
		v := make([]float64, n)
		prob.Var(v, t1)
		rep.XVarExact = num(v[0])
	}
	if len(ok) == 0 {
		return rep
	}
	x := make([]float64, len(ok))
	for k, i := range ok {
		x[k] = res.Row(i)[0]
	}
	m, se := mcstat.MeanSE(x)
	rep.XMean, rep.XMeanSE = num(m), num(se)
	v, se := mcstat.VarSE(x)
	rep.XVar, rep.XVarSE = num(v), num(se)

	if res.NoiseDim > 0 {
		scale := math.Sqrt(math.Abs(res.T1 - res.T0))
		w := make([]float64, len(ok))
		for k, i := range ok {
			w[k] = res.WRow(i)[0] / scale
		}
		m, se := mcstat.MeanSE(w)
		rep.WMean, rep.WMeanSE = num(m), num(se)
		v, se := mcstat.VarSE(w)
		rep.WVar, rep.WVarSE = num(v), num(se)
	}

	if prob.Solution != nil {
		exact := make([]float64, n)
		e := make([]float64, len(ok))
		bias := make([]float64, len(ok))
		for k, i := range ok {
			prob.Solution(exact, t1, res.WRow(i))
			bias[k] = res.Row(i)[0] - exact[0]
			var ss float64
			for j, xj := range res.Row(i) {
				d := xj - exact[j]
				ss += d * d
			}
			e[k] = math.Sqrt(ss / float64(n))
		}
		m, se := mcstat.MeanSE(e)
		rep.StrongError, rep.StrongErrorSE = num(m), num(se)
		m, se = mcstat.MeanSE(bias)
		rep.PathBias, rep.PathBiasSE = num(m), num(se)
	}
	return rep
}

// num returns a pointer to v, or nil when v is NaN or infinite (JSON has no
// such numbers).
func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// printSummary prints rep as aligned, human-readable lines.
func printSummary(w io.Writer, rep *solveReport, res *sdeint.Result) {
	line := func(label, format string, a ...any) {
		fmt.Fprintf(w, "%-13s"+format+"\n", append([]any{label}, a...)...)
	}
	line("problem", "%s: %s", rep.Problem, rep.Description)
	mode := "adaptive steps"
	if rep.Steps > 0 {
		mode = fmt.Sprintf("%d fixed steps", rep.Steps)
	}
	if rep.SharedStep {
		mode += ", one shared step size for the batch"
	}
	extra := ""
	if rep.NoExtrapolation {
		extra = ", no extrapolation"
	}
	line("method", "%s (%s)%s, %s", rep.Method, rep.MethodCalculus, extra, mode)
	if rep.Override != "" {
		line("override", "%s", rep.Override)
	}
	var treeTol float64
	if rep.TreeTol != nil {
		treeTol = *rep.TreeTol
	}
	line("brownian", "%s (%s)", rep.Brownian, brownianNote(rep.Brownian, rep.BrownianExact, rep.Steps > 0, treeTol))
	line("paths", "%d, seed %d", rep.Paths, rep.Seed)
	if rep.Steps == 0 {
		h0 := "probed"
		if rep.H0 > 0 {
			h0 = fmt.Sprintf("%g", rep.H0)
		}
		line("tolerances", "rtol %g, atol %g, norm %s, h0 %s", rep.RTol, rep.ATol, rep.Norm, h0)
	}
	line("status", "%s: %d of %d paths reached T = %g", rep.Status, rep.Succeeded, rep.Paths, res.T1)
	line("NFE", "mean %.4g, max %d", rep.NFEMean, rep.NFEMax)
	if rep.ProbesMean > 0 {
		line("steps", "accepted %.4g, rejected %.4g, first-step probes %.3g (mean per path)", rep.AcceptedMean, rep.RejectedMean, rep.ProbesMean)
	} else {
		line("steps", "accepted %.4g, rejected %.4g (mean per path)", rep.AcceptedMean, rep.RejectedMean)
	}
	switch {
	case rep.StrongError != nil:
		line("strong error", "%s   (mean over paths of RMS of X(T) − exact solution on the same W)", pm(rep.StrongError, rep.StrongErrorSE))
		line("path bias", "%s   (mean over paths of X₁(T) − exact solution on the same W)", pm(rep.PathBias, rep.PathBiasSE))
	case rep.Succeeded > 0:
		line("strong error", "unknown (no exact solution for this problem)")
	}
	if rep.WMean != nil {
		line("W(T)/√T", "mean %s, var %s   (exact 0 and 1)", pm(rep.WMean, rep.WMeanSE), pm(rep.WVar, rep.WVarSE))
	}
	comp := ""
	if res.Dim > 1 {
		comp = " first component"
	}
	if rep.XMean != nil {
		line("X(T) mean", "%s%s", pm(rep.XMean, rep.XMeanSE), versus(rep.XMean, rep.XMeanSE, rep.XMeanExact, comp))
		line("X(T) var", "%s%s", pm(rep.XVar, rep.XVarSE), versus(rep.XVar, rep.XVarSE, rep.XVarExact, comp))
	}
	line("wall", "%v", res.Stats.Wall.Round(10*time.Microsecond))
}

// pm formats an estimate with its standard error.
func pm(v, se *float64) string {
	switch {
	case v == nil:
		return "n/a"
	case se == nil:
		return fmt.Sprintf("%#.4g", *v)
	}
	return fmt.Sprintf("%#.4g ± %#.2g", *v, *se)
}

// versus formats the comparison of an estimate with its exact value.
func versus(v, se, exact *float64, comp string) string {
	if exact == nil {
		return "   (exact unknown" + comp + ")"
	}
	s := fmt.Sprintf("   (exact %#.4g", *exact)
	if v != nil && se != nil && *se > 0 {
		s += fmt.Sprintf(", %+.1f SE", (*v-*exact) / *se)
	}
	return s + comp + ")"
}
