package convergence

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"

	"github.com/gofast-sde/gofast/internal/nanjson"
)

// MarshalJSON writes non-finite values as null.
func (r Row) MarshalJSON() ([]byte, error) { return nanjson.Marshal(r) }

// MarshalJSON writes non-finite values (an order fitted to zero errors) as
// null.
func (r Result) MarshalJSON() ([]byte, error) { return nanjson.Marshal(r) }

// MarshalJSON writes non-finite values (unknown moments) as null.
func (r WPRow) MarshalJSON() ([]byte, error) { return nanjson.Marshal(r) }

// num formats x for CSV: shortest exact form, empty when not finite.
func num(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ""
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// WriteCSV writes the study's rows as CSV with a header line; every row
// repeats the problem, method, kind, paths, seed and the fitted order, so
// files of several studies concatenate into one table.
func (r *Result) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"problem", "method", "kind", "paths", "seed", "dt", "error", "error_se", "nfe_mean", "order", "order_se"})
	for _, row := range r.Rows {
		cw.Write([]string{r.Problem, r.Method, r.Kind, strconv.Itoa(r.Paths), strconv.FormatUint(r.Seed, 10),
			num(row.Dt), num(row.Error), num(row.ErrorSE), num(row.NFEMean), num(r.Order), num(r.OrderSE)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteCSV writes the study's rows as CSV with a header line; unknown
// values (moments a problem does not know, the tolerance of a fixed row,
// the fixed-step comparison outside the fixed rows' range) are empty
// fields. Peer points follow as rows of mode "peer" with their NFE and
// error only.
func (wp *WPResult) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"problem", "paths", "seed", "method", "mode", "controller", "tol", "steps", "error", "error_se",
		"mean_error", "mean_error_se", "var_error", "var_error_se", "nfe_mean", "rejected_mean",
		"fixed_error", "fixed_error_se", "efficiency", "as_efficient",
		"best_fixed_error", "best_fixed_method", "relative", "wall_seconds"})
	for _, r := range wp.Rows {
		steps, verdict := "", ""
		if r.Mode == ModeFixed {
			steps = strconv.Itoa(r.Steps)
		} else if !math.IsNaN(r.FixedError) {
			verdict = strconv.FormatBool(r.AsEfficient)
		}
		cw.Write([]string{wp.Problem, strconv.Itoa(wp.Paths), strconv.FormatUint(wp.Seed, 10), r.Method, r.Mode, r.Controller,
			num(r.Tol), steps, num(r.Error), num(r.ErrorSE), num(r.MeanError), num(r.MeanErrorSE),
			num(r.VarError), num(r.VarErrorSE), num(r.NFEMean), num(r.RejectedMean),
			num(r.FixedError), num(r.FixedErrorSE), num(r.Efficiency), verdict,
			num(r.BestFixedError), r.BestFixedMethod, num(r.Relative), num(r.WallSeconds)})
	}
	for _, p := range wp.Peers {
		cw.Write([]string{wp.Problem, "", "", p.Name, "peer", "", "", "", num(p.Error), "", "", "", "", "", num(p.NFE),
			"", "", "", "", "", "", "", "", ""})
	}
	cw.Flush()
	return cw.Error()
}
