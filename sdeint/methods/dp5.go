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

// Dormand–Prince coefficients.
var (
	dpC = [7]float64{0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1}
	dpA = [7][6]float64{
		{},
		{1.0 / 5},
		{3.0 / 40, 9.0 / 40},
		{44.0 / 45, -56.0 / 15, 32.0 / 9},
		{19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
		{9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
		{35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84},
	}
	// dpB is the fifth-order weights (the last row of dpA, stage 7 weight 0);
	// dpE is b − b̂, fifth- minus fourth-order weights.
	dpB = [7]float64{35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0}
	dpE = [7]float64{71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40}
)

// Properties describes the pair.
func (DP5) Properties() sdeint.Properties {
	var o [sdeint.NumNoiseClasses]sdeint.Order
	for c := range o {
		o[c].NotApplicable = true // ODEs only
	}
	o[sdeint.ClassNone] = sdeint.Order{Strong: 5, Weak: 5, ErrQ: 4, Adaptive: true}
	return sdeint.Properties{
		Name:     "dp5",
		Calculus: sdeint.Ito, // no noise: the calculus does not matter
		Adaptive: true,
		State:    func(d sdeint.Dims) int { return dp5State(d.N) },
		Orders:   o,
		Control:  controlODE,
	}
}

// dp5State is the per-path memory: the first stage f(t, x), then a flag
// that says it is valid.
func dp5State(n int) int { return n + 1 }

// NewStepper returns a stepper for the pair.
func (DP5) NewStepper(d sdeint.Dims, rows int) sdeint.Stepper {
	st := &dp5Stepper{xs: make([]float64, rows*d.N), ts: make([]float64, rows), need: make([]int, 0, rows)}
	for i := range st.k {
		st.k[i] = make([]float64, rows*d.N)
	}
	return st
}

type dp5Stepper struct {
	k    [7][]float64 // stage derivatives
	xs   []float64    // stage state
	ts   []float64    // stage times
	need []int        // rows without a remembered first stage
}

func (st *dp5Stepper) Step(s *sdeint.Step) error {
	k, n := s.K, s.Dims.N
	S := dp5State(n)
	// Stage 1: reuse f(t, x) from the previous step where the row has it,
	// and evaluate it only for the rows that do not (a path whose first
	// attempts were rejected): each path's NFE must not depend on its
	// neighbours in the batch.
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
		// Gather the rows into the stage scratch, evaluate, scatter.
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
	for i := 1; i < 7; i++ {
		for r := range k {
			h := s.H[r]
			st.ts[r] = s.T[r] + dpC[i]*h
			for c := r * n; c < (r+1)*n; c++ {
				v := s.X[c]
				for j := range i {
					if a := dpA[i][j]; a != 0 {
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
	// Stage 7 was evaluated at x + h·Σ b_j k_j, the fifth-order result.
	copy(s.High[:k*n], st.xs[:k*n])
	for r := range k {
		h := s.H[r]
		for c := r * n; c < (r+1)*n; c++ {
			var e float64
			for j := range 7 {
				e += dpE[j] * st.k[j][c]
			}
			e *= h
			if s.Adaptive {
				s.Err[c] = e
				s.Low[c] = s.High[c] - e
			}
		}
		// The new state's first stage is this step's last.
		copy(s.NextState[r*S:r*S+n], st.k[6][r*n:(r+1)*n])
		s.NextState[r*S+n] = 1
	}
	return nil
}
