package quality

import (
	"fmt"
	"math"
)

// DispersionDiff returns Dispersion(a) − Dispersion(b) against the same
// reference ref, for two samples a and b of equal size n whose rows are
// paired (row i of both drawn with common random numbers, e.g. the same
// prior draw and Brownian path), with a standard error by a grouped
// jackknife over 20 groups deleting the same rows from both samples. The
// reference's own variability cancels from the difference, and pairing
// removes the variability the two samples share, so the SE is far smaller
// than that of two independent dispersions.
func DispersionDiff(a []float64, la []int, b []float64, lb []int, ref []float64, lref []int, d, K int) (diff, se float64) {
	n := len(la)
	if len(lb) != n || len(a) != n*d || len(b) != n*d {
		panic(fmt.Sprintf("quality: DispersionDiff: samples of %d and %d rows (%d, %d values) are not paired", len(la), len(lb), len(a), len(b)))
	}
	full := func(skip int, G int) float64 {
		pick := func(x []float64, l []int) ([]float64, []int) {
			if skip < 0 {
				return x, l
			}
			lo, hi := skip*n/G, (skip+1)*n/G
			xs := append(append([]float64(nil), x[:lo*d]...), x[hi*d:]...)
			ls := append(append([]int(nil), l[:lo]...), l[hi:]...)
			return xs, ls
		}
		xa, lA := pick(a, la)
		xb, lB := pick(b, lb)
		da, _ := Dispersion(xa, lA, ref, lref, d, K)
		db, _ := Dispersion(xb, lB, ref, lref, d, K)
		return da - db
	}
	G := min(20, n)
	diff = full(-1, G)
	loo := make([]float64, G)
	var mean float64
	for g := range G {
		loo[g] = full(g, G)
		mean += loo[g] / float64(G)
	}
	var ss float64
	for _, v := range loo {
		ss += (v - mean) * (v - mean)
	}
	return diff, math.Sqrt(float64(G-1) / float64(G) * ss)
}
