package convergence

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofast-sde/gofast/internal/mcstat"
	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// An ablation runs one method under variations of its controller, its
// error estimate and its Brownian source — the design choices of
// Jolicoeur-Martineau et al. (2021, arXiv:2105.14080, appendix ablations:
// norm, extrapolation, x'prev, exponent, safety) and of the mainstream codes
// (tolerance rule, clamps, PI/PID control; StochasticDiffEq.jl, Diffrax) —
// and reports error against work for each.

// Axis is one dimension of an ablation: a knob and the values to try. The
// first value is the baseline of a one-at-a-time ablation.
type Axis struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// AxisNames lists the axes Variant.Apply knows, in the order the command
// line documents them:
//
//	norm        l2scaled, l2, linf                      control.Settings.Norm
//	extrap      on, off                                 methods.GGF.NoExtrapolation (ggf only)
//	estimate    stochastic, lamba                       methods.GGF.Lamba (ggf only)
//	rule        default, paper, mainstream              control.Settings.Rule
//	prev        on, off                                 control.Settings.NoPrev (paper rule)
//	safety      a number in (0, 1], default             control.Settings.Safety
//	exponent    a number > 0, default                   control.Settings.Exponent (integral control)
//	clamps      default, none, MIN/MAX (e.g. 0.2/10)    control.Settings.MinFactor, MaxFactor, Unclamped
//	controller  i, pi, pid:P/I/D                        control.ParseController
//	brownian    bridge, tree, redraw                    the Brownian source
//	first       probed, probed:F (F in (0, 1]), a step  control.Settings.FirstSpan, H0 (SDE problems only)
var AxisNames = []string{"norm", "extrap", "estimate", "rule", "prev", "safety", "exponent", "clamps", "controller", "brownian", "first"}

// ParseAxes reads axes as the command line spells them:
// "norm=l2scaled,linf;controller=i,pi". Axes are separated by ';', values
// by ','. Every value is checked by applying it to a default Variant of
// methods.GGF (so extrap and estimate are accepted here whatever the
// method; Expand with the real method refuses them for other methods).
func ParseAxes(s string) ([]Axis, error) {
	var axes []Axis
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, vals, ok := strings.Cut(part, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if !ok || name == "" {
			return nil, fmt.Errorf("convergence: axis %q: want name=value,value,…", part)
		}
		if !slices.Contains(AxisNames, name) {
			return nil, fmt.Errorf("convergence: unknown axis %q (want %s)", name, strings.Join(AxisNames, ", "))
		}
		if seen[name] {
			return nil, fmt.Errorf("convergence: axis %q given twice", name)
		}
		seen[name] = true
		a := Axis{Name: name}
		for v := range strings.SplitSeq(vals, ",") {
			if v = strings.ToLower(strings.TrimSpace(v)); v == "" {
				continue
			}
			if slices.Contains(a.Values, v) {
				return nil, fmt.Errorf("convergence: axis %s: value %q given twice", name, v)
			}
			probe := Variant{Method: methods.GGF{}}
			if err := probe.Apply(name, v); err != nil {
				return nil, err
			}
			a.Values = append(a.Values, v)
		}
		if len(a.Values) == 0 {
			return nil, fmt.Errorf("convergence: axis %s has no values", name)
		}
		axes = append(axes, a)
	}
	return axes, nil
}

// Variant is what one setting of an ablation changes: the method (its
// ablation variants), the controller and the Brownian source (nil: the
// solver's default, the bridge).
type Variant struct {
	Method   sdeint.Method
	Control  control.Settings
	Brownian brownian.Source
}

// onOff reads an on/off value.
func onOff(axis, v string) (bool, error) {
	switch v {
	case "on", "true", "yes":
		return true, nil
	case "off", "false", "no":
		return false, nil
	}
	return false, fmt.Errorf("convergence: %s=%q: want on or off", axis, v)
}

// number reads a finite number > 0, or "default" (0).
func number(axis, v string) (float64, error) {
	if v == "default" {
		return 0, nil
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || !(x > 0) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("convergence: %s=%q: want a finite number > 0 or default", axis, v)
	}
	return x, nil
}

// Apply sets axis name to value v on the variant (see AxisNames). extrap
// and estimate need a methods.GGF.
func (vr *Variant) Apply(name, v string) error {
	c := &vr.Control
	ggf := func() (*methods.GGF, error) {
		g, ok := vr.Method.(methods.GGF)
		if !ok {
			m := "no method"
			if vr.Method != nil {
				m = vr.Method.Properties().Name
			}
			return nil, fmt.Errorf("convergence: axis %s applies to the paper's pair ggf only, not %s", name, m)
		}
		return &g, nil
	}
	switch name {
	case "norm":
		n, err := control.ParseNorm(v)
		if err != nil {
			return err
		}
		c.Norm = n
	case "extrap", "estimate":
		g, err := ggf()
		if err != nil {
			return err
		}
		if name == "extrap" {
			on, err := onOff(name, v)
			if err != nil {
				return err
			}
			g.NoExtrapolation = !on
		} else {
			switch v {
			case "stochastic":
				g.Lamba = false
			case "lamba":
				g.Lamba = true
			default:
				return fmt.Errorf("convergence: estimate=%q: want stochastic or lamba", v)
			}
		}
		vr.Method = *g
	case "rule":
		switch v {
		case "default":
			c.Rule = control.RuleDefault
		case "paper":
			c.Rule = control.RulePaper
		case "mainstream":
			c.Rule = control.RuleMainstream
		default:
			return fmt.Errorf("convergence: rule=%q: want default, paper or mainstream", v)
		}
	case "prev":
		on, err := onOff(name, v)
		if err != nil {
			return err
		}
		c.NoPrev = !on
	case "safety":
		x, err := number(name, v)
		if err != nil {
			return err
		}
		if x > 1 {
			return fmt.Errorf("convergence: safety=%q: want θ in (0, 1]", v)
		}
		c.Safety = x
	case "exponent":
		x, err := number(name, v)
		if err != nil {
			return err
		}
		c.Exponent = x
	case "clamps":
		switch v {
		case "default":
			c.MinFactor, c.MaxFactor, c.Unclamped = 0, 0, false
		case "none":
			c.MinFactor, c.MaxFactor, c.Unclamped = 0, 0, true
		default:
			lo, hi, ok := strings.Cut(v, "/")
			a, errA := strconv.ParseFloat(lo, 64)
			b, errB := strconv.ParseFloat(hi, 64)
			if !ok || errA != nil || errB != nil || !(a > 0 && a < 1 && b > 1) || math.IsInf(b, 0) {
				return fmt.Errorf("convergence: clamps=%q: want none, default or MIN/MAX with 0 < MIN < 1 < MAX < ∞", v)
			}
			c.MinFactor, c.MaxFactor, c.Unclamped = a, b, false
		}
	case "controller":
		p, err := control.ParseController(v)
		if err != nil {
			return err
		}
		c.PCoeff, c.ICoeff, c.DCoeff = p.PCoeff, p.ICoeff, p.DCoeff
	case "brownian":
		switch v {
		case "bridge":
			vr.Brownian = brownian.Bridge{}
		case "tree":
			vr.Brownian = brownian.Tree{}
		case "redraw":
			vr.Brownian = brownian.Redraw{}
		default:
			return fmt.Errorf("convergence: brownian=%q: want bridge, tree or redraw", v)
		}
	case "first":
		// The first step: probed (the default, at most FirstSpan of the
		// span), or a fixed H0 for every path.
		switch span, ok := strings.CutPrefix(v, "probed:"); {
		case v == "probed":
			c.H0, c.FirstSpan = 0, 0
		case ok:
			x, err := strconv.ParseFloat(span, 64)
			if err != nil || !(x > 0 && x <= 1) {
				return fmt.Errorf("convergence: first=%q: want probed:F with F in (0, 1], a fraction of the span", v)
			}
			c.H0, c.FirstSpan = 0, x
		default:
			x, err := number(name, v)
			if err != nil {
				return fmt.Errorf("convergence: first=%q: want probed, probed:F or a first step > 0", v)
			}
			c.H0, c.FirstSpan = x, 0
		}
	default:
		return fmt.Errorf("convergence: unknown axis %q (want %s)", name, strings.Join(AxisNames, ", "))
	}
	return nil
}

// AblateMode says which settings of the axes an ablation runs.
type AblateMode int

const (
	// OneAtATime runs the baseline (every axis at its first value), then
	// each other value of each axis with the rest at the baseline.
	OneAtATime AblateMode = iota
	// FullGrid runs every combination of the axes' values.
	FullGrid
)

func (m AblateMode) String() string {
	switch m {
	case OneAtATime:
		return "oat"
	case FullGrid:
		return "full"
	}
	return fmt.Sprintf("AblateMode(%d)", int(m))
}

// ParseAblateMode reads "oat" (one at a time) or "full".
func ParseAblateMode(s string) (AblateMode, error) {
	switch strings.ToLower(s) {
	case "oat", "":
		return OneAtATime, nil
	case "full":
		return FullGrid, nil
	}
	return 0, fmt.Errorf("convergence: grid %q: want oat or full", s)
}

// Choice is one setting of an ablation: a value for each axis, in the
// axes' order.
type Choice []AxisValue

// AxisValue is one axis at one value.
type AxisValue struct {
	Axis, Value string
}

// String returns "axis=value axis=value …", or "baseline" without axes.
func (c Choice) String() string {
	if len(c) == 0 {
		return "baseline"
	}
	parts := make([]string, len(c))
	for i, av := range c {
		parts[i] = av.Axis + "=" + av.Value
	}
	return strings.Join(parts, " ")
}

// Map returns the choice as a map from axis to value.
func (c Choice) Map() map[string]string {
	m := make(map[string]string, len(c))
	for _, av := range c {
		m[av.Axis] = av.Value
	}
	return m
}

// Apply applies every axis value of c to v, in order.
func (c Choice) Apply(v *Variant) error {
	for _, av := range c {
		if err := v.Apply(av.Axis, av.Value); err != nil {
			return err
		}
	}
	return nil
}

// Expand lists the settings of the axes under mode: the baseline first,
// then, one at a time, each axis's other values in order; or, for the full
// grid, every combination with the last axis varying fastest. No axes
// give the baseline alone.
func Expand(axes []Axis, mode AblateMode) ([]Choice, error) {
	base := make(Choice, len(axes))
	for i, a := range axes {
		if len(a.Values) == 0 {
			return nil, fmt.Errorf("convergence: axis %s has no values", a.Name)
		}
		base[i] = AxisValue{a.Name, a.Values[0]}
	}
	out := []Choice{base}
	switch mode {
	case OneAtATime:
		for i, a := range axes {
			for _, v := range a.Values[1:] {
				c := slices.Clone(base)
				c[i].Value = v
				out = append(out, c)
			}
		}
	case FullGrid:
		out = out[:0]
		idx := make([]int, len(axes))
		for {
			c := make(Choice, len(axes))
			for i, a := range axes {
				c[i] = AxisValue{a.Name, a.Values[idx[i]]}
			}
			out = append(out, c)
			k := len(axes) - 1
			for k >= 0 {
				idx[k]++
				if idx[k] < len(axes[k].Values) {
					break
				}
				idx[k] = 0
				k--
			}
			if k < 0 {
				break
			}
		}
	default:
		return nil, fmt.Errorf("convergence: unknown ablation mode %v", mode)
	}
	return out, nil
}

// CheckVariant validates a variant against a problem without stepping: a
// solve with a cancelled context runs every check of sdeint.Solve (the
// controller's settings, the method/problem pair, the source) and nothing
// else. It returns the error Solve gives before any work, or nil.
func CheckVariant(p *sdeint.Problem, v Variant, override bool) error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := sdeint.Solve(ctx, p, v.Method, &sdeint.Settings{Paths: 1, Workers: 1, Control: v.Control, Brownian: v.Brownian, Override: override})
	if _, stopped := errors.AsType[*sdeint.SolveError](err); stopped {
		return nil // validated, then cancelled: the settings are good
	}
	return err
}

// AblateRow is one setting at one tolerance.
type AblateRow struct {
	// Setting names the setting ("norm=linf controller=pi"); Values holds
	// it by axis.
	Setting string            `json:"setting"`
	Values  map[string]string `json:"values"`
	// Baseline marks the baseline setting of a one-at-a-time ablation.
	Baseline bool    `json:"baseline"`
	Tol      float64 `json:"tol"`
	// Paths is the number of paths solved; Failed the number that did not
	// reach T1 (Status is the first failure's, or "success"). Every
	// statistic below is over the paths that succeeded.
	Paths  int    `json:"paths"`
	Failed int    `json:"failed"`
	Status string `json:"status"`
	// NFEMean is the mean number of stage evaluations per path (rejected
	// attempts included), with its SE over paths.
	NFEMean float64 `json:"nfe_mean"`
	NFESE   float64 `json:"nfe_se"`
	// Error is the study's error (AblateResult.ErrorKind says which).
	Error   float64 `json:"error"`
	ErrorSE float64 `json:"error_se"`
	// MeanError and VarError are the sample mean and variance of X₁(T)
	// minus the exact ones (NaN where unknown), with SEs.
	MeanError   float64 `json:"mean_error"`
	MeanErrorSE float64 `json:"mean_error_se"`
	VarError    float64 `json:"var_error"`
	VarErrorSE  float64 `json:"var_error_se"`
	// WMean and WVar are the sample mean and variance of
	// (W₁(T) − W₁(T0))/√span, with SEs: 0 and 1 for an exact Brownian
	// source whatever was rejected. The paper's redraw shrinks the variance
	// (docs/brownian.md) and, where rejections depend on the increment's
	// sign (a drift), shifts the mean.
	WMean   float64 `json:"w_mean"`
	WMeanSE float64 `json:"w_mean_se"`
	WVar    float64 `json:"w_var"`
	WVarSE  float64 `json:"w_var_se"`
	// RejectRate is the mean over paths of each path's fraction of
	// rejected attempts, with its SE.
	RejectRate   float64 `json:"reject_rate"`
	RejectRateSE float64 `json:"reject_rate_se"`
	WallSeconds  float64 `json:"wall_seconds"`
}

// AblateResult is an ablation study.
type AblateResult struct {
	Problem string `json:"problem"`
	Method  string `json:"method"`
	Paths   int    `json:"paths"`
	Seed    uint64 `json:"seed"`
	Mode    string `json:"mode"`
	Axes    []Axis `json:"axes"`
	// ErrorKind says what AblateRow.Error measures.
	ErrorKind string      `json:"error_kind"`
	Rows      []AblateRow `json:"rows"`
}

// Ablate solves p adaptively with m under every setting of the axes (see
// Expand) at each tolerance (ε_rel = ε_abs = tol), with s.Paths paths
// (default 1000) and s.Seed, so every setting solves from the same seeds
// (the same Brownian paths for the exact sources, whose values do not
// depend on the steps). s.Brownian is the source of settings that do not
// set one (default the bridge).
//
// Each row reports the mean NFE per path, the error — the strong error
// against the exact solution on the solver's own Brownian path when p has
// one, else |mean X₁(T) − E X₁(T)| — the errors of the mean and variance of
// X₁(T) against the exact moments, the mean and variance of W₁(T)/√span
// (0 and 1 for an exact source), the rejection rate and the failed paths, each
// statistic with its SE. Every setting is validated before any solve: an
// invalid one (a PID controller with an exponent, extrap on a method other
// than ggf, a method the problem refuses) returns its error at once. A
// solve in which some paths fail is reported in its row, over the paths that
// succeeded; a cancelled ctx returns the rows so far with its error.
func Ablate(ctx context.Context, p *problems.Problem, m sdeint.Method, tols []float64, axes []Axis, mode AblateMode, s Settings) (*AblateResult, error) {
	if p.Solution == nil && p.Mean == nil {
		return nil, fmt.Errorf("%w: problem %s has no exact solution or mean", ErrNothingExact, p.Name)
	}
	if !m.Properties().Adaptive {
		return nil, fmt.Errorf("convergence: method %s has no error estimate to ablate", m.Properties().Name)
	}
	if len(tols) == 0 {
		return nil, errors.New("convergence: no tolerances")
	}
	for _, tol := range tols {
		if !(tol > 0) || math.IsInf(tol, 0) {
			return nil, fmt.Errorf("convergence: tolerance %v, want finite > 0", tol)
		}
	}
	paths, err := s.paths(1000)
	if err != nil {
		return nil, err
	}
	choices, err := Expand(axes, mode)
	if err != nil {
		return nil, err
	}
	variants := make([]Variant, len(choices))
	for i, c := range choices {
		v := Variant{Method: m, Brownian: s.Brownian}
		if err := c.Apply(&v); err != nil {
			return nil, fmt.Errorf("setting %s: %w", c, err)
		}
		if err := CheckVariant(&p.SDE, v, s.Override); err != nil {
			return nil, fmt.Errorf("setting %s: %w", c, err)
		}
		variants[i] = v
	}
	out := &AblateResult{Problem: p.Name, Method: m.Properties().Name, Paths: paths, Seed: s.Seed, Mode: mode.String(), Axes: axes}
	if p.Solution != nil {
		out.ErrorKind = "strong: mean RMS error against the exact solution on the solver's path"
	} else {
		out.ErrorKind = "weak: |mean X₁(T) − E X₁(T)|"
	}
	for i, c := range choices {
		for _, tol := range tols {
			if s.Progress != nil {
				s.Progress(fmt.Sprintf("%s %s [%s]: tolerance %g, %d paths", p.Name, out.Method, c, tol, paths))
			}
			row, err := ablateOne(ctx, p, variants[i], tol, paths, s)
			if err != nil {
				return out, err
			}
			row.Setting, row.Values = c.String(), c.Map()
			row.Baseline = mode == OneAtATime && i == 0
			out.Rows = append(out.Rows, row)
		}
	}
	return out, nil
}

// ablateOne solves one setting at one tolerance and measures it.
func ablateOne(ctx context.Context, p *problems.Problem, v Variant, tol float64, paths int, s Settings) (AblateRow, error) {
	c := v.Control
	c.RTol, c.ATol = tol, tol
	start := time.Now()
	r, err := sdeint.Solve(ctx, &p.SDE, v.Method, &sdeint.Settings{Paths: paths, Seed: s.Seed, Workers: s.Workers,
		Control: c, Brownian: v.Brownian, Override: s.Override})
	if _, partial := errors.AsType[*sdeint.SolveError](err); partial && ctx.Err() == nil {
		err = nil // some paths failed: reported in the row
	}
	if err != nil {
		return AblateRow{}, err
	}
	nan := math.NaN()
	row := AblateRow{Tol: tol, Paths: paths, Failed: r.Stats.Failed, Status: r.Status.String(),
		NFEMean: nan, NFESE: nan, Error: nan, ErrorSE: nan, MeanError: nan, MeanErrorSE: nan,
		VarError: nan, VarErrorSE: nan, WMean: nan, WMeanSE: nan, WVar: nan, WVarSE: nan, RejectRate: nan, RejectRateSE: nan,
		WallSeconds: time.Since(start).Seconds()}
	n := p.SDE.Dim
	mean, vr, want := make([]float64, n), make([]float64, n), make([]float64, n)
	if p.Mean != nil {
		p.Mean(mean, p.SDE.T1)
	}
	if p.Var != nil {
		p.Var(vr, p.SDE.T1)
	}
	var nfe, errs, x1, w1, rej []float64
	span := math.Abs(p.SDE.T1 - p.SDE.T0)
	for j, ps := range r.Path {
		if ps.Status != sdeint.Success {
			continue
		}
		nfe = append(nfe, float64(ps.NFE))
		x1 = append(x1, r.Row(j)[0])
		if r.NoiseDim > 0 {
			w1 = append(w1, r.WRow(j)[0]/math.Sqrt(span))
		}
		rej = append(rej, float64(ps.Rejected)/float64(max(ps.Accepted+ps.Rejected, 1)))
		if p.Solution != nil {
			p.Solution(want, p.SDE.T1, r.WRow(j))
			errs = append(errs, rms(r.Row(j), want))
		} else {
			errs = append(errs, r.Row(j)[0]-mean[0])
		}
	}
	if len(nfe) < 2 {
		return row, nil // too few paths for a statistic
	}
	row.NFEMean, row.NFESE = mcstat.MeanSE(nfe)
	e, se := mcstat.MeanSE(errs)
	row.Error, row.ErrorSE = math.Abs(e), se
	if p.Mean != nil {
		mu, muSE := mcstat.MeanSE(x1)
		row.MeanError, row.MeanErrorSE = mu-mean[0], muSE
	}
	if p.Var != nil {
		v, vSE := mcstat.VarSE(x1)
		row.VarError, row.VarErrorSE = v-vr[0], vSE
	}
	if r.NoiseDim > 0 {
		row.WMean, row.WMeanSE = mcstat.MeanSE(w1)
		row.WVar, row.WVarSE = mcstat.VarSE(w1)
	}
	row.RejectRate, row.RejectRateSE = mcstat.MeanSE(rej)
	return row, nil
}
