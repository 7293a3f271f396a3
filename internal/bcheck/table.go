package bcheck

import (
	"context"
	"fmt"
	"io"

	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// BiasCases are the problem/method pairs of the redraw-bias table:
// Roberts' pair on Itô GBM, the paper's pair on Stratonovich GBM, and the
// paper's pair on Ornstein–Uhlenbeck (additive noise, the case of
// score-based diffusion).
func BiasCases() []struct {
	Problem *problems.Problem
	Method  sdeint.Method
} {
	return []struct {
		Problem *problems.Problem
		Method  sdeint.Method
	}{
		{problems.GBM(), methods.Roberts{}},
		{problems.GBMStrat(), methods.GGF{}},
		{problems.OU(), methods.GGF{}},
	}
}

// BiasTolerances are the tolerances of the table, ε_rel = ε_abs.
var BiasTolerances = []float64{0.01, 0.05, 0.1}

// BiasTable runs every case at every tolerance with the bridge and with
// redraw, and returns the reports in that order. progress, if not nil, is
// called before each run.
func BiasTable(ctx context.Context, s Settings, progress func(i, n int, r string)) ([]*Report, error) {
	var out []*Report
	n := len(BiasCases()) * len(BiasTolerances) * 2
	for _, c := range BiasCases() {
		for _, tol := range BiasTolerances {
			for _, src := range []brownian.Source{brownian.Bridge{}, brownian.Redraw{}} {
				if progress != nil {
					progress(len(out)+1, n, fmt.Sprintf("%s/%s tol %g %s", c.Problem.Name, c.Method.Properties().Name, tol, src.Name()))
				}
				s := s
				s.RTol, s.ATol = tol, tol
				r, err := Run(ctx, c.Problem, c.Method, src, s)
				if err != nil {
					return out, err
				}
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// WriteMarkdown writes reports as a markdown table: normalised variances of
// W, the strong error, and the weak errors of X(T1)'s mean and variance,
// each with its SE.
func WriteMarkdown(w io.Writer, rows []*Report) error {
	pm := func(v, se float64) string { return fmt.Sprintf("%.3f ± %.3f", v, se) }
	opt := func(v, se *float64) string {
		if v == nil {
			return "—"
		}
		return fmt.Sprintf("%.3g ± %.2g", *v, *se)
	}
	weak := func(v, se float64, exact *float64) string {
		if exact == nil {
			return "—"
		}
		return fmt.Sprintf("%+.4f ± %.4f", v-*exact, se)
	}
	fmt.Fprintln(w, "| problem | method | ε | source | rejected | NFE | Var W(T)/T | Var W(t_m)/t_m | Var ΔW/(T−t_m) | strong error | mean error | variance error |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		_, err := fmt.Fprintf(w, "| %s | %s | %g | %s | %.0f%% | %.1f | %s | %s | %s | %s | %s | %s |\n",
			r.Problem, r.Method, r.RTol, r.Brownian, 100*r.RejectionRate, r.NFEMean,
			pm(r.WVar, r.WVarSE), pm(r.WMidVar, r.WMidVarSE), pm(r.WIncVar, r.WIncVarSE),
			opt(r.StrongError, r.StrongErrorSE),
			weak(r.XMean, r.XMeanSE, r.XMeanExact), weak(r.XVar, r.XVarSE, r.XVarExact))
		if err != nil {
			return err
		}
	}
	return nil
}
