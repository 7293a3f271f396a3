package methods

import "github.com/gofast-sde/gofast/sdeint"

func init() { register("Bogacki–Shampine 3(2) (ODEs)", func() sdeint.Method { return BS3{} }) }

// BS3 is the Bogacki–Shampine 3(2) pair for ODEs (P. Bogacki & L. F.
// Shampine, "A 3(2) pair of Runge–Kutta formulas", Appl. Math. Lett. 2(4),
// 1989, 321–325; the method of MATLAB's ode23 and OrdinaryDiffEq.jl's BS3):
//
//	k1 = f(t, x)
//	k2 = f(t + h/2,  x + h·k1/2)
//	k3 = f(t + 3h/4, x + 3h·k2/4)
//	x' = x + h·(2k1/9 + k2/3 + 4k3/9)                    (order 3, kept)
//	k4 = f(t + h, x')
//	E  = h·(−5k1/72 + k2/12 + k3/9 − k4/8)               (x' minus the order-2 result)
//
// The order-2 weights are (7/24, 1/4, 1/3, 1/8). E ∝ h³ (q = 2). The last
// stage is evaluated at the new state, so it is the first stage of the
// next step (first same as last): after a path's first attempt each
// attempt costs three evaluations. As in DP5, the remembered stage lives in
// the path's State and missing first stages are evaluated with
// Step.DriftRows, so a path's NFE does not depend on the batch it shares.
//
// It solves problems without noise only. The default controller is the
// mainstream one: δ_i = ε_abs + ε_rel·max(|x_i|, |x_new,i|), exponent 1/3,
// clamps [0.2, 10].
type BS3 struct{}

// bsTableau holds the Bogacki–Shampine coefficients (Bogacki & Shampine
// 1989, the tableau of eq. (2) and the embedded weights); e is b − b̂:
// third- minus second-order weights.
var bsTableau = fsalTableau{
	c: []float64{0, 1.0 / 2, 3.0 / 4, 1},
	a: [][]float64{
		{},
		{1.0 / 2},
		{0, 3.0 / 4},
		{2.0 / 9, 1.0 / 3, 4.0 / 9},
	},
	e: []float64{2.0/9 - 7.0/24, 1.0/3 - 1.0/4, 4.0/9 - 1.0/3, -1.0 / 8},
}

// Properties describes the pair.
func (BS3) Properties() sdeint.Properties { return fsalProperties("bs3", 3) }

// NewStepper returns a stepper for the pair.
func (BS3) NewStepper(d sdeint.Dims, rows int) sdeint.Stepper {
	return newFSALStepper(&bsTableau, d, rows)
}
