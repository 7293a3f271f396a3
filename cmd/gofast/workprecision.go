package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/gofast-sde/gofast/convergence"
	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// builtinPeers are other toolkits' published or measured points, by
// problem: torchsde 0.2.6 on issue 9's GBM (one step size for the batch,
// 10⁴ paths, tolerance 1e-3, error mean |X(1) − exact|, drift calls per
// path).
var builtinPeers = map[string][]convergence.Peer{
	"gbm-torchsde": {
		{Name: "torchsde milstein (adaptive, tol 1e-3)", NFE: 135, Error: 1.0e-2},
		{Name: "torchsde srk (adaptive, tol 1e-3)", NFE: 630, Error: 2.4e-3},
	},
}

// parsePeers reads -peer: "default" (the built-in points of the problem,
// if any), "none", or comma-separated name:nfe:error triples.
func parsePeers(s, problem string) ([]convergence.Peer, error) {
	switch strings.TrimSpace(s) {
	case "default":
		return builtinPeers[problem], nil
	case "none", "":
		return nil, nil
	}
	var out []convergence.Peer
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		parts := strings.Split(item, ":")
		if len(parts) != 3 || strings.TrimSpace(parts[0]) == "" {
			return nil, fmt.Errorf("peer %q, want name:nfe:error", item)
		}
		nfe, err1 := strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
		e, err2 := strconv.ParseFloat(strings.TrimSpace(parts[2]), 64)
		if err1 != nil || err2 != nil || !(nfe > 0) || !(e > 0) || math.IsInf(nfe, 0) || math.IsInf(e, 0) {
			return nil, fmt.Errorf("peer %q: NFE and error must be positive numbers", item)
		}
		out = append(out, convergence.Peer{Name: strings.TrimSpace(parts[0]), NFE: nfe, Error: e})
	}
	return out, nil
}

// parseSteps reads a comma-separated list of positive step counts within
// the solver's limit.
func parseSteps(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive step count", f)
		}
		if n > sdeint.DefaultMaxAttempts {
			return nil, fmt.Errorf("%d steps: the solver takes at most %d fixed steps (its budget of attempts per path)", n, sdeint.DefaultMaxAttempts)
		}
		out = append(out, n)
	}
	return out, nil
}

// runWorkPrecision implements gofast workprecision.
func runWorkPrecision(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gofast workprecision", flag.ContinueOnError)
	fs.SetOutput(stderr)
	problem := fs.String("problem", "gbm", "problem: "+strings.Join(problems.Names(), ", "))
	methodsFlag := fs.String("methods", "all", "comma-separated methods, or all (every registered method; those Solve refuses for the problem are skipped with a note)")
	tolsFlag := fs.String("tols", "1e-1,1e-2,1e-3,1e-4", "comma-separated tolerances of the adaptive solves (ε_rel = ε_abs); empty: none")
	stepsFlag := fs.String("steps", "4,8,16,32,64,128,256,512,1024,2048,4096", "comma-separated fixed step counts, each at most 10⁶ (the solver's budget); empty: none")
	ctlFlag := fs.String("controllers", "default", "comma-separated step-size controllers: default (the method's), i (integral), pi (P 0.1, I 0.3), pid:P/I/D; empty: default")
	source := fs.String("brownian", "bridge", "Brownian source of the adaptive solves: bridge, tree or redraw (an ablation: biased)")
	peers := fs.String("peer", "default", "reference points drawn beside the curves: default (built in for gbm-torchsde: torchsde 0.2.6), none, or name:nfe:error,…")
	h0 := fs.Float64("h0", 0, "initial step of the adaptive solves (0: each path's first step probed from the method)")
	firstTarget := fs.Float64("first-target", 0, "error norm the probed first step aims at (0: the default 0.5)")
	firstSpan := fs.Float64("first-span", 0, "largest probed first step, as a fraction of the span (0: the default 0.01; 1: no cap)")
	minFactor := fs.Float64("min-factor", 0, "clamp: the smallest step-size factor of the adaptive solves (0: the method's default)")
	maxFactor := fs.Float64("max-factor", 0, "clamp: the largest step-size factor of the adaptive solves (0: the method's default)")
	safety := fs.Float64("safety", 0, "safety factor θ of the adaptive solves, in (0, 1] (0: the method's default)")
	refSteps := fs.Int("ref-steps", 0, "problems without an exact solution: fixed steps of the same-path reference (0: 16 × the largest of -steps)")
	paths := fs.Int("paths", 1000, "paths")
	seed := fs.Uint64("seed", 1, "random seed")
	workers := fs.Int("workers", 0, "worker goroutines (0: GOMAXPROCS)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	asCSV := fs.Bool("csv", false, "print the rows as CSV")
	plotPath := fs.String("plot", "", "write a log–log PNG of error against NFE to this file")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `Usage: gofast workprecision [flags]

Solve a problem with each method, adaptively at each tolerance and with each
number of fixed steps, and report the error — strong against the exact
solution on the solver's path where the problem has one; else, with fixed
steps, strong against a fine fixed-step solve of the same method on the same
path (every solve then on a virtual Brownian tree); else |mean X₁(T) − E X₁(T)|
— with its standard error, the mean NFE and rejections per path, the errors
of the sample mean and variance against the exact moments, and, for each
adaptive point, the same method's fixed-step error at the same NFE
(interpolated log–log) with the verdict "at least as efficient" (adaptive
error ≤ fixed error + 4 SE of the difference).

Exit status: 0 success, 1 a solve or writing failed, 2 usage error or
nothing to run (every method refused).

Flags:`)
		fs.PrintDefaults()
	}
	if code, done := parseArgs(fs, args); done {
		return code
	}
	usage := usageError(stderr, "workprecision")
	p, err := problems.ByName(*problem)
	if err != nil {
		return usage("%v", err)
	}
	tols, err := parseFloats(*tolsFlag)
	if err != nil {
		return usage("-tols: %v", err)
	}
	steps, err := parseSteps(*stepsFlag)
	if err != nil {
		return usage("-steps: %v", err)
	}
	if len(tols) == 0 && len(steps) == 0 {
		return usage("-tols and -steps are both empty: nothing to run")
	}
	var ms []sdeint.Method
	names := strings.Split(*methodsFlag, ",")
	if strings.TrimSpace(*methodsFlag) == "all" {
		names = methods.Names()
	}
	for _, name := range names {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		m, err := methods.ByName(name)
		if err != nil {
			return usage("%v", err)
		}
		if *methodsFlag != "all" && !m.Properties().Adaptive && len(steps) == 0 {
			return usage("method %s has no error estimate: give it -steps", name)
		}
		ms = append(ms, m)
	}
	if len(ms) == 0 {
		return usage("-methods: no method")
	}
	if *paths < 2 || *workers < 0 || *refSteps < 0 {
		return usage("-paths must be ≥ 2, -workers and -ref-steps ≥ 0")
	}
	var ctlNames []string
	for _, name := range strings.Split(*ctlFlag, ",") {
		// Empty entries are skipped, as in -methods and -tols.
		if name = strings.TrimSpace(name); name != "" {
			ctlNames = append(ctlNames, name)
		}
	}
	if len(ctlNames) == 0 {
		// An empty list is the default controller, with the flags below:
		// an empty ctls would make WorkPrecision fall back to a bare
		// controller without them.
		ctlNames = []string{"default"}
	}
	if *safety != 0 && !(*safety > 0 && *safety <= 1) {
		return usage("-safety %v: want a value in (0, 1], or 0 for the default", *safety)
	}
	var ctls []convergence.Controller
	for _, name := range ctlNames {
		c, err := control.ParseController(name)
		if err != nil {
			return usage("%v", err)
		}
		c.H0, c.MinFactor, c.MaxFactor = *h0, *minFactor, *maxFactor
		c.FirstTarget, c.FirstSpan, c.Safety = *firstTarget, *firstSpan, *safety
		// Refuse a controller that cannot work before any solve (e.g.
		// pid:-1/0/0, β1 < 0), with a generic method's defaults.
		if _, err := control.NewAdaptive(c, control.Defaults{Rule: control.RuleMainstream, Exponent: 1, Order: 1}); err != nil {
			return usage("-controllers %s: %v", name, err)
		}
		ctls = append(ctls, convergence.Controller{Name: name, Control: c})
	}
	if !(*h0 >= 0) || !(*minFactor >= 0) || !(*maxFactor >= 0) || math.IsInf(*h0+*minFactor+*maxFactor, 0) {
		return usage("-h0, -min-factor and -max-factor must be finite and ≥ 0")
	}
	if (*minFactor != 0 && *minFactor >= 1) || (*maxFactor != 0 && *maxFactor <= 1) {
		return usage("clamps: want -min-factor < 1 < -max-factor")
	}
	if *asJSON && *asCSV {
		return usage("-json and -csv exclude each other")
	}
	src, err := wpSource(*source)
	if err != nil {
		return usage("%v", err)
	}
	peerPts, err := parsePeers(*peers, p.Name)
	if err != nil {
		return usage("-peer: %v", err)
	}
	if *plotPath != "" {
		if err := checkWritableDir(filepath.Dir(*plotPath)); err != nil {
			return usage("-plot: %v", err)
		}
	}
	wp, err := convergence.WorkPrecision(ctx, p, ms, tols, ctls, convergence.Settings{Paths: *paths, Seed: *seed, Workers: *workers,
		Brownian: src, Steps: steps, RefSteps: *refSteps, SkipRefused: true, Peers: peerPts,
		Progress: func(msg string) { fmt.Fprintln(stderr, msg) }})
	if err == nil && len(wp.Rows) == 0 {
		fmt.Fprintf(stderr, "gofast workprecision: nothing ran on %s:\n  %s\n", p.Name, strings.Join(wp.Skipped, "\n  "))
		return 2
	}
	if err != nil && wp != nil && len(wp.Rows) > 0 && !*asJSON && !*asCSV {
		// Stopped (interrupted, or a solve failed): keep the finished rows.
		printWP(stdout, wp)
		if ctx.Err() != nil {
			err = fmt.Errorf("cancelled after %d rows: %w", len(wp.Rows), ctx.Err())
		}
	}
	code, done := finishStudy("workprecision", err, *plotPath, func() error { return convergence.WriteWPPlot(*plotPath, wp) }, *asJSON, *asCSV, wp, stdout, stderr)
	if done {
		return code
	}
	printWP(stdout, wp)
	return code
}

// printWP prints a work–precision study as a table.
func printWP(w io.Writer, wp *convergence.WPResult) {
	fmt.Fprintf(w, "work–precision on %s (adaptive: %s source), %d paths, seed %d; error: %s\n", wp.Problem, wp.Brownian, wp.Paths, wp.Seed, wp.Error)
	fmt.Fprintln(w, "mean, var: errors of the mean and variance of X₁(T) against the exact moments; fixed@NFE: the same method's fixed-step error at the adaptive NFE (log–log interpolation); eff: error / fixed@NFE; ok: at least as efficient (error ≤ fixed@NFE + 4 SE); vs best: error / the best fixed-step error of any method here at that NFE (ranks methods)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "method\tcontroller\ttol/steps\terror\t± SE\tmean\t± SE\tvar\t± SE\tNFE/path\trejected\tfixed@NFE\teff\tok\tvs best")
	for _, r := range wp.Rows {
		at := strconv.Itoa(r.Steps)
		fixed, eff, ok, best := "", "", "", ""
		if r.Mode == convergence.ModeAdaptive {
			at = strconv.FormatFloat(r.Tol, 'g', -1, 64)
			fixed, eff, ok, best = "—", "—", "—", "—"
			if !math.IsNaN(r.FixedError) {
				fixed, eff = fmt.Sprintf("%.4g", r.FixedError), fmt.Sprintf("%.2f", r.Efficiency)
				ok = map[bool]string{true: "yes", false: "NO"}[r.AsEfficient]
			}
			if !math.IsNaN(r.Relative) {
				best = fmt.Sprintf("%.2f (%s)", r.Relative, r.BestFixedMethod)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.4g\t%.2g\t%+.3g\t%.2g\t%+.3g\t%.2g\t%.1f\t%.1f\t%s\t%s\t%s\t%s\n", r.Method, r.Controller, at, r.Error, r.ErrorSE,
			r.MeanError, r.MeanErrorSE, r.VarError, r.VarErrorSE, r.NFEMean, r.RejectedMean, fixed, eff, ok, best)
	}
	for _, p := range wp.Peers {
		fmt.Fprintf(tw, "%s\tpeer\t\t%.4g\t\t\t\t\t\t%.1f\t\t\t\t\t\n", p.Name, p.Error, p.NFE)
	}
	tw.Flush()
	for _, s := range wp.Skipped {
		fmt.Fprintf(w, "skipped: %s\n", s)
	}
}
