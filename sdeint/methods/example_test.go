package methods_test

import (
	"fmt"

	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// Default picks the method from the problem's noise class and calculus
// alone, so a user who describes the noise honestly (Noise.Additive,
// Noise.Commutative, Calculus) gets a method that converges on it. The table
// below is what each kind of problem gets.
func ExampleDefault() {
	cases := []struct {
		what string
		p    sdeint.Problem
	}{
		{"ODE", sdeint.Problem{Dim: 2}},
		{"additive noise", sdeint.Problem{Dim: 2,
			Noise: sdeint.Noise{Shape: sdeint.DiagonalNoise, Additive: true, Commutative: true}}},
		{"Itô, scalar noise", sdeint.Problem{Dim: 1,
			Noise: sdeint.Noise{Shape: sdeint.ScalarNoise, Commutative: true}}},
		{"Itô, diagonal noise, g_i(x_i)", sdeint.Problem{Dim: 3,
			Noise: sdeint.Noise{Shape: sdeint.DiagonalNoise, Commutative: true}}},
		{"Itô, general noise", sdeint.Problem{Dim: 2,
			Noise: sdeint.Noise{Shape: sdeint.GeneralNoise, M: 2}}},
		{"Stratonovich, scalar noise", sdeint.Problem{Dim: 1, Calculus: sdeint.Stratonovich,
			Noise: sdeint.Noise{Shape: sdeint.ScalarNoise, Commutative: true}}},
		{"Stratonovich, general noise", sdeint.Problem{Dim: 2, Calculus: sdeint.Stratonovich,
			Noise: sdeint.Noise{Shape: sdeint.GeneralNoise, M: 2}}},
	}
	for _, c := range cases {
		class := c.p.Noise.Class(c.p.Dim)
		fmt.Printf("%-30s %-21s %s\n", c.what, class, methods.Default(&c.p).Properties().Name)
	}
	// Output:
	// ODE                            none                  dp5
	// additive noise                 additive              sosra
	// Itô, scalar noise              scalar                sriw1
	// Itô, diagonal noise, g_i(x_i)  commutative diagonal  sriw1
	// Itô, general noise             non-commutative       lambaem
	// Stratonovich, scalar noise     scalar                ggf
	// Stratonovich, general noise    non-commutative       lambaeulerheun
}

// A method's Properties say, per noise class, the strong and weak orders of
// its result and whether adaptive steps converge there: read them before
// choosing a method for a problem, since Solve refuses the classes a method
// does not apply to or cannot adapt on.
func ExampleByName() {
	m, err := methods.ByName("sriw1")
	if err != nil {
		fmt.Println(err)
		return
	}
	pr := m.Properties()
	fmt.Println(methods.Summary(pr.Name))
	fmt.Printf("%s: %s calculus, error estimate: %v, needs Lévy areas: %v\n", pr.Name, pr.Calculus, pr.Adaptive, pr.Levy)
	for i := range sdeint.NumNoiseClasses {
		c, o := sdeint.NoiseClass(i), pr.Orders[i]
		if o.NotApplicable {
			fmt.Printf("  %-21s not applicable\n", c)
			continue
		}
		fmt.Printf("  %-21s strong %.1f, weak %.1f, adaptive steps: %v\n", c, o.Strong, o.Weak, o.Adaptive)
	}
	// Output:
	// Rößler's SRIW1, strong order 1.5 (Itô; scalar, diagonal, additive noise)
	// sriw1: Itô calculus, error estimate: true, needs Lévy areas: true
	//   none                  strong 2.0, weak 2.0, adaptive steps: true
	//   additive              strong 1.5, weak 2.0, adaptive steps: true
	//   scalar                strong 1.5, weak 2.0, adaptive steps: true
	//   commutative diagonal  strong 1.5, weak 2.0, adaptive steps: true
	//   commutative           not applicable
	//   non-commutative       not applicable
}
