package sdeint_test

import (
	"context"
	"fmt"
	"math"

	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// Solve geometric Brownian motion dX = μX dt + σX dW adaptively with
// Roberts' Itô pair on 1000 paths, and compare the sample mean of X(1) with
// the exact mean X₀e^μ.
func ExampleSolve() {
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
		Paths:   1000,
		Seed:    1,
		Control: control.Settings{RTol: 1e-3, ATol: 1e-3},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var mean float64
	for i := range res.Paths {
		mean += res.Row(i)[0] / float64(res.Paths)
	}
	fmt.Println("status:", res.Status)
	fmt.Printf("mean X(1) = %.2f (exact %.2f)\n", mean, math.Exp(mu))
	// Output:
	// status: success
	// mean X(1) = 1.67 (exact 1.65)
}

// A batched drift sees one row per active path, the time of each row, and
// the worker calling it, so it can keep per-worker scratch space.
func ExampleFunc() {
	scratch := make([][]float64, 4) // one buffer per worker
	drift := func(dst, t, x []float64, b sdeint.Batch) error {
		buf := scratch[b.Worker][:0]
		for r := range t {
			buf = append(buf, -x[r]) // dX = −X dt
		}
		copy(dst, buf)
		scratch[b.Worker] = buf
		return nil
	}
	p := &sdeint.Problem{Dim: 1, T0: 0, T1: 1, X0: []float64{1}, Drift: drift}
	res, err := sdeint.Solve(context.Background(), p, methods.GGF{}, &sdeint.Settings{
		Paths: 8, Workers: 4,
		Control: control.Settings{RTol: 1e-8, ATol: 1e-8},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("X(1) = %.6f, exact %.6f\n", res.Row(0)[0], math.Exp(-1))
	// Output:
	// X(1) = 0.367879, exact 0.367879
}
