// Command gofast is the command line of the gofast module: adaptive SDE
// solvers in Go.
//
// Usage:
//
//	gofast <command> [flags]
//	gofast help [command]
//
// The commands are:
//
//	sample  sample a score-based diffusion model whose exact score is known
//	        (a Gaussian mixture: gmm2d or gmm-image) with the adaptive
//	        solver of Jolicoeur-Martineau et al. (2021) or a baseline (em,
//	        pc, ode, exact), write samples.csv and samples.png, and print
//	        the NFE per sample and the quality against the exact p_ε (FD,
//	        SW2, mode TV, dispersion, each ± SE, beside an exact sample's).
//	bench   the paper's Table 1 on those benchmarks, VP and VE: adaptive at
//	        four tolerances with the bridge and with the paper's redraw,
//	        EM at the same NFE, at 1000 and at 100 steps, PC, the ODE and
//	        the exact floor, as markdown tables (-json: JSON Lines) with the
//	        verdict "equal quality to EM-1000"; -plot or -out for a
//	        dispersion-vs-NFE plot; -quick (a minute), -full (power).
//	solve   solve one of the test problems of package problems over many
//	        independent paths and summarise the result: work (NFE, accepted
//	        and rejected steps), strong error against the exact solution,
//	        the law of W(T) and the mean of X(T) against its exact value.
//	        -json prints the same as one JSON object. -brownian picks the
//	        Brownian source: bridge, tree, redraw or grid (fixed steps only).
//	brownian-check
//	        check a Brownian source inside the solver: solve adaptively with
//	        a stop at the span's midpoint t_m and test the law of the W the
//	        solver used (variances of W(t_m), W(T1) − W(t_m) and W(T1), each
//	        normalised by its interval, the correlation of the two
//	        increments, a KS test), whatever was rejected. It exits 0
//	        whatever its verdict: it is a diagnostic.
//	convergence
//	        measure a method's strong or weak order on a problem of package
//	        problems, every step size on the same Brownian paths, with a
//	        jackknife SE; -json, -plot.
//	workprecision
//	        error (with SE) against mean NFE and wall time of adaptive
//	        methods across tolerances; -json, -plot.
//	ablate  ablate the step-size control of an adaptive method: norm,
//	        extrapolation, tolerance rule, x'prev, safety, exponent, clamps,
//	        controller (I/PI/PID) and Brownian source, one at a time or as a
//	        full grid, on an SDE problem (error vs NFE) or a diffusion
//	        benchmark (quality vs NFE with the equal-quality verdict);
//	        -json, -csv, -plot.
//	help    print this list, or a command's flags.
//
// The README's commands, run from the repository root:
//
//	go run ./cmd/gofast sample                   # VP, gmm2d, adaptive, 10 000 samples
//	go run ./cmd/gofast bench -quick             # Table 1 on gmm2d in under a minute
//	go run ./cmd/gofast solve                    # GBM (Itô), adaptive Roberts pair, 1000 paths
//	go run ./cmd/gofast solve -json              # the same, as JSON
//	go run ./cmd/gofast solve -brownian redraw   # the paper's biased redraw source
//	go run ./cmd/gofast solve -method em -steps 100
//	go run ./cmd/gofast brownian-check           # the bridge stays Brownian under rejections
//	go run ./cmd/gofast brownian-check -brownian redraw # the paper's redraw does not
//
// Exit status: 0 on success, 1 when the solve or sampling failed or some
// paths did not finish (a partial result is still printed), 2 for usage
// errors, including a method the problem refuses (solve, convergence,
// workprecision); bench exits 1 only when interrupted or unable to write a
// file.
//
// Each command lives in its own file and is listed once in the commands
// table below; its function parses its own flags and, given -h, prints its
// usage to its stderr argument and returns 0.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// command is one subcommand of gofast.
type command struct {
	name    string
	summary string
	// run executes the command with the arguments after its name.
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order usage shows them. "help" is
// handled by run itself.
var commands = []command{
	{"sample", "sample a diffusion model with the adaptive solver and measure the samples against the exact answer", runSample},
	{"solve", "solve a test SDE over many paths and summarise the result", runSolve},
	{"brownian-check", "check that a Brownian source stays Brownian under rejected steps", runBrownianCheck},
	{"bench", "the paper's Table 1 on benchmarks with exact answers: adaptive vs EM, PC, ODE", runBench},
	{"convergence", "a method's strong or weak order on a problem with a known answer, with its SE", runConvergence},
	{"workprecision", "error against work of every applicable method, adaptive and fixed steps", runWorkPrecision},
	{"ablate", "ablate controller choices (norm, rule, clamps, controller, Brownian source, …): error or quality vs NFE", runAblate},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args (without the program name) and returns
// the exit status. An interrupt (Ctrl-C) cancels the running command, which
// then reports what it has.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal cancels the command, which then saves what it has;
	// restoring the default handling lets a second one end the process.
	go func() { <-ctx.Done(); stop() }()
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if name == "help" && len(rest) > 0 {
			c := lookup(rest[0])
			if c == nil {
				fmt.Fprintf(stderr, "gofast help: unknown command %q (valid: %s)\n", rest[0], strings.Join(commandNames(), ", "))
				return 2
			}
			return c.run(ctx, []string{"-h"}, stdout, stdout)
		}
		usage(stdout)
		return 0
	}
	c := lookup(name)
	if c == nil {
		fmt.Fprintf(stderr, "gofast: unknown command %q\n\n", name)
		usage(stderr)
		return 2
	}
	return c.run(ctx, rest, stdout, stderr)
}

func lookup(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

func commandNames() []string {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	return names
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "gofast: adaptive SDE solvers in Go (github.com/gofast-sde/gofast)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage:")
	fmt.Fprintln(w, "  gofast <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	width := len("help")
	for _, c := range commands {
		width = max(width, len(c.name))
	}
	for _, c := range commands {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintf(w, "  %-*s  %s\n", width, "help", "show this list, or a command's flags: gofast help <command>")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Exit status: 0 success, 1 solve failed or incomplete, 2 usage error (a refused problem/method pair too).")
}

// parseArgs parses a command's args into fs. done says the command must
// return code at once: 0 after -h (the usage is printed), 2 for a bad flag
// (the flag package has printed the error and the usage).
func parseArgs(fs *flag.FlagSet, args []string) (code int, done bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, true
		}
		return 2, true
	}
	if fs.NArg() > 0 {
		// flag stops at the first non-flag argument: anything after it
		// would be silently ignored, so refuse it.
		name := strings.TrimPrefix(fs.Name(), "gofast ")
		fmt.Fprintf(fs.Output(), "gofast %s takes flags only: unexpected argument %q; run 'gofast help %s' for the flags\n", name, fs.Arg(0), name)
		return 2, true
	}
	return 0, false
}

// usageError returns the usage-error reporter of command cmd: it prints
// the message and where to find the flags to stderr and returns exit code 2.
func usageError(stderr io.Writer, cmd string) func(format string, a ...any) int {
	return func(format string, a ...any) int {
		fmt.Fprintf(stderr, "gofast "+cmd+": "+format+"\n", a...)
		fmt.Fprintf(stderr, "Run 'gofast help %s' for the flags.\n", cmd)
		return 2
	}
}
