package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchQuick runs gofast bench -quick, the documented one-minute run,
// with -out: the two tables on stdout, bench.md and bench.png in the
// directory. The default run takes -n 200 (a few seconds); with
// GOFAST_LONG=1 it runs the documented n = 1000 (about 40 s on 2 cores).
func TestBenchQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: gofast bench -quick takes several seconds")
	}
	dir := t.TempDir()
	args, n, trailer := []string{"bench", "-quick", "-out", dir, "-n", "200"}, "200", "gofast bench (-n 200): gmm2d n = 200; seed 1"
	if os.Getenv("GOFAST_LONG") != "" {
		args, n, trailer = args[:4], "1000", "gofast bench (quick): gmm2d n = 1000; seed 1"
	}
	code, out, errs := runArgs(t, args...)
	if code != 0 {
		t.Fatalf("gofast bench -quick: exit %d, stderr:\n%s", code, errs)
	}
	for _, want := range []string{"**gmm2d, VP**: n = " + n, "**gmm2d, VE**: n = " + n, "| adaptive 0.01 bridge |",
		"| adaptive 0.1 redraw |", "| EM 1000 | 1000.0 / 1000 |", "| PC 1000 |", "| ODE |", "| exact | 0 |",
		trailer} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "gmm-image") {
		t.Errorf("-quick ran gmm-image:\n%s", out)
	}
	// One progress line per run, with its wall time.
	if n := strings.Count(errs, "gmm2d vp adaptive"); n != 8 {
		t.Errorf("stderr has %d progress lines for the VP adaptive runs, want 8:\n%s", n, errs)
	}
	md, err := os.ReadFile(filepath.Join(dir, "bench.md"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(md), "| setting |") != 2 {
		t.Errorf("bench.md does not hold two tables:\n%s", md)
	}
	checkPNG(t, filepath.Join(dir, "bench.png"), 0, 0)
}

// TestBenchJSON: -json prints one object per row, one per line, with the
// sample keys plus setting, eps_rel, steps and the verdict; -plot writes
// the plot where asked.
func TestBenchJSON(t *testing.T) {
	plot := filepath.Join(t.TempDir(), "p.png")
	code, out, errs := runArgs(t, "bench", "-data", "gmm2d", "-sde", "ve", "-n", "200", "-json", "-plot", plot)
	if code != 0 {
		t.Fatalf("gofast bench -json: exit %d, stderr:\n%s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 14 {
		t.Fatalf("%d JSON lines, want at least 14:\n%s", len(lines), out)
	}
	settings := map[string]bool{}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line is not a JSON object: %v\n%s", err, l)
		}
		for _, k := range append(sampleKeys, "setting", "eps_rel", "steps", "equal_quality", "vs_em1000_nfe_ratio") {
			if _, ok := m[k]; !ok {
				t.Errorf("%v: JSON lacks %q", m["setting"], k)
			}
		}
		if m["sde"] != "ve" || m["data"] != "gmm2d" || m["n"] != 200.0 {
			t.Errorf("row %v: sde %v, data %v, n %v", m["setting"], m["sde"], m["data"], m["n"])
		}
		settings[m["setting"].(string)] = true
	}
	for _, s := range []string{"EM 1000", "EM 100", "PC 1000", "ODE", "exact", "adaptive 0.05 redraw"} {
		if !settings[s] {
			t.Errorf("no row %q", s)
		}
	}
	if !strings.Contains(errs, "total wall time") {
		t.Errorf("-json: the trailer is not on stderr:\n%s", errs)
	}
	checkPNG(t, plot, 0, 0)
}

// TestBenchUsageErrors: bad flags exit with status 2, before any work (no
// progress line).
func TestBenchUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-quick", "-full"}, "exclude"},
		{[]string{"-data", "cifar"}, "data set"},
		{[]string{"-sde", "nope"}, "SDE"},
		{[]string{"-n", "-5"}, "-n"},
		// n < 3 leaves FD without a standard error, as in ablate -bench.
		{[]string{"-n", "1"}, "-n = 1"},
		{[]string{"-n", "2"}, "-n = 2"},
		// Refused by bench.Run (memory) before any run, not after one.
		{[]string{"-n", "99999999999"}, "GiB"},
		{[]string{"-data", "gmm-image", "-n", "99999999999"}, "GiB"},
		{[]string{"-workers", "-1"}, "-workers"},
		{[]string{"now"}, "unexpected argument"},
		{[]string{"-bogus"}, "bogus"},
	} {
		code, out, errs := runArgs(t, append([]string{"bench"}, c.args...)...)
		if code != 2 || out != "" || !strings.Contains(errs, c.want) || strings.Contains(errs, "gofast bench: [") {
			t.Errorf("gofast bench %s: exit %d, stdout %q, stderr %q; want 2 and %q", strings.Join(c.args, " "), code, out, errs, c.want)
		}
	}
	code, out, _ := runArgs(t, "help", "bench")
	if code != 0 || !strings.Contains(out, "-full") || !strings.Contains(out, "n = 1000") {
		t.Errorf("gofast help bench: exit %d:\n%s", code, out)
	}
}
