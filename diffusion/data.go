package diffusion

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// DataNames lists the data sets DataByName knows.
func DataNames() []string { return []string{"gmm2d", "gmm-image"} }

// DataByName returns the named data set.
func DataByName(name string) (*Mixture, error) {
	switch strings.ToLower(name) {
	case "gmm2d":
		return GMM2D(), nil
	case "gmm-image":
		return GMMImage(), nil
	}
	return nil, fmt.Errorf("diffusion: unknown data set %q (want %s)", name, strings.Join(DataNames(), ", "))
}

// GMM2D is a 2-D mixture of 8 Gaussians in [0, 1]², with unequal weights
// (0.05 to 0.19) and narrow, axis-aligned components (standard deviations
// 0.02 to 0.05), their means on a circle of radius 0.3 around (½, ½). The
// narrow components make late-time reverse dynamics stiff, as they are for
// images; neighbouring means are 0.23 apart, at least 4.6 standard
// deviations, so most-likely-component labels are reliable.
func GMM2D() *Mixture {
	weights := []float64{0.05, 0.08, 0.10, 0.12, 0.14, 0.15, 0.17, 0.19}
	stds := [][2]float64{
		{0.02, 0.04}, {0.05, 0.03}, {0.03, 0.03}, {0.04, 0.02},
		{0.025, 0.05}, {0.045, 0.035}, {0.035, 0.045}, {0.05, 0.05},
	}
	m := &Mixture{Dim: 2, Weights: weights, Means: make([]float64, 16), Stds: make([]float64, 16)}
	for k := range 8 {
		a := 2 * math.Pi * float64(k) / 8
		m.Means[2*k], m.Means[2*k+1] = 0.5+0.3*math.Cos(a), 0.5+0.3*math.Sin(a)
		m.Stds[2*k], m.Stds[2*k+1] = stds[k][0], stds[k][1]
	}
	return m
}

// GMMImage is a 3072-dimensional mixture (3 channels × 32 × 32, the shape of
// CIFAR-10) of 10 components, drawn once from the fixed seed 2021:
//   - weights: proportional to 1 + u_k with u_k uniform on [0, 2], normalised
//     (so they range over about a factor three);
//   - means: smooth random images, each channel a sum of 6 random plane
//     waves cos(2π(f_x x + f_y y)/32 + φ) with integer frequencies f_x, f_y
//     in [0, 3] and random amplitudes, rescaled into [0.15, 0.85];
//   - one per-pixel standard deviation shared by all components,
//     log-uniform in [0.01, 0.2] (sharing it makes the log-determinants cancel
//     from the posterior weights, so the exact score costs one pass over the
//     components).
func GMMImage() *Mixture {
	const K, C, H, W = 10, 3, 32, 32
	const d = C * H * W
	rng := rand.New(rand.NewPCG(2021, 3072))
	m := &Mixture{Dim: d, Weights: make([]float64, K), Means: make([]float64, K*d), SharedStd: make([]float64, d)}
	sum := 0.0
	for k := range K {
		m.Weights[k] = 1 + 2*rng.Float64()
		sum += m.Weights[k]
	}
	for k := range K {
		m.Weights[k] /= sum
	}
	for k := range K {
		for c := range C {
			img := m.Means[k*d+c*H*W : k*d+(c+1)*H*W]
			for range 6 {
				fx, fy := float64(rng.IntN(4)), float64(rng.IntN(4))
				amp, ph := rng.Float64(), 2*math.Pi*rng.Float64()
				for y := range H {
					for x := range W {
						img[y*W+x] += amp * math.Cos(2*math.Pi*(fx*float64(x)+fy*float64(y))/32+ph)
					}
				}
			}
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, v := range img {
				lo, hi = min(lo, v), max(hi, v)
			}
			for i, v := range img {
				if hi > lo {
					img[i] = 0.15 + 0.7*(v-lo)/(hi-lo)
				} else {
					img[i] = 0.5
				}
			}
		}
	}
	for i := range m.SharedStd {
		m.SharedStd[i] = math.Exp(math.Log(0.01) + rng.Float64()*(math.Log(0.2)-math.Log(0.01)))
	}
	return m
}
