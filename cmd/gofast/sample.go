package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"maps"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofast-sde/gofast/diffusion"
	"github.com/gofast-sde/gofast/diffusion/bench"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/control"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// sampleBrownian are the Brownian sources -brownian accepts (adaptive
// sampler only; the fixed-step samplers use the fast grid).
var sampleBrownian = []brownian.Source{brownian.Bridge{}, brownian.Redraw{}, brownian.Tree{}}

// Progress of gofast sample: lines on stderr every progressAutoEvery once a
// stage has run progressAutoAfter, or every second from the start with
// -progress.
const (
	progressAutoAfter = 5 * time.Second
	progressAutoEvery = 5 * time.Second
)

// The grid of sample images in samples.png for gmm-image: 8×8 = 64 images
// of 32×32 pixels, each drawn at twice its size, 4 pixels apart: 540×540
// pixels.
const (
	imageGrid  = 8
	imageScale = 2
	imageGap   = 4
)

// sampleFlags are the flags of gofast sample.
type sampleFlags struct {
	sde, data, sampler, brownian, norm, out string
	rtol, atol, h0, snr, theta, r           float64
	steps, n, workers                       int
	maxMemGiB                               float64
	seed                                    uint64
	denoise, csv, json, progress            bool
	noExtrapolation, noPrev, lamba          bool
	set                                     map[string]bool // flags given on the command line
}

func newSampleFlagSet(f *sampleFlags, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("gofast sample", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&f.sde, "sde", "vp", "forward SDE: vp, ve, subvp")
	fs.StringVar(&f.data, "data", "gmm2d", "data set: "+strings.Join(diffusion.DataNames(), ", ")+
		"\n(gmm2d: 8 narrow Gaussians in 2-D; gmm-image: 10 components in 3×32×32 dimensions)")
	fs.StringVar(&f.sampler, "sampler", "adaptive", "sampler: adaptive (the paper's pair), em (Euler–Maruyama),"+
		"\npc (predictor–corrector), ode (probability-flow ODE, Dormand–Prince 5(4)), exact (exact draws of p_ε)")
	fs.Float64Var(&f.rtol, "rtol", 0.01, "adaptive only: relative tolerance ε_rel, > 0 (the paper's 0.01, 0.02, 0.05, 0.1)")
	fs.Float64Var(&f.atol, "atol", 0, "adaptive only: absolute tolerance ε_abs in model units, ≥ 0\n"+
		"(0: the paper's 0.0078 for vp and subvp, whose data live in [−1, 1], and 0.0039 for ve)")
	fs.Float64Var(&f.h0, "h0", 0, "adaptive and ode: initial step size (0: the sampler's default; adaptive: 0.01, 0.5 for ve)")
	fs.IntVar(&f.steps, "steps", 1000, "em and pc: number of fixed steps (em's NFE is steps, pc's 2·steps)")
	fs.Float64Var(&f.snr, "snr", 0, "pc only: the corrector's signal-to-noise ratio, finite and > 0 (0: 0.16 for ve, 0.01 otherwise; a run whose corrector step overflows fails)")
	fs.IntVar(&f.n, "n", 10000, "number of samples")
	fs.Uint64Var(&f.seed, "seed", 1, "random seed; same seed, same samples, whatever -workers")
	fs.IntVar(&f.workers, "workers", 0, "worker goroutines (0: GOMAXPROCS)")
	fs.Float64Var(&f.maxMemGiB, "max-mem", 0, "memory the solve may take, in GiB; a larger sample is refused (0: the default, 4 GiB)")
	fs.BoolVar(&f.denoise, "denoise", false, "apply Tweedie's denoising x + std(ε)²·s(x, ε) at the end (one more evaluation)")
	fs.StringVar(&f.brownian, "brownian", "bridge", "adaptive only: Brownian source: bridge (exact under rejection),"+
		"\nredraw (the paper's code: biased), tree (virtual Brownian tree)")
	fs.StringVar(&f.out, "out", ".", "directory for samples.csv and samples.png (created if needed; empty: no files, as bench -out)")
	fs.BoolVar(&f.csv, "csv", false, "write samples.csv for gmm-image too (always written for gmm2d)")
	fs.BoolVar(&f.noExtrapolation, "no-extrapolation", false, "adaptive only (ablation): keep the Euler–Maruyama proposal on acceptance")
	fs.StringVar(&f.norm, "norm", "l2scaled", "adaptive only (ablation): error norm: l2scaled, l2, linf")
	fs.BoolVar(&f.noPrev, "no-prev", false, "adaptive only (ablation): scale the tolerance by |x'| alone, not max(|x'|, |x'prev|)")
	fs.BoolVar(&f.lamba, "lamba", false, "adaptive only (ablation): the Lamba-like deterministic error estimate")
	fs.Float64Var(&f.theta, "theta", 0.9, "adaptive only (ablation): the controller's safety factor θ in (0, 1],\n"+
		"h ← θ·h·E^(−r) after every attempt (the paper's 0.9; its ablation 0.8)")
	fs.Float64Var(&f.r, "r", 0.9, "adaptive only (ablation): the controller's exponent r > 0\n"+
		"(the paper's 0.9; its ablations 0.5, 0.8, 1.0)")
	fs.BoolVar(&f.json, "json", false, "print one JSON object instead of the summary, with the keys\n"+
		wrapList(sampleJSONKeys(), 80)+"\n(null where a value does not apply)")
	fs.BoolVar(&f.progress, "progress", false, "print progress to stderr every second\n"+
		"(without it, progress lines appear every 5 s once a stage has run 5 s)")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "Usage: gofast sample [flags]")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Sample a score-based diffusion model whose exact score is known (a Gaussian")
		fmt.Fprintln(w, "mixture), by default with the adaptive solver of Jolicoeur-Martineau et al.")
		fmt.Fprintln(w, "(2021) and its defaults, and measure the samples against the exact p_ε.")
		fmt.Fprintln(w, "Writes samples.csv (data units, [0, 1] scale; for gmm-image only with -csv)")
		fmt.Fprintln(w, "and samples.png (gmm2d: the samples over contours of the exact density;")
		fmt.Fprintln(w, "gmm-image: the first 64 samples as an 8×8 grid of 32×32 RGB images at 2×,")
		fmt.Fprintln(w, "540×540 pixels) into -out (none if -out is empty), and prints the NFE per sample and each quality")
		fmt.Fprintln(w, "metric ± its standard error next to an exact sample's of the same size.")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Exit status: 0 success, 1 sampling or writing failed, 2 usage error.")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Flags:")
		fs.PrintDefaults()
	}
	return fs
}

// sampleOnly lists, for each flag that applies to some samplers only, the
// samplers it applies to.
var sampleOnly = map[string][]diffusion.Sampler{
	"rtol":             {diffusion.Adaptive},
	"atol":             {diffusion.Adaptive},
	"brownian":         {diffusion.Adaptive},
	"no-extrapolation": {diffusion.Adaptive},
	"norm":             {diffusion.Adaptive},
	"no-prev":          {diffusion.Adaptive},
	"lamba":            {diffusion.Adaptive},
	"theta":            {diffusion.Adaptive},
	"r":                {diffusion.Adaptive},
	"h0":               {diffusion.Adaptive, diffusion.ODE},
	"steps":            {diffusion.EM, diffusion.PredictorCorrector},
	"snr":              {diffusion.PredictorCorrector},
}

// runSample implements gofast sample.
func runSample(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f sampleFlags
	fs := newSampleFlagSet(&f, stderr)
	if code, done := parseArgs(fs, args); done {
		return code
	}
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	usageErr := usageError(stderr, "sample")
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	kind, err := diffusion.ParseKind(f.sde)
	if err != nil {
		return usageErr("unknown SDE %q (valid: vp, ve, subvp)", f.sde)
	}
	mix, err := diffusion.DataByName(f.data)
	if err != nil {
		return usageErr("unknown data set %q (valid: %s)", f.data, strings.Join(diffusion.DataNames(), ", "))
	}
	sampler, err := diffusion.ParseSampler(f.sampler)
	if err != nil {
		return usageErr("unknown sampler %q (valid: adaptive, em, pc, ode, exact)", f.sampler)
	}
	norm, err := control.ParseNorm(f.norm)
	if err != nil {
		return usageErr("unknown norm %q (valid: l2scaled, l2, linf)", f.norm)
	}
	var src brownian.Source
	for _, s := range sampleBrownian {
		if s.Name() == f.brownian {
			src = s
		}
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case src == nil:
		return usageErr("unknown Brownian source %q (valid: bridge, redraw, tree)", f.brownian)
	case !(f.rtol > 0) || !finite(f.rtol):
		return usageErr("-rtol = %v, want a finite value > 0", f.rtol)
	case !(f.atol >= 0) || !finite(f.atol):
		return usageErr("-atol = %v, want a finite value ≥ 0 (0: the paper's)", f.atol)
	case !(f.h0 >= 0) || !finite(f.h0):
		return usageErr("-h0 = %v, want a finite value ≥ 0 (0: the sampler's default)", f.h0)
	case !(f.theta > 0 && f.theta <= 1):
		return usageErr("-theta = %v, want a value in (0, 1]", f.theta)
	case !(f.r > 0) || !finite(f.r):
		return usageErr("-r = %v, want a finite value > 0", f.r)
	case f.steps < 1 || f.steps > sdeint.DefaultMaxAttempts:
		return usageErr("-steps = %d, want 1 to %d (the solver's budget of attempts per path)", f.steps, sdeint.DefaultMaxAttempts)
	case !(f.snr >= 0) || !finite(f.snr):
		return usageErr("-snr = %v, want a finite value ≥ 0 (0: the default)", f.snr)
	case f.n < 1:
		return usageErr("-n = %d, want ≥ 1", f.n)
	case f.workers < 0:
		return usageErr("-workers = %d, want ≥ 0 (0: GOMAXPROCS)", f.workers)
	case f.out == "" && f.csv:
		return usageErr("-csv writes samples.csv: give -out a directory (empty -out writes no files)")
	case !(f.maxMemGiB >= 0) || f.maxMemGiB > 1<<30:
		return usageErr("-max-mem = %v, want a finite value ≥ 0 in GiB (0: the default)", f.maxMemGiB)
	}
	for _, name := range slices.Sorted(maps.Keys(sampleOnly)) {
		if f.set[name] && !slices.Contains(sampleOnly[name], sampler) {
			var names []string
			for _, s := range sampleOnly[name] {
				names = append(names, s.String())
			}
			return usageErr("-%s applies to -sampler %s only, not %s", name, strings.Join(names, " and "), sampler)
		}
	}

	sde := diffusion.NewSDE(kind)
	exact, err := diffusion.NewExact(sde, mix)
	if err != nil {
		fmt.Fprintf(stderr, "gofast sample: %v\n", err)
		return 1
	}
	set := diffusion.Settings{
		Sampler: sampler, N: f.n, Seed: f.seed, Workers: f.workers, Denoise: f.denoise, MaxMemory: int64(f.maxMemGiB * (1 << 30)),
		H0: f.h0, SNR: f.snr,
	}
	switch sampler {
	case diffusion.Adaptive:
		set.RTol, set.ATol, set.Brownian = f.rtol, f.atol, src
		set.NoExtrapolation, set.NoPrev, set.Lamba, set.Norm = f.noExtrapolation, f.noPrev, f.lamba, norm
		set.Safety, set.Exponent = f.theta, f.r
	case diffusion.EM, diffusion.PredictorCorrector:
		set.Steps = f.steps
	}
	start := time.Now()
	logf := func(format string, a ...any) {
		fmt.Fprintf(stderr, "gofast sample: "+format+"\n", a...)
	}
	var last time.Duration
	set.Progress = func(p sdeint.Progress) {
		every := progressAutoEvery
		if f.progress {
			every = time.Second
		} else if p.Elapsed < progressAutoAfter {
			return
		}
		if p.Elapsed-last < every-100*time.Millisecond {
			return
		}
		last = p.Elapsed
		logf("%d/%d samples done, %.3g evaluations so far, %v", p.PathsDone, p.Paths, float64(p.NFE), p.Elapsed.Round(time.Second))
	}
	if f.out != "" {
		if err := checkWritableDir(f.out); err != nil {
			fmt.Fprintf(stderr, "gofast sample: %v\n", err)
			return 1
		}
	}

	res, sampleErr := diffusion.Sample(ctx, sde, exact, exact, mix.Dim, set)
	if res == nil || ctx.Err() != nil {
		// Nothing to show, or interrupted: skip the evaluation.
		fmt.Fprintf(stderr, "gofast sample: %v\n", cmpErr(sampleErr, ctx.Err()))
		if sampleErr != nil && strings.Contains(sampleErr.Error(), "Settings.MaxMemory") {
			fmt.Fprintln(stderr, "gofast sample: -max-mem GiB raises the limit")
		}
		return 1
	}
	slow := f.progress || time.Since(start) > progressAutoAfter
	refN := max(10*res.N, 20000)
	if slow {
		logf("sampling took %v; evaluating against the exact p_ε (reference sample of %d)", res.Wall.Round(100*time.Millisecond), refN)
	}
	ev := bench.NewEvaluator(sde, exact, res.N, f.denoise, f.workers)
	row := bench.NewRow(strings.ToLower(f.data), sde, set, res, sampleErr, ev)

	var wrote []string
	// Samples whose solve did not reach ε are not samples: the files
	// leave them out (the metrics above count them as the row's status
	// says).
	xs, ns := finishedSamples(res)
	if ns < res.N && f.out != "" {
		logf("%d of %d samples did not reach ε (%v); samples.csv and samples.png leave them out", res.N-ns, res.N, res.Status)
	}
	if ns == 0 && f.out != "" {
		logf("no sample reached ε: samples.csv and samples.png not written (files from an earlier run are kept)")
	}
	writeErr := func() error {
		if f.out == "" || ns == 0 {
			// No files asked for; or nothing to write, and empty files
			// would replace an earlier run's samples.
			return nil
		}
		if mix.Dim == 2 || f.csv {
			p := filepath.Join(f.out, "samples.csv")
			if err := writeCSV(p, xs, ns, res.Dim); err != nil {
				return err
			}
			wrote = append(wrote, p)
		}
		p := filepath.Join(f.out, "samples.png")
		var err error
		if mix.Dim == 2 {
			err = write2DPlot(p, xs, ns, exact, row)
		} else {
			err = writeImageGrid(p, xs, ns, res.Dim)
		}
		if err != nil {
			return err
		}
		wrote = append(wrote, p)
		return nil
	}()

	if f.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(newSampleJSON(row, set, res)); err != nil {
			fmt.Fprintf(stderr, "gofast sample: %v\n", err)
			return 1
		}
	} else {
		printSample(stdout, row, sde, set, res, ev.Floor(), wrote)
	}
	code := 0
	if sampleErr != nil {
		fmt.Fprintf(stderr, "gofast sample: %v\n", sampleErr)
		code = 1
	} else if row.Status != sdeint.Success.String() {
		fmt.Fprintf(stderr, "gofast sample: status %s\n", row.Status)
		code = 1
	}
	if writeErr != nil {
		fmt.Fprintf(stderr, "gofast sample: %v\n", writeErr)
		code = 1
	}
	if ctx.Err() != nil {
		// Interrupted while evaluating: the samples and files are
		// complete, but the user asked to stop.
		fmt.Fprintf(stderr, "gofast sample: interrupted (%v)\n", ctx.Err())
		code = 1
	}
	return code
}

// cmpErr returns the first non-nil error.
func cmpErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// jsonFloat is a float64 that encodes NaN and ±Inf, which JSON cannot hold,
// as null.
type jsonFloat float64

// MarshalJSON encodes f as a number, or null if it is not finite.
func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(v)
}

// sampleJSON is the object gofast sample -json prints: bench.Row's fields
// for one run, without the benchmark's own (setting label, verdict against
// EM-1000, …), plus the adaptive controller's θ and r and the mean numbers
// of accepted and rejected steps per sample. A value that does not apply
// is null: rtol and atol for EM, PC and exact; theta and r for every
// sampler but adaptive; accepted_mean and rejected_mean for exact.
type sampleJSON struct {
	SDE          string    `json:"sde"`
	Data         string    `json:"data"`
	Sampler      string    `json:"sampler"`
	Brownian     string    `json:"brownian"`
	RTol         jsonFloat `json:"rtol"`
	ATol         jsonFloat `json:"atol"`
	Theta        jsonFloat `json:"theta"`
	R            jsonFloat `json:"r"`
	Denoise      bool      `json:"denoise"`
	N            int       `json:"n"`
	Seed         uint64    `json:"seed"`
	Status       string    `json:"status"`
	NFEMean      jsonFloat `json:"nfe_mean"`
	NFEMax       int       `json:"nfe_max"`
	NFEDenoise   int       `json:"nfe_denoise"`
	AcceptedMean jsonFloat `json:"accepted_mean"`
	RejectedMean jsonFloat `json:"rejected_mean"`
	FD           jsonFloat `json:"fd"`
	FDSE         jsonFloat `json:"fd_se"`
	FDFloor      jsonFloat `json:"fd_floor"`
	SW2          jsonFloat `json:"sw2"`
	SW2SE        jsonFloat `json:"sw2_se"`
	ModeTV       jsonFloat `json:"mode_tv"`
	ModeTVSE     jsonFloat `json:"mode_tv_se"`
	Dispersion   jsonFloat `json:"dispersion"`
	DispersionSE jsonFloat `json:"dispersion_se"`
	WallSeconds  jsonFloat `json:"wall_seconds"`
}

// sampleJSONKeys lists the keys of sampleJSON in order.
func sampleJSONKeys() []string {
	t := reflect.TypeFor[sampleJSON]()
	keys := make([]string, t.NumField())
	for i := range keys {
		keys[i] = t.Field(i).Tag.Get("json")
	}
	return keys
}

// wrapList joins words with ", ", breaking lines before width characters.
func wrapList(words []string, width int) string {
	var b strings.Builder
	line := 0
	for i, w := range words {
		if i > 0 {
			b.WriteByte(',')
			line++
			if line+1+len(w) > width {
				b.WriteByte('\n')
				line = 0
			} else {
				b.WriteByte(' ')
				line++
			}
		}
		b.WriteString(w)
		line += len(w)
	}
	return b.String()
}

// newSampleJSON returns the JSON object of a run.
func newSampleJSON(r bench.Row, set diffusion.Settings, res *diffusion.Result) sampleJSON {
	theta, rexp := bench.Controller(set)
	acc, rej := bench.StepCounts(res)
	return sampleJSON{
		SDE: r.SDE, Data: r.Data, Sampler: r.Sampler, Brownian: r.Brownian,
		RTol: jsonFloat(r.RTol), ATol: jsonFloat(r.ATol), Theta: jsonFloat(theta), R: jsonFloat(rexp),
		Denoise: r.Denoise, N: r.N, Seed: r.Seed, Status: r.Status,
		NFEMean: jsonFloat(r.NFEMean), NFEMax: r.NFEMax, NFEDenoise: r.NFEDenoise,
		AcceptedMean: jsonFloat(acc), RejectedMean: jsonFloat(rej),
		FD: jsonFloat(r.FD), FDSE: jsonFloat(r.FDSE), FDFloor: jsonFloat(r.FDFloor),
		SW2: jsonFloat(r.SW2), SW2SE: jsonFloat(r.SW2SE),
		ModeTV: jsonFloat(r.ModeTV), ModeTVSE: jsonFloat(r.ModeTVSE),
		Dispersion: jsonFloat(r.Dispersion), DispersionSE: jsonFloat(r.DispersionSE),
		WallSeconds: jsonFloat(r.WallSeconds),
	}
}

// printSample prints the summary of gofast sample.
func printSample(w io.Writer, r bench.Row, sde diffusion.SDE, set diffusion.Settings, res *diffusion.Result, floor bench.Metrics, wrote []string) {
	line := func(label, format string, a ...any) {
		fmt.Fprintf(w, "%-13s"+format+"\n", append([]any{label}, a...)...)
	}
	space := "data mapped to [−1, 1]"
	if sde.Kind == diffusion.VE {
		space = "data in [0, 1]"
	}
	line("sde", "%s (%s), T = %g, ε = %g", r.SDE, space, sde.T, sde.Eps)
	line("data", "%s, %d dimensions", r.Data, map[string]int{"gmm2d": 2, "gmm-image": 3072}[r.Data])
	switch set.Sampler {
	case diffusion.Adaptive:
		h0 := set.H0
		if h0 == 0 {
			h0 = 0.01
			if sde.Kind == diffusion.VE {
				h0 = 0.5
			}
		}
		var ab []string
		if set.NoExtrapolation {
			ab = append(ab, "no extrapolation")
		}
		if set.NoPrev {
			ab = append(ab, "no x'prev")
		}
		if set.Lamba {
			ab = append(ab, "Lamba error")
		}
		if set.Norm != control.ScaledL2 {
			ab = append(ab, "norm "+set.Norm.String())
		}
		abl := ""
		if len(ab) > 0 {
			abl = "; ablations: " + strings.Join(ab, ", ")
		}
		theta, rexp := bench.Controller(set)
		line("sampler", "adaptive: ε_rel %g, ε_abs %g (model units), h0 %g, θ %g, r %g, Brownian %s%s", r.RTol, r.ATol, h0, theta, rexp, r.Brownian, abl)
	case diffusion.EM:
		line("sampler", "Euler–Maruyama, %d steps", *r.Steps)
	case diffusion.PredictorCorrector:
		line("sampler", "predictor–corrector, %d steps (reverse diffusion + 1 Langevin step)", *r.Steps)
	case diffusion.ODE:
		line("sampler", "probability-flow ODE, Dormand–Prince 5(4), rtol = atol = %g", r.RTol)
	case diffusion.ExactSampler:
		line("sampler", "exact draws from p_ε (no score evaluations)")
	}
	den := ""
	if r.Denoise {
		den = ", denoised"
	}
	line("samples", "%d, seed %d%s", r.N, r.Seed, den)
	line("status", "%s", r.Status)
	nfe := fmt.Sprintf("mean %.1f, max %d per sample", r.NFEMean, r.NFEMax)
	if r.NFEDenoise > 0 {
		nfe += fmt.Sprintf(", +%d for denoising", r.NFEDenoise)
	}
	line("NFE", "%s", nfe)
	if acc, rej := bench.StepCounts(res); (set.Sampler == diffusion.Adaptive || set.Sampler == diffusion.ODE) && !math.IsNaN(acc) {
		line("steps", "mean %.1f accepted, %.1f rejected per sample (%.1f%% of attempts rejected)", acc, rej, 100*rej/(acc+rej))
	}
	fmt.Fprintf(w, "quality      against the exact p_ε (lower is better; dispersion: closer to 0)\n")
	q := func(label string, v, se, fl float64, signed bool) {
		format, fformat := "%#.3g ± %#.2g", "%#.3g"
		if signed {
			format, fformat = "%+.4f ± %.4f", "%+.4f"
		}
		val := "n/a (too few samples)"
		if !math.IsNaN(v) {
			val = fmt.Sprintf(format, v, se)
		}
		fls := "n/a"
		if !math.IsNaN(fl) {
			fls = fmt.Sprintf(fformat, fl)
		}
		fmt.Fprintf(w, "  %-11s%-24s (exact sample of the same size: %s)\n", label, val, fls)
	}
	q("FD", r.FD, r.FDSE, floor.FD, false)
	q("SW2", r.SW2, r.SW2SE, floor.SW2, false)
	q("mode TV", r.ModeTV, r.ModeTVSE, floor.ModeTV, false)
	q("dispersion", r.Dispersion, r.DispersionSE, floor.Dispersion, true)
	line("wall", "%.2f s sampling", r.WallSeconds)
	if len(wrote) > 0 {
		line("wrote", "%s", strings.Join(wrote, ", "))
	}
}

// finishedSamples returns the samples whose paths succeeded, and their
// number: all of them unless the solve ended some paths early.
func finishedSamples(res *diffusion.Result) ([]float64, int) {
	if res.Solve == nil || res.Solve.Stats.Failed == 0 {
		return res.Samples, res.N
	}
	d := res.Dim
	x := make([]float64, 0, len(res.Samples))
	for i, ps := range res.Solve.Path {
		if ps.Status == sdeint.Success {
			x = append(x, res.Samples[i*d:(i+1)*d]...)
		}
	}
	return x, len(x) / d
}

// writeCSV writes n rows of d values with a header x0, x1, ….
func writeCSV(path string, x []float64, n, d int) error {
	return writeFileAtomic(path, func(f io.Writer) error { return writeCSVTo(f, x, n, d) })
}

func writeCSVTo(f io.Writer, x []float64, n, d int) error {
	w := bufio.NewWriterSize(f, 1<<16)
	for j := range d {
		if j > 0 {
			w.WriteByte(',')
		}
		w.WriteString("x" + strconv.Itoa(j))
	}
	w.WriteByte('\n')
	buf := make([]byte, 0, 32)
	for i := range n {
		for j, v := range x[i*d : (i+1)*d] {
			if j > 0 {
				w.WriteByte(',')
			}
			w.Write(strconv.AppendFloat(buf[:0], v, 'g', 8, 64))
		}
		w.WriteByte('\n')
	}
	return w.Flush()
}

// densityGrid is the exact log density of p_ε on a grid in data units.
type densityGrid struct {
	x, y []float64
	z    []float64 // z[r*len(x)+c]
}

func (g *densityGrid) Dims() (c, r int)   { return len(g.x), len(g.y) }
func (g *densityGrid) Z(c, r int) float64 { return g.z[r*len(g.x)+c] }
func (g *densityGrid) X(c int) float64    { return g.x[c] }
func (g *densityGrid) Y(r int) float64    { return g.y[r] }

// massLevels returns the log densities whose super-level sets hold the
// given fractions of p_ε's mass: the quantiles 1 − mass of log p(X) over
// exact draws X (the log density changes by a constant between model and
// data units, so the levels serve both).
func massLevels(exact *diffusion.Exact, eps float64, mass []float64) []float64 {
	const m = 20000
	d := exact.Mix.Dim
	x := make([]float64, m*d)
	exact.SampleExact(x, m, eps, 0x5a3e1e, 0)
	lp := make([]float64, m)
	for i := range lp {
		lp[i] = exact.LogDensity(x[i*d:(i+1)*d], eps)
	}
	slices.Sort(lp)
	out := make([]float64, len(mass))
	for i, q := range mass {
		out[i] = lp[int((1-q)*float64(m-1))]
	}
	slices.Sort(out)
	return out
}

// write2DPlot draws 2-D samples (data units) over contours of the exact
// p_ε's log density, evaluated at the model coordinates of a grid in data
// units, at the levels that hold 50%, 90% and 99% of its mass.
func write2DPlot(path string, x []float64, n int, exact *diffusion.Exact, r bench.Row) error {
	sde := exact.SDE
	const lo, hi, cells = -0.05, 1.05, 200
	g := &densityGrid{x: make([]float64, cells), y: make([]float64, cells), z: make([]float64, cells*cells)}
	for i := range cells {
		g.x[i] = lo + (hi-lo)*(float64(i)+0.5)/cells
		g.y[i] = g.x[i]
	}
	pt := make([]float64, 2)
	for ri, yv := range g.y {
		for ci, xv := range g.x {
			pt[0], pt[1] = sde.ToModel(xv), sde.ToModel(yv)
			g.z[ri*cells+ci] = exact.LogDensity(pt, sde.Eps)
		}
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s, %s, %s: %d samples\ncontours hold 50, 90 and 99%% of the exact p_ε", r.Data, strings.ToUpper(r.SDE), r.Setting, n)
	p.X.Label.Text = "x₀ (data units)"
	p.Y.Label.Text = "x₁ (data units)"
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = lo, hi, lo, hi
	c := plotter.NewContour(g, massLevels(exact, sde.Eps, []float64{0.5, 0.9, 0.99}), nil)
	c.LineStyles = []draw.LineStyle{{Color: color.RGBA{R: 0xc0, G: 0x30, B: 0x30, A: 255}, Width: vg.Points(0.8)}}
	pts := make(plotter.XYs, 0, n)
	for i := range n {
		if v0, v1 := x[2*i], x[2*i+1]; !math.IsNaN(v0) && !math.IsNaN(v1) && !math.IsInf(v0, 0) && !math.IsInf(v1, 0) {
			pts = append(pts, plotter.XY{X: v0, Y: v1})
		}
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: color.NRGBA{R: 0x1f, G: 0x4e, B: 0x9a, A: 0x90}, Radius: vg.Points(0.7), Shape: draw.CircleGlyph{}}
	p.Add(sc, c)
	return saveAtomic(path, func(tmp string) error { return p.Save(14*vg.Centimeter, 14*vg.Centimeter, tmp) })
}

// writeImageGrid writes the first 64 samples (data units, 3×32×32 values
// each: channel c of pixel (y, x) is value c·1024 + y·32 + x) as an 8×8
// grid of RGB images, clamped to [0, 1], each shown at imageScale× on a
// white background with imageGap pixels between images (540×540 pixels);
// cells without a sample stay white.
func writeImageGrid(path string, x []float64, n, d int) error {
	const side, ch = 32, 3
	if d != ch*side*side {
		return fmt.Errorf("image grid: samples have %d values, want %d (3×32×32)", d, ch*side*side)
	}
	const cell = side*imageScale + imageGap
	w := imageGrid*cell - imageGap
	img := image.NewRGBA(image.Rect(0, 0, w, w))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for i := range min(n, imageGrid*imageGrid) {
		ox, oy := (i%imageGrid)*cell, (i/imageGrid)*cell
		s := x[i*d : (i+1)*d]
		for y := range side {
			for xx := range side {
				var c [ch]uint8
				for k := range ch {
					v := s[k*side*side+y*side+xx]
					if math.IsNaN(v) {
						v = 0
					}
					c[k] = uint8(math.Round(255 * min(max(v, 0), 1)))
				}
				for dy := range imageScale {
					for dx := range imageScale {
						img.SetRGBA(ox+xx*imageScale+dx, oy+y*imageScale+dy, color.RGBA{R: c[0], G: c[1], B: c[2], A: 255})
					}
				}
			}
		}
	}
	return writeFileAtomic(path, func(w io.Writer) error { return png.Encode(w, img) })
}
