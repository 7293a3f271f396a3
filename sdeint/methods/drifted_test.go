package methods_test

import (
	"context"
	"math"
	"testing"

	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// qvProblem is a non-commutative problem on which Euler–Maruyama's Itô
// sums can be read off exactly, with a component whose drift part leads
// the Lamba estimate:
//
//	dX₁ = −X₁ dt + 50 dW₁       (additive: E_n = 0, E_d ≈ ½h·50·ΔW₁)
//	dX₂ = 2X₃ dW₁               (X₂ = ∫2W₁dW₁ = W₁² − t)
//	dX₃ = dW₁                   (X₃ = W₁)
//	dX₄ = X₃ dW₂                (∫W₁dW₂: [g¹, g²]₄ = 1, non-commutative)
//
// X(0) = 0 on [0, 1]. On any grid Euler–Maruyama gives X₃ = W₁(1) and
// X₂ = Σ2W₁(t_n)ΔW₁,n = W₁(1)² − ΣΔW₁,n², so D = X₂ − (X₃² − 1) =
// 1 − ΣΔW₁,n² exactly: the bias of the quadratic variation on the grid.
func qvProblem() *sdeint.Problem {
	return &sdeint.Problem{Dim: 4, T0: 0, T1: 1, X0: make([]float64, 4),
		Noise: sdeint.Noise{Shape: sdeint.GeneralNoise, M: 2},
		Drift: sdeint.Lift(4, 4, func(dst []float64, _ float64, x []float64) {
			dst[0], dst[1], dst[2], dst[3] = -x[0], 0, 0, 0
		}),
		Diffusion: sdeint.Lift(4, 8, func(dst []float64, _ float64, x []float64) {
			clear(dst)
			dst[0] = 50       // g₁₁
			dst[2] = 2 * x[2] // g₂₁
			dst[4] = 1        // g₃₁
			dst[7] = x[2]     // g₄₂
		}),
	}
}

// TestLambaEMDriftLed: a drift part taken at the step's result,
// E_d = ½h·(f(t+h, x_{n+1}) − f(t, x)), holds ½h·f_x·g·ΔW: the step grid
// then depends on the step's own increment (Gaines & Lyons 1997), and
// Euler–Maruyama's Itô sums, which miss Σ_j L^j g^j·½(ΔW_j² − h), are
// biased where E_d leads the estimate. So on multiplicative noise LambaEM
// takes its drift part over the previous step (stopping times). On
// qvProblem, D = 1 − ΣΔW₁,n² (2000 paths, seed 1, bridge source; SE from
// the sample), with X₁'s tolerance binding (ATolVec tol on X₁, 1e6 on the
// others, as for a component whose accuracy does not matter):
//
//   - ForwardDrift (Lamba's noise-free form) and the default (the previous
//     step) depend on the past only, the steps are stopping times and
//     E[ΣΔW²] = 1 exactly (Wald's identity): E D within 4 SE of 0 at
//     tolerances 1e-2 and 1e-3;
//   - EndDrift, the ablation that takes the drift part at the result on
//     every class (refused without Override here), refuses steps with a
//     large |ΔW₁| and gives E D ≈ 0.10 at 1e-2 and 1e-3 alike (measured
//     0.0993 ± 0.0021, 0.0999 ± 0.0010 when it was the default): a bias
//     that does not vanish. The test asserts E D > 10 SE at both, which
//     shows that the check can see a bias.
func TestLambaEMDriftLed(t *testing.T) {
	meanD := func(m sdeint.Method, c control.Settings) (mean, se float64) {
		t.Helper()
		res, err := sdeint.Solve(context.Background(), qvProblem(), m, &sdeint.Settings{Paths: 2000, Seed: 1, Control: c, Override: true})
		if err != nil {
			t.Fatal(err)
		}
		var s, s2 float64
		P := float64(len(res.Path))
		for i := range res.Path {
			x := res.X[i*4 : i*4+4]
			d := x[1] - (x[2]*x[2] - 1)
			s += d
			s2 += d * d
		}
		mean = s / P
		return mean, math.Sqrt((s2/P - mean*mean) / (P - 1))
	}
	led := func(tol float64) control.Settings {
		return control.Settings{RTol: 1e-300, ATolVec: []float64{tol, 1e6, 1e6, 1e6}}
	}
	if _, err := sdeint.Solve(context.Background(), qvProblem(), methods.LambaEM{EndDrift: true}, &sdeint.Settings{Paths: 1, Control: led(1e-2)}); err == nil {
		t.Errorf("EndDrift on multiplicative noise was not refused without Override")
	}
	for _, tol := range []float64{1e-2, 1e-3} {
		for _, c := range []struct {
			name string
			m    methods.LambaEM
		}{{"forward", methods.LambaEM{ForwardDrift: true}}, {"default", methods.LambaEM{}}} {
			m, se := meanD(c.m, led(tol))
			t.Logf("%s, tol %g: E D = %.4f ± %.4f", c.name, tol, m, se)
			if math.Abs(m) > 4*se {
				t.Errorf("%s, tol %g: E[1 − ΣΔW²] = %.4f ± %.4f, want 0 within 4 SE: the steps are not stopping times", c.name, tol, m, se)
			}
		}
		m, se := meanD(methods.LambaEM{EndDrift: true}, led(tol))
		t.Logf("EndDrift, tol %g: E D = %.4f ± %.4f", tol, m, se)
		if m < 10*se {
			t.Errorf("EndDrift, tol %g: E[1 − ΣΔW²] = %.4f ± %.4f, not above 10 SE: the check cannot see the bias", tol, m, se)
		}
	}
}
