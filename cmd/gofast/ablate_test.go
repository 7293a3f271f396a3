package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAblateUsageErrors: every usage error exits 2 before any work: no
// progress on stderr and nothing on stdout.
func TestAblateUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-axes", "norm=l3"},
		{"-axes", "colour=red"},
		{"-grid", "half"},
		{"-json", "-csv"},
		{"-tols", "0,1e-2"},
		{"-paths", "1"},
		{"-problem", "nope"},
		{"-problem", "lorenz"},
		{"-method", "em"},
		{"-method", "nope"},
		{"-method", "roberts", "-axes", "extrap=on,off"},
		{"-method", "ggf", "-problem", "gbm"},
		{"-axes", "exponent=0.5;controller=i,pi", "-grid", "full"},
		{"-n", "100"},
		{"-denoise"},
		{"extra"},
		{"-bench", "gmm2d"},
		{"-bench", "gmm3d-vp"},
		{"-bench", "gmm2d-xx"},
		{"-bench", "gmm2d-vp", "-paths", "10"},
		{"-bench", "gmm2d-vp", "-problem", "gbm"},
		{"-bench", "gmm2d-vp", "-method", "ggf"},
		{"-bench", "gmm2d-vp", "-n", "1"},
		{"-bench", "gmm2d-vp", "-n", "2"},
		{"-bench", "gmm2d-vp", "-axes", "exponent=0.5;controller=pi"},
		{"-bench", "gmm2d-vp", "-axes", "first=probed,0.1"},
		{"-bench", "gmm2d-vp", "-n", "99999999999"},
		{"-bench", "gmm2d-vp", "-tols", "x"},
		{"-bogus"},
	} {
		code, out, errs := runArgs(t, append([]string{"ablate"}, args...)...)
		if code != 2 || out != "" || strings.Contains(errs, "gofast ablate: [") {
			t.Errorf("gofast ablate %q: exit %d, stdout %q, stderr %q; want 2 before any work", args, code, out, errs)
		}
	}
	code, out, _ := runArgs(t, "help", "ablate")
	if code != 0 || !strings.Contains(out, "controller  i, pi, pid:P/I/D") || !strings.Contains(out, "-grid") {
		t.Errorf("gofast help ablate: exit %d:\n%s", code, out)
	}
}

// TestAblateSDE: the table, the JSON object with its keys and the CSV of a
// small ablation of Roberts' pair on gbm.
func TestAblateSDE(t *testing.T) {
	args := []string{"ablate", "-problem", "gbm", "-method", "roberts", "-tols", "1e-1,1e-2", "-axes", "clamps=default,0.2/1.125;controller=i,pi", "-paths", "100"}
	code, out, errs := runArgs(t, args...)
	if code != 0 || !strings.Contains(out, "**roberts on gbm** (oat), 100 paths") || strings.Count(out, "\n| ") != 1+6 ||
		!strings.Contains(out, "| 0.2/1.125 | i | 0.01 |") || !strings.Contains(out, "| default (baseline) | i | 0.1 |") || !strings.Contains(errs, "[clamps=default controller=pi]: tolerance 0.01") {
		t.Errorf("table: exit %d\n%s\nstderr:\n%s", code, out, errs)
	}
	code, out, _ = runArgs(t, append(args, "-json", "-grid", "full")...)
	var res struct {
		Problem, Method, Mode string
		Paths                 int
		Axes                  []struct {
			Name   string
			Values []string
		}
		Rows []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 {
		t.Fatalf("JSON: exit %d, %v\n%s", code, err, out)
	}
	if res.Problem != "gbm" || res.Method != "roberts" || res.Mode != "full" || res.Paths != 100 || len(res.Axes) != 2 || len(res.Rows) != 8 {
		t.Errorf("JSON: %+v", res)
	}
	for _, k := range []string{"setting", "values", "baseline", "tol", "paths", "failed", "status", "nfe_mean", "nfe_se", "error", "error_se",
		"mean_error", "mean_error_se", "var_error", "var_error_se", "w_mean", "w_mean_se", "w_var", "w_var_se", "reject_rate", "reject_rate_se", "wall_seconds"} {
		if _, ok := res.Rows[0][k]; !ok {
			t.Errorf("JSON row has no %q", k)
		}
	}
	code, out, _ = runArgs(t, append(args, "-csv")...)
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(recs) != 7 || recs[0][5] != "clamps" || recs[0][6] != "controller" {
		t.Errorf("CSV: exit %d, %v\n%s", code, err, out)
	}
}

// TestAblateBenchCLI: the diffusion ablation's table and JSON on a tiny
// gmm2d run, and exit 1 when the plot cannot be written (the rows are still
// printed).
func TestAblateBenchCLI(t *testing.T) {
	args := []string{"ablate", "-bench", "gmm2d-vp", "-n", "200", "-tols", "0.05", "-axes", "extrap=on,off"}
	code, out, _ := runArgs(t, args...)
	if code != 0 || !strings.Contains(out, "| sampler | extrap | ε_rel |") || !strings.Contains(out, "| adaptive (baseline) | on | 0.05 |") ||
		!strings.Contains(out, "| EM 1000 |") {
		t.Errorf("table: exit %d\n%s", code, out)
	}
	code, out, _ = runArgs(t, append(args, "-json")...)
	var res struct {
		Data, SDE string
		N         int
		Rows      []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 {
		t.Fatalf("JSON: exit %d, %v\n%s", code, err, out)
	}
	if res.Data != "gmm2d" || res.SDE != "vp" || res.N != 200 || len(res.Rows) != 5 {
		t.Errorf("JSON: %+v", res)
	}
	for _, k := range []string{"setting", "variant", "values", "baseline", "nfe_mean", "dispersion", "dispersion_se", "dispersion_diff_se",
		"mode_tv", "equal_quality", "vs_em1000_nfe_ratio"} {
		if _, ok := res.Rows[2][k]; !ok {
			t.Errorf("JSON row has no %q", k)
		}
	}
	if v := res.Rows[3]["equal_quality"]; v != "yes" && v != "no" && v != "not resolved" {
		t.Errorf("verdict %v", v)
	}
	code, out, _ = runArgs(t, append(args, "-csv")...)
	if recs, err := csv.NewReader(strings.NewReader(out)).ReadAll(); code != 0 || err != nil || len(recs) != 6 || recs[0][8] != "extrap" {
		t.Errorf("CSV: exit %d, %v\n%s", code, err, out)
	}
	dir := t.TempDir()
	code, out, errs := runArgs(t, append(args, "-plot", filepath.Join(dir, "no", "such", "dir.png"))...)
	if code != 1 || !strings.Contains(out, "| EM 1000 |") || !strings.Contains(errs, "plot") {
		t.Errorf("unwritable plot: exit %d, stderr %q", code, errs)
	}
	png := filepath.Join(dir, "a.png")
	if code, _, _ := runArgs(t, "ablate", "-problem", "ou", "-method", "ggf", "-tols", "1e-1,1e-2", "-paths", "50", "-axes", "prev=on,off", "-plot", png); code != 0 {
		t.Errorf("SDE plot: exit %d", code)
	}
	if fi, err := os.Stat(png); err != nil || fi.Size() < 1000 {
		t.Errorf("SDE plot: %v, %v", fi, err)
	}
}
