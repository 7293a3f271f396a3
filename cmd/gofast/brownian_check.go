package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/gofast-sde/gofast/internal/bcheck"
	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// The verdict of gofast brownian-check: a source is consistent with an
// exact Brownian path when every normalised variance is within checkMaxSE
// standard errors of 1, the correlation within checkMaxSE of 0, and the KS
// p-value above checkMinKSP. Under an exact source the five tests together
// raise a false alarm about once in a thousand runs.
const (
	checkMaxSE  = 4
	checkMinKSP = 1e-3
)

// checkSources are the sources gofast brownian-check accepts: the adaptive
// ones (grid serves fixed steps only).
var checkSources = []string{brownian.Bridge{}.Name(), brownian.Tree{}.Name(), brownian.Redraw{}.Name()}

// adaptiveMethods lists the methods with an error estimate, the ones the
// check can run.
func adaptiveMethods() []string {
	var names []string
	for _, n := range methods.Names() {
		if m, err := methods.ByName(n); err == nil && m.Properties().Adaptive {
			names = append(names, n)
		}
	}
	return names
}

// checkFlags are the flags of gofast brownian-check.
type checkFlags struct {
	problem, method string
	brownian        brownianFlags
	rtol, atol      float64
	paths, workers  int
	seed            uint64
	json            bool
	biasTable       bool
}

// checkReport is what gofast brownian-check -json prints: bcheck's report
// and the verdict.
type checkReport struct {
	*bcheck.Report
	// TreeTol is -tree-tol when the source is the tree.
	TreeTol *float64 `json:"tree_tol,omitempty"`
	// MaxDeviation is the largest deviation, in SE, of the variances from 1
	// and the correlation from 0 (null if an SE is 0).
	MaxDeviation *float64 `json:"max_deviation_se"`
	Consistent   bool     `json:"consistent"`
}

func newCheckFlagSet(f *checkFlags, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("gofast brownian-check", flag.ContinueOnError)
	fs.SetOutput(out)
	f.brownian.register(fs, brownian.Bridge{}.Name(), "Brownian source: "+strings.Join(checkSources, ", ")+
		"\n(grid serves fixed steps only and is refused: the check is adaptive)")
	fs.StringVar(&f.problem, "problem", "gbm", "problem: "+strings.Join(problems.Names(), ", "))
	fs.StringVar(&f.method, "method", "", "adaptive method: "+strings.Join(adaptiveMethods(), ", ")+
		"\n(default: ggf where it applies — Stratonovich problems, additive noise — else roberts)")
	fs.Float64Var(&f.rtol, "rtol", 1e-2, "relative tolerance, > 0 (looser tolerances reject more)")
	fs.Float64Var(&f.atol, "atol", 1e-2, "absolute tolerance, > 0")
	fs.IntVar(&f.paths, "paths", 100_000, "number of independent paths, ≥ 10 (an SE of a variance is about √(2/paths))")
	fs.Uint64Var(&f.seed, "seed", 1, "random seed; same seed, same result, whatever -workers")
	fs.IntVar(&f.workers, "workers", 0, "worker goroutines (0: GOMAXPROCS)")
	fs.BoolVar(&f.json, "json", false, "print one JSON object instead of the summary")
	fs.BoolVar(&f.biasTable, "bias-table", false, "print docs/brownian.md's table instead: bridge vs redraw on gbm/roberts,\ngbm-strat/ggf and ou/ggf at tolerances 0.01, 0.05, 0.1 (uses -paths, -seed,\n-workers; with -json, one JSON array of reports; the other flags are refused)")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "Usage: gofast brownian-check [flags]")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Check a Brownian source inside the solver. The check solves a test problem")
		fmt.Fprintln(w, "adaptively over many independent paths, with a stop at the span's midpoint")
		fmt.Fprintln(w, "t_m, and tests the law of the W the solver actually used, after whatever the")
		fmt.Fprintln(w, "step-size controller rejected (first Brownian component):")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "  Var W(t_m)/(t_m−T0), Var(W(T1)−W(t_m))/(T1−t_m), Var W(T1)/(T1−T0)")
		fmt.Fprintln(w, "      each variance normalised by its interval's length: 1 is exact;")
		fmt.Fprintln(w, "  corr(W(t_m), W(T1)−W(t_m))")
		fmt.Fprintln(w, "      Brownian increments are independent: 0 is exact;")
		fmt.Fprintln(w, "  KS  the Kolmogorov–Smirnov p-value of W(t_m)/√(t_m−T0) against N(0, 1).")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "An exact source passes whatever is rejected. The bridge draws every value")
		fmt.Fprintln(w, "from its exact law given all values drawn before, rejected ones included.")
		fmt.Fprintln(w, "The tree is a pure function of time, so rejections cannot bias it (below its")
		fmt.Fprintln(w, "leaf length, -tree-tol, it interpolates). Redraw, the paper's source, forgets")
		fmt.Fprintln(w, "rejected draws: large increments tend to be rejected and replaced by smaller")
		fmt.Fprintln(w, "ones, so the variances fall below 1.")
		fmt.Fprintln(w)
		fmt.Fprintf(w, "The verdict is \"consistent\" when every variance is within %d SE of 1, the\n", checkMaxSE)
		fmt.Fprintf(w, "correlation within %d SE of 0 and the KS p-value above %g. The exit status is\n", checkMaxSE, checkMinKSP)
		fmt.Fprintln(w, "0 whatever the verdict (this is a diagnostic), 1 when the solve fails and 2")
		fmt.Fprintln(w, "for usage errors.")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Flags:")
		fs.PrintDefaults()
	}
	return fs
}

// runBrownianCheck implements gofast brownian-check.
func runBrownianCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f checkFlags
	fs := newCheckFlagSet(&f, stderr)
	if code, done := parseArgs(fs, args); done {
		return code
	}
	f.brownian.parsed(fs)
	usageErr := usageError(stderr, "brownian-check")
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	if f.biasTable {
		// The table fixes its problems, methods, sources and tolerances:
		// refuse the flags that would otherwise be silently ignored.
		var ignored []string
		fs.Visit(func(fl *flag.Flag) {
			if slices.Contains(biasTableFixed, fl.Name) {
				ignored = append(ignored, "-"+fl.Name)
			}
		})
		if len(ignored) > 0 {
			return usageErr("-bias-table runs fixed problems, methods, sources and tolerances; %s cannot be combined with it (it takes -paths, -seed, -workers and -json)", strings.Join(ignored, ", "))
		}
		return runBiasTable(ctx, &f, stdout, stderr)
	}

	prob, err := problems.ByName(f.problem)
	if err != nil {
		return usageErr("unknown problem %q (valid: %s)", f.problem, strings.Join(problems.Names(), ", "))
	}
	var method sdeint.Method
	if f.method == "" {
		method = checkMethod(&prob.SDE)
	} else if method, err = methods.ByName(f.method); err != nil {
		return usageErr("unknown method %q (valid: %s)", f.method, strings.Join(methods.Names(), ", "))
	}
	if props := method.Properties(); !props.Adaptive {
		return usageErr("method %s has no error estimate, so it never rejects a step; the check needs adaptive steps: use %s", props.Name, strings.Join(adaptiveMethods(), " or "))
	}
	switch name := f.brownian.name; {
	case name == brownian.Grid{}.Name():
		return usageErr("-brownian grid serves fixed steps only (it forgets rejected draws), and the check is adaptive: use %s", strings.Join(checkSources, ", "))
	case !slices.Contains(checkSources, name):
		return usageErr("unknown Brownian source %q (valid: %s)", name, strings.Join(checkSources, ", "))
	}
	src, err := f.brownian.source(prob.SDE.T1-prob.SDE.T0, false)
	if err != nil {
		return usageErr("%v", err)
	}
	switch {
	case !(f.rtol > 0) || math.IsInf(f.rtol, 0):
		return usageErr("-rtol = %v, want a finite value > 0", f.rtol)
	case !(f.atol > 0) || math.IsInf(f.atol, 0):
		return usageErr("-atol = %v, want a finite value > 0", f.atol)
	case f.paths < 10:
		return usageErr("-paths = %d, want ≥ 10", f.paths)
	case f.workers < 0:
		return usageErr("-workers = %d, want ≥ 0 (0: GOMAXPROCS)", f.workers)
	}

	r, err := bcheck.Run(ctx, prob, method, src, bcheck.Settings{
		RTol: f.rtol, ATol: f.atol, Paths: f.paths, Seed: f.seed, Workers: f.workers,
	})
	if err != nil {
		fmt.Fprintf(stderr, "gofast brownian-check: %v\n", err)
		if _, refused := errors.AsType[*sdeint.RefusalError](err); refused {
			fmt.Fprintf(stderr, "gofast brownian-check: choose a method that applies to %s (the default, %s, does)\n",
				prob.Name, checkMethod(&prob.SDE).Properties().Name)
		}
		return 1
	}

	rep := &checkReport{Report: r, MaxDeviation: num(r.MaxDeviation()), Consistent: len(checkFailures(r)) == 0}
	if _, ok := src.(brownian.Tree); ok {
		rep.TreeTol = &f.brownian.treeTol
	}
	if f.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "gofast brownian-check: %v\n", err)
			return 1
		}
		return 0
	}
	printCheck(stdout, prob, method, src, rep)
	return 0
}

// checkStat is one statistic of a check, with the value an exact source
// gives it.
type checkStat struct {
	label         string
	v, se, target float64
}

// dev returns the statistic's deviation from its target in SE.
func (s checkStat) dev() float64 { return (s.v - s.target) / s.se }

func checkStats(r *bcheck.Report) []checkStat {
	return []checkStat{
		{"Var W(t_m)/(t_m−T0)", r.WMidVar, r.WMidVarSE, 1},
		{"Var(W(T1)−W(t_m))/(T1−t_m)", r.WIncVar, r.WIncVarSE, 1},
		{"Var W(T1)/(T1−T0)", r.WVar, r.WVarSE, 1},
		{"corr(W(t_m), W(T1)−W(t_m))", r.WCorr, r.WCorrSE, 0},
	}
}

// checkFailures names the tests r fails; none means r is consistent with
// an exact Brownian path. The statistics are those of Report.MaxDeviation.
func checkFailures(r *bcheck.Report) []string {
	var fail []string
	if !(r.MaxDeviation() <= checkMaxSE) {
		for _, s := range checkStats(r) {
			if d := s.dev(); !(math.Abs(d) <= checkMaxSE) {
				fail = append(fail, fmt.Sprintf("%s is %+.1f SE from %g", s.label, d, s.target))
			}
		}
	}
	if !(r.KSP > checkMinKSP) {
		fail = append(fail, fmt.Sprintf("KS p = %.2g ≤ %g", r.KSP, checkMinKSP))
	}
	return fail
}

// printCheck prints rep as aligned, human-readable lines.
func printCheck(w io.Writer, prob *problems.Problem, method sdeint.Method, src brownian.Source, rep *checkReport) {
	line := func(label, format string, a ...any) {
		fmt.Fprintf(w, "%-28s"+format+"\n", append([]any{label}, a...)...)
	}
	r := rep.Report
	var treeTol float64
	if rep.TreeTol != nil {
		treeTol = *rep.TreeTol
	}
	line("brownian", "%s (%s)", r.Brownian, brownianNote(r.Brownian, src.Exact(), false, treeTol))
	line("problem", "%s: %s", r.Problem, prob.Description)
	line("method", "%s (%s), adaptive steps, rtol %g, atol %g", r.Method, method.Properties().Calculus, r.RTol, r.ATol)
	line("paths", "%d, seed %d; every path stops at t_m = %g", r.Paths, r.Seed, r.TMid)
	line("rejected", "%.1f%% of attempted steps; NFE mean %.4g", 100*r.RejectionRate, r.NFEMean)
	for _, s := range checkStats(r) {
		line(s.label, "%-18s (%+.1f SE from %g)", fmt.Sprintf("%#.4g ± %#.2g", s.v, s.se), s.dev(), s.target)
	}
	line("KS p-value", "%-18s (W(t_m)/√(t_m−T0) against N(0, 1))", fmt.Sprintf("%.3g", r.KSP))
	if fail := checkFailures(r); len(fail) > 0 {
		line("verdict", "NOT consistent: %s", strings.Join(fail, "; "))
	} else {
		line("verdict", "consistent with an exact Brownian path (all within %d SE, KS p > %g)", checkMaxSE, checkMinKSP)
	}
	line("wall", "%v", time.Duration(r.WallSeconds*float64(time.Second)).Round(time.Millisecond))
}

// biasTableFixed are the flags -bias-table does not take: the table fixes
// what they set.
var biasTableFixed = []string{"brownian", "problem", "method", "rtol", "atol", "tree-tol"}

// runBiasTable prints the redraw-bias table of docs/brownian.md.
func runBiasTable(ctx context.Context, f *checkFlags, stdout, stderr io.Writer) int {
	if f.paths < 10 {
		fmt.Fprintf(stderr, "gofast brownian-check: -paths = %d, want ≥ 10\n", f.paths)
		return 2
	}
	rows, err := bcheck.BiasTable(ctx, bcheck.Settings{Paths: f.paths, Seed: f.seed, Workers: f.workers},
		func(i, n int, what string) { fmt.Fprintf(stderr, "[%d/%d] %s\n", i, n, what) })
	if err != nil {
		fmt.Fprintf(stderr, "gofast brownian-check: %v\n", err)
		return 1
	}
	if f.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			fmt.Fprintf(stderr, "gofast brownian-check: %v\n", err)
			return 1
		}
		return 0
	}
	if err := bcheck.WriteMarkdown(stdout, rows); err != nil {
		fmt.Fprintf(stderr, "gofast brownian-check: %v\n", err)
		return 1
	}
	return 0
}

// checkMethod is the check's default method: Roberts' Itô pair (the
// paper's pair for Stratonovich problems, additive noise and ODEs), whose
// error estimate grows with |ΔW| so that rejections depend on the draws,
// which is what gives the check its power against a biased source. The
// solver's default for Itô problems, SRIW1, rejects almost independently of
// the increments' size: under redraw it shows no bias at 2000 paths.
func checkMethod(p *sdeint.Problem) sdeint.Method {
	c := p.Noise.Class(p.Dim)
	if p.Calculus == sdeint.Stratonovich || c == sdeint.ClassAdditive || c == sdeint.ClassNone {
		return methods.GGF{}
	}
	return methods.Roberts{}
}
