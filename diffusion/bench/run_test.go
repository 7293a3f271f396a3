package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gofast-sde/gofast/diffusion"
)

// TestRunSmoke runs the whole comparison on gmm2d with 200 samples, for VP
// and VE (about 2 s): every sampler family is there with its label, the
// exact sampler costs nothing, EM-1000 costs 1000 evaluations, every row
// has finite metrics and a verdict where one is due; the markdown and the
// plot are written.
func TestRunSmoke(t *testing.T) {
	var all []Row
	for _, kind := range []diffusion.Kind{diffusion.VP, diffusion.VE} {
		var lines int
		rows, err := Run(context.Background(), Config{Data: "gmm2d", Kind: kind, N: 200, Seed: 1,
			Progress: func(string) { lines++ }})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, rows...)
		var labels []string
		emAt := 0
		for _, r := range rows {
			labels = append(labels, r.Setting)
			if strings.HasPrefix(r.Setting, "EM @") {
				emAt++
			}
		}
		want := []string{"EM 1000", "EM 100", "PC 1000", "ODE", "exact"}
		for _, e := range EpsRels {
			for _, src := range []string{"bridge", "redraw"} {
				want = append(want, "adaptive "+fmtEps(e)+" "+src)
			}
		}
		for _, w := range want {
			if !slices.Contains(labels, w) {
				t.Errorf("%v: no row %q in %q", kind, w, labels)
			}
		}
		if emAt < 1 || emAt > 2*len(EpsRels) || len(rows) != len(want)+emAt {
			t.Errorf("%v: %d rows with %d EM-at-adaptive-NFE rows; want %d + between 1 and 8: %q", kind, len(rows), emAt, len(want), labels)
		}
		if lines < len(rows) {
			t.Errorf("%v: %d progress lines for %d rows", kind, lines, len(rows))
		}
		if labels[0] != "EM 1000" || labels[len(labels)-1] != "exact" {
			t.Errorf("%v: rows not in display order: %q", kind, labels)
		}
		for _, r := range rows {
			if r.Status != "success" || r.N != 200 || r.Seed != 1 || r.SDE != kind.String() || r.Data != "gmm2d" {
				t.Errorf("%v %s: status %q, n %d, seed %d, sde %s, data %s", kind, r.Setting, r.Status, r.N, r.Seed, r.SDE, r.Data)
			}
			for name, v := range map[string]float64{"fd": r.FD, "fd_se": r.FDSE, "sw2": r.SW2, "mode_tv": r.ModeTV,
				"dispersion": r.Dispersion, "dispersion_se": r.DispersionSE, "fd_floor": r.FDFloor} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("%v %s: %s = %v", kind, r.Setting, name, v)
				}
			}
			ref := r.Setting == "EM 1000" || r.Setting == "EM 100" || r.Setting == "exact"
			if ref != (r.EqualQuality == "") {
				t.Errorf("%v %s: equal_quality %q", kind, r.Setting, r.EqualQuality)
			}
			if (r.Sampler == "adaptive") != (r.VsEM1000NFERatio != nil) || (r.Sampler == "adaptive") != (r.EpsRel != nil) {
				t.Errorf("%v %s: vs_em1000_nfe_ratio %v, eps_rel %v", kind, r.Setting, r.VsEM1000NFERatio, r.EpsRel)
			}
			if (r.Sampler == "em" || r.Sampler == "pc") != (r.Steps != nil) {
				t.Errorf("%v %s: steps %v", kind, r.Setting, r.Steps)
			}
			switch {
			case r.Setting == "exact" && (r.NFEMean != 0 || r.NFEMax != 0):
				t.Errorf("%v exact: NFE %v / %d, want 0", kind, r.NFEMean, r.NFEMax)
			case r.Setting == "EM 1000" && (r.NFEMean != 1000 || r.NFEMax != 1000):
				t.Errorf("%v EM 1000: NFE %v / %d, want 1000", kind, r.NFEMean, r.NFEMax)
			case r.Setting == "PC 1000" && r.NFEMean != 2000:
				t.Errorf("%v PC 1000: NFE %v, want 2000", kind, r.NFEMean)
			case strings.HasPrefix(r.Setting, "EM @") && float64(*r.Steps) != r.NFEMean:
				t.Errorf("%v %s: NFE %v, steps %d", kind, r.Setting, r.NFEMean, *r.Steps)
			}
		}
	}

	var md bytes.Buffer
	if err := WriteMarkdown(&md, all); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"**gmm2d, VP**", "**gmm2d, VE**", "floor FD",
		"| setting | NFE (mean/max) | FD (±SE) | SW2 (±SE) | mode TV (±SE) | dispersion (±SE) | Δ dispersion vs EM-1000 (±SE) | equal quality to EM-1000 | × fewer NFE than EM-1000 | wall |",
		"| EM 1000 | 1000.0 / 1000 |", "| exact | 0 |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	if got := strings.Count(md.String(), "| setting |"); got != 2 {
		t.Errorf("markdown has %d tables, want 2", got)
	}

	path := filepath.Join(t.TempDir(), "bench.png")
	if err := WritePlot(path, all); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("WritePlot did not write a PNG: starts with %q", b[:min(8, len(b))])
	}

	// JSON: the documented keys, null where a field does not apply, and a
	// round trip.
	enc, err := json.Marshal(all[0])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(enc, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"sde", "data", "sampler", "brownian", "rtol", "atol", "denoise", "n", "seed", "status",
		"nfe_mean", "nfe_max", "nfe_denoise", "fd", "fd_se", "fd_floor", "sw2", "sw2_se", "mode_tv", "mode_tv_se",
		"dispersion", "dispersion_se", "wall_seconds", "setting", "eps_rel", "steps", "equal_quality", "vs_em1000_nfe_ratio"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, enc)
		}
	}
	if m["setting"] != "EM 1000" || m["rtol"] != nil || m["eps_rel"] != nil || m["steps"] != 1000.0 {
		t.Errorf("EM 1000 row: setting %v, rtol %v, eps_rel %v, steps %v", m["setting"], m["rtol"], m["eps_rel"], m["steps"])
	}
	var back Row
	if err := json.Unmarshal(enc, &back); err != nil {
		t.Fatal(err)
	}
	if back.Setting != all[0].Setting || back.FD != all[0].FD || !math.IsNaN(back.RTol) || *back.Steps != 1000 {
		t.Errorf("round trip: %+v", back)
	}
}

func fmtEps(e float64) string {
	b, _ := json.Marshal(e)
	return string(b)
}

// TestRunDenoise: with the final denoising step, every row reports its
// extra evaluation and the exact sampler scores like the denoised exact
// reference (dispersion near 0, FD near the floor): the reference is not
// corrupted by concurrent denoising.
func TestRunDenoise(t *testing.T) {
	rows, err := Run(context.Background(), Config{Data: "gmm2d", Kind: diffusion.VP, N: 400, Seed: 2, Denoise: true,
		EpsRels: []float64{0.1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if !r.Denoise || r.NFEDenoise != 1 {
			t.Errorf("%s: denoise %v, nfe_denoise %d", r.Setting, r.Denoise, r.NFEDenoise)
		}
		if r.Setting == "exact" && (math.Abs(r.Dispersion) > 5*r.DispersionSE+0.05 || r.FD > 1e-3 || r.FDFloor > 1e-3) {
			t.Errorf("denoised exact sample: dispersion %v ± %v, FD %v (floor %v)", r.Dispersion, r.DispersionSE, r.FD, r.FDFloor)
		}
	}
}

// TestRunErrors: bad configurations are errors, not panics.
func TestRunErrors(t *testing.T) {
	for _, c := range []Config{
		{Data: "nope"},
		{Data: "gmm2d", N: -1},
		{Data: "gmm2d", Kind: diffusion.Kind(9)},
		{Data: "gmm2d", EpsRels: []float64{0}},
		{Data: "gmm2d", N: 1},
		{Data: "gmm2d", N: MinN - 1},
		{Data: "gmm2d", N: 1_000_000_000},
	} {
		if err := c.Check(); err == nil {
			t.Errorf("Check(%+v): no error", c)
		}
		if _, err := Run(context.Background(), c); err == nil {
			t.Errorf("Run(%+v): no error", c)
		}
	}
	if err := (Config{Data: "gmm2d", N: MinN}).Check(); err != nil {
		t.Errorf("Check refuses n = MinN: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, Config{Data: "gmm2d", N: 100}); err == nil {
		t.Error("Run with a cancelled context: no error")
	}
}

// row returns a hand-made row with the given dispersion and mode TV (and
// their SEs).
func row(setting string, disp, dispSE, tv, tvSE float64) Row {
	r := Row{SDE: "vp", Data: "gmm2d", N: 1000, Setting: setting, Sampler: "adaptive", NFEMean: 250,
		Dispersion: disp, DispersionSE: dispSE, ModeTV: tv, ModeTVSE: tvSE}
	switch {
	case strings.HasPrefix(setting, "EM"):
		r.Sampler, r.NFEMean = "em", 1000
	case setting == "exact":
		r.Sampler, r.NFEMean = "exact", 0
	}
	return r
}

// paired sets a row's paired SEs of its differences from EM-1000.
func paired(r Row, seD, seT float64) Row {
	r.DispersionDiffSE, r.ModeTVDiffSE = seD, seT
	return r
}

// TestVerdict: the equal-quality rule on hand-made rows. EM-1000 has
// dispersion 0.00 ± 0.01 and mode TV 0.02 ± 0.01; the EM-100 gap is 0.20,
// so the dispersion difference's SE must be ≤ 0.04.
func TestVerdict(t *testing.T) {
	em := row("EM 1000", 0, 0.01, 0.02, 0.01)
	const gap = 0.2
	cases := []struct {
		name string
		r    Row
		want string
	}{
		// |Δdisp| = 0.02 ≤ 2·√2·0.01 = 0.028, |ΔTV| = 0.01 ≤ 0.028.
		{"within 2 SE", row("a", 0.02, 0.01, 0.03, 0.01), EqualYes},
		{"dispersion off", row("a", 0.05, 0.01, 0.02, 0.01), EqualNo},
		{"negative dispersion off", row("a", -0.05, 0.01, 0.02, 0.01), EqualNo},
		{"mode TV off", row("a", 0, 0.01, 0.08, 0.01), EqualNo},
		// SE of the difference √(0.05² + 0.01²) = 0.051 > 0.04.
		{"too noisy", row("a", 0, 0.05, 0.02, 0.01), EqualNotResolved},
		{"too noisy even if far", row("a", 0.5, 0.05, 0.02, 0.01), EqualNotResolved},
		// Exactly at the boundary of resolution: √(0.0387²+0.01²) ≈ 0.03997.
		{"just resolved", row("a", 0, 0.0387, 0.02, 0.01), EqualYes},
		{"failed run", row("a", math.NaN(), math.NaN(), math.NaN(), math.NaN()), EqualNo},
		// Paired SEs replace √(se_row² + se_EM1000²) when known: a pairing
		// that cancels shared noise resolves a noisy row, and sees a
		// difference the independent SE would hide.
		{"paired: resolved", paired(row("a", 0.01, 0.05, 0.02, 0.01), 0.01, 0.01), EqualYes},
		{"paired: off", paired(row("a", 0.025, 0.01, 0.02, 0.01), 0.005, 0.01), EqualNo},
		{"paired: mode TV off", paired(row("a", 0, 0.01, 0.035, 0.01), 0.01, 0.005), EqualNo},
	}
	for _, c := range cases {
		if got := Verdict(c.r, em, gap); got != c.want {
			t.Errorf("%s: Verdict = %q, want %q", c.name, got, c.want)
		}
	}
	for _, g := range []float64{0, -0.1, math.NaN()} {
		if got := Verdict(row("a", 0, 0.001, 0.02, 0.01), em, g); got != EqualNotResolved {
			t.Errorf("gap %v: Verdict = %q, want %q", g, got, EqualNotResolved)
		}
	}
}

// TestBetter: a "no" that is only an improvement on EM-1000 is told apart.
func TestBetter(t *testing.T) {
	em := row("EM 1000", 0.1, 0.01, 0.02, 0.01)
	for _, c := range []struct {
		r    Row
		want bool
	}{
		{row("a", 0.0, 0.01, 0.02, 0.01), true},   // dispersion closer to 0
		{row("a", 0.2, 0.01, 0.02, 0.01), false},  // farther
		{row("a", -0.2, 0.01, 0.02, 0.01), false}, // farther, on the other side
		{row("a", 0.0, 0.01, 0.09, 0.01), false},  // dispersion better, mode TV worse
		{row("a", 0.1, 0.01, 0.02, 0.01), false},  // equal
	} {
		if got := Better(c.r, em); got != c.want {
			t.Errorf("Better(disp %v, TV %v) = %v, want %v", c.r.Dispersion, c.r.ModeTV, got, c.want)
		}
	}
	var md bytes.Buffer
	rows := Judge([]Row{em, row("EM 100", 0.5, 0.01, 0.02, 0.01), row("a", 0.0, 0.01, 0.02, 0.01)})
	if err := WriteMarkdown(&md, rows); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| no (better) |") {
		t.Errorf("markdown lacks the better verdict:\n%s", md.String())
	}
}

// TestJudge: the verdicts and NFE ratios of a table, per group.
func TestJudge(t *testing.T) {
	rows := []Row{
		row("EM 1000", 0, 0.01, 0.02, 0.01),
		row("EM 100", 0.2, 0.01, 0.02, 0.01),
		row("adaptive 0.05 bridge", 0.01, 0.01, 0.02, 0.01),
		row("adaptive 0.1 redraw", 0.1, 0.01, 0.02, 0.01),
		row("exact", 0.01, 0.01, 0.02, 0.01),
	}
	other := row("adaptive 0.05 bridge", 0.0, 0.01, 0.02, 0.01)
	other.SDE = "ve" // a group without EM-1000
	rows = append(rows, other)
	Judge(rows)
	want := []string{"", "", EqualYes, EqualNo, "", EqualNotResolved}
	for i, r := range rows {
		if r.EqualQuality != want[i] {
			t.Errorf("%s %s: %q, want %q", r.SDE, r.Setting, r.EqualQuality, want[i])
		}
	}
	if r := rows[2].VsEM1000NFERatio; r == nil || *r != 4 {
		t.Errorf("NFE ratio %v, want 4 (1000/250)", r)
	}
	if rows[0].VsEM1000NFERatio != nil || rows[4].VsEM1000NFERatio != nil {
		t.Error("NFE ratio set on a non-adaptive row")
	}
}

// TestRowJSONNaN: NaN and Inf are written as null (encoding/json refuses
// them) and read back as NaN.
func TestRowJSONNaN(t *testing.T) {
	r := row("a", math.NaN(), math.Inf(1), 0.5, 0.1)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"dispersion":null`) || !strings.Contains(string(b), `"dispersion_se":null`) ||
		!strings.Contains(string(b), `"mode_tv":0.5`) {
		t.Errorf("JSON: %s", b)
	}
	var back Row
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(back.Dispersion) || back.ModeTV != 0.5 || back.Setting != "a" {
		t.Errorf("round trip: %+v", back)
	}
}

// TestRunMemoryRefused: a benchmark too large for memory is refused at once
// with the estimate, not started (it used to die out of memory building
// its reference sample).
func TestRunMemoryRefused(t *testing.T) {
	_, err := Run(context.Background(), Config{Data: "gmm2d", Kind: diffusion.VP, N: 1_000_000_000})
	if err == nil || !strings.Contains(err.Error(), "GiB") {
		t.Fatalf("error %v, want a memory refusal", err)
	}
}
