package diffusion

// Adversarial tests of the sampling API: mismatched dimensions, scores
// that fail, settings out of range.

import (
	"context"
	"strings"
	"testing"

	"github.com/gofast-sde/gofast/sdeint"
)

// TestExactScoreWrongDimension: the exact score of a 5-dimensional mixture
// driving a sampler of another dimension is an error, not samples. With
// d = 10 it treated each 10-wide row as two 5-wide ones and the sampler
// returned garbage with status success; with d = 3 it panicked inside the
// solver.
func TestExactScoreWrongDimension(t *testing.T) {
	sde := NewSDE(VP)
	e, err := NewExact(sde, smallShared())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []int{10, 3} {
		res, err := Sample(context.Background(), sde, e, nil, d, Settings{Sampler: EM, N: 4, Steps: 10, Seed: 1})
		if err == nil || !strings.Contains(err.Error(), "exact score of a 5-dimensional mixture") {
			t.Errorf("d = %d: error %v, want the score's dimension named", d, err)
		}
		if res != nil && res.Status != sdeint.FuncError {
			t.Errorf("d = %d: status %v, want FuncError", d, res.Status)
		}
	}
}
