package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gofast-sde/gofast/convergence"
	"github.com/gofast-sde/gofast/diffusion"
)

// TestAblate runs a one-at-a-time ablation of the paper's pair on gmm2d VP
// with 200 samples at ε_rel = 0.05 (about a second): the references, one
// row per setting with its values, then exact; the baseline is the
// adaptive sampler of diffusion.Sample sample for sample; every adaptive
// row has its paired SE against EM-1000, a verdict and an NFE ratio; the
// settings change the run; JSON, markdown and plot are written.
func TestAblate(t *testing.T) {
	axes, err := convergence.ParseAxes("norm=l2scaled,linf;extrap=on,off;brownian=bridge,redraw;controller=default,pi")
	if err != nil {
		t.Fatal(err)
	}
	cfg := AblateConfig{Data: "gmm2d", Kind: diffusion.VP, N: 200, Seed: 1, EpsRels: []float64{0.05}, Axes: axes}
	var lines int
	cfg.Progress = func(string) { lines++ }
	rows, err := Ablate(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"EM 1000", "EM 100", "adaptive 0.05 norm=l2scaled extrap=on brownian=bridge controller=default",
		"adaptive 0.05 norm=linf extrap=on brownian=bridge controller=default", "adaptive 0.05 norm=l2scaled extrap=off brownian=bridge controller=default",
		"adaptive 0.05 norm=l2scaled extrap=on brownian=redraw controller=default", "adaptive 0.05 norm=l2scaled extrap=on brownian=bridge controller=pi", "exact"}
	if len(rows) != len(want) || lines < len(rows) {
		t.Fatalf("%d rows, %d progress lines", len(rows), lines)
	}
	for i, r := range rows {
		if r.Setting != want[i] {
			t.Errorf("row %d: %q, want %q", i, r.Setting, want[i])
		}
		if r.Status != "success" || math.IsNaN(r.Dispersion) || math.IsNaN(r.ModeTV) {
			t.Errorf("%s: status %q, dispersion %v, mode TV %v", r.Setting, r.Status, r.Dispersion, r.ModeTV)
		}
		adaptive := r.Sampler == "adaptive"
		if adaptive != (r.Values != nil) || r.Baseline != (i == 2) {
			t.Errorf("%s: values %v, baseline %v", r.Setting, r.Values, r.Baseline)
		}
		if adaptive {
			if r.EqualQuality == "" || r.VsEM1000NFERatio == nil || !(r.DispersionDiffSE > 0) || !(r.ModeTVDiffSE >= 0) {
				t.Errorf("%s: verdict %q, ratio %v, paired SEs %v %v", r.Setting, r.EqualQuality, r.VsEM1000NFERatio, r.DispersionDiffSE, r.ModeTVDiffSE)
			}
			if i > 2 && r.NFEMean == rows[2].NFEMean && r.Dispersion == rows[2].Dispersion {
				t.Errorf("%s: same NFE and dispersion as the baseline", r.Setting)
			}
		}
	}
	if rows[5].Brownian != "redraw" || !math.IsNaN(rows[6].R) || rows[2].R != 0.9 {
		t.Errorf("brownian %q, r %v and %v", rows[5].Brownian, rows[6].R, rows[2].R)
	}
	// The baseline is the benchmark's adaptive sampler.
	ev := NewEvaluator(diffusion.NewSDE(diffusion.VP), mustExact(t, diffusion.VP), 200, false, 0)
	s := diffusion.Settings{N: 200, Seed: 1, RTol: 0.05}
	sde := diffusion.NewSDE(diffusion.VP)
	ex := mustExact(t, diffusion.VP)
	res, err := diffusion.Sample(context.Background(), sde, ex, ex, 2, s)
	if err != nil {
		t.Fatal(err)
	}
	ref := NewRow("gmm2d", sde, s, res, err, ev)
	if ref.NFEMean != rows[2].NFEMean || ref.Dispersion != rows[2].Dispersion || ref.FD != rows[2].FD {
		t.Errorf("baseline NFE %v, dispersion %v, FD %v; diffusion.Sample: %v, %v, %v", rows[2].NFEMean, rows[2].Dispersion, rows[2].FD,
			ref.NFEMean, ref.Dispersion, ref.FD)
	}

	b, err := json.Marshal(rows[3])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"setting", "nfe_mean", "dispersion", "equal_quality", "dispersion_diff_se", "variant", "values", "baseline"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON has no %q: %s", k, b)
		}
	}
	if m["values"].(map[string]any)["norm"] != "linf" || m["variant"] != "norm=linf extrap=on brownian=bridge controller=default" {
		t.Errorf("JSON: %s", b)
	}
	var md bytes.Buffer
	if err := WriteAblateMarkdown(&md, rows, axes); err != nil {
		t.Fatal(err)
	}
	lines = strings.Count(md.String(), "\n| ")
	if !strings.Contains(md.String(), "| sampler | norm | extrap | brownian | controller | ε_rel |") || lines != len(rows)+1 {
		t.Errorf("markdown (%d table lines):\n%s", lines, md.String())
	}
	path := filepath.Join(t.TempDir(), "ablate.png")
	if err := WriteAblatePlot(path, rows); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() < 1000 {
		t.Errorf("plot: %v, %v", fi, err)
	}
}

func mustExact(t *testing.T, k diffusion.Kind) *diffusion.Exact {
	t.Helper()
	mix, err := diffusion.DataByName("gmm2d")
	if err != nil {
		t.Fatal(err)
	}
	ex, err := diffusion.NewExact(diffusion.NewSDE(k), mix)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// TestAblateRefusals: invalid settings fail before any run, and so does
// the first-step axis, which sampling pins.
func TestAblateRefusals(t *testing.T) {
	for _, s := range []string{"exponent=0.5;controller=default,pi", "rule=mainstream;safety=0.8;clamps=0.5/1.5;exponent=0.9;controller=pid:0/1/0", "first=probed,0.1"} {
		axes, err := convergence.ParseAxes(s)
		if err != nil {
			t.Fatal(err)
		}
		var lines int
		cfg := AblateConfig{Data: "gmm2d", Kind: diffusion.VP, N: 10, Axes: axes, Mode: convergence.FullGrid,
			Progress: func(string) { lines++ }}
		if err := cfg.Check(); err == nil {
			t.Errorf("%s: Check accepts it", s)
		}
		_, err = Ablate(context.Background(), cfg)
		if err == nil || lines != 0 {
			t.Errorf("%s: %v after %d runs", s, err, lines)
		}
	}
	axes, err := convergence.ParseAxes("norm=l2scaled,linf;safety=0.8")
	if err != nil {
		t.Fatal(err)
	}
	if err := (AblateConfig{Data: "gmm2d", Kind: diffusion.VP, N: 10, Axes: axes}).Check(); err != nil {
		t.Errorf("Check refuses a valid ablation: %v", err)
	}
	if err := (AblateConfig{Data: "gmm2d", Kind: diffusion.VP, N: 1 << 40}).Check(); err == nil {
		t.Error("Check accepts n = 2⁴⁰ (terabytes)")
	}
	if _, err := Ablate(context.Background(), AblateConfig{Data: "nope", Kind: diffusion.VP}); err == nil {
		t.Error("unknown data accepted")
	}
	if _, err := Ablate(context.Background(), AblateConfig{Data: "gmm2d", Kind: diffusion.VP, EpsRels: []float64{-1}}); err == nil {
		t.Error("negative ε_rel accepted")
	}
}
