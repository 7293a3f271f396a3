package convergence

// Adversarial tests of the study settings.

import (
	"context"
	"errors"
	"testing"

	"github.com/gofast-sde/gofast/problems"
	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// TestReferenceSettingsRefused: a RefFactor of 1 made Strong's same-path
// reference the finest solve itself (error 0 at the finest step, order
// NaN, no error) and a negative one was silently taken as 1; in
// WorkPrecision a negative RefFactor or RefSteps asked for a reference of
// negative steps. Each is refused with ErrSettings before any solve.
func TestReferenceSettingsRefused(t *testing.T) {
	ctx := context.Background()
	p := problems.DoubleWell() // no exact solution: a same-path reference
	for _, s := range []Settings{{RefFactor: 1}, {RefFactor: -3}, {RefSteps: -8}} {
		s.Paths = 10
		if r, err := Strong(ctx, p, methods.EM{}, []float64{0.25, 0.125}, s); r != nil || !errors.Is(err, ErrSettings) {
			t.Errorf("Strong with RefFactor %d, RefSteps %d: result %v, error %v; want ErrSettings", s.RefFactor, s.RefSteps, r, err)
		}
		s.Steps = []int{4}
		if r, err := WorkPrecision(ctx, p, []sdeint.Method{methods.EM{}}, nil, nil, s); r != nil || !errors.Is(err, ErrSettings) {
			t.Errorf("WorkPrecision with RefFactor %d, RefSteps %d: result %v, error %v; want ErrSettings", s.RefFactor, s.RefSteps, r, err)
		}
	}
}

// TestWeakPhiWithoutFunction: a Settings.Phi without its function Phi is
// refused with ErrSettings (Weak dereferenced the nil function).
func TestWeakPhiWithoutFunction(t *testing.T) {
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Weak panicked: %v", r)
		}
	}()
	r, err := Weak(context.Background(), problems.GBM(), methods.EM{}, []float64{0.25, 0.125}, Settings{Paths: 10, Phi: &problems.Expectation{Name: "x²"}})
	if r != nil || !errors.Is(err, ErrSettings) {
		t.Errorf("result %v, error %v; want ErrSettings", r, err)
	}
}
