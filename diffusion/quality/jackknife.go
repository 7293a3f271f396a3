package quality

import (
	"fmt"
	"math"
)

// Group counts of the jackknife SEs.
const (
	frechetGroups    = 20 // FrechetToMoments, FrechetSamples
	slicedGroups     = 10 // SlicedW2
	dispersionGroups = 20 // Dispersion
)

// groupBounds returns the row range [lo, hi) of group k of G contiguous
// groups of n rows; the sizes are ⌊n/G⌋ or ⌈n/G⌉ (as in mcstat.LogLogSlope).
func groupBounds(k, n, g int) (lo, hi int) {
	return k * n / g, (k + 1) * n / g
}

// jackknifeSE returns the grouped-jackknife standard error
// √((G−1)/G · Σ_g (θ₍g₎ − θ₍.₎)²) of the G leave-one-group-out replicates
// reps, or NaN if G < 2.
func jackknifeSE(reps []float64) float64 {
	return math.Sqrt(jackknifeVar(reps))
}

// jackknifeVar returns the square of jackknifeSE.
func jackknifeVar(reps []float64) float64 {
	g := len(reps)
	if g < 2 {
		return math.NaN()
	}
	var mean float64
	for _, r := range reps {
		mean += r
	}
	mean /= float64(g)
	var ss float64
	for _, r := range reps {
		ss += (r - mean) * (r - mean)
	}
	fg := float64(g)
	return (fg - 1) / fg * ss
}

func mustPositive(fn, name string, v int) {
	if v <= 0 {
		panic(fmt.Sprintf("quality: %s: %s = %d, want > 0", fn, name, v))
	}
}

func mustLen(fn, name string, got, want int) {
	if got != want {
		panic(fmt.Sprintf("quality: %s: len(%s) = %d, want %d", fn, name, got, want))
	}
}
