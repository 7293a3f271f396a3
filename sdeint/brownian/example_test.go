package brownian_test

import (
	"fmt"
	"math"

	"github.com/gofast-sde/gofast/sdeint/brownian"
)

// The bridge remembers what a rejected attempt drew: after a rejected
// attempt to τ = 1, two half steps land on the very W(1) it proposed, drawn
// from the Brownian bridge in between. Redraw, the official code of
// Jolicoeur-Martineau et al. (2021), forgets it and draws afresh, which
// biases adaptive solves (rejection depends on the draw). This is why the
// bridge is the default source for adaptive steps.
func ExampleBridge() {
	key := brownian.Key{Seed: 1, Path: 0}
	for _, src := range []brownian.Source{brownian.Bridge{}, brownian.Redraw{}} {
		p := src.NewPath(1, 1)
		p.Reset(key)
		dw := make([]float64, 1)
		p.Increment(dw, 1) // an attempt over the whole span...
		proposed := dw[0]
		p.Reject() // ...rejected by the controller
		var w float64
		for _, to := range []float64{0.5, 1} {
			p.Increment(dw, to)
			p.Accept()
			w += dw[0]
		}
		fmt.Printf("%-6s exact: %-5v W(1) is the rejected proposal: %v\n", src.Name(), src.Exact(), math.Abs(w-proposed) < 1e-12)
	}
	// Output:
	// bridge exact: true  W(1) is the rejected proposal: true
	// redraw exact: false W(1) is the rejected proposal: false
}

// The virtual Brownian tree is a pure function of (seed, path, time): any
// sequence of attempts, rejected ones included, sees the same path. Solves
// at different step sizes or tolerances can then be compared on one
// Brownian path, as convergence studies need.
func ExampleTree() {
	key := brownian.Key{Seed: 1, Path: 0}
	walk := func(steps []float64, rejectFirst bool) float64 {
		p := brownian.Tree{}.NewPath(1, 1)
		p.Reset(key)
		dw := make([]float64, 1)
		if rejectFirst {
			p.Increment(dw, 0.7)
			p.Reject()
		}
		var w float64
		for _, to := range steps {
			p.Increment(dw, to)
			p.Accept()
			w += dw[0]
		}
		return w
	}
	one := walk([]float64{1}, false)
	ten := walk([]float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}, false)
	odd := walk([]float64{0.25, 0.3, 1}, true)
	fmt.Printf("W(1) = %.3f\n", one)
	fmt.Println("one step and ten steps agree:", math.Abs(one-ten) < 1e-12)
	fmt.Println("three steps after a rejection agree:", math.Abs(one-odd) < 1e-12)
	// Output:
	// W(1) = -0.427
	// one step and ten steps agree: true
	// three steps after a rejection agree: true
}
