package convergence

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/gofast-sde/gofast/internal/nanjson"
)

// MarshalJSON writes non-finite values (unknown moments, statistics of a
// row whose paths all failed) as null.
func (r AblateRow) MarshalJSON() ([]byte, error) { return nanjson.Marshal(r) }

// WriteCSV writes the ablation's rows as CSV with a header line: one
// column per axis with the row's value, then the tolerance and the
// measurements; unknown values are empty fields.
func (a *AblateResult) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"problem", "method", "paths", "seed", "setting"}
	for _, ax := range a.Axes {
		head = append(head, ax.Name)
	}
	head = append(head, "baseline", "tol", "failed", "status", "nfe_mean", "nfe_se", "error", "error_se",
		"mean_error", "mean_error_se", "var_error", "var_error_se", "w_mean", "w_mean_se", "w_var", "w_var_se",
		"reject_rate", "reject_rate_se", "wall_seconds")
	cw.Write(head)
	for _, r := range a.Rows {
		rec := []string{a.Problem, a.Method, strconv.Itoa(a.Paths), strconv.FormatUint(a.Seed, 10), r.Setting}
		for _, ax := range a.Axes {
			rec = append(rec, r.Values[ax.Name])
		}
		rec = append(rec, strconv.FormatBool(r.Baseline), num(r.Tol), strconv.Itoa(r.Failed), r.Status,
			num(r.NFEMean), num(r.NFESE), num(r.Error), num(r.ErrorSE), num(r.MeanError), num(r.MeanErrorSE),
			num(r.VarError), num(r.VarErrorSE), num(r.WMean), num(r.WMeanSE), num(r.WVar), num(r.WVarSE), num(r.RejectRate), num(r.RejectRateSE),
			num(r.WallSeconds))
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// WriteAblatePlot writes a log–log PNG of error against mean NFE per path,
// one curve per setting (each point a tolerance) with ±1 SE bars; points
// are dropped as in WritePlot.
func WriteAblatePlot(path string, a *AblateResult) error {
	p := plot.New()
	p.Title.Text = "ablation of " + a.Method + " on " + a.Problem
	p.X.Label.Text = "mean NFE per path"
	p.Y.Label.Text = "error"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{}, plot.LogTicks{}
	// Bottom left: low error at low work, where no curve goes.
	p.Legend.Top, p.Legend.Left = false, true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	var order []string
	by := map[string][]AblateRow{}
	for _, r := range a.Rows {
		if _, ok := by[r.Setting]; !ok {
			order = append(order, r.Setting)
		}
		by[r.Setting] = append(by[r.Setting], r)
	}
	drawn := 0
	for i, set := range order {
		var xs, ys, es []float64
		for _, r := range by[set] {
			xs, ys, es = append(xs, r.NFEMean), append(ys, r.Error), append(es, r.ErrorSE)
		}
		pts, err := addCurve(p, i, xs, ys, es, set)
		if err != nil {
			return err
		}
		drawn += len(pts)
	}
	if drawn == 0 {
		return errors.New("convergence: no positive errors to plot on a log scale")
	}
	return save(p, path)
}

// WriteMarkdown writes the ablation as a markdown table headed by a line
// naming the study: one column per axis (the baseline row marked), the
// tolerance, the error (when it is not the mean error itself), the errors
// of the mean and variance of X₁(T), the mean and variance of W₁(T)/√span,
// the NFE per path, the rejection rate and the failed paths; each ± SE.
func (a *AblateResult) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s on %s** (%s), %d paths, seed %d; error: %s\n\n", a.Method, a.Problem, a.Mode, a.Paths, a.Seed, a.ErrorKind)
	weak := strings.HasPrefix(a.ErrorKind, "weak")
	var head []string
	for _, ax := range a.Axes {
		head = append(head, ax.Name)
	}
	head = append(head, "tol")
	if !weak {
		head = append(head, "error ± SE")
	}
	head = append(head, "mean error ± SE", "var error ± SE", "mean W ± SE", "Var W ± SE", "NFE/path ± SE", "rejected", "failed")
	b.WriteString("| " + strings.Join(head, " | ") + " |\n|" + strings.Repeat("---|", len(head)) + "\n")
	pm := func(v, se float64, fv, fse string) string {
		if math.IsNaN(v) {
			return "—"
		}
		return fmt.Sprintf(fv+" ± "+fse, v, se)
	}
	for _, r := range a.Rows {
		var rec []string
		for i, ax := range a.Axes {
			v := r.Values[ax.Name]
			if r.Baseline && i == 0 {
				v += " (baseline)"
			}
			rec = append(rec, v)
		}
		rec = append(rec, strconv.FormatFloat(r.Tol, 'g', -1, 64))
		if !weak {
			rec = append(rec, pm(r.Error, r.ErrorSE, "%.3g", "%.2g"))
		}
		rate := "—"
		if !math.IsNaN(r.RejectRate) {
			rate = fmt.Sprintf("%.0f%%", 100*r.RejectRate)
		}
		rec = append(rec, pm(r.MeanError, r.MeanErrorSE, "%+.2g", "%.2g"), pm(r.VarError, r.VarErrorSE, "%+.2g", "%.2g"),
			pm(r.WMean, r.WMeanSE, "%+.3f", "%.3f"), pm(r.WVar, r.WVarSE, "%.3f", "%.3f"), pm(r.NFEMean, r.NFESE, "%.1f", "%.1f"),
			rate, strconv.Itoa(r.Failed))
		b.WriteString("| " + strings.Join(rec, " | ") + " |\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
