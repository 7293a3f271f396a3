package problems_test

import (
	"context"
	"fmt"
	"math"

	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// Solve a library problem by name with the method gofast picks for it
// (methods.Default), and measure the strong error against the exact solution
// on each path's own Brownian path (Result.W) at three tolerances: how a
// user sees what a tolerance buys, and at what cost, before choosing one.
func ExampleByName() {
	p, err := problems.ByName("gbm")
	if err != nil {
		fmt.Println(err)
		return
	}
	m := methods.Default(&p.SDE)
	fmt.Println(p.Description)
	fmt.Println("method:", m.Properties().Name)
	exact := make([]float64, p.SDE.Dim)
	for _, tol := range []float64{1e-2, 1e-3, 1e-4} {
		res, err := sdeint.Solve(context.Background(), &p.SDE, m, &sdeint.Settings{
			Paths:   100,
			Seed:    1,
			Control: control.Settings{RTol: tol, ATol: tol},
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		var sum float64
		for i := range res.Paths {
			p.Solution(exact, p.SDE.T1, res.WRow(i))
			sum += math.Abs(res.Row(i)[0] - exact[0])
		}
		fmt.Printf("tol %.0e: %v, mean |X(1) − exact| = %.1e, NFE %.0f per path\n", tol, res.Status, sum/float64(res.Paths), res.NFEMean())
	}
	// Output:
	// geometric Brownian motion, Itô: dX = 1.01 X dt + 0.87 X dW, X(0) = 0.5, t in [0, 1]
	// method: sriw1
	// tol 1e-02: success, mean |X(1) − exact| = 3.2e-03, NFE 77 per path
	// tol 1e-03: success, mean |X(1) − exact| = 1.5e-04, NFE 528 per path
	// tol 1e-04: success, mean |X(1) − exact| = 6.5e-06, NFE 4997 per path
}
