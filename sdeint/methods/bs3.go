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

// Bogacki–Shampine coefficients (Bogacki & Shampine 1989, the tableau of
// eq. (2) and the embedded weights).
var (
	bsC = [4]float64{0, 1.0 / 2, 3.0 / 4, 1}
	bsA = [4][3]float64{
		{},
		{1.0 / 2},
		{0, 3.0 / 4},
		{2.0 / 9, 1.0 / 3, 4.0 / 9},
	}
	// bsE is b − b̂: third- minus second-order weights.
	bsE = [4]float64{2.0/9 - 7.0/24, 1.0/3 - 1.0/4, 4.0/9 - 1.0/3, -1.0 / 8}
)

// Properties describes the pair.
func (BS3) Properties() sdeint.Properties {
	var o [sdeint.NumNoiseClasses]sdeint.Order
	for c := range o {
		o[c].NotApplicable = true // ODEs only
	}
	o[sdeint.ClassNone] = sdeint.Order{Strong: 3, Weak: 3, ErrQ: 2, Adaptive: true}
	return sdeint.Properties{
		Name:     "bs3",
		Calculus: sdeint.Ito, // no noise: the calculus does not matter
		Adaptive: true,
		State:    func(d sdeint.Dims) int { return bs3State(d.N) },
		Orders:   o,
		Control:  controlMainstream,
	}
}

// bs3State is the per-path memory: the first stage f(t, x), then a flag
// that says it is valid.
func bs3State(n int) int { return n + 1 }

// NewStepper returns a stepper for the pair.
func (BS3) NewStepper(d sdeint.Dims, rows int) sdeint.Stepper {
	st := &bs3Stepper{xs: make([]float64, rows*d.N), ts: make([]float64, rows), need: make([]int, 0, rows)}
	for i := range st.k {
		st.k[i] = make([]float64, rows*d.N)
	}
	return st
}

type bs3Stepper struct {
	k    [4][]float64 // stage derivatives
	xs   []float64    // stage state
	ts   []float64    // stage times
	need []int        // rows without a remembered first stage
}

func (st *bs3Stepper) Step(s *sdeint.Step) error {
	k, n := s.K, s.Dims.N
	S := bs3State(n)
	// Stage 1: the remembered f(t, x) where the row has it; evaluated only
	// for the rows that do not, so that NFE is per path.
	need := st.need[:0]
	for r := range k {
		if s.State[r*S+n] == 1 {
			copy(st.k[0][r*n:(r+1)*n], s.State[r*S:r*S+n])
		} else {
			need = append(need, r)
		}
	}
	switch len(need) {
	case 0:
	case k:
		if err := s.Drift(st.k[0][:k*n], s.T[:k], s.X[:k*n]); err != nil {
			return err
		}
	default:
		for i, r := range need {
			st.ts[i] = s.T[r]
			copy(st.xs[i*n:(i+1)*n], s.X[r*n:(r+1)*n])
		}
		if err := s.DriftRows(st.k[1][:len(need)*n], st.ts, st.xs, need); err != nil {
			return err
		}
		for i, r := range need {
			copy(st.k[0][r*n:(r+1)*n], st.k[1][i*n:(i+1)*n])
		}
	}
	for i := 1; i < 4; i++ {
		for r := range k {
			h := s.H[r]
			st.ts[r] = s.T[r] + bsC[i]*h
			for c := r * n; c < (r+1)*n; c++ {
				v := s.X[c]
				for j := range i {
					if a := bsA[i][j]; a != 0 {
						v += h * a * st.k[j][c]
					}
				}
				st.xs[c] = v
			}
		}
		if err := s.Drift(st.k[i][:k*n], st.ts[:k], st.xs[:k*n]); err != nil {
			return err
		}
	}
	// Stage 4 was evaluated at the third-order result.
	copy(s.High[:k*n], st.xs[:k*n])
	for r := range k {
		h := s.H[r]
		if s.Adaptive {
			for c := r * n; c < (r+1)*n; c++ {
				var e float64
				for j := range 4 {
					e += bsE[j] * st.k[j][c]
				}
				e *= h
				s.Err[c] = e
				s.Low[c] = s.High[c] - e
			}
		}
		copy(s.NextState[r*S:r*S+n], st.k[3][r*n:(r+1)*n])
		s.NextState[r*S+n] = 1
	}
	return nil
}
