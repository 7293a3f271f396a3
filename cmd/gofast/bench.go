package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/gofast-sde/gofast/diffusion"
	"github.com/gofast-sde/gofast/diffusion/bench"
)

// Sample sizes of gofast bench per data set.
//
// The default run keeps within 15 minutes on 2 cores: measured 10 minutes
// (gmm2d at n = 10 000: 75 s for VP and VE; gmm-image at n = 1000: 4 and 5
// minutes for VP and VE, mostly PC-1000, EM-1000 and the adaptive runs at
// ε_rel 0.01; a gmm-image score evaluation costs ≈ 30 µs and the noise
// ≈ 15 µs per step at d = 3072).
//
// -full aims at power: the SE of the dispersion difference to EM-1000 (a
// paired jackknife; barely below the unpaired one, as samplers share only
// their prior draws) at most a fifth of the EM-100 − EM-1000 gap. Measured
// gaps and SEs of a difference: gmm2d VP 0.25, SE ≈ 1.1–1.8/√n (resolved at any
// n here); gmm2d VE 0.026 ± 0.004 at n = 200 000, SE ≈ 0.9–1.3/√n, resolved
// there (n = 100 000 measured a gap of 0.019 ± 0.005: not resolved);
// gmm-image VP 0.06, SE ≈ 0.25/√n, resolved from n ≈ 500; gmm-image VE
// 0.0034 ± 0.0004 with shared Brownian paths (0.012 ± 0.005 in the -full
// run), SE ≈ 0.25/√n, which needs n ≈ 1.3·10⁵, some 10 hours: out of
// reach, so gmm-image VE rows stay "not resolved" and -full gives
// gmm-image n = 4000 (35 minutes measured) for tighter error bars.
var (
	benchDefaultN = map[string]int{"gmm2d": 10000, "gmm-image": 1000}
	benchQuickN   = map[string]int{"gmm2d": 1000}
	benchFullN    = map[string]int{"gmm2d": 200000, "gmm-image": 4000}
)

// benchFlags are the flags of gofast bench.
type benchFlags struct {
	data, sde, plot, out string
	n, workers           int
	seed                 uint64
	quick, full          bool
	denoise, json        bool
}

func newBenchFlagSet(f *benchFlags, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("gofast bench", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.BoolVar(&f.quick, "quick", false, fmt.Sprintf("a quick run (under a minute): gmm2d only, n = %d", benchQuickN["gmm2d"]))
	fs.BoolVar(&f.full, "full", false, fmt.Sprintf("the run with power: gmm2d at n = %d, gmm-image at n = %d (about an hour on 2 cores)",
		benchFullN["gmm2d"], benchFullN["gmm-image"]))
	fs.StringVar(&f.data, "data", "", "run one data set only: "+strings.Join(diffusion.DataNames(), ", "))
	fs.StringVar(&f.sde, "sde", "", "run one forward SDE only: vp, ve, subvp (default: vp and ve)")
	fs.IntVar(&f.n, "n", 0, "samples per sampler for every data set, at least 3 (0: the mode's sizes)")
	fs.Uint64Var(&f.seed, "seed", 1, "random seed, the same for every sampler")
	fs.IntVar(&f.workers, "workers", 0, "worker goroutines (0: GOMAXPROCS)")
	fs.BoolVar(&f.denoise, "denoise", false, "apply the final Tweedie denoising step to every sampler")
	fs.BoolVar(&f.json, "json", false, "print one JSON object per row, one per line (JSON Lines), instead of the tables")
	fs.StringVar(&f.plot, "plot", "", "write the dispersion-vs-NFE plot (PNG) to this file")
	fs.StringVar(&f.out, "out", "", "directory for the plot, as bench.png, and the tables, as bench.md (created if needed)")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "Usage: gofast bench [flags]")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "The comparison of Jolicoeur-Martineau et al. (2021, Table 1) on data sets whose")
		fmt.Fprintln(w, "exact p_ε is known, for the VP and VE SDEs: the adaptive solver at ε_rel 0.01,")
		fmt.Fprintln(w, "0.02, 0.05, 0.1, with the Brownian bridge and with the paper's redraw;")
		fmt.Fprintln(w, "Euler–Maruyama at each adaptive run's NFE, at 1000 and at 100 steps;")
		fmt.Fprintln(w, "predictor–corrector at 1000 steps; the probability-flow ODE; and exact draws")
		fmt.Fprintln(w, "(the noise floor). One markdown table per data set and SDE: NFE, FD, SW2, mode")
		fmt.Fprintln(w, "TV and dispersion error, each ± SE, and the verdict \"equal quality to EM-1000\":")
		fmt.Fprintln(w, "dispersion and mode TV each within 2 SE of EM-1000's, and \"not resolved\" when")
		fmt.Fprintln(w, "the SE of the dispersion difference exceeds a fifth of the EM-100 vs EM-1000 gap.")
		fmt.Fprintln(w)
		fmt.Fprintf(w, "Sample sizes: default gmm2d n = %d, gmm-image n = %d (about 10 minutes on 2 cores);\n",
			benchDefaultN["gmm2d"], benchDefaultN["gmm-image"])
		fmt.Fprintf(w, "-quick gmm2d n = %d (seconds); -full gmm2d n = %d (power for VE's small gap, 0.02–0.03),\n",
			benchQuickN["gmm2d"], benchFullN["gmm2d"])
		fmt.Fprintf(w, "gmm-image n = %d (power for VP; gmm-image VE's gap, ≈ 0.003, would need n ≈ 130 000,\n", benchFullN["gmm-image"])
		fmt.Fprintln(w, "so its rows stay \"not resolved\"). The verdict is two-sided: a row better than EM-1000")
		fmt.Fprintln(w, "by more than 2 SE is \"no\", shown as \"no (better)\" in the tables.")
		fmt.Fprintln(w, "Progress, one line per run with its wall time, goes to stderr; a closing line gives the")
		fmt.Fprintln(w, "sample sizes and the total wall time.")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Exit status: 0 success (rows whose sampler failed say so in their status),")
		fmt.Fprintln(w, "1 the run was interrupted or a file could not be written, 2 usage error.")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Flags:")
		fs.PrintDefaults()
	}
	return fs
}

// runBench implements gofast bench.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f benchFlags
	fs := newBenchFlagSet(&f, stderr)
	if code, done := parseArgs(fs, args); done {
		return code
	}
	usageErr := usageError(stderr, "bench")
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	if f.quick && f.full {
		return usageErr("-quick and -full exclude each other")
	}
	if f.n < 0 || (f.n > 0 && f.n < bench.MinN) {
		return usageErr("-n = %d, want 0 (the mode's sizes) or ≥ %d for standard errors", f.n, bench.MinN)
	}
	if f.workers < 0 {
		return usageErr("-workers = %d, want ≥ 0 (0: GOMAXPROCS)", f.workers)
	}
	sizes, mode := benchDefaultN, "default"
	switch {
	case f.quick:
		sizes, mode = benchQuickN, "quick"
	case f.full:
		sizes, mode = benchFullN, "full"
	}
	if f.n > 0 {
		mode = fmt.Sprintf("-n %d", f.n)
	}
	var datas []string
	for _, d := range diffusion.DataNames() {
		if _, ok := sizes[d]; ok || f.data != "" {
			datas = append(datas, d)
		}
	}
	if f.data != "" {
		if _, err := diffusion.DataByName(f.data); err != nil {
			return usageErr("unknown data set %q (valid: %s)", f.data, strings.Join(diffusion.DataNames(), ", "))
		}
		datas = []string{strings.ToLower(f.data)}
	}
	kinds := []diffusion.Kind{diffusion.VP, diffusion.VE}
	if f.sde != "" {
		k, err := diffusion.ParseKind(f.sde)
		if err != nil {
			return usageErr("unknown SDE %q (valid: vp, ve, subvp)", f.sde)
		}
		kinds = []diffusion.Kind{k}
	}
	sizeOf := func(data string) int {
		switch {
		case f.n > 0:
			return f.n
		case sizes[data] > 0:
			return sizes[data]
		}
		return benchDefaultN[data] // -quick -data gmm-image: the default size
	}
	// Whatever bench.Run would refuse (a sample too large for memory) is
	// a usage error found before any work.
	for _, data := range datas {
		for _, kind := range kinds {
			if err := (bench.Config{Data: data, Kind: kind, N: sizeOf(data), Workers: f.workers}).Check(); err != nil {
				return usageErr("%v", err)
			}
		}
	}
	plotPath := f.plot
	if plotPath != "" {
		if err := checkWritableDir(filepath.Dir(plotPath)); err != nil {
			fmt.Fprintf(stderr, "gofast bench: -plot: %v\n", err)
			return 1
		}
	}
	mdPath := ""
	if f.out != "" {
		if err := checkWritableDir(f.out); err != nil {
			fmt.Fprintf(stderr, "gofast bench: %v\n", err)
			return 1
		}
		if plotPath == "" {
			plotPath = filepath.Join(f.out, "bench.png")
		}
		mdPath = filepath.Join(f.out, "bench.md")
	}

	start := time.Now()
	progress := func(s string) {
		fmt.Fprintf(stderr, "gofast bench: [%s] %s\n", fmtElapsed(time.Since(start)), s)
	}
	var all []bench.Row
	var runErr error
	var summary []string
	enc := json.NewEncoder(stdout)
	first := true
loop:
	for _, data := range datas {
		n := sizeOf(data)
		summary = append(summary, fmt.Sprintf("%s n = %d", data, n))
		for _, kind := range kinds {
			t0 := time.Now()
			rows, err := bench.Run(ctx, bench.Config{Data: data, Kind: kind, N: n, Seed: f.seed,
				Workers: f.workers, Denoise: f.denoise, Progress: progress})
			all = append(all, rows...)
			if err == nil {
				progress(fmt.Sprintf("%s %v done in %s", data, kind, fmtElapsed(time.Since(t0))))
			}
			if f.json {
				for _, r := range rows {
					if err := enc.Encode(r); err != nil {
						runErr = err
						break loop
					}
				}
			} else if len(rows) > 0 {
				if !first {
					fmt.Fprintln(stdout)
				}
				first = false
				if err := bench.WriteMarkdown(stdout, rows); err != nil {
					runErr = err
					break loop
				}
			}
			if err != nil {
				runErr = err
				break loop
			}
		}
	}
	workers := f.workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	trailer := fmt.Sprintf("gofast bench (%s): %s; seed %d; %d workers; total wall time %s",
		mode, strings.Join(summary, ", "), f.seed, workers, fmtElapsed(time.Since(start)))
	if f.json {
		fmt.Fprintln(stderr, trailer)
	} else {
		fmt.Fprintf(stdout, "\n%s\n", trailer)
	}
	code := 0
	if runErr != nil {
		fmt.Fprintf(stderr, "gofast bench: %v\n", runErr)
		code = 1
		// A partial run never replaces complete files: its files are
		// named as partial, and the table says so in its first line.
		plotPath = partialName(plotPath)
		mdPath = partialName(mdPath)
	}
	if len(all) > 0 && plotPath != "" {
		if err := saveAtomic(plotPath, func(tmp string) error { return bench.WritePlot(tmp, all) }); err != nil {
			fmt.Fprintf(stderr, "gofast bench: plot: %v\n", err)
			code = 1
		} else {
			progress("wrote " + plotPath)
		}
	}
	if len(all) > 0 && mdPath != "" {
		var b strings.Builder
		if runErr != nil {
			fmt.Fprintf(&b, "**Partial run, stopped early (%v): the tables below are incomplete.**\n\n", runErr)
		}
		bench.WriteMarkdown(&b, all)
		b.WriteString("\n" + trailer + "\n")
		if err := writeFileAtomic(mdPath, func(w io.Writer) error { _, err := io.WriteString(w, b.String()); return err }); err != nil {
			fmt.Fprintf(stderr, "gofast bench: %v\n", err)
			code = 1
		} else {
			progress("wrote " + mdPath)
		}
	}
	return code
}

// fmtElapsed formats a duration as seconds below ten minutes and as minutes
// and seconds above.
func fmtElapsed(d time.Duration) string {
	if d < 10*time.Minute {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}

// partialName inserts ".partial" before the extension of a non-empty path:
// results/bench.md becomes results/bench.partial.md.
func partialName(path string) string {
	if path == "" {
		return ""
	}
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + ".partial" + ext
}
