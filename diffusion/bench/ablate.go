package bench

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gofast-sde/gofast/convergence"
	"github.com/gofast-sde/gofast/diffusion"
	"github.com/gofast-sde/gofast/internal/nanjson"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// AblateConfig configures Ablate.
type AblateConfig struct {
	// Data, Kind, N, Seed, Workers and Denoise are as in Config.
	Data    string
	Kind    diffusion.Kind
	N       int
	Seed    uint64
	Workers int
	Denoise bool
	// EpsRels are the adaptive sampler's relative tolerances (nil:
	// EpsRels, the paper's four); ε_abs stays the paper's.
	EpsRels []float64
	// Axes and Mode say which settings of the paper's pair to run (see
	// convergence.Expand and convergence.Variant.Apply); every axis
	// applies, since the sampler is methods.GGF.
	Axes []convergence.Axis
	Mode convergence.AblateMode
	// Progress, if not nil, receives one line per finished run.
	Progress func(string)
}

// AblateRow is one run of an ablation: a Row with the setting's values by
// axis (nil for the reference rows EM-1000, EM-100 and exact).
type AblateRow struct {
	Row
	// Variant names the setting ("norm=linf extrap=off"; "" for the
	// reference rows); Values holds it by axis.
	Variant string            `json:"variant"`
	Values  map[string]string `json:"values"`
	// Baseline marks the baseline setting of a one-at-a-time ablation.
	Baseline bool `json:"baseline"`
}

// MarshalJSON writes the Row's fields (NaN as null) followed by variant,
// values and baseline, in one object.
func (r AblateRow) MarshalJSON() ([]byte, error) {
	b, err := nanjson.Marshal(r.Row)
	if err != nil {
		return nil, err
	}
	extra, err := json.Marshal(struct {
		Variant  string            `json:"variant"`
		Values   map[string]string `json:"values"`
		Baseline bool              `json:"baseline"`
	}{r.Variant, r.Values, r.Baseline})
	if err != nil {
		return nil, err
	}
	return append(append(b[:len(b)-1], ','), extra[1:]...), nil
}

// Ablate runs the paper's adaptive pair (methods.GGF on the reverse SDE,
// the paper's tolerances and initial step, Jolicoeur-Martineau et al.
// 2021) under every setting of cfg.Axes at each ε_rel, beside the
// references of the equal-quality verdict — Euler–Maruyama at 1000 and at
// 100 steps — and the exact sampler (the noise floor). Every run draws
// cfg.N samples with cfg.Seed (sample i from the same prior draw
// everywhere) and is scored by one Evaluator; each row gets its paired SEs
// against EM-1000 and the verdict of Judge. Settings are validated before
// any run; a run that fails is reported in its row's Status with NaN
// metrics (verdict "no"), and a cancelled ctx returns the rows so far with
// its error. The baseline setting with no axes is the adaptive sampler of
// Run, sample for sample.
func Ablate(ctx context.Context, cfg AblateConfig) ([]AblateRow, error) {
	pl, err := cfg.plan()
	if err != nil {
		return nil, err
	}
	mix, n, eps, sde, exact, choices, variants := pl.mix, pl.n, pl.eps, pl.sde, pl.exact, pl.choices, pl.variants
	data := strings.ToLower(cfg.Data)
	progress := func(format string, a ...any) {
		if cfg.Progress != nil {
			cfg.Progress(fmt.Sprintf(format, a...))
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err // interrupted: skip the evaluator's reference sample
	}
	start := time.Now()
	ev := NewEvaluator(sde, exact, n, cfg.Denoise, cfg.Workers)
	progress("%s %v: evaluator (exact reference of %d samples) ready in %.1f s", data, cfg.Kind, ev.RefN, time.Since(start).Seconds())

	base := diffusion.Settings{N: n, Seed: cfg.Seed, Workers: cfg.Workers, Denoise: cfg.Denoise}
	var rows []AblateRow
	var samples []projected
	add := func(row Row, smp projected, label string) {
		row.Setting = label
		rows = append(rows, AblateRow{Row: row})
		samples = append(samples, smp)
		msg := fmt.Sprintf("%s %v %-40s NFE %7.1f (max %d)  dispersion %+.3f ± %.3f  %s",
			data, cfg.Kind, label, row.NFEMean, row.NFEMax, row.Dispersion, row.DispersionSE, fmtSeconds(row.WallSeconds))
		if row.Status != sdeint.Success.String() {
			msg += "  status: " + row.Status
		}
		progress("%s", msg)
	}
	reference := func(label string, set diffusion.Settings) error {
		s := base
		s.Sampler, s.Steps = set.Sampler, set.Steps
		res, err := diffusion.Sample(ctx, sde, exact, exact, mix.Dim, s)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		row, smp := newRow(data, sde, s, res, err, ev)
		add(row, smp, label)
		return nil
	}
	finish := func(err error) ([]AblateRow, error) {
		ablateJudge(rows, samples, ev)
		return rows, err
	}
	for _, r := range []struct {
		label string
		set   diffusion.Settings
	}{
		{fmt.Sprintf("EM %d", emRef), diffusion.Settings{Sampler: diffusion.EM, Steps: emRef}},
		{fmt.Sprintf("EM %d", emCoarse), diffusion.Settings{Sampler: diffusion.EM, Steps: emCoarse}},
	} {
		if err := reference(r.label, r.set); err != nil {
			return finish(err)
		}
	}
	for i, c := range choices {
		for _, e := range eps {
			s, res, err := sampleVariant(ctx, sde, exact, mix.Dim, base, variants[i], e)
			if ctx.Err() != nil {
				return finish(ctx.Err())
			}
			row, smp := newRow(data, sde, s, res, err, ev)
			if v := variants[i].Control; v.PCoeff != 0 || v.ICoeff != 0 || v.DCoeff != 0 {
				row.R = math.NaN() // a PI/PID controller has no single exponent
			}
			add(row, smp, fmt.Sprintf("adaptive %g %s", e, c))
			rows[len(rows)-1].Variant, rows[len(rows)-1].Values = c.String(), c.Map()
			rows[len(rows)-1].Baseline = cfg.Mode == convergence.OneAtATime && i == 0
		}
	}
	if err := reference("exact", diffusion.Settings{Sampler: diffusion.ExactSampler}); err != nil {
		return finish(err)
	}
	return finish(nil)
}

// Check reports whether Ablate would refuse cfg, without running anything:
// callers can tell a refused configuration from a failed run.
func (cfg AblateConfig) Check() error {
	_, err := cfg.plan()
	return err
}

// ablatePlan is a checked ablation: its data, sample size, tolerances, SDE
// and settings.
type ablatePlan struct {
	mix      *diffusion.Mixture
	n        int
	eps      []float64
	sde      diffusion.SDE
	exact    *diffusion.Exact
	choices  []convergence.Choice
	variants []convergence.Variant
}

// plan validates cfg and resolves its defaults and settings.
func (cfg AblateConfig) plan() (ablatePlan, error) {
	mix, n, eps, err := resolve(cfg.Data, cfg.Kind, cfg.N, cfg.Workers, cfg.EpsRels)
	if err != nil {
		return ablatePlan{}, err
	}
	for _, a := range cfg.Axes {
		if a.Name == "first" {
			return ablatePlan{}, errors.New("bench: axis first applies to SDE problems: diffusion sampling pins the paper's first step (0.01, 0.5 for VE)")
		}
	}
	choices, err := convergence.Expand(cfg.Axes, cfg.Mode)
	if err != nil {
		return ablatePlan{}, err
	}
	sde := diffusion.NewSDE(cfg.Kind)
	exact, err := diffusion.NewExact(sde, mix)
	if err != nil {
		return ablatePlan{}, err
	}
	prob := diffusion.Reverse(sde, exact, mix.Dim)
	variants := make([]convergence.Variant, len(choices))
	for i, c := range choices {
		v := convergence.Variant{Method: methods.GGF{}}
		if err := c.Apply(&v); err != nil {
			return ablatePlan{}, fmt.Errorf("setting %s: %w", c, err)
		}
		if err := convergence.CheckVariant(prob, v, false); err != nil {
			return ablatePlan{}, fmt.Errorf("setting %s: %w", c, err)
		}
		variants[i] = v
	}
	return ablatePlan{mix, n, eps, sde, exact, choices, variants}, nil
}

// ablateJudge sets the paired SEs against EM-1000 (rows[0]) and the
// verdicts.
func ablateJudge(rows []AblateRow, samples []projected, ev *Evaluator) {
	if len(rows) == 0 {
		return
	}
	plain := make([]Row, len(rows))
	for i := range rows {
		plain[i] = rows[i].Row
		if i > 0 && samples[0].lab != nil && samples[i].lab != nil {
			plain[i].DispersionDiffSE, plain[i].ModeTVDiffSE = ev.pairedSE(samples[i], samples[0])
		}
	}
	for i, r := range Judge(plain) {
		rows[i].Row = r
	}
}

// sampleVariant draws base.N samples with the paper's pair under the
// variant v at ε_rel = eps, with the adaptive sampler's defaults of
// diffusion.Sample (ε_abs 0.0039 in data units, h0 0.01, 0.5 for VE) and
// its denoising, and returns the diffusion.Settings that describe the run
// (for NewRow), the result and Solve's error.
func sampleVariant(ctx context.Context, sde diffusion.SDE, exact *diffusion.Exact, d int, base diffusion.Settings, v convergence.Variant, eps float64) (diffusion.Settings, *diffusion.Result, error) {
	start := time.Now()
	s := base
	s.Sampler, s.RTol, s.Brownian = diffusion.Adaptive, eps, v.Brownian
	s.NoPrev, s.Norm, s.Safety, s.Exponent = v.Control.NoPrev, v.Control.Norm, v.Control.Safety, v.Control.Exponent
	if g, ok := v.Method.(methods.GGF); ok {
		s.NoExtrapolation, s.Lamba = g.NoExtrapolation, g.Lamba
	}
	rtol, atol := AdaptiveTolerances(sde, s)
	h0 := 0.01
	if sde.Kind == diffusion.VE {
		h0 = 0.5
	}
	ctl := v.Control
	ctl.RTol, ctl.ATol, ctl.H0 = rtol, atol, h0
	// The defaults are the paper's controller, as diffusion.Sample pins
	// them (ggf's own defaults on ordinary SDEs differ): its rule,
	// r = 0.9 and no clamps, where the variant leaves them unset.
	if ctl.Rule == control.RuleDefault {
		ctl.Rule = control.RulePaper
	}
	if ctl.Exponent == 0 && ctl.PCoeff == 0 && ctl.ICoeff == 0 && ctl.DCoeff == 0 {
		ctl.Exponent = 0.9
	}
	if ctl.MinFactor == 0 && ctl.MaxFactor == 0 {
		ctl.Unclamped = true
	}
	n := max(s.N, 1)
	sol, err := sdeint.Solve(ctx, diffusion.Reverse(sde, exact, d), v.Method,
		&sdeint.Settings{Paths: n, Seed: s.Seed, Workers: s.Workers, Brownian: v.Brownian, Control: ctl})
	if sol == nil {
		return s, nil, err
	}
	res := &diffusion.Result{N: n, Dim: d, Model: sol.X, Solve: sol, Status: sol.Status, NFEMean: sol.NFEMean(), NFEMax: sol.NFEMax()}
	if err == nil && s.Denoise {
		err = diffusion.Denoise(sde, exact, res.Model, d, s.Workers)
		res.NFEDenoise = 1
	}
	res.Samples = make([]float64, len(res.Model))
	for i, y := range res.Model {
		res.Samples[i] = sde.ToData(y)
	}
	res.Wall = time.Since(start)
	return s, res, err
}

// WriteAblateMarkdown writes the rows of one Ablate run as a markdown
// table, headed by a line naming the data set, the SDE, the sample size
// and the exact floor's FD: one column per axis, ε_rel, NFE, rejected
// attempts per sample, the dispersion error and its difference from
// EM-1000's with the verdict's SE, mode TV, FD, the verdict against EM-1000
// and the NFE ratio.
func WriteAblateMarkdown(w io.Writer, rows []AblateRow, axes []convergence.Axis) error {
	if len(rows) == 0 {
		return errors.New("bench: no rows")
	}
	var b strings.Builder
	r0 := rows[0].Row
	den := ""
	if r0.Denoise {
		den = ", denoised"
	}
	fmt.Fprintf(&b, "**%s, %s**: n = %d, seed %d%s; floor FD (an exact sample of the same size) = %s\n\n",
		r0.Data, strings.ToUpper(r0.SDE), r0.N, r0.Seed, den, fmtG(r0.FDFloor))
	b.WriteString("| sampler |")
	for _, a := range axes {
		b.WriteString(" " + a.Name + " |")
	}
	b.WriteString(" ε_rel | NFE (mean/max) | rejected | dispersion (±SE) | Δ dispersion vs EM-1000 (±SE) | mode TV (±SE) | FD (±SE) | equal quality to EM-1000 | × fewer NFE than EM-1000 |\n")
	b.WriteString("|---|" + strings.Repeat("---|", len(axes)) + "---|---|---|---|---|---|---|---|---|\n")
	var ref *Row
	for i := range rows {
		if rows[i].Setting == fmt.Sprintf("EM %d", emRef) {
			ref = &rows[i].Row
		}
	}
	for _, ar := range rows {
		r := ar.Row
		name := r.Setting
		if ar.Values != nil {
			name = "adaptive"
			if ar.Baseline {
				name += " (baseline)"
			}
		}
		if r.Status != sdeint.Success.String() {
			name += " (" + r.Status + ")"
		}
		b.WriteString("| " + name + " |")
		for _, a := range axes {
			v := ar.Values[a.Name]
			if v == "" {
				v = "—"
			}
			b.WriteString(" " + v + " |")
		}
		epsRel := "—"
		if r.EpsRel != nil {
			epsRel = fmt.Sprintf("%g", *r.EpsRel)
		}
		nfe, delta, eq, ratio := cells(r, ref)
		rej := "—"
		if !math.IsNaN(r.RejectedMean) && r.Sampler == diffusion.Adaptive.String() {
			rej = fmt.Sprintf("%.1f", r.RejectedMean)
		}
		fmt.Fprintf(&b, " %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", epsRel, nfe, rej,
			pmSignedSE(r.Dispersion, r.DispersionSE), delta, pmSE(r.ModeTV, r.ModeTVSE, 3), pmSig(r.FD, r.FDSE), eq, ratio)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteAblateCSV writes the rows of one Ablate run as CSV with a header
// line: one column per axis (empty for the reference rows), then the
// settings, cost, quality and verdict; unknown values are empty fields.
func WriteAblateCSV(w io.Writer, rows []AblateRow, axes []convergence.Axis) error {
	cw := csv.NewWriter(w)
	head := []string{"data", "sde", "n", "seed", "denoise", "sampler", "setting", "variant"}
	for _, a := range axes {
		head = append(head, a.Name)
	}
	head = append(head, "baseline", "eps_rel", "brownian", "status", "nfe_mean", "nfe_max", "nfe_denoise", "accepted_mean", "rejected_mean",
		"fd", "fd_se", "sw2", "sw2_se", "mode_tv", "mode_tv_se", "dispersion", "dispersion_se",
		"dispersion_diff_se", "mode_tv_diff_se", "equal_quality", "vs_em1000_nfe_ratio", "wall_seconds")
	cw.Write(head)
	num := func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	for _, r := range rows {
		rec := []string{r.Data, r.SDE, strconv.Itoa(r.N), strconv.FormatUint(r.Seed, 10), strconv.FormatBool(r.Denoise),
			r.Sampler, r.Setting, r.Variant}
		for _, a := range axes {
			rec = append(rec, r.Values[a.Name])
		}
		eps, ratio := "", ""
		if r.EpsRel != nil {
			eps = num(*r.EpsRel)
		}
		if r.VsEM1000NFERatio != nil {
			ratio = num(*r.VsEM1000NFERatio)
		}
		rec = append(rec, strconv.FormatBool(r.Baseline), eps, r.Brownian, r.Status, num(r.NFEMean), strconv.Itoa(r.NFEMax),
			strconv.Itoa(r.NFEDenoise), num(r.AcceptedMean), num(r.RejectedMean), num(r.FD), num(r.FDSE), num(r.SW2), num(r.SW2SE),
			num(r.ModeTV), num(r.ModeTVSE), num(r.Dispersion), num(r.DispersionSE), num(r.DispersionDiffSE), num(r.ModeTVDiffSE),
			r.EqualQuality, ratio, num(r.WallSeconds))
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}
