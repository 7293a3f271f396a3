package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// TestWorkPrecisionAllMethods: with -methods all (the default) the study
// runs every registered method Solve accepts on the problem — adaptive rows
// per tolerance, fixed rows per step count, each adaptive row compared with
// its method's fixed-step frontier — and notes the refused ones; the JSON
// carries the peers and the plot is a PNG.
func TestWorkPrecisionAllMethods(t *testing.T) {
	png := filepath.Join(t.TempDir(), "wp.png")
	code, out, errs := runArgs(t, "workprecision", "-problem", "gbm", "-tols", "1e-2", "-steps", "16,64,256",
		"-paths", "100", "-peer", "other:100:0.02", "-json", "-plot", png)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var wp struct {
		Rows    []map[string]any `json:"rows"`
		Skipped []string         `json:"skipped"`
		Peers   []map[string]any `json:"peers"`
	}
	if err := json.Unmarshal([]byte(out), &wp); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	count := map[string]int{}
	for _, r := range wp.Rows {
		count[r["method"].(string)+" "+r["mode"].(string)]++
		if r["mode"] == "adaptive" && r["method"] == "roberts" {
			// Roberts at 1e-2 takes about 60–120 evaluations per path on
			// gbm, inside the fixed rows' range 32…512.
			if r["fixed_error"] == nil || r["efficiency"] == nil || r["as_efficient"] == nil {
				t.Errorf("adaptive row without its fixed-step comparison: %v", r)
			}
		}
	}
	// gbm is Itô with scalar noise: roberts runs both ways, em fixed only;
	// ggf (Stratonovich) and dp5 (no noise) are refused.
	for _, k := range []string{"roberts adaptive", "roberts fixed", "em fixed"} {
		if count[k] == 0 {
			t.Errorf("no %s rows: %v", k, count)
		}
	}
	if count["roberts fixed"] != 3 || count["roberts adaptive"] != 1 {
		t.Errorf("rows %v, want 1 adaptive and 3 fixed for roberts", count)
	}
	notes := strings.Join(wp.Skipped, "\n")
	for _, m := range []string{"ggf", "dp5", "em adaptive"} {
		if !strings.Contains(notes, m) {
			t.Errorf("skipped notes lack %s:\n%s", m, notes)
		}
	}
	if count["ggf adaptive"]+count["ggf fixed"]+count["dp5 adaptive"]+count["dp5 fixed"] != 0 {
		t.Errorf("refused methods have rows: %v", count)
	}
	if len(wp.Peers) != 1 || wp.Peers[0]["name"] != "other" {
		t.Errorf("peers %v", wp.Peers)
	}
	if b, err := os.ReadFile(png); err != nil || string(b[1:4]) != "PNG" {
		t.Errorf("no PNG: %v", err)
	}
}

// TestWorkPrecisionExitCodes: the table names the skipped methods; a study
// where everything is refused exits 2, one whose solve fails exits 1, and
// malformed flags exit 2; the built-in torchsde peers appear for
// gbm-torchsde and in the CSV.
func TestWorkPrecisionExitCodes(t *testing.T) {
	code, out, errs := runArgs(t, "workprecision", "-problem", "gbm-torchsde", "-methods", "roberts,ggf", "-tols", "1e-2", "-steps", "32,128", "-paths", "100")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"torchsde srk", "torchsde milstein", "skipped: ggf", "fixed@NFE"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`(?m)^roberts +fixed +32 `).MatchString(out) {
		t.Errorf("table lacks the row of roberts with 32 fixed steps:\n%s", out)
	}
	code, out, errs = runArgs(t, "workprecision", "-problem", "gbm-torchsde", "-methods", "roberts", "-tols", "", "-steps", "8", "-paths", "20", "-csv")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 4 || !strings.Contains(lines[1], ",roberts,fixed,fixed,,8,") || !strings.Contains(lines[3], ",peer,") {
		t.Errorf("CSV: exit %d, %s\n%s", code, errs, out)
	}
	// ggf is Stratonovich, two-noise Itô with non-commutative noise.
	if code, _, errs := runArgs(t, "workprecision", "-problem", "two-noise", "-methods", "ggf", "-steps", "8", "-paths", "20"); code != 2 || !strings.Contains(errs, "nothing ran") {
		t.Errorf("everything refused: exit %d, %s", code, errs)
	}
	// Euler–Maruyama blows up on stiff-quadratic at 24 steps over [0, 3]
	// (at 2 or 4 it happens to stay finite).
	if code, _, errs := runArgs(t, "workprecision", "-problem", "stiff-quadratic", "-methods", "em", "-tols", "", "-steps", "24", "-paths", "200"); code != 1 || errs == "" {
		t.Errorf("failed solve: exit %d, %s", code, errs)
	}
	for _, args := range [][]string{
		{"workprecision", "-tols", "", "-steps", ""},
		{"workprecision", "-steps", "0"},
		{"workprecision", "-steps", "x"},
		{"workprecision", "-peer", "a:0:1"},
		{"workprecision", "-peer", "a:1"},
		{"workprecision", "-methods", "nope"},
		{"workprecision", "-ref-steps", "-1"},
		{"workprecision", "-h0", "-1"},
		{"workprecision", "-max-factor", "0.5", "-steps", ""},
		{"workprecision", "-safety", "1.5", "-steps", ""},
		{"workprecision", "-safety", "-0.5", "-steps", ""},
		{"workprecision", "-safety", "NaN", "-steps", ""},
	} {
		if code, _, errs := runArgs(t, args...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, strings.TrimSpace(errs))
		}
	}
}

// TestWorkPrecisionEmptyControllers: empty entries of -controllers are
// skipped, as in -methods and -tols, and an empty list is the default
// controller with -h0, -first-*, -min-factor, -max-factor and -safety honoured: the
// same rows as -controllers default with those flags, and not those of a
// run without them (the flags did change the solve).
func TestWorkPrecisionEmptyControllers(t *testing.T) {
	rows := func(args ...string) []map[string]any {
		t.Helper()
		args = append([]string{"workprecision", "-problem", "gbm", "-methods", "roberts", "-tols", "1e-2", "-steps", "", "-paths", "50", "-json"}, args...)
		code, out, errs := runArgs(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		var wp struct {
			Rows []map[string]any `json:"rows"`
		}
		if err := json.Unmarshal([]byte(out), &wp); err != nil {
			t.Fatalf("%v: %v: %s", args, err, out)
		}
		for _, r := range wp.Rows {
			delete(r, "wall_seconds")
		}
		return wp.Rows
	}
	flags := []string{"-h0", "0.05", "-max-factor", "1.5", "-min-factor", "0.5", "-first-target", "0.1", "-first-span", "0.5", "-safety", "0.8"}
	want := rows(append([]string{"-controllers", "default"}, flags...)...)
	bare := rows("-controllers", "default")
	if len(want) != 1 || reflect.DeepEqual(want, bare) {
		t.Fatalf("the controller flags change nothing, the test cannot see them dropped: %v", want)
	}
	for _, ctl := range []string{"", ",", " , "} {
		got := rows(append([]string{"-controllers", ctl}, flags...)...)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("-controllers %q:\n got %v\nwant %v", ctl, got, want)
		}
	}
	got := rows(append([]string{"-controllers", ",pi,"}, flags...)...)
	if len(got) != 1 || got[0]["controller"] != "pi" {
		t.Errorf("-controllers ,pi,: rows %v, want one pi row", got)
	}
}

// TestWorkPrecisionStepLimits: step counts the solver would refuse (above
// its 10⁶ fixed steps) are usage errors before any solve, in -steps and in
// the same-path reference of a problem without an exact solution; they
// used to exit 1 after the adaptive rows had run.
func TestWorkPrecisionStepLimits(t *testing.T) {
	for _, args := range [][]string{
		{"-steps", "3000000", "-methods", "roberts", "-tols", "0.1", "-paths", "10"},
		{"-steps", "1000001", "-methods", "roberts", "-tols", "0.1", "-paths", "10"},
		{"-problem", "lorenz", "-methods", "em", "-tols", "", "-steps", "100000", "-paths", "10"},
		{"-problem", "lorenz", "-methods", "em", "-tols", "", "-steps", "8", "-ref-steps", "2000000", "-paths", "10"},
	} {
		code, out, errs := runArgs(t, append([]string{"workprecision"}, args...)...)
		if code != 2 || out != "" || !strings.Contains(errs, "1000000") || strings.Contains(errs, " paths\n") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 naming the limit, before any solve", args, code, out, errs)
		}
	}
}
