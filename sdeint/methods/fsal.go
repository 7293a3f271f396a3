package methods

import "github.com/gofast-sde/gofast/sdeint"

// fsalTableau is an explicit embedded Runge–Kutta pair for ODEs whose last
// stage is evaluated at the kept result (first same as last, FSAL): the
// last row of a holds the kept weights, and e holds the kept minus the
// embedded weights.
type fsalTableau struct {
	c []float64   // nodes
	a [][]float64 // stage coefficients, row i has i entries
	e []float64   // error weights, one per stage
}

// fsalProperties describes an FSAL pair of the given order for ODEs: other
// noise classes are not applicable, the error estimate grows as h^order
// (q = order − 1), and the controller is the ODE one.
func fsalProperties(name string, order float64) sdeint.Properties {
	var o [sdeint.NumNoiseClasses]sdeint.Order
	for c := range o {
		o[c].NotApplicable = true // ODEs only
	}
	o[sdeint.ClassNone] = sdeint.Order{Strong: order, Weak: order, ErrQ: order - 1, Adaptive: true}
	return sdeint.Properties{
		Name:     name,
		Calculus: sdeint.Ito, // no noise: the calculus does not matter
		Adaptive: true,
		State:    func(d sdeint.Dims) int { return fsalState(d.N) },
		Orders:   o,
		Control:  controlODE,
	}
}

// fsalState is the per-path memory of an FSAL pair: the first stage
// f(t, x), then a flag that says it is valid.
func fsalState(n int) int { return n + 1 }

// newFSALStepper returns a stepper for tableau tab.
func newFSALStepper(tab *fsalTableau, d sdeint.Dims, rows int) *fsalStepper {
	st := &fsalStepper{tab: tab, k: make([][]float64, len(tab.c)),
		xs: make([]float64, rows*d.N), ts: make([]float64, rows), need: make([]int, 0, rows)}
	for i := range st.k {
		st.k[i] = make([]float64, rows*d.N)
	}
	return st
}

// fsalStepper steps an FSAL pair (DP5, BS3). The remembered first stage
// lives in the path's State, and missing first stages are evaluated with
// Step.DriftRows, so each path's NFE does not depend on the batch.
type fsalStepper struct {
	tab  *fsalTableau
	k    [][]float64 // stage derivatives
	xs   []float64   // stage state
	ts   []float64   // stage times
	need []int       // rows without a remembered first stage
}

func (st *fsalStepper) Step(s *sdeint.Step) error {
	k, n := s.K, s.Dims.N
	S := fsalState(n)
	tab, last := st.tab, len(st.tab.c)-1
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
	for i := 1; i <= last; i++ {
		for r := range k {
			h := s.H[r]
			st.ts[r] = s.T[r] + tab.c[i]*h
			if i == last {
				st.ts[r] = s.TEnd[r] // kept as the next step's first stage
			}
			for c := r * n; c < (r+1)*n; c++ {
				v := s.X[c]
				for j := range i {
					if a := tab.a[i][j]; a != 0 {
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
	// The last stage was evaluated at the kept result.
	copy(s.High[:k*n], st.xs[:k*n])
	for r := range k {
		h := s.H[r]
		if s.Adaptive {
			for c := r * n; c < (r+1)*n; c++ {
				var e float64
				for j, w := range tab.e {
					e += w * st.k[j][c]
				}
				e *= h
				s.Err[c] = e
				s.Low[c] = s.High[c] - e
			}
		}
		// The new state's first stage is this step's last.
		copy(s.NextState[r*S:r*S+n], st.k[last][r*n:(r+1)*n])
		s.NextState[r*S+n] = 1
	}
	return nil
}
