package sdeint_test

import (
	"context"
	"fmt"
	"math"

	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// halving is a step-size controller of one's own: each path remembers one
// number, its step size, which doubles after an accepted attempt and halves
// after a rejected one.
type halving struct{ h0 float64 }

func (c halving) StateSize() int  { return 1 }
func (c halving) UsesError() bool { return true }
func (c halving) Start(h []float64, t0, t1 float64) float64 {
	h[0] = c.h0
	return h[0]
}
func (c halving) Propose(h []float64, t, stop float64) (tEnd, hTry float64, ok bool) {
	if h[0] >= math.Abs(stop-t) {
		return stop, h[0], true // land on the stop
	}
	return t + math.Copysign(h[0], stop-t), h[0], h[0] > 1e-12
}
func (c halving) Decide(h []float64, t, tEnd, err float64) (control.Decision, float64) {
	if err <= 1 { // false for NaN and +Inf: a non-finite attempt shrinks too
		h[0] *= 2
		return control.Accept, h[0]
	}
	h[0] /= 2
	return control.Reject, h[0]
}

// Plug a controller of one's own into the solver: geometric Brownian motion
// with Roberts' Itô pair, its default error norm, and the halving
// controller above.
func ExampleSettings_controller() {
	const mu, sigma = 0.5, 0.3
	p := &sdeint.Problem{
		Dim:   1,
		Noise: sdeint.Noise{Shape: sdeint.ScalarNoise, Commutative: true},
		T0:    0,
		T1:    1,
		X0:    []float64{1},
		Drift: sdeint.Lift(1, 1, func(dst []float64, t float64, x []float64) {
			dst[0] = mu * x[0]
		}),
		Diffusion: sdeint.Lift(1, 1, func(dst []float64, t float64, x []float64) {
			dst[0] = sigma * x[0]
		}),
	}
	res, err := sdeint.Solve(context.Background(), p, methods.Roberts{}, &sdeint.Settings{
		Paths:      1000,
		Seed:       1,
		Control:    control.Settings{RTol: 1e-3, ATol: 1e-3}, // the norm's tolerances
		Controller: halving{h0: 0.01},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var sum, sumSq float64
	for i := range res.Paths {
		x := res.Row(i)[0]
		sum, sumSq = sum+x, sumSq+x*x
	}
	n := float64(res.Paths)
	mean := sum / n
	se := math.Sqrt((sumSq/n - mean*mean) / (n - 1))
	exact := math.Exp(mu)
	fmt.Println("status:", res.Status)
	fmt.Printf("mean X(1) = %.2f ± %.2f (exact %.2f)\n", mean, se, exact)
	fmt.Println("within 4 standard errors:", math.Abs(mean-exact) < 4*se)
	fmt.Println("some attempts rejected:", res.Stats.Rejected > 0)
	// Output:
	// status: success
	// mean X(1) = 1.67 ± 0.02 (exact 1.65)
	// within 4 standard errors: true
	// some attempts rejected: true
}
