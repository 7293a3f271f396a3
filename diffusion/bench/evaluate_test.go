package bench

import (
	"context"
	"math"
	"os"
	"testing"

	"github.com/gofast-sde/gofast/diffusion"
	"github.com/gofast-sde/gofast/sdeint/brownian"
)

// TestEMStepsDiscriminated: the dispersion error tells Euler–Maruyama with
// 100 steps from EM with 1000 steps, for VP and VE, on gmm2d (and on
// gmm-image with GOFAST_LONG=1): EM-100 is worse by more than 3 SE of the
// difference. The two runs share each sample's prior draw and Brownian path
// (common random numbers: brownian.Grid{Steps: 1000}, which EM-100 sums in
// blocks of ten), so the SE is that of a paired difference; the Fréchet
// distance, which sees only the overall mean and covariance, does not
// separate them in 2-D. Measured on gmm2d with 10000 samples: VE
// +0.032 ± 0.007, VP +0.245 ± 0.007; on gmm-image with 4000 samples
// (GOFAST_LONG=1, about 7 minutes on 2 cores): VE +0.0034 ± 0.0004,
// VP +0.0551 ± 0.0006.
func TestEMStepsDiscriminated(t *testing.T) {
	type tc struct {
		data string
		n    int
	}
	cases := []tc{{"gmm2d", 10000}}
	if os.Getenv("GOFAST_LONG") != "" {
		cases = append(cases, tc{"gmm-image", 4000})
	}
	for _, c := range cases {
		mix, err := diffusion.DataByName(c.data)
		if err != nil {
			t.Fatal(err)
		}
		for _, kind := range []diffusion.Kind{diffusion.VP, diffusion.VE} {
			sde := diffusion.NewSDE(kind)
			ex, err := diffusion.NewExact(sde, mix)
			if err != nil {
				t.Fatal(err)
			}
			ev := NewEvaluator(sde, ex, c.n, false, 0)
			var models [2][]float64
			for j, steps := range []int{100, 1000} {
				res, err := diffusion.Sample(context.Background(), sde, ex, ex, mix.Dim, diffusion.Settings{
					Sampler: diffusion.EM, N: c.n, Seed: 1, Steps: steps, Brownian: brownian.Grid{Steps: 1000}})
				if err != nil {
					t.Fatal(err)
				}
				models[j] = res.Model
			}
			diff, se := ev.DispersionDiff(models[0], models[1], c.n)
			t.Logf("%s %v: dispersion(EM-100) − dispersion(EM-1000) = %+.4f ± %.4f", c.data, kind, diff, se)
			if !(diff > 3*se) || math.IsNaN(se) {
				t.Errorf("%s %v: EM-100 is worse by %.4f ± %.4f, not more than 3 SE", c.data, kind, diff, se)
			}
		}
	}
}
