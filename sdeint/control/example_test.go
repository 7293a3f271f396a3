package control_test

import (
	"fmt"

	"github.com/gofast-sde/gofast/sdeint/control"
)

// New resolves what the user set (Settings, zero meaning "default") with
// what a method contributes (Defaults) into the error norm and controller a
// solve uses. Here the method's defaults are those of the paper's pair in
// diffusion sampling — its tolerance rule, the integral exponent r = 0.9,
// no clamps — and the user sets the tolerances and the first step as
// diffusion.Sample does; printing the result shows what the zero values
// became. For a method of package methods use sdeint.DefaultControl, which
// first completes the method's Defaults for the problem's noise class as
// Solve does.
func ExampleNew() {
	paper := control.Defaults{Rule: control.RulePaper, Exponent: 0.9}
	c, err := control.New(control.Settings{RTol: 0.01, ATol: 0.0078, H0: 0.01}, paper, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("rule %v with x'prev: %v, norm %v, rtol %g, atol %v\n", c.Rule, c.UsePrev, c.Norm, c.RTol, c.ATol)
	fmt.Printf("integral control h ← %g·h·E^(−%g), PID: %v\n", c.Safety, c.B1, c.PID)
	fmt.Printf("factor in [%g, %g], first step %g, probed: %v\n", c.MinFactor, c.MaxFactor, c.H0, c.Auto)

	// Invalid settings are reported together, before any solve.
	_, err = control.New(control.Settings{RTol: -1, Safety: 2}, paper, 3)
	fmt.Println(err)
	// Output:
	// rule paper with x'prev: true, norm l2scaled, rtol 0.01, atol [0.0078 0.0078 0.0078]
	// integral control h ← 0.9·h·E^(−0.9), PID: false
	// factor in [0, +Inf], first step 0.01, probed: false
	// control: RTol = -1, want finite ≥ 0
	// control: Safety = 2, want a value in (0, 1]
}

// ParseController reads a controller by the name the command line uses,
// into the controller fields of Settings: here the PI controller Diffrax
// suggests for SDEs, resolved for a method whose error estimate grows as h
// (k = 1).
func ExampleParseController() {
	s, err := control.ParseController("pi")
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := control.NewAdaptive(s, control.Defaults{Rule: control.RuleMainstream, Order: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("P = %g, I = %g: β1 = %.2f, β2 = %.2f, PID %v\n", s.PCoeff, s.ICoeff, c.B1, c.B2, c.PID)
	// Output:
	// P = 0.1, I = 0.3: β1 = 0.40, β2 = -0.10, PID true
}
