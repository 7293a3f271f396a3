package sdeint_test

import (
	"context"
	"errors"
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

// exampleGBM returns the Itô geometric Brownian motion
// dX = μX dt + σX dW, X(0) = 1, on [0, 1], whose exact solution on a
// Brownian path is X(t) = exp((μ − σ²/2)t + σW(t)). When limit is finite,
// the drift is NaN above it: a model that is only defined below some state.
func exampleGBM(mu, sigma, limit float64) *sdeint.Problem {
	return &sdeint.Problem{
		Dim:   1,
		Noise: sdeint.Noise{Shape: sdeint.ScalarNoise, Commutative: true},
		T0:    0,
		T1:    1,
		X0:    []float64{1},
		Drift: sdeint.Lift(1, 1, func(dst []float64, t float64, x []float64) {
			dst[0] = mu * x[0]
			if x[0] > limit {
				dst[0] = math.NaN()
			}
		}),
		Diffusion: sdeint.Lift(1, 1, func(dst []float64, t float64, x []float64) {
			dst[0] = sigma * x[0]
		}),
	}
}

// Save each path's state at chosen times: the solver lands exactly on them
// and also saves W(t) − W(T0) there, so a path can be compared with an exact
// solution, or plotted, along the way and not only at T1.
func ExampleSettings_saveAt() {
	const mu, sigma = 1.0, 0.2
	res, err := sdeint.Solve(context.Background(), exampleGBM(mu, sigma, math.Inf(1)), methods.SRIW1{}, &sdeint.Settings{
		Paths:  4,
		Seed:   1,
		SaveAt: []float64{0.25, 0.5, 0.75, 1},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	const path = 0
	for j, t := range res.SaveAt {
		x, w := res.SavedRow(path, j)[0], res.SavedWRow(path, j)[0]
		exact := math.Exp((mu-sigma*sigma/2)*t + sigma*w)
		fmt.Printf("t = %.2f: X = %.3f, exact %.3f\n", t, x, exact)
	}
	// Output:
	// t = 0.25: X = 1.146, exact 1.146
	// t = 0.50: X = 1.533, exact 1.533
	// t = 0.75: X = 2.040, exact 2.040
	// t = 1.00: X = 2.590, exact 2.590
}

// When a path cannot go on, Solve still returns the Result, with what every
// path reached, and a *SolveError that says how many paths failed and why
// the first one did. Here the drift is NaN above 2 (the model is only
// defined below), so each path stops at its first accepted state above 2:
// the NaN is at the state itself, so the adaptive steps shrink until they
// collapse and the path ends NotFinite. A user reads Result.Path to see
// where each path stopped, and its PathError to see what went wrong.
func ExampleSolve_notFinite() {
	p := exampleGBM(1, 0.2, 2)
	res, err := sdeint.Solve(context.Background(), p, methods.SRIW1{}, &sdeint.Settings{Paths: 4, Seed: 1})
	var se *sdeint.SolveError
	if !errors.As(err, &se) {
		fmt.Println("unexpected:", err)
		return
	}
	fmt.Printf("status: %v, %d of %d paths failed\n", res.Status, se.Failed, se.Paths)
	for i, ps := range res.Path {
		fmt.Printf("path %d: %v at t = %.2f, X above 2: %v, %s is NaN\n", i, ps.Status, ps.T, res.Row(i)[0] > 2, ps.Err.Where)
	}

	// With fixed steps a NaN ends the path at once. On this grid the times
	// print exactly, so the whole message can be shown.
	_, err = sdeint.Solve(context.Background(), p, methods.SRIW1{}, &sdeint.Settings{Paths: 1, Seed: 1, Steps: 16})
	fmt.Println(err)
	// Output:
	// status: NaN or Inf, 4 of 4 paths failed
	// path 0: NaN or Inf at t = 0.74, X above 2: true, drift is NaN
	// path 1: NaN or Inf at t = 0.87, X above 2: true, drift is NaN
	// path 2: NaN or Inf at t = 0.75, X above 2: true, drift is NaN
	// path 3: NaN or Inf at t = 0.44, X above 2: true, drift is NaN
	// sdeint: 1 of 1 paths did not finish (NaN or Inf); first: path 0: drift has NaN or Inf in component 0 at t = 0.609375 (last accepted t = 0.5625)
}

// A budget of attempts per path (Settings.MaxAttempts) bounds the work of a
// solve: a path that uses it up stops where it is, with status
// BudgetExhausted, and the Result holds its partial state. A fixed-step solve
// that cannot fit in the budget is refused before any work.
func ExampleSettings_maxAttempts() {
	p := exampleGBM(1, 0.2, math.Inf(1))
	res, err := sdeint.Solve(context.Background(), p, methods.SRIW1{}, &sdeint.Settings{Paths: 2, Seed: 1, MaxAttempts: 20})
	var se *sdeint.SolveError
	if !errors.As(err, &se) {
		fmt.Println("unexpected:", err)
		return
	}
	fmt.Printf("status: %v, %d of %d paths failed\n", res.Status, se.Failed, se.Paths)
	for i, ps := range res.Path {
		fmt.Printf("path %d: %v at t = %.2f after %d attempts, X = %.2f\n", i, ps.Status, ps.T, ps.Accepted+ps.Rejected, res.Row(i)[0])
	}

	res, err = sdeint.Solve(context.Background(), p, methods.SRIW1{}, &sdeint.Settings{Steps: 100, MaxAttempts: 20})
	fmt.Println(res == nil, err)
	// Output:
	// status: step budget exhausted, 2 of 2 paths failed
	// path 0: step budget exhausted at t = 0.46 after 20 attempts, X = 1.49
	// path 1: step budget exhausted at t = 0.45 after 20 attempts, X = 1.51
	// true sdeint: 100 fixed steps exceed MaxAttempts = 20
}

// DefaultControl shows the step-size control Solve resolves for a method on a
// problem when the user sets only tolerances: the method's tolerance rule,
// PI coefficients scaled by the growth of its error estimate, clamps and a
// probed first step.
func ExampleDefaultControl() {
	c, err := sdeint.DefaultControl(exampleGBM(1, 0.2, math.Inf(1)), methods.SRIW1{}, control.Settings{RTol: 1e-3, ATol: 1e-4})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("rule %v, norm %v, rtol %g, atol %g\n", c.Rule, c.Norm, c.RTol, c.ATol[0])
	fmt.Printf("safety %g, exponents β1 = %.2f, β2 = %.2f, PID %v\n", c.Safety, c.B1, c.B2, c.PID)
	fmt.Printf("factor clamped to [%g, %g], probed first step: %v\n", c.MinFactor, c.MaxFactor, c.Auto)
	// Output:
	// rule mainstream, norm l2scaled, rtol 0.001, atol 0.0001
	// safety 0.9, exponents β1 = 0.30, β2 = -0.10, PID true
	// factor clamped to [0.2, 1.125], probed first step: true
}
