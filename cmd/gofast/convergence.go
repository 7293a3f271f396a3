package main

import (
	"context"
	"encoding/json"
	"errors"
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
	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// parseFloats reads a comma-separated list of numbers.
func parseFloats(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, v)
	}
	return out, nil
}

// runConvergence implements gofast convergence.
func runConvergence(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gofast convergence", flag.ContinueOnError)
	fs.SetOutput(stderr)
	problem := fs.String("problem", "gbm", "problem: "+strings.Join(problems.Names(), ", "))
	method := fs.String("method", "em", "method: "+strings.Join(methods.Names(), ", ")+" (ggf and roberts step with their high-order result)")
	kind := fs.String("kind", "strong", "strong or weak")
	dtsFlag := fs.String("dts", "", "comma-separated step sizes, each dividing the span (default: strong 2⁻³…2⁻⁹, weak 2⁻³…2⁻⁷)")
	paths := fs.Int("paths", 0, "paths (default 1000 strong, 10000 weak)")
	seed := fs.Uint64("seed", 1, "random seed")
	workers := fs.Int("workers", 0, "worker goroutines (0: GOMAXPROCS)")
	override := fs.Bool("override", false, "run a method on a problem it refuses (an ablation)")
	phiFlag := fs.String("phi", "", "weak test function: xK (component K, from 1) or the index of one of the problem's exact expectations (default x1, or the problem's first expectation)")
	exact := fs.Bool("exact", false, "weak errors against the exact expectation of φ instead of common random numbers")
	asJSON := fs.Bool("json", false, "print one JSON object")
	asCSV := fs.Bool("csv", false, "print the rows as CSV")
	plotPath := fs.String("plot", "", "write a log–log PNG of error against dt to this file")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `Usage: gofast convergence [flags]

Measure a method's strong or weak order on a problem with a known answer.
Every step size solves the same Brownian paths (pre-drawn on the finest grid
and summed to coarser ones). Strong errors are against the exact solution on
the same path, or a solve with 16 times smaller steps where none exists; weak
errors are |E φ(X_N) − E φ(X_exact)| with common random numbers, or against
an exact expectation. The order is the least-squares slope of log error
against log dt, with a jackknife standard error over groups of paths.

Flags:`)
		fs.PrintDefaults()
	}
	if code, done := parseArgs(fs, args); done {
		return code
	}
	usage := usageError(stderr, "convergence")
	p, err := problems.ByName(*problem)
	if err != nil {
		return usage("%v", err)
	}
	m, err := methods.ByName(*method)
	if err != nil {
		return usage("%v", err)
	}
	if *kind != "strong" && *kind != "weak" {
		return usage("-kind %q, want strong or weak", *kind)
	}
	dts := convergence.DefaultStrongDts
	if *kind == "weak" {
		dts = convergence.DefaultWeakDts
	}
	if *dtsFlag != "" {
		if dts, err = parseFloats(*dtsFlag); err != nil {
			return usage("-dts: %v", err)
		}
	}
	if *paths < 0 || *workers < 0 {
		return usage("negative -paths or -workers")
	}
	if len(dts) < 2 {
		return usage("-dts: need at least two step sizes for an order")
	}
	span := math.Abs(p.SDE.T1 - p.SDE.T0)
	for _, dt := range dts {
		// The finest solve takes up to 16 times more steps (the same-path
		// reference): keep it within the solver's default budget.
		if span/dt > 1e6/16 {
			return usage("step %g: %.3g steps over the span %g, too fine for a study (at most %g)", dt, span/dt, span, 1e6/16)
		}
	}
	if *plotPath != "" {
		if err := checkWritableDir(filepath.Dir(*plotPath)); err != nil {
			return usage("-plot: %v", err)
		}
	}
	distinct := map[float64]bool{}
	for _, dt := range dts {
		n := span / dt
		if math.Abs(n-math.Round(n)) > 1e-9*n || dt > span {
			return usage("step %g does not divide the span %g of %s", dt, span, p.Name)
		}
		distinct[math.Round(n)] = true
	}
	if len(distinct) < 2 {
		return usage("-dts %s: need at least two distinct step sizes for an order", *dtsFlag)
	}
	if *asJSON && *asCSV {
		return usage("-json and -csv exclude each other")
	}
	if (*phiFlag != "" || *exact) && *kind != "weak" {
		return usage("-phi and -exact apply to -kind weak")
	}
	if *paths == 1 {
		return usage("-paths 1: need at least 2 for a standard error")
	}
	s := convergence.Settings{Paths: *paths, Seed: *seed, Workers: *workers, Override: *override, ExactExpectation: *exact,
		Progress: func(msg string) { fmt.Fprintln(stderr, msg) }}
	if *phiFlag != "" {
		if s.Phi, err = convergence.Phi(p, *phiFlag); err != nil {
			return usage("%v", err)
		}
	}
	var r *convergence.Result
	if *kind == "strong" {
		r, err = convergence.Strong(ctx, p, m, dts, s)
	} else {
		r, err = convergence.Weak(ctx, p, m, dts, s)
	}
	if _, failed := errors.AsType[*sdeint.SolveError](err); failed && ctx.Err() == nil {
		err = fmt.Errorf("%w\n(fixed steps of the largest dt may be unstable for %s: try smaller -dts)", err, p.Name)
	} else if ctx.Err() != nil {
		err = fmt.Errorf("cancelled: %w", ctx.Err())
	}
	code, done := finishStudy("convergence", err, *plotPath, func() error { return convergence.WritePlot(*plotPath, r) }, *asJSON, *asCSV, r, stdout, stderr)
	if done {
		return code
	}
	fmt.Fprintf(stdout, "%s convergence of %s on %s (%s), %d paths, seed %d\n", r.Kind, r.Method, r.Problem, r.Reference, r.Paths, r.Seed)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "dt\terror\t± SE\tNFE/path")
	for _, row := range r.Rows {
		fmt.Fprintf(tw, "%g\t%.4g\t%.2g\t%.0f\n", row.Dt, row.Error, row.ErrorSE, row.NFEMean)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "order %.3f ± %.3f\n", r.Order, r.OrderSE)
	return code
}

// finishStudy handles what convergence and workprecision share after the
// study: its error (exit 2 for a refused method/problem pair or settings
// refused before any solve, else 1), the plot, and the JSON output. done
// says the command's output is complete.
func finishStudy(cmd string, err error, plotPath string, plot func() error, asJSON, asCSV bool, v interface{ WriteCSV(io.Writer) error }, stdout, stderr io.Writer) (code int, done bool) {
	if err != nil {
		fmt.Fprintf(stderr, "gofast %s: %v\n", cmd, err)
		if _, refused := errors.AsType[*sdeint.RefusalError](err); refused || errors.Is(err, convergence.ErrNothingExact) || errors.Is(err, convergence.ErrSettings) {
			return 2, true
		}
		return 1, true
	}
	if plotPath != "" {
		// A failed plot still leaves the table to print: code 1, not done.
		if err := plot(); err != nil {
			fmt.Fprintf(stderr, "gofast %s: plot: %v\n", cmd, err)
			code = 1
		}
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			fmt.Fprintf(stderr, "gofast %s: %v\n", cmd, err)
			return 1, true
		}
		return code, true
	}
	if asCSV {
		if err := v.WriteCSV(stdout); err != nil {
			fmt.Fprintf(stderr, "gofast %s: %v\n", cmd, err)
			return 1, true
		}
		return code, true
	}
	return code, false
}

// wpSource returns the Brownian source a work–precision study names.
func wpSource(name string) (brownian.Source, error) {
	switch name {
	case "bridge", "":
		return brownian.Bridge{}, nil
	case "tree":
		return brownian.Tree{}, nil
	case "redraw":
		return brownian.Redraw{}, nil
	}
	return nil, fmt.Errorf("-brownian %q: want bridge, tree or redraw", name)
}
