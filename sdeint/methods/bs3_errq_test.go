package methods_test

import (
	"math"
	"testing"

	"github.com/gofast-sde/gofast/sdeint/methods"
)

// TestBS3ErrQCos: on dx/dt = x·cos t from t = 0 the BS3 estimate grows as
// h⁴, not as the declared h³ (docs/methods/bs3.md). E is x' minus the
// order-2 result, so its h³ term is minus the order-2 result's local error.
// With c = (0, ½, ¾, 1) and the order-2 weights b̂ = (7/24, ¼, ⅓, ⅛), that
// error's coefficients on the two third-order trees are equal:
// Σ b̂ᵢaᵢⱼcⱼ − 1/6 = 3/16 − 1/6 = 1/48 and ½Σ b̂ᵢcᵢ² − 1/6 = 3/16 − 1/6 =
// 1/48, so the h³ term is x‴(t₀)·h³/48. For x·cos t at (0, 1) the two trees'
// differentials are f_tt + 2f·f_tx + f²f_xx = −1 and f_x(f_t + f·f_x) = 1:
// x‴(0) = 0 (e^{sin t} has no t³ term) and the leading term is h⁴. The
// slope over h = 2⁻²…2⁻¹⁰ (errSlope) must be within 0.2 of 4, the bar
// TestErrQ uses for declared orders (an ODE: the 2 paths agree, SE 0).
func TestBS3ErrQCos(t *testing.T) {
	slope, se, _ := errSlope(t, cosODE(1), methods.BS3{}, 2)
	t.Logf("bs3 on x·cos t from t = 0: slope %.3f ± %.3f (declared q+1 = 3; h³ term vanishes here)", slope, se)
	if math.Abs(slope-4) >= 0.2 || se > 0.2/3 {
		t.Errorf("bs3 on x·cos t: error estimate grows as h^%.3f ± %.3f, want h^4", slope, se)
	}
}
