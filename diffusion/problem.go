package diffusion

import (
	"math"

	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
)

// Reverse returns the reverse-time SDE of sde for a score model on d
// dimensions (Anderson 1982; Song et al. 2021, eq. 6):
//
//	dx = [f(t)·x − g(t)²·s(x, t)] dt + g(t) dW̄,
//
// integrated from T down to ε. The noise is additive (diagonal, g depends on
// t only), so Itô and Stratonovich agree and the paper's pair applies. The
// initial state is drawn from the prior N(0, PriorStd²I) with each path's
// Init stream.
func Reverse(sde SDE, score Score, d int) *sdeint.Problem {
	return &sdeint.Problem{
		Dim:   d,
		Noise: sdeint.Noise{Shape: sdeint.DiagonalNoise, Additive: true, Commutative: true},
		T0:    sde.T,
		T1:    sde.Eps,
		Init:  prior(sde),
		Drift: drift(sde, score, 1),
		Diffusion: func(dst, t, _ []float64, _ sdeint.Batch) error {
			for r, tr := range t {
				g := sde.G(tr)
				row := dst[r*d : (r+1)*d]
				for i := range row {
					row[i] = g
				}
			}
			return nil
		},
	}
}

// Flow returns the probability-flow ODE of sde (Song et al. 2021, eq. 13),
//
//	dx/dt = f(t)·x − ½g(t)²·s(x, t),
//
// integrated from T down to ε from the prior: its solutions have the same
// marginals p_t as the SDE's.
func Flow(sde SDE, score Score, d int) *sdeint.Problem {
	return &sdeint.Problem{
		Dim:   d,
		T0:    sde.T,
		T1:    sde.Eps,
		Init:  prior(sde),
		Drift: drift(sde, score, 0.5),
	}
}

// drift returns f(t)·x − c·g(t)²·s(x, t).
func drift(sde SDE, score Score, c float64) sdeint.Func {
	return func(dst, t, x []float64, b sdeint.Batch) error {
		if err := score.Score(dst, t, x, b); err != nil {
			return err
		}
		d := len(x) / len(t)
		for r, tr := range t {
			f, g := sde.F(tr), sde.G(tr)
			cg := c * g * g
			row, xr := dst[r*d:(r+1)*d], x[r*d:(r+1)*d]
			for i := range row {
				row[i] = f*xr[i] - cg*row[i]
			}
		}
		return nil
	}
}

// prior draws N(0, PriorStd²I).
func prior(sde SDE) func(dst []float64, _ int, rng *brownian.Stream) error {
	sd := sde.PriorStd()
	return func(dst []float64, _ int, rng *brownian.Stream) error {
		for i := range dst {
			dst[i] = sd * rng.Norm()
		}
		return nil
	}
}

// scoreFromDrift recovers s(x, t) from the reverse drift D = f·x − g²·s,
// as the predictor–corrector stepper sees only the problem's drift.
func scoreFromDrift(sde SDE, dst, d, x []float64, t float64) {
	f, g2 := sde.F(t), sde.G(t)*sde.G(t)
	for i := range dst {
		dst[i] = (f*x[i] - d[i]) / g2
	}
}

// rowNorm returns the Euclidean norm of v.
func rowNorm(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}
