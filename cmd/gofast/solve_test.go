package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// requiredKeys are the keys every gofast solve -json object has.
var requiredKeys = []string{
	"problem", "method", "brownian", "paths", "seed", "rtol", "atol", "status",
	"nfe_mean", "nfe_max", "accepted_mean", "rejected_mean", "probes_mean", "strong_error",
	"w_mean", "w_var", "wall_seconds",
	"strong_error_se", "w_var_se", "x_mean", "x_mean_se", "x_mean_exact",
	"steps", "shared_step", "override",
}

// solveJSON runs gofast solve -json with args, requires exit status 0 and
// returns the decoded object.
func solveJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	code, out, errs := runArgs(t, append([]string{"solve", "-json"}, args...)...)
	if code != 0 {
		t.Fatalf("gofast solve -json %s: exit %d, stderr:\n%s", strings.Join(args, " "), code, errs)
	}
	return decodeOne(t, out)
}

// decodeOne decodes out, which must hold exactly one JSON object.
func decodeOne(t *testing.T, out string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("output is not a JSON object: %v\n%s", err, out)
	}
	if dec.More() {
		t.Fatalf("output holds more than one JSON value:\n%s", out)
	}
	return m
}

func number(t *testing.T, m map[string]any, key string) float64 {
	t.Helper()
	v, ok := m[key].(float64)
	if !ok {
		t.Fatalf("%s = %v (%T), want a number", key, m[key], m[key])
	}
	return v
}

func TestSolveDefaultSummary(t *testing.T) {
	code, out, errs := runArgs(t, "solve")
	if code != 0 {
		t.Fatalf("gofast solve: exit %d, stderr:\n%s", code, errs)
	}
	for _, want := range []string{"gbm", "geometric Brownian motion", "sriw1", "bridge", "1000", "success", "NFE", "strong error", "W(T)", "exact"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary does not mention %q:\n%s", want, out)
		}
	}
}

func TestSolveJSON(t *testing.T) {
	m := solveJSON(t) // the defaults: GBM, SRIW1 (methods.Default), bridge, 1000 paths
	for _, k := range requiredKeys {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks key %q", k)
		}
	}
	if m["problem"] != "gbm" || m["method"] != "sriw1" || m["brownian"] != "bridge" || m["status"] != "success" || m["override"] != "" {
		t.Errorf("unexpected defaults: problem %v, method %v, brownian %v, status %v, override %q",
			m["problem"], m["method"], m["brownian"], m["status"], m["override"])
	}
	if number(t, m, "paths") != 1000 || number(t, m, "seed") != 1 || number(t, m, "steps") != 0 {
		t.Errorf("paths %v, seed %v, steps %v; want 1000, 1, 0", m["paths"], m["seed"], m["steps"])
	}
	if nfe := number(t, m, "nfe_mean"); !(nfe > 0) || number(t, m, "nfe_max") < nfe {
		t.Errorf("nfe_mean %v, nfe_max %v", m["nfe_mean"], m["nfe_max"])
	}
	// The bridge keeps W Brownian under rejection: W(T)/√T ~ N(0, 1).
	wv, wse := number(t, m, "w_var"), number(t, m, "w_var_se")
	if math.Abs(wv-1) > 5*wse {
		t.Errorf("w_var = %v ± %v, more than 5 SE from 1", wv, wse)
	}
	wm, wmse := number(t, m, "w_mean"), number(t, m, "w_mean_se")
	if math.Abs(wm) > 5*wmse {
		t.Errorf("w_mean = %v ± %v, more than 5 SE from 0", wm, wmse)
	}
	if se := number(t, m, "strong_error_se"); !(number(t, m, "strong_error") > 0) || !(se > 0) {
		t.Errorf("strong_error %v ± %v, want positive", m["strong_error"], m["strong_error_se"])
	}
	if number(t, m, "x_mean_exact") != 0.5*math.Exp(1.01) {
		t.Errorf("x_mean_exact = %v, want 0.5 e^1.01", m["x_mean_exact"])
	}
}

func TestSolveStrongErrorNullWithoutSolution(t *testing.T) {
	ou := solveJSON(t, "-problem", "ou", "-paths", "200")
	if v, ok := ou["strong_error"]; !ok || v != nil {
		t.Errorf("ou: strong_error = %v, want null (no exact solution)", v)
	}
	if v, ok := ou["strong_error_se"]; !ok || v != nil {
		t.Errorf("ou: strong_error_se = %v, want null", v)
	}
	if ou["method"] != "sosra" {
		t.Errorf("ou (additive noise): default method %v, want sosra", ou["method"])
	}
	number(t, ou, "x_mean_exact") // OU knows its mean
	gbm := solveJSON(t, "-problem", "gbm", "-paths", "200")
	number(t, gbm, "strong_error")
}

func TestSolveEMNeedsSteps(t *testing.T) {
	code, out, errs := runArgs(t, "solve", "-method", "em", "-paths", "200")
	if code == 0 || out != "" {
		t.Fatalf("-method em without -steps: exit %d, stdout %q; want an error", code, out)
	}
	if !strings.Contains(errs, "-steps") || !strings.Contains(errs, "em") {
		t.Errorf("-method em without -steps: error does not point to -steps:\n%s", errs)
	}
	m := solveJSON(t, "-method", "em", "-steps", "100", "-paths", "200")
	if m["method"] != "em" || number(t, m, "steps") != 100 || number(t, m, "nfe_mean") != 100 ||
		number(t, m, "accepted_mean") != 100 || number(t, m, "rejected_mean") != 0 {
		t.Errorf("-method em -steps 100: method %v, steps %v, nfe_mean %v, accepted %v, rejected %v",
			m["method"], m["steps"], m["nfe_mean"], m["accepted_mean"], m["rejected_mean"])
	}
}

func TestSolveRefusalAndOverride(t *testing.T) {
	code, out, errs := runArgs(t, "solve", "-method", "ggf", "-problem", "gbm", "-paths", "200")
	if code != 2 || out != "" {
		t.Fatalf("ggf on Itô GBM: exit %d, stdout %q; want 2 and no output", code, out)
	}
	if !strings.Contains(errs, "Stratonovich") || !strings.Contains(errs, "-override") {
		t.Errorf("ggf on Itô GBM: message does not mention Stratonovich and -override:\n%s", errs)
	}
	m := solveJSON(t, "-method", "ggf", "-problem", "gbm", "-paths", "200", "-override")
	if s, _ := m["override"].(string); s == "" {
		t.Errorf("-override: override = %q, want the overridden refusal", m["override"])
	}
	if m["method"] != "ggf" || m["status"] != "success" {
		t.Errorf("-override: method %v, status %v", m["method"], m["status"])
	}
}

func TestSolveUnknownNames(t *testing.T) {
	cases := []struct {
		flag  string
		valid []string
	}{
		{"-problem", problems.Names()},
		{"-method", methods.Names()},
		{"-brownian", []string{"bridge", "tree", "redraw", "grid"}},
		{"-norm", []string{"l2scaled", "l2", "linf"}},
	}
	for _, c := range cases {
		code, out, errs := runArgs(t, "solve", c.flag, "nosuchname")
		if code != 2 || out != "" {
			t.Errorf("%s nosuchname: exit %d, stdout %q; want 2 and no output", c.flag, code, out)
		}
		if !strings.Contains(errs, "nosuchname") {
			t.Errorf("%s nosuchname: message does not name the bad value:\n%s", c.flag, errs)
		}
		for _, v := range c.valid {
			if !strings.Contains(errs, v) {
				t.Errorf("%s nosuchname: message does not list %q:\n%s", c.flag, v, errs)
			}
		}
	}
}

func TestSolveUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-no-extrapolation"}, // default method for GBM is sriw1
		{"-no-extrapolation", "-method", "roberts", "-problem", "ou"},
		{"-paths", "0"},
		{"-rtol", "-1"},
		{"-atol", "0"},
		{"-steps", "-3"},
		{"-steps", "2000000"}, // above the solver's budget: refused before any work
		{"-workers", "-1"},
		{"-steps", "10", "-shared-step"},
		{"-nosuchflag"},
		{"extra-argument"},
	} {
		code, out, errs := runArgs(t, append([]string{"solve"}, args...)...)
		if code != 2 || out != "" || errs == "" {
			t.Errorf("solve %s: exit %d, stdout %q, stderr %q; want 2 and a message", strings.Join(args, " "), code, out, errs)
		}
	}
	m := solveJSON(t, "-problem", "ou", "-method", "ggf", "-no-extrapolation", "-paths", "200")
	if m["method"] != "ggf" || m["no_extrapolation"] != true {
		t.Errorf("-problem ou -no-extrapolation: method %v, no_extrapolation %v", m["method"], m["no_extrapolation"])
	}
}

// TestSolveReproducible checks that the result depends on the seed only,
// not on the number of workers.
func TestSolveReproducible(t *testing.T) {
	strip := func(m map[string]any) map[string]any { delete(m, "wall_seconds"); return m }
	a := strip(solveJSON(t, "-paths", "200", "-seed", "7", "-workers", "1"))
	b := strip(solveJSON(t, "-paths", "200", "-seed", "7", "-workers", "5"))
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Errorf("-workers 1 and -workers 5 differ:\n%s\n%s", ja, jb)
	}
	c := strip(solveJSON(t, "-paths", "200", "-seed", "8", "-workers", "1"))
	if c["strong_error"] == a["strong_error"] {
		t.Errorf("seeds 7 and 8 give the same strong error %v", a["strong_error"])
	}
}

// TestSolvePartialResult checks that an incomplete solve still prints its
// result, reports the error on stderr and exits 1.
func TestSolvePartialResult(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code := runSolve(ctx, []string{"-json", "-paths", "50"}, &out, &errb)
	if code != 1 {
		t.Fatalf("cancelled solve: exit %d, want 1", code)
	}
	m := decodeOne(t, out.String())
	if m["status"] != "cancelled" || m["error"] == nil {
		t.Errorf("cancelled solve: status %v, error %v", m["status"], m["error"])
	}
	if !strings.Contains(errb.String(), "cancel") {
		t.Errorf("cancelled solve: stderr does not report the error:\n%s", errb.String())
	}
	out.Reset()
	errb.Reset()
	if code := runSolve(ctx, []string{"-paths", "50"}, &out, &errb); code != 1 {
		t.Fatalf("cancelled solve, summary: exit %d, want 1", code)
	}
	if !strings.Contains(out.String(), "cancelled: 0 of 50 paths") {
		t.Errorf("cancelled solve: summary does not report the status:\n%s", out.String())
	}
}

func TestSolveProgress(t *testing.T) {
	// A fast solve may end before the first tick; check that -progress is
	// accepted and leaves stdout a valid JSON object, and the line's format.
	solveJSON(t, "-paths", "200", "-progress")
	got := progressLine(sdeint.Progress{Elapsed: 1234 * time.Millisecond, Paths: 1000, PathsDone: 250, Attempts: 4000, NFE: 8000, TMin: 0.375})
	want := "gofast solve: 250/1000 paths done, least t reached 0.375, 4000 attempts, NFE 8000, 1.2s"
	if got != want {
		t.Errorf("progress line\n%q, want\n%q", got, want)
	}
}

// TestSolveBrownian checks -brownian and -tree-tol: the default source
// (bridge for adaptive steps, grid for fixed steps), the tree both ways,
// grid for fixed steps only, and -tree-tol for the tree only.
func TestSolveBrownian(t *testing.T) {
	m := solveJSON(t, "-steps", "10", "-paths", "200")
	if m["brownian"] != "grid" || m["brownian_exact"] != true {
		t.Errorf("-steps 10: brownian %v, brownian_exact %v; want grid (the default for fixed steps), true", m["brownian"], m["brownian_exact"])
	}
	m = solveJSON(t, "-brownian", "grid", "-steps", "64", "-paths", "200")
	if m["brownian"] != "grid" || number(t, m, "steps") != 64 || m["status"] != "success" {
		t.Errorf("-brownian grid -steps 64: brownian %v, steps %v, status %v", m["brownian"], m["steps"], m["status"])
	}
	m = solveJSON(t, "-brownian", "redraw", "-paths", "200")
	if m["brownian"] != "redraw" || m["brownian_exact"] != false {
		t.Errorf("-brownian redraw: brownian %v, brownian_exact %v; want redraw, false", m["brownian"], m["brownian_exact"])
	}

	tree := solveJSON(t, "-brownian", "tree", "-paths", "200")
	if tree["brownian"] != "tree" || tree["brownian_exact"] != true || number(t, tree, "tree_tol") != 1e-6 ||
		tree["status"] != "success" || !(number(t, tree, "rejected_mean") > 0) {
		t.Errorf("-brownian tree: brownian %v, brownian_exact %v, tree_tol %v, status %v, rejected_mean %v",
			tree["brownian"], tree["brownian_exact"], tree["tree_tol"], tree["status"], tree["rejected_mean"])
	}
	if _, ok := m["tree_tol"]; ok {
		t.Errorf("-brownian redraw: tree_tol = %v, want no such key", m["tree_tol"])
	}
	// The tree is a pure function of time: fixed steps see the same W(T)
	// as adaptive ones.
	fixed := solveJSON(t, "-brownian", "tree", "-steps", "20", "-paths", "200")
	if fixed["brownian"] != "tree" || number(t, fixed, "steps") != 20 || fixed["w_var"] != tree["w_var"] {
		t.Errorf("-brownian tree -steps 20: brownian %v, steps %v, w_var %v (adaptive: %v)",
			fixed["brownian"], fixed["steps"], fixed["w_var"], tree["w_var"])
	}
	// -tree-tol takes effect: with leaves of half the span, W inside them
	// is a straight line, so the solve sees another path.
	coarse := solveJSON(t, "-brownian", "tree", "-tree-tol", "0.5", "-paths", "200")
	if number(t, coarse, "tree_tol") != 0.5 || coarse["strong_error"] == tree["strong_error"] {
		t.Errorf("-tree-tol 0.5: tree_tol %v, strong_error %v (default -tree-tol: %v)",
			coarse["tree_tol"], coarse["strong_error"], tree["strong_error"])
	}

	for _, c := range []struct {
		args []string
		want []string // in the message
	}{
		{[]string{"-brownian", "grid"}, []string{"fixed steps", "bridge", "tree", "-steps"}},
		{[]string{"-tree-tol", "1e-3"}, []string{"-tree-tol", "tree"}},
		{[]string{"-tree-tol", "1e-3", "-steps", "10"}, []string{"-tree-tol", "tree"}},
		{[]string{"-tree-tol", "1e-3", "-brownian", "bridge"}, []string{"-tree-tol", "tree"}},
		{[]string{"-brownian", "tree", "-tree-tol", "0"}, []string{"-tree-tol"}},
		{[]string{"-brownian", "tree", "-tree-tol", "-1"}, []string{"-tree-tol"}},
	} {
		code, out, errs := runArgs(t, append([]string{"solve", "-paths", "200"}, c.args...)...)
		if code != 2 || out != "" {
			t.Errorf("solve %s: exit %d, stdout %q; want 2 and no output", strings.Join(c.args, " "), code, out)
		}
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("solve %s: message does not mention %q:\n%s", strings.Join(c.args, " "), w, errs)
			}
		}
	}
}
