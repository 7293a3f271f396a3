package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConvergenceJSON: gofast convergence -json prints the documented keys
// and an order near ½ for EM on gbm; -plot writes a PNG.
func TestConvergenceJSON(t *testing.T) {
	png := filepath.Join(t.TempDir(), "c.png")
	code, out, errs := runArgs(t, "convergence", "-problem", "gbm", "-method", "em", "-paths", "300", "-dts", "0.125,0.0625,0.03125,0.015625", "-json", "-plot", png)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, k := range []string{"problem", "method", "kind", "paths", "seed", "rows", "order", "order_se"} {
		if _, ok := r[k]; !ok {
			t.Errorf("missing key %q", k)
		}
	}
	rows := r["rows"].([]any)
	for _, k := range []string{"dt", "error", "error_se", "nfe_mean"} {
		if _, ok := rows[0].(map[string]any)[k]; !ok {
			t.Errorf("rows lack %q", k)
		}
	}
	if o := r["order"].(float64); o < 0.2 || o > 0.8 {
		t.Errorf("EM order on gbm %v", o)
	}
	if b, err := os.ReadFile(png); err != nil || string(b[1:4]) != "PNG" {
		t.Errorf("no PNG: %v", err)
	}
}

// TestWorkPrecisionCLI: gofast workprecision prints one row per method and
// tolerance; usage errors exit 2.
func TestWorkPrecisionCLI(t *testing.T) {
	code, out, errs := runArgs(t, "workprecision", "-problem", "gbm-strat", "-methods", "ggf", "-tols", "0.1,0.01", "-steps", "", "-paths", "200", "-json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var wp struct {
		Problem string           `json:"problem"`
		Rows    []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &wp); err != nil || len(wp.Rows) != 2 {
		t.Fatalf("%v: %s", err, out)
	}
	for _, k := range []string{"method", "controller", "tol", "error", "error_se", "mean_error", "mean_error_se", "var_error", "var_error_se", "nfe_mean", "wall_seconds"} {
		if _, ok := wp.Rows[0][k]; !ok {
			t.Errorf("rows lack %q", k)
		}
	}
	for _, args := range [][]string{
		{"workprecision", "-methods", "em", "-steps", ""},
		{"workprecision", "-tols", "x"},
		{"convergence", "-kind", "medium"},
		{"convergence", "-dts", "0.3,0.1"},
		{"convergence", "-dts", "0.5,0.5"},
		{"convergence", "-dts", "0.5,0.5,0.5", "-kind", "weak"},
		{"convergence", "-dts", "0.5"},
		{"convergence", "-dts", ","},
		{"convergence", "-dts", "0,0.5"},
		{"convergence", "-dts", "NaN,0.5"},
		{"convergence", "-dts", "0.00024396194193705782,0.000244081034903588"}, // 1/4099, 1/4097: a grid above 2²⁴ cells
		{"workprecision", "-controllers", "pid:1e308/1e308/0"},                 // β1 overflows
		{"convergence", "-method", "ggf"},
		{"convergence", "-problem", "lorenz"},
		{"convergence", "-paths", "1"},
		{"convergence", "-phi", "x1"},
		{"convergence", "-kind", "weak", "-phi", "x9"},
		{"convergence", "-json", "-csv"},
		{"workprecision", "-controllers", "pid:1"},
		{"workprecision", "-brownian", "grid"},
	} {
		if code, _, errs := runArgs(t, args...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, strings.TrimSpace(errs))
		}
	}
}

// TestStudiesCSV: -csv prints a header and one line per row; the
// work–precision study runs one row per controller; a convergence study
// with few paths works; an unstable coarse step says what to try.
func TestStudiesCSV(t *testing.T) {
	code, out, errs := runArgs(t, "convergence", "-problem", "weak-sinh", "-method", "em", "-kind", "weak", "-phi", "0", "-exact", "-paths", "5", "-csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 6 || !strings.HasPrefix(lines[0], "problem,method,kind") || !strings.HasPrefix(lines[1], "weak-sinh,em,weak,5,") {
		t.Errorf("convergence CSV:\n%s", out)
	}
	code, out, errs = runArgs(t, "workprecision", "-problem", "gbm", "-methods", "roberts", "-controllers", "i,pi", "-tols", "0.1,0.01", "-steps", "", "-paths", "50", "-csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.Contains(lines[0], "controller") || !strings.Contains(lines[3], ",roberts,adaptive,pi,0.1,") {
		t.Errorf("workprecision CSV:\n%s", out)
	}
	code, _, errs = runArgs(t, "convergence", "-problem", "stiff-quadratic", "-method", "em", "-paths", "200")
	if code != 1 || !strings.Contains(errs, "try smaller -dts") {
		t.Errorf("stiff-quadratic with dt 1/8: exit %d, %s", code, errs)
	}
}
