package main

import (
	"math"
	"strings"
	"testing"
)

// checkKeys are the keys every gofast brownian-check -json object has.
var checkKeys = []string{
	"brownian", "problem", "method", "paths", "seed", "t_mid", "rtol", "atol",
	"rejection_rate", "w_var", "w_var_se", "w_mid_var", "w_mid_var_se",
	"w_inc_var", "w_inc_var_se", "w_corr", "w_corr_se", "ks_p",
	"nfe_mean", "wall_seconds", "max_deviation_se", "consistent",
}

// checkJSON runs gofast brownian-check -json with args, requires exit
// status 0 and returns the decoded object.
func checkJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	code, out, errs := runArgs(t, append([]string{"brownian-check", "-json"}, args...)...)
	if code != 0 {
		t.Fatalf("gofast brownian-check -json %s: exit %d, stderr:\n%s", strings.Join(args, " "), code, errs)
	}
	return decodeOne(t, out)
}

// within requires m's statistic key to be within k of its own standard
// errors (key_se) of want.
func within(t *testing.T, m map[string]any, key string, want, k float64) {
	t.Helper()
	v, se := number(t, m, key), number(t, m, key+"_se")
	if !(se > 0) || math.Abs(v-want) > k*se {
		t.Errorf("%s %s = %v ± %v, more than %g SE from %v", m["brownian"], key, v, se, k, want)
	}
}

// TestBrownianCheckBridge: the bridge is exact under rejection, so every
// statistic is within a few SE of its exact value. At -paths 5000, seed 1,
// the run gives Var W(t_m)/t_m 0.954 ± 0.020, Var(W(1)−W(t_m))/(1−t_m)
// 1.066 ± 0.021 (+3.1 SE, the largest), Var W(1) 1.037 ± 0.021, corr
// 0.027 ± 0.014 and KS p 0.20, with 39% of the attempted steps rejected.
func TestBrownianCheckBridge(t *testing.T) {
	m := checkJSON(t, "-paths", "5000")
	for _, k := range checkKeys {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks key %q", k)
		}
	}
	if m["brownian"] != "bridge" || m["problem"] != "gbm" || m["method"] != "roberts" ||
		number(t, m, "paths") != 5000 || number(t, m, "seed") != 1 || number(t, m, "t_mid") != 0.5 ||
		number(t, m, "rtol") != 0.01 || number(t, m, "atol") != 0.01 {
		t.Errorf("unexpected settings: brownian %v, problem %v, method %v, paths %v, seed %v, t_mid %v, rtol %v, atol %v",
			m["brownian"], m["problem"], m["method"], m["paths"], m["seed"], m["t_mid"], m["rtol"], m["atol"])
	}
	if _, ok := m["tree_tol"]; ok {
		t.Errorf("bridge: tree_tol = %v, want no such key", m["tree_tol"])
	}
	// The check is only a check if steps are rejected.
	if r := number(t, m, "rejection_rate"); !(r > 0.1 && r < 1) {
		t.Errorf("rejection_rate = %v, want well above 0", r)
	}
	for _, k := range []string{"w_var", "w_mid_var", "w_inc_var"} {
		within(t, m, k, 1, 5)
	}
	within(t, m, "w_corr", 0, 5)
	if p := number(t, m, "ks_p"); !(p > 1e-3) {
		t.Errorf("ks_p = %v, want > 0.001", p)
	}
	if m["consistent"] != true {
		t.Errorf("consistent = %v, want true", m["consistent"])
	}
}

// TestBrownianCheckRedraw: redraw forgets rejected draws, which shrinks
// the variances. At -paths 5000, seed 1: Var W(1) = 0.674 ± 0.013
// (−24.5 SE), Var W(t_m)/t_m 0.657 ± 0.013, Var(W(1)−W(t_m))/(1−t_m)
// 0.648 ± 0.012, KS p ≈ 1e-63; at the default 10⁵ paths Var W(1) =
// 0.678 ± 0.003.
func TestBrownianCheckRedraw(t *testing.T) {
	m := checkJSON(t, "-paths", "5000", "-brownian", "redraw")
	if m["brownian"] != "redraw" {
		t.Errorf("brownian = %v, want redraw", m["brownian"])
	}
	for _, k := range []string{"w_var", "w_mid_var", "w_inc_var"} {
		if v, se := number(t, m, k), number(t, m, k+"_se"); !(v < 1-4*se) {
			t.Errorf("redraw: %s = %v ± %v, want below 1 by more than 4 SE", k, v, se)
		}
	}
	if p := number(t, m, "ks_p"); !(p < 1e-3) {
		t.Errorf("redraw: ks_p = %v, want < 0.001", p)
	}
	if m["consistent"] != false || !(number(t, m, "max_deviation_se") > 4) {
		t.Errorf("redraw: consistent %v, max_deviation_se %v; want false, > 4", m["consistent"], m["max_deviation_se"])
	}
}

func TestBrownianCheckSummary(t *testing.T) {
	code, out, errs := runArgs(t, "brownian-check", "-paths", "2000")
	if code != 0 {
		t.Fatalf("brownian-check: exit %d, stderr:\n%s", code, errs)
	}
	for _, want := range []string{"bridge", "gbm", "roberts", "2000", "t_m = 0.5", "rejected",
		"Var W(t_m)/(t_m−T0)", "Var(W(T1)−W(t_m))/(T1−t_m)", "Var W(T1)/(T1−T0)", "corr(W(t_m), W(T1)−W(t_m))",
		"SE from 1", "KS p-value", "consistent with an exact Brownian path (all within 4 SE, KS p > 0.001)"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary does not mention %q:\n%s", want, out)
		}
	}
	// A biased source still exits 0: the check is a diagnostic.
	code, out, errs = runArgs(t, "brownian-check", "-paths", "2000", "-brownian", "redraw")
	if code != 0 {
		t.Fatalf("brownian-check -brownian redraw: exit %d, stderr:\n%s", code, errs)
	}
	for _, want := range []string{"NOT consistent: ", "Var W(T1)/(T1−T0) is -", "KS p = "} {
		if !strings.Contains(out, want) {
			t.Errorf("redraw summary does not mention %q:\n%s", want, out)
		}
	}
}

func TestBrownianCheckTree(t *testing.T) {
	m := checkJSON(t, "-paths", "2000", "-brownian", "tree")
	if m["brownian"] != "tree" || number(t, m, "tree_tol") != 1e-6 {
		t.Errorf("brownian %v, tree_tol %v; want tree, 1e-6", m["brownian"], m["tree_tol"])
	}
	within(t, m, "w_var", 1, 5)
	m = checkJSON(t, "-paths", "2000", "-brownian", "tree", "-tree-tol", "1e-3")
	if number(t, m, "tree_tol") != 1e-3 {
		t.Errorf("-tree-tol 1e-3: tree_tol %v", m["tree_tol"])
	}
}

func TestBrownianCheckRefusals(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string // in the message
	}{
		{[]string{"-brownian", "grid"}, []string{"grid", "fixed steps", "adaptive", "bridge", "tree"}},
		{[]string{"-brownian", "nosuchname"}, []string{"nosuchname", "bridge", "tree", "redraw"}},
		{[]string{"-tree-tol", "1e-3"}, []string{"-tree-tol", "tree"}},
		{[]string{"-brownian", "redraw", "-tree-tol", "1e-3"}, []string{"-tree-tol", "tree"}},
		{[]string{"-brownian", "tree", "-tree-tol", "0"}, []string{"-tree-tol"}},
		{[]string{"-method", "em"}, []string{"em", "adaptive"}},
		{[]string{"-problem", "nosuchname"}, []string{"nosuchname", "gbm"}},
		{[]string{"-paths", "5"}, []string{"-paths"}},
		{[]string{"-rtol", "0"}, []string{"-rtol"}},
		{[]string{"-atol", "-1"}, []string{"-atol"}},
		{[]string{"-workers", "-1"}, []string{"-workers"}},
		{[]string{"-nosuchflag"}, []string{"nosuchflag"}},
		{[]string{"extra-argument"}, []string{"extra-argument"}},
		{[]string{"-bias-table", "-brownian", "redraw"}, []string{"-bias-table", "-brownian"}},
		{[]string{"-bias-table", "-paths", "100", "-problem", "ou", "-rtol", "0.1"}, []string{"-bias-table", "-problem, -rtol"}},
		{[]string{"-atol", "0.1", "-method", "ggf", "-tree-tol", "1e-3", "-bias-table"}, []string{"-bias-table", "-method", "-atol", "-tree-tol"}},
	} {
		code, out, errs := runArgs(t, append([]string{"brownian-check"}, c.args...)...)
		if code != 2 || out != "" {
			t.Errorf("brownian-check %s: exit %d, stdout %q; want 2 and no output", strings.Join(c.args, " "), code, out)
		}
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("brownian-check %s: message does not mention %q:\n%s", strings.Join(c.args, " "), w, errs)
			}
		}
	}
	// A method the problem refuses is a solve error.
	code, out, errs := runArgs(t, "brownian-check", "-problem", "gbm", "-method", "ggf", "-paths", "100")
	if code != 1 || out != "" || !strings.Contains(errs, "Stratonovich") || !strings.Contains(errs, "roberts") {
		t.Errorf("ggf on Itô GBM: exit %d, stdout %q, stderr %q; want 1 and a message naming the default method", code, out, errs)
	}
}

func TestBrownianCheckHelp(t *testing.T) {
	code, out, _ := runArgs(t, "help", "brownian-check")
	if code != 0 {
		t.Fatalf("gofast help brownian-check: exit %d", code)
	}
	for _, want := range []string{"W(t_m)", "W(T1)−W(t_m)", "1 is exact", "corr", "Kolmogorov–Smirnov",
		"pure function of time", "-tree-tol", "-paths", "-json", "0 whatever the verdict"} {
		if !strings.Contains(out, want) {
			t.Errorf("help does not mention %q:\n%s", want, out)
		}
	}
}

// TestBiasTable: -bias-table prints the markdown table of docs/brownian.md,
// one row per case, tolerance and source.
func TestBiasTable(t *testing.T) {
	code, out, errs := runArgs(t, "brownian-check", "-bias-table", "-paths", "200")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if got, want := strings.Count(out, "\n"), 2+3*3*2; got != want {
		t.Errorf("%d lines, want %d:\n%s", got, want, out)
	}
	if !strings.Contains(out, "| gbm-strat | ggf | 0.1 | bridge |") {
		t.Errorf("missing the gbm-strat/ggf bridge row at 0.1:\n%s", out)
	}
}
