package convergence_test

import (
	"context"
	"fmt"

	"github.com/gofast-sde/gofast/convergence"
	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// Measure the strong order of two methods on geometric Brownian motion, on
// the same Brownian paths at every step size, and compare it with the order
// the method declares: Euler–Maruyama should reach ½ on this multiplicative
// noise, Rößler's SRIW1 1.5. A user runs this to check a method (or a
// problem's exact solution) before trusting it.
func ExampleStrong() {
	p, err := problems.ByName("gbm")
	if err != nil {
		fmt.Println(err)
		return
	}
	dts := []float64{1.0 / 8, 1.0 / 16, 1.0 / 32, 1.0 / 64, 1.0 / 128, 1.0 / 256}
	for _, m := range []sdeint.Method{methods.EM{}, methods.SRIW1{}} {
		r, err := convergence.Strong(context.Background(), p, m, dts, convergence.Settings{Paths: 400, Seed: 1})
		if err != nil {
			fmt.Println(err)
			return
		}
		want := m.Properties().Orders[p.SDE.Noise.Class(p.SDE.Dim)].Strong
		fmt.Printf("%-5s strong order %.1f ± %.2f (declared %.1f)\n", r.Method, r.Order, r.OrderSE, want)
	}
	// Output:
	// em    strong order 0.5 ± 0.04 (declared 0.5)
	// sriw1 strong order 1.5 ± 0.05 (declared 1.5)
}

// Measure the weak order of Euler–Maruyama on geometric Brownian motion: the
// error of the mean of X(1), with common random numbers (each path compared
// with the exact solution on the same Brownian path), so that a few
// thousand paths resolve it. Euler–Maruyama's weak order is 1.
func ExampleWeak() {
	p, err := problems.ByName("gbm")
	if err != nil {
		fmt.Println(err)
		return
	}
	m := methods.EM{}
	r, err := convergence.Weak(context.Background(), p, m, []float64{1.0 / 4, 1.0 / 8, 1.0 / 16, 1.0 / 32}, convergence.Settings{Paths: 4000, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	want := m.Properties().Orders[p.SDE.Noise.Class(p.SDE.Dim)].Weak
	fmt.Println(r.Reference)
	fmt.Printf("%s weak order %.1f ± %.2f (declared %.1f)\n", r.Method, r.Order, r.OrderSE, want)
	// Output:
	// E[x₁] of the exact solution on the same paths (common random numbers)
	// em weak order 1.0 ± 0.07 (declared 1.0)
}

// Compare adaptive steps with fixed steps at equal work on a problem with
// two time scales: geometric Brownian motion whose drift has a sharp pulse
// at t = 0.3. Fixed steps must resolve the pulse everywhere; adaptive steps
// shrink only near it. Each adaptive row is compared with the fixed-step
// error interpolated at the same mean NFE: the question a user asks before
// paying for error control.
func ExampleWorkPrecision() {
	p, err := problems.ByName("pulse")
	if err != nil {
		fmt.Println(err)
		return
	}
	wp, err := convergence.WorkPrecision(context.Background(), p, []sdeint.Method{methods.SRIW1{}},
		[]float64{1e-2, 1e-3}, nil, convergence.Settings{Paths: 100, Seed: 1, Steps: []int{100, 300, 1000, 3000}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range wp.Rows {
		switch r.Mode {
		case convergence.ModeFixed:
			fmt.Printf("%4d fixed steps: NFE %4.0f, error %.2g\n", r.Steps, r.NFEMean, r.Error)
		case convergence.ModeAdaptive:
			fmt.Printf("tolerance %.0e: NFE %4.0f, error %.2g; fixed steps at that NFE: %.2g; as efficient: %v\n",
				r.Tol, r.NFEMean, r.Error, r.FixedError, r.AsEfficient)
		}
	}
	// Output:
	// tolerance 1e-02: NFE  290, error 0.24; fixed steps at that NFE: 2; as efficient: true
	// tolerance 1e-03: NFE 2167, error 0.0023; fixed steps at that NFE: 0.068; as efficient: true
	//  100 fixed steps: NFE  200, error 3.2
	//  300 fixed steps: NFE  600, error 0.73
	// 1000 fixed steps: NFE 2000, error 0.08
	// 3000 fixed steps: NFE 6000, error 0.0095
}
