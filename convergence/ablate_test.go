package convergence

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

func ablProblem(t *testing.T, name string) *problems.Problem {
	t.Helper()
	p, err := problems.ByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustAxes(t *testing.T, s string) []Axis {
	t.Helper()
	a, err := ParseAxes(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestParseAxes: the command-line spelling, and its errors.
func TestParseAxes(t *testing.T) {
	a := mustAxes(t, " norm = l2scaled, LINF ; controller=i,pi,pid:0.1/0.3/0.05;clamps=none,0.2/10")
	want := []Axis{{"norm", []string{"l2scaled", "linf"}}, {"controller", []string{"i", "pi", "pid:0.1/0.3/0.05"}},
		{"clamps", []string{"none", "0.2/10"}}}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("ParseAxes: %+v, want %+v", a, want)
	}
	for _, bad := range []string{"norm", "colour=red", "norm=l3", "norm=linf;norm=l2", "norm=linf,linf", "norm=",
		"safety=1.5", "safety=-1", "exponent=0", "clamps=2/10", "clamps=0.2/0.5", "controller=p", "brownian=grid",
		"extrap=maybe", "estimate=exact", "prev=2", "rule=fast"} {
		if _, err := ParseAxes(bad); err == nil {
			t.Errorf("ParseAxes(%q) accepted", bad)
		}
	}
}

// TestVariantApply: each axis sets the field it names, and only that.
func TestVariantApply(t *testing.T) {
	apply := func(m sdeint.Method, name, v string) Variant {
		t.Helper()
		vr := Variant{Method: m}
		if err := vr.Apply(name, v); err != nil {
			t.Fatalf("%s=%s: %v", name, v, err)
		}
		return vr
	}
	cases := []struct {
		name, value string
		want        Variant
	}{
		{"norm", "linf", Variant{Method: methods.GGF{}, Control: control.Settings{Norm: control.Linf}}},
		{"norm", "l2", Variant{Method: methods.GGF{}, Control: control.Settings{Norm: control.L2}}},
		{"extrap", "off", Variant{Method: methods.GGF{NoExtrapolation: true}}},
		{"extrap", "on", Variant{Method: methods.GGF{}}},
		{"estimate", "lamba", Variant{Method: methods.GGF{Lamba: true}}},
		{"rule", "mainstream", Variant{Method: methods.GGF{}, Control: control.Settings{Rule: control.RuleMainstream}}},
		{"rule", "paper", Variant{Method: methods.GGF{}, Control: control.Settings{Rule: control.RulePaper}}},
		{"prev", "off", Variant{Method: methods.GGF{}, Control: control.Settings{NoPrev: true}}},
		{"safety", "0.8", Variant{Method: methods.GGF{}, Control: control.Settings{Safety: 0.8}}},
		{"exponent", "0.5", Variant{Method: methods.GGF{}, Control: control.Settings{Exponent: 0.5}}},
		{"clamps", "none", Variant{Method: methods.GGF{}, Control: control.Settings{Unclamped: true}}},
		{"clamps", "0.2/1.125", Variant{Method: methods.GGF{}, Control: control.Settings{MinFactor: 0.2, MaxFactor: 1.125}}},
		{"controller", "pi", Variant{Method: methods.GGF{}, Control: control.Settings{PCoeff: 0.1, ICoeff: 0.3}}},
		{"controller", "pid:1/2/3", Variant{Method: methods.GGF{}, Control: control.Settings{PCoeff: 1, ICoeff: 2, DCoeff: 3}}},
		{"brownian", "tree", Variant{Method: methods.GGF{}, Brownian: brownian.Tree{}}},
		{"brownian", "redraw", Variant{Method: methods.GGF{}, Brownian: brownian.Redraw{}}},
		{"first", "probed", Variant{Method: methods.GGF{}}},
		{"first", "probed:0.1", Variant{Method: methods.GGF{}, Control: control.Settings{FirstSpan: 0.1}}},
		{"first", "0.01", Variant{Method: methods.GGF{}, Control: control.Settings{H0: 0.01}}},
	}
	for _, c := range cases {
		if got := apply(methods.GGF{}, c.name, c.value); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s=%s: %+v, want %+v", c.name, c.value, got, c.want)
		}
	}
	for _, v := range []string{"probed:0", "probed:1.5", "probed:x", "-1", "fast"} {
		vr := Variant{Method: methods.GGF{}}
		if err := vr.Apply("first", v); err == nil || !strings.Contains(err.Error(), "first=") {
			t.Errorf("first=%s: %v, want a refusal naming the axis", v, err)
		}
	}
	// The paper's pair's ablations need the paper's pair.
	for _, name := range []string{"extrap", "estimate"} {
		vr := Variant{Method: methods.Roberts{}}
		if err := vr.Apply(name, "off"); err == nil || !strings.Contains(err.Error(), "ggf only") {
			t.Errorf("%s on roberts: %v", name, err)
		}
	}
}

// TestExpand: one at a time lists the baseline and then each other value
// of each axis alone; the full grid every combination, last axis fastest.
func TestExpand(t *testing.T) {
	axes := mustAxes(t, "norm=l2scaled,l2,linf;controller=i,pi")
	oat, err := Expand(axes, OneAtATime)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range oat {
		got = append(got, c.String())
	}
	want := []string{"norm=l2scaled controller=i", "norm=l2 controller=i", "norm=linf controller=i", "norm=l2scaled controller=pi"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("one at a time: %q, want %q", got, want)
	}
	full, err := Expand(axes, FullGrid)
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, c := range full {
		got = append(got, c.String())
	}
	want = []string{"norm=l2scaled controller=i", "norm=l2scaled controller=pi", "norm=l2 controller=i",
		"norm=l2 controller=pi", "norm=linf controller=i", "norm=linf controller=pi"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("full: %q, want %q", got, want)
	}
	if none, err := Expand(nil, FullGrid); err != nil || len(none) != 1 || none[0].String() != "baseline" {
		t.Errorf("no axes: %v, %v", none, err)
	}
	for _, s := range []string{"oat", "full"} {
		if m, err := ParseAblateMode(s); err != nil || m.String() != s {
			t.Errorf("ParseAblateMode(%q) = %v, %v", s, m, err)
		}
	}
	if _, err := ParseAblateMode("half"); err == nil {
		t.Error("ParseAblateMode accepted half")
	}
}

// TestAblateGBM: Roberts' pair on gbm, norm × controller over two
// tolerances, 400 paths (well under a second). Every row is complete and
// no path fails. On a scalar problem the three norms coincide (|e/δ| for
// one component), so the linf rows equal the l2scaled rows exactly; the PI
// controller takes other steps. The strong error falls as the tolerance
// tightens: docs/convergence.md measures 0.083 → 0.031 (integral) and
// 0.047 → 0.017 (PI) from 1e-1 to 1e-2 with SEs ≈ 0.0017·√(1000/400) ≈
// 0.003, so the drop exceeds 4·√(se₁² + se₂²) ≈ 0.017 by far (the SE of
// a difference of means over the same paths, taken as if independent:
// both errors grow with the path's |W|, so the true one is smaller).
func TestAblateGBM(t *testing.T) {
	p := ablProblem(t, "gbm")
	var progress int
	res, err := Ablate(context.Background(), p, methods.Roberts{}, []float64{1e-1, 1e-2},
		mustAxes(t, "norm=l2scaled,linf;controller=i,pi"), FullGrid, Settings{Paths: 400, Seed: 3, Progress: func(string) { progress++ }})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 8 || progress != 8 || res.Mode != "full" || res.Method != "roberts" || !strings.HasPrefix(res.ErrorKind, "strong") {
		t.Fatalf("%d rows, %d progress lines, %+v", len(res.Rows), progress, res)
	}
	by := map[string]AblateRow{}
	for _, r := range res.Rows {
		by[r.Setting+" "+fmtTol(r.Tol)] = r
		for name, v := range map[string]float64{"nfe": r.NFEMean, "nfe_se": r.NFESE, "error": r.Error, "error_se": r.ErrorSE,
			"mean_error": r.MeanError, "mean_error_se": r.MeanErrorSE, "var_error": r.VarError, "var_error_se": r.VarErrorSE,
			"w_mean": r.WMean, "w_mean_se": r.WMeanSE, "w_var": r.WVar, "w_var_se": r.WVarSE, "reject_rate": r.RejectRate, "reject_rate_se": r.RejectRateSE} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("%s tol %g: %s = %v", r.Setting, r.Tol, name, v)
			}
		}
		if r.Failed != 0 || r.Status != "success" || r.Paths != 400 || r.Baseline {
			t.Errorf("%s tol %g: failed %d, status %q, paths %d, baseline %v", r.Setting, r.Tol, r.Failed, r.Status, r.Paths, r.Baseline)
		}
		if !(r.RejectRate > 0 && r.RejectRate < 1) {
			t.Errorf("%s tol %g: reject rate %v", r.Setting, r.Tol, r.RejectRate)
		}
		if r.Values["norm"] == "" || r.Values["controller"] == "" {
			t.Errorf("values %v", r.Values)
		}
	}
	for _, ctl := range []string{"i", "pi"} {
		a, b := by["norm=l2scaled controller="+ctl+" 0.1"], by["norm=l2scaled controller="+ctl+" 0.01"]
		if drop, se := a.Error-b.Error, math.Hypot(a.ErrorSE, b.ErrorSE); !(drop > 4*se) {
			t.Errorf("controller %s: error %.4g ± %.2g at 0.1, %.4g ± %.2g at 0.01: no drop", ctl, a.Error, a.ErrorSE, b.Error, b.ErrorSE)
		}
		for _, tol := range []string{"0.1", "0.01"} {
			l2, inf := by["norm=l2scaled controller="+ctl+" "+tol], by["norm=linf controller="+ctl+" "+tol]
			if l2.Error != inf.Error || l2.NFEMean != inf.NFEMean {
				t.Errorf("controller %s tol %s: the norms differ on a scalar problem: %+v vs %+v", ctl, tol, l2, inf)
			}
		}
	}
	if i, pi := by["norm=l2scaled controller=i 0.01"], by["norm=l2scaled controller=pi 0.01"]; i.NFEMean == pi.NFEMean {
		t.Errorf("PI and integral control took the same NFE %v", i.NFEMean)
	}
}

func fmtTol(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// TestAblateNormMatters: on gbm-matrix (8 components) the norms differ:
// the unscaled L2 norm is √8 times the scaled one, so it asks for smaller
// errors and more work; Linf lies in between (max ≤ L2, max ≥ RMS).
func TestAblateNormMatters(t *testing.T) {
	res, err := Ablate(context.Background(), ablProblem(t, "gbm-matrix"), methods.Roberts{}, []float64{1e-2},
		mustAxes(t, "norm=l2scaled,l2,linf"), OneAtATime, Settings{Paths: 100, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 3 || !res.Rows[0].Baseline || res.Rows[1].Baseline {
		t.Fatalf("rows %+v", res.Rows)
	}
	rms, l2, inf := res.Rows[0].NFEMean, res.Rows[1].NFEMean, res.Rows[2].NFEMean
	if !(rms < inf && inf < l2) {
		t.Errorf("NFE: l2scaled %.1f, linf %.1f, l2 %.1f; want increasing", rms, inf, l2)
	}
}

// TestAblateRedraw: the known signature of the paper's redraw source.
// For an exact source (bridge, tree) W₁(T)/√T is N(0, 1) on every path,
// whatever was rejected, so over n = 1000 independent paths its sample
// mean is 0 and its sample variance 1, each within 4 SE but for a chance
// of 6e-5. Redraw keeps the retries of rejected draws, and rejection
// depends on the draw: large increments make large error estimates, so
// docs/brownian.md measures Var W(T)/T = 0.678 ± 0.003 for Roberts' pair on
// gbm at ε = 0.01 (10⁵ paths), some ten SEs (≈ 0.03 at n = 1000) below 1;
// and the estimate also depends on the increment's sign — on gbm it grows
// with the state, which rising increments raise; on ou (from X₀ = 2 above
// μ = 1.2) falling increments add to the drift's fall — so the mean of the
// kept increments moves too, down on gbm and up on ou (docs/ablate.md:
// −0.30 ± 0.03 and +0.78 ± 0.03 at ε = 0.01). So for redraw the same
// bounds must fail. Redraw's strong error on its own path is also the
// smaller one on gbm (0.022 against 0.029 in docs/brownian.md): the error
// signature that hides the bias.
func TestAblateRedraw(t *testing.T) {
	// Each pair under the integral controller the figures were measured
	// with (Roberts' former default, the paper's for ggf): the SDE
	// defaults' 9/8 growth cap leaves ou with no rejections, and so
	// nothing to bias.
	for _, c := range []struct {
		problem, axes string
		method        sdeint.Method
	}{
		{"gbm", "brownian=bridge,tree,redraw;exponent=1;clamps=0.2/10", methods.Roberts{}},
		{"ou", "brownian=bridge,tree,redraw;exponent=0.9;clamps=none", methods.GGF{}},
	} {
		res, err := Ablate(context.Background(), ablProblem(t, c.problem), c.method, []float64{1e-2},
			mustAxes(t, c.axes), OneAtATime, Settings{Paths: 1000, Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Rows {
			t.Logf("%s %s: W(T)/√T mean %+.3f ± %.3f, variance %.3f ± %.3f; error %.4f ± %.4f, mean error %+.3f ± %.3f, NFE %.1f, rejected %.2f",
				c.problem, r.Setting, r.WMean, r.WMeanSE, r.WVar, r.WVarSE, r.Error, r.ErrorSE, r.MeanError, r.MeanErrorSE, r.NFEMean, r.RejectRate)
			exact := r.Values["brownian"] != "redraw"
			if within := math.Abs(r.WMean) <= 4*r.WMeanSE; within != exact {
				t.Errorf("%s %s: mean of W(T)/√T = %.3f ± %.3f", c.problem, r.Setting, r.WMean, r.WMeanSE)
			}
			if c.problem == "gbm" {
				if within := math.Abs(r.WVar-1) <= 4*r.WVarSE; within != exact {
					t.Errorf("%s %s: Var W(T)/T = %.3f ± %.3f", c.problem, r.Setting, r.WVar, r.WVarSE)
				}
			}
		}
		if bridge, redraw := res.Rows[0], res.Rows[2]; c.problem == "gbm" && !(redraw.Error < bridge.Error) {
			t.Errorf("redraw's strong error %.4f not below the bridge's %.4f", redraw.Error, bridge.Error)
		}
	}
}

// TestAblateOU: a problem without a pathwise solution is measured by the
// error of its mean; the paper's pair's ablations (extrapolation, x'prev,
// the Lamba estimate) run on it (additive noise).
func TestAblateOU(t *testing.T) {
	res, err := Ablate(context.Background(), ablProblem(t, "ou"), methods.GGF{}, []float64{1e-2},
		mustAxes(t, "extrap=on,off;prev=on,off;estimate=stochastic,lamba"), OneAtATime, Settings{Paths: 200, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.ErrorKind, "weak") || len(res.Rows) != 4 {
		t.Fatalf("%s, %d rows", res.ErrorKind, len(res.Rows))
	}
	for i, r := range res.Rows {
		if math.Abs(r.Error-math.Abs(r.MeanError)) > 1e-12 || math.IsNaN(r.VarError) || math.IsNaN(r.NFEMean) {
			t.Errorf("%s: error %v, mean error %v, var error %v", r.Setting, r.Error, r.MeanError, r.VarError)
		}
		if i > 0 && r.NFEMean == res.Rows[0].NFEMean && r.Error == res.Rows[0].Error {
			t.Errorf("%s: same NFE and error as the baseline: the setting did nothing", r.Setting)
		}
	}
}

// TestAblateRefusals: invalid settings are refused before any solve.
func TestAblateRefusals(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		problem, axes string
		method        sdeint.Method
		mode          AblateMode
		want          string
	}{
		{"gbm", "exponent=0.5;controller=i,pi", methods.Roberts{}, FullGrid, "not both"},
		{"gbm", "extrap=on,off", methods.Roberts{}, OneAtATime, "ggf only"},
		{"gbm", "norm=linf", methods.GGF{}, OneAtATime, "Stratonovich"},
		{"gbm", "norm=linf", methods.EM{}, OneAtATime, "no error estimate"},
		{"lorenz", "norm=linf", methods.Roberts{}, OneAtATime, "nothing exact"},
	} {
		var solves int
		_, err := Ablate(ctx, ablProblem(t, c.problem), c.method, []float64{1e-2}, mustAxes(t, c.axes), c.mode,
			Settings{Paths: 10, Progress: func(string) { solves++ }})
		if err == nil || !strings.Contains(err.Error(), c.want) || solves != 0 {
			t.Errorf("%s %s %s: %v after %d solves; want an error with %q before any", c.problem, c.method.Properties().Name, c.axes, err, solves, c.want)
		}
	}
	if _, err := Ablate(ctx, ablProblem(t, "gbm"), methods.Roberts{}, nil, nil, OneAtATime, Settings{}); err == nil {
		t.Error("no tolerances accepted")
	}
}

// TestAblateOutputs: JSON rows with their keys, CSV with one column per
// axis, and the plot.
func TestAblateOutputs(t *testing.T) {
	res, err := Ablate(context.Background(), ablProblem(t, "gbm"), methods.Roberts{}, []float64{1e-1, 1e-2},
		mustAxes(t, "clamps=default,0.2/1.125"), OneAtATime, Settings{Paths: 50, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	rows := back["rows"].([]any)
	row := rows[0].(map[string]any)
	for _, k := range []string{"setting", "values", "baseline", "tol", "paths", "failed", "status", "nfe_mean", "nfe_se", "error", "error_se",
		"mean_error", "mean_error_se", "var_error", "var_error_se", "w_mean", "w_mean_se", "w_var", "w_var_se", "reject_rate", "reject_rate_se", "wall_seconds"} {
		if _, ok := row[k]; !ok {
			t.Errorf("JSON row has no %q: %v", k, row)
		}
	}
	if row["values"].(map[string]any)["clamps"] != "default" || len(rows) != 4 {
		t.Errorf("JSON rows: %v", rows)
	}
	var buf bytes.Buffer
	if err := res.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(recs) != 5 || recs[0][5] != "clamps" || recs[3][5] != "0.2/1.125" {
		t.Errorf("CSV: %v, %v", recs, err)
	}
	path := filepath.Join(t.TempDir(), "ablate.png")
	if err := WriteAblatePlot(path, res); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() < 1000 {
		t.Errorf("plot: %v, %v", fi, err)
	}
}
