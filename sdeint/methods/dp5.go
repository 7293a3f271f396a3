package methods

import "github.com/gofast-sde/gofast/sdeint"

func init() { register("Dormand–Prince 5(4) (ODEs)", func() sdeint.Method { return DP5{} }) }

// DP5 is the Dormand–Prince 5(4) pair for ODEs (J. R. Dormand & P. J.
// Prince, "A family of embedded Runge–Kutta formulae", J. Comput. Appl.
// Math. 6(1), 1980; Hairer, Nørsett & Wanner, Solving ODEs I, Table II.5.2):
// seven stages, the fifth-order result kept (local extrapolation), the
// embedded fourth-order result for the error estimate, E ∝ h⁵ (q = 4).
// The last stage is evaluated at the new state, so it is the first stage of
// the next step (FSAL): after a path's first attempt each attempt costs six
// evaluations. This is the method of scipy's RK45, the paper's probability-
// flow baseline (rtol = atol = 1e-5).
//
// It solves problems without noise only. The default controller is the
// mainstream one: δ_i = ε_abs + ε_rel·max(|x_i|, |x_new,i|), exponent 1/5,
// clamps [0.2, 10].
type DP5 struct{}

// dpTableau holds the Dormand–Prince coefficients. The fifth-order
// weights are the last row of a (stage 7 has weight 0); e is b − b̂, fifth-
// minus fourth-order weights.
var dpTableau = fsalTableau{
	c: []float64{0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1},
	a: [][]float64{
		{},
		{1.0 / 5},
		{3.0 / 40, 9.0 / 40},
		{44.0 / 45, -56.0 / 15, 32.0 / 9},
		{19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
		{9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
		{35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84},
	},
	e: []float64{71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40},
}

// Properties describes the pair.
func (DP5) Properties() sdeint.Properties { return fsalProperties("dp5", 5) }

// NewStepper returns a stepper for the pair.
func (DP5) NewStepper(d sdeint.Dims, rows int) sdeint.Stepper {
	return newFSALStepper(&dpTableau, d, rows)
}
