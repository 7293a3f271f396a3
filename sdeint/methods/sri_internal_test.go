package methods

import (
	"fmt"
	"math"
	"testing"
)

// TestSRIOrderConditions checks each SRI tableau against Rößler's
// conditions for strong order 1.5 of the SRI scheme for Itô SDEs (A.
// Rößler, SIAM J. Numer. Anal. 48(3), 2010, the SRI order conditions; the
// same list StochasticDiffEq.jl's checkSRIOrder and Rackauckas & Nie,
// arXiv:1804.04344, use), plus c0 = A0·e and c1 = A1·e. With e the ones
// vector and squares taken elementwise:
//
//	αᵀe = 1        β1ᵀe = 1        β2ᵀe = 0        β3ᵀe = 0        β4ᵀe = 0
//	β1ᵀB1e = 0     β2ᵀB1e = 1      β3ᵀB1e = 0      β4ᵀB1e = 0
//	αᵀA0e = ½      αᵀB0e = 1       αᵀ(B0e)² = 3/2
//	β1ᵀA1e = 1     β2ᵀA1e = 0      β3ᵀA1e = −1     β4ᵀA1e = 0
//	β1ᵀ(B1e)² = 1  β2ᵀ(B1e)² = 0   β3ᵀ(B1e)² = −1  β4ᵀ(B1e)² = 2
//	β1ᵀB1(B1e) = 0 β2ᵀB1(B1e) = 0  β3ᵀB1(B1e) = 0  β4ᵀB1(B1e) = 1
//	½β1ᵀA1(B0e) + ⅓β3ᵀA1(B0e) = 0
//
// Each residual must vanish to rounding: at most 32 ulps of the sum of the
// magnitudes of its terms (SRIW1's rational coefficients are exact to one
// rounding each; SOSRI's are 16-digit decimals of an optimisation's
// solution). A single mistyped digit in any coefficient that enters a
// condition moves a residual far above that. The test also shows the bound
// is tight enough to catch one: perturbing any non-zero entry by one part
// in 10¹⁰ (a wrong tenth digit) fails some condition.
func TestSRIOrderConditions(t *testing.T) {
	for _, tb := range []*sriTableau{sriw1Tableau, sosriTableau} {
		if bad := sriConditions(tb); len(bad) > 0 {
			for _, b := range bad {
				t.Errorf("%s: %s", tb.name, b)
			}
		}
		// Sensitivity: every coefficient that the conditions read is
		// checked by at least one of them.
		for _, p := range tb.coefficients() {
			if *p == 0 {
				continue
			}
			v := *p
			*p = v * (1 + 1e-10)
			if len(sriConditions(tb)) == 0 {
				t.Errorf("%s: a perturbation of coefficient %v by 1e-10 passes the conditions", tb.name, v)
			}
			*p = v
		}
	}
}

// coefficients lists pointers to the entries the order conditions read:
// all of them, except the stage times c (checked as row sums).
func (tb *sriTableau) coefficients() []*float64 {
	var ps []*float64
	for i := range sriStages {
		for _, v := range []*[sriStages]float64{&tb.alpha, &tb.beta1, &tb.beta2, &tb.beta3, &tb.beta4, &tb.c0, &tb.c1} {
			ps = append(ps, &v[i])
		}
		for j := range i {
			ps = append(ps, &tb.a0[i][j], &tb.a1[i][j], &tb.b0[i][j], &tb.b1[i][j])
		}
	}
	return ps
}

// sriConditions returns the conditions tb violates beyond rounding.
func sriConditions(tb *sriTableau) []string {
	const s = sriStages
	type vec = [s]float64
	// mul returns M·v and, in mag, |M|·|v|.
	mul := func(m *[s][s]float64, v, mag vec) (r, rm vec) {
		for i := range s {
			for j := range i {
				r[i] += m[i][j] * v[j]
				rm[i] += math.Abs(m[i][j]) * mag[j]
			}
		}
		return r, rm
	}
	var e vec
	for i := range e {
		e[i] = 1
	}
	sq := func(v, mag vec) (r, rm vec) {
		for i := range v {
			r[i], rm[i] = v[i]*v[i], mag[i]*mag[i]
		}
		return r, rm
	}
	var bad []string
	// check tests Σ_t cs_t·w_tᵀv = want, the bound from Σ_t |cs_t|·|w_t|ᵀmag.
	checkSum := func(name string, cs []float64, ws []vec, v, mag vec, want float64) {
		var sum, m float64
		for t, w := range ws {
			for i := range w {
				sum += cs[t] * w[i] * v[i]
				m += math.Abs(cs[t]*w[i]) * mag[i]
			}
		}
		m += math.Abs(want)
		if d := math.Abs(sum - want); d > 32*0x1p-52*m {
			bad = append(bad, fmt.Sprintf("%s = %.17g, want %g (off by %.3g, bound %.3g)", name, sum, want, d, 32*0x1p-52*m))
		}
	}
	check := func(name string, w, v, mag vec, want float64) {
		checkSum(name, []float64{1}, []vec{w}, v, mag, want)
	}
	A0e, A0m := mul(&tb.a0, e, e)
	A1e, A1m := mul(&tb.a1, e, e)
	B0e, B0m := mul(&tb.b0, e, e)
	B1e, B1m := mul(&tb.b1, e, e)
	B1e2, B1m2 := sq(B1e, B1m)
	B0e2, B0m2 := sq(B0e, B0m)
	B1B1e, B1B1m := mul(&tb.b1, B1e, B1m)
	A1B0e, A1B0m := mul(&tb.a1, B0e, B0m)
	betas := []struct {
		name string
		b    vec
		want [5]float64 // e, B1e, A1e, (B1e)², B1(B1e)
	}{
		{"β1", tb.beta1, [5]float64{1, 0, 1, 1, 0}},
		{"β2", tb.beta2, [5]float64{0, 1, 0, 0, 0}},
		{"β3", tb.beta3, [5]float64{0, 0, -1, -1, 0}},
		{"β4", tb.beta4, [5]float64{0, 0, 0, 2, 1}},
	}
	check("αᵀe", tb.alpha, e, e, 1)
	check("αᵀA0e", tb.alpha, A0e, A0m, 0.5)
	check("αᵀB0e", tb.alpha, B0e, B0m, 1)
	check("αᵀ(B0e)²", tb.alpha, B0e2, B0m2, 1.5)
	for _, b := range betas {
		check(b.name+"ᵀe", b.b, e, e, b.want[0])
		check(b.name+"ᵀB1e", b.b, B1e, B1m, b.want[1])
		check(b.name+"ᵀA1e", b.b, A1e, A1m, b.want[2])
		check(b.name+"ᵀ(B1e)²", b.b, B1e2, B1m2, b.want[3])
		check(b.name+"ᵀB1(B1e)", b.b, B1B1e, B1B1m, b.want[4])
	}
	// ½β1ᵀA1(B0e) + ⅓β3ᵀA1(B0e) = 0.
	checkSum("½β1ᵀA1(B0e) + ⅓β3ᵀA1(B0e)", []float64{0.5, 1.0 / 3}, []vec{tb.beta1, tb.beta3}, A1B0e, A1B0m, 0)
	// Stage times are the row sums.
	for i := range s {
		var one vec
		one[i] = 1
		check(fmt.Sprintf("c0[%d] − (A0e)[%d]", i, i), one, A0e, A0m, tb.c0[i])
		check(fmt.Sprintf("c1[%d] − (A1e)[%d]", i, i), one, A1e, A1m, tb.c1[i])
	}
	return bad
}
