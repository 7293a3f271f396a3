package main

import (
	"bufio"
	"image/png"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// sampleKeys are the keys of gofast sample -json, exactly: the issue's
// list plus theta, r, accepted_mean and rejected_mean.
var sampleKeys = []string{
	"sde", "data", "sampler", "brownian", "rtol", "atol", "theta", "r", "denoise", "n", "seed", "status",
	"nfe_mean", "nfe_max", "nfe_denoise", "accepted_mean", "rejected_mean", "fd", "fd_se", "fd_floor", "sw2", "sw2_se",
	"mode_tv", "mode_tv_se", "dispersion", "dispersion_se", "wall_seconds",
}

// checkSampleKeys reports keys of m missing from sampleKeys or the other
// way round.
func checkSampleKeys(t *testing.T, m map[string]any) {
	t.Helper()
	got := slices.Sorted(maps.Keys(m))
	want := slices.Sorted(slices.Values(sampleKeys))
	if !slices.Equal(got, want) {
		t.Errorf("JSON keys %v, want exactly %v", got, want)
	}
}

// TestSampleDefaults: the default flags (VP, gmm2d, adaptive with the
// paper's defaults) with 500 samples write samples.csv and samples.png and
// print the documented JSON object.
func TestSampleDefaults(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "dir") // created by -out
	code, out, errs := runArgs(t, "sample", "-n", "500", "-out", dir, "-json")
	if code != 0 {
		t.Fatalf("gofast sample: exit %d, stderr:\n%s", code, errs)
	}
	m := decodeOne(t, out)
	checkSampleKeys(t, m)
	if m["sde"] != "vp" || m["data"] != "gmm2d" || m["sampler"] != "adaptive" || m["brownian"] != "bridge" || m["status"] != "success" {
		t.Errorf("defaults: sde %v, data %v, sampler %v, brownian %v, status %v", m["sde"], m["data"], m["sampler"], m["brownian"], m["status"])
	}
	if number(t, m, "n") != 500 || number(t, m, "seed") != 1 || number(t, m, "rtol") != 0.01 || number(t, m, "atol") != 0.0078 {
		t.Errorf("n %v, seed %v, rtol %v, atol %v; want 500, 1, 0.01, 0.0078", m["n"], m["seed"], m["rtol"], m["atol"])
	}
	if nfe := number(t, m, "nfe_mean"); !(nfe > 10) || number(t, m, "nfe_max") < nfe || number(t, m, "nfe_denoise") != 0 {
		t.Errorf("nfe_mean %v, nfe_max %v, nfe_denoise %v", m["nfe_mean"], m["nfe_max"], m["nfe_denoise"])
	}
	for _, k := range []string{"fd", "fd_se", "fd_floor", "sw2", "mode_tv", "dispersion_se"} {
		if v := number(t, m, k); !(v >= 0) {
			t.Errorf("%s = %v", k, v)
		}
	}
	number(t, m, "dispersion")
	// The paper's controller; gmm2d rejects a good share of attempts, and
	// the pair costs two evaluations per attempt.
	acc, rej := number(t, m, "accepted_mean"), number(t, m, "rejected_mean")
	if number(t, m, "theta") != 0.9 || number(t, m, "r") != 0.9 || !(acc > 0) || !(rej > 0) ||
		math.Abs(number(t, m, "nfe_mean")-2*(acc+rej)) > 1e-9*(acc+rej) {
		t.Errorf("theta %v, r %v, accepted_mean %v, rejected_mean %v, nfe_mean %v; want 0.9, 0.9, > 0, > 0, 2·(accepted + rejected)",
			m["theta"], m["r"], acc, rej, m["nfe_mean"])
	}

	f, err := os.Open(filepath.Join(dir, "samples.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	lines := 0
	for sc.Scan() {
		if lines == 0 && sc.Text() != "x0,x1" {
			t.Errorf("CSV header %q, want x0,x1", sc.Text())
		}
		lines++
	}
	if lines != 501 {
		t.Errorf("samples.csv has %d lines, want 501 (header + 500 samples)", lines)
	}
	checkPNG(t, filepath.Join(dir, "samples.png"), 0, 0)

	// The summary names the files and the metrics with the floor.
	code, out, errs = runArgs(t, "sample", "-n", "300", "-out", dir, "-sampler", "em", "-steps", "50")
	if code != 0 {
		t.Fatalf("gofast sample -sampler em: exit %d, stderr:\n%s", code, errs)
	}
	for _, want := range []string{"Euler–Maruyama, 50 steps", "mean 50.0", "FD", "SW2", "mode TV", "dispersion",
		"exact sample of the same size", "samples.csv", "samples.png"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

// checkPNG decodes a PNG and, when w > 0, checks its size.
func checkPNG(t *testing.T, path string, w, h int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if b := img.Bounds(); w > 0 && (b.Dx() != w || b.Dy() != h) {
		t.Errorf("%s is %d×%d, want %d×%d", path, b.Dx(), b.Dy(), w, h)
	}
}

// TestSampleImage: gmm-image writes the 8×8 grid of 32×32 images at 2×, 4
// pixels apart (540×540 pixels), and a CSV only with -csv.
func TestSampleImage(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runArgs(t, "sample", "-data", "gmm-image", "-n", "8", "-sampler", "em", "-steps", "20", "-out", dir, "-json")
	if code != 0 {
		t.Fatalf("gofast sample gmm-image: exit %d, stderr:\n%s", code, errs)
	}
	m := decodeOne(t, out)
	checkSampleKeys(t, m)
	if m["data"] != "gmm-image" || number(t, m, "nfe_mean") != 20 || number(t, m, "accepted_mean") != 20 || number(t, m, "rejected_mean") != 0 {
		t.Errorf("data %v, nfe_mean %v, accepted_mean %v, rejected_mean %v; want gmm-image, 20, 20, 0", m["data"], m["nfe_mean"], m["accepted_mean"], m["rejected_mean"])
	}
	for _, k := range []string{"rtol", "atol", "theta", "r"} {
		if m[k] != nil {
			t.Errorf("em: %s = %v, want null", k, m[k])
		}
	}
	checkPNG(t, filepath.Join(dir, "samples.png"), 540, 540)
	if _, err := os.Stat(filepath.Join(dir, "samples.csv")); !os.IsNotExist(err) {
		t.Errorf("gmm-image without -csv wrote samples.csv (stat: %v)", err)
	}
	code, _, errs = runArgs(t, "sample", "-data", "gmm-image", "-n", "2", "-sampler", "exact", "-out", dir, "-csv")
	if code != 0 {
		t.Fatalf("gofast sample gmm-image -csv: exit %d, stderr:\n%s", code, errs)
	}
	b, err := os.ReadFile(filepath.Join(dir, "samples.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 3 || strings.Count(lines[1], ",") != 3071 {
		t.Errorf("samples.csv: %d lines, %d commas in row 1; want 3 and 3071", len(lines), strings.Count(lines[1], ","))
	}
}

// TestSampleUsageErrors: bad flags exit with status 2 and a message naming
// the flag, without panics or output on stdout.
func TestSampleUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-sde", "nope"}, "SDE"},
		{[]string{"-data", "cifar"}, "data set"},
		{[]string{"-sampler", "rk4"}, "sampler"},
		{[]string{"-n", "0"}, "-n"},
		{[]string{"-rtol", "0"}, "-rtol"},
		{[]string{"-rtol", "NaN"}, "-rtol"},
		{[]string{"-atol", "-1"}, "-atol"},
		{[]string{"-h0", "-1"}, "-h0"},
		{[]string{"-sampler", "em", "-steps", "0"}, "-steps"},
		{[]string{"-sampler", "em", "-steps", "2000000"}, "budget"},
		{[]string{"-workers", "-2"}, "-workers"},
		{[]string{"-brownian", "grid"}, "Brownian"},
		{[]string{"-norm", "l3"}, "norm"},
		{[]string{"-sampler", "em", "-rtol", "0.05"}, "-rtol applies to -sampler adaptive only"},
		{[]string{"-sampler", "em", "-brownian", "redraw"}, "-brownian"},
		{[]string{"-sampler", "ode", "-lamba"}, "-lamba"},
		{[]string{"-steps", "100"}, "-steps applies to -sampler em and pc only"},
		{[]string{"-sampler", "em", "-snr", "0.1"}, "-snr"},
		{[]string{"-sampler", "pc", "-snr", "-1"}, "-snr"},
		{[]string{"-sampler", "pc", "-snr", "NaN"}, "-snr"},
		{[]string{"-sampler", "pc", "-snr", "Inf"}, "-snr"},
		{[]string{"-theta", "0"}, "-theta"},
		{[]string{"-theta", "1.5"}, "-theta"},
		{[]string{"-theta", "NaN"}, "-theta"},
		{[]string{"-r", "0"}, "-r"},
		{[]string{"-r", "-1"}, "-r"},
		{[]string{"-r", "Inf"}, "-r"},
		{[]string{"-sampler", "em", "-theta", "0.8"}, "-theta applies to -sampler adaptive only"},
		{[]string{"-sampler", "ode", "-r", "0.5"}, "-r applies to -sampler adaptive only"},
		{[]string{"extra"}, "unexpected argument"},
		{[]string{"-bogus"}, "bogus"},
	} {
		code, out, errs := runArgs(t, append([]string{"sample"}, c.args...)...)
		if code != 2 || out != "" || !strings.Contains(errs, c.want) {
			t.Errorf("gofast sample %s: exit %d, stdout %q, stderr %q; want 2 and %q", strings.Join(c.args, " "), code, out, errs, c.want)
		}
	}
	code, _, errs := runArgs(t, "sample", "-h")
	if code != 0 || !strings.Contains(errs, "-brownian") || !strings.Contains(errs, "samples.png") {
		t.Errorf("gofast sample -h: exit %d, usage:\n%s", code, errs)
	}
}

// TestSampleController: -theta and -r reach the adaptive sampler's
// controller: they are reported, shown in the summary, and each of the
// paper's ablation values changes the NFE of the same samples (seed), which
// a flag that did not arrive would leave unchanged.
func TestSampleController(t *testing.T) {
	dir := t.TempDir()
	nfe := func(args ...string) (float64, map[string]any) {
		t.Helper()
		code, out, errs := runArgs(t, append([]string{"sample", "-n", "200", "-out", dir, "-json"}, args...)...)
		if code != 0 {
			t.Fatalf("gofast sample %s: exit %d, stderr:\n%s", strings.Join(args, " "), code, errs)
		}
		m := decodeOne(t, out)
		return number(t, m, "nfe_mean"), m
	}
	def, _ := nfe()
	for _, c := range [][]string{{"-theta", "0.8"}, {"-r", "0.5"}, {"-theta", "0.8", "-r", "1"}} {
		got, m := nfe(c...)
		t.Logf("%s: NFE %.2f (defaults %.2f)", strings.Join(c, " "), got, def)
		if got == def {
			t.Errorf("%s: NFE %.2f, the same as with the defaults", strings.Join(c, " "), got)
		}
		for i := 0; i < len(c); i += 2 {
			key := strings.TrimPrefix(c[i], "-")
			if v, _ := strconv.ParseFloat(c[i+1], 64); number(t, m, key) != v {
				t.Errorf("%s: %s = %v, want %v", strings.Join(c, " "), key, m[key], v)
			}
		}
	}
	code, out, errs := runArgs(t, "sample", "-n", "50", "-out", dir, "-theta", "0.8", "-r", "0.5")
	if code != 0 {
		t.Fatalf("gofast sample -theta 0.8 -r 0.5: exit %d, stderr:\n%s", code, errs)
	}
	for _, want := range []string{"θ 0.8, r 0.5", "rejected per sample"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

// TestSampleOutIsAFile: an -out that cannot be a directory is a run error
// (exit 1), not a usage error.
func TestSampleOutIsAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runArgs(t, "sample", "-n", "10", "-out", file)
	if code != 1 || errs == "" {
		t.Errorf("gofast sample -out <file>: exit %d, stderr %q; want 1 and a message", code, errs)
	}
}

// TestSamplePCOverflow: an -snr whose corrector step overflows fails the
// run (exit 1) with a message saying so; it used to drop the corrector and
// report success.
func TestSamplePCOverflow(t *testing.T) {
	code, _, errs := runArgs(t, "sample", "-sampler", "pc", "-steps", "100", "-snr", "1e300", "-n", "20", "-out", t.TempDir())
	if code != 1 || !strings.Contains(errs, "overflows") || !strings.Contains(errs, "SNR") {
		t.Errorf("gofast sample -sampler pc -snr 1e300: exit %d, stderr %q; want 1 and the overflow", code, errs)
	}
}

// TestSampleNoOut: an empty -out writes no files, as bench -out: the
// summary is printed and the command succeeds (it used to fail with
// "mkdir : no such file or directory"); -csv then has nowhere to write.
func TestSampleNoOut(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	code, out, errs := runArgs(t, "sample", "-n", "20", "-out", "")
	if code != 0 || !strings.Contains(out, "status       success") || strings.Contains(out, "wrote") {
		t.Errorf("gofast sample -out \"\": exit %d, stdout:\n%s\nstderr %q", code, out, errs)
	}
	if files, err := os.ReadDir(dir); err != nil || len(files) != 0 {
		t.Errorf("gofast sample -out \"\" wrote %v (%v)", files, err)
	}
	code, out, errs = runArgs(t, "sample", "-n", "20", "-out", "", "-csv")
	if code != 2 || out != "" || !strings.Contains(errs, "-out") {
		t.Errorf("gofast sample -out \"\" -csv: exit %d, stdout %q, stderr %q; want 2 naming -out", code, out, errs)
	}
}

// TestSampleNothingFinished: when no sample reaches ε (PC on VP with too
// few steps fails every path) the files of an earlier run are kept, not
// replaced by empty ones, and the exit status is 1.
func TestSampleNothingFinished(t *testing.T) {
	dir := t.TempDir()
	keep := filepath.Join(dir, "samples.csv")
	if err := os.WriteFile(keep, []byte("earlier run\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runArgs(t, "sample", "-n", "20", "-sampler", "pc", "-steps", "10", "-out", dir)
	if code != 1 || !strings.Contains(errs, "not written") {
		t.Errorf("exit %d, stderr %q; want 1 saying the files were not written", code, errs)
	}
	if b, err := os.ReadFile(keep); err != nil || string(b) != "earlier run\n" {
		t.Errorf("samples.csv is now %q (%v), want the earlier run's", b, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "samples.png")); !os.IsNotExist(err) {
		t.Errorf("samples.png written for no samples (%v)", err)
	}
}
