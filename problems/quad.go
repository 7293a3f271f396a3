package problems

import "math"

// normalMoments returns the mean and variance of f(W) for W ~ N(0, t),
// where f is analytic and of moderate size (bounded by a modest M_f) in the
// strip |Im w| < d of the complex w-plane: for f with singularities, d is
// their distance from the real axis; for an entire f that grows off the
// axis (cos w, say), a d of a few units where it is still moderate.
//
// It uses the trapezoidal rule in z = W/√t on [−10, 10]. For an integrand
// analytic and bounded by M in the strip |Im z| < a', the trapezoidal rule
// with step s on the real line is off by at most 2M/(e^{2πa'/s} − 1)
// (Trefethen & Weideman, "The exponentially convergent trapezoidal rule",
// SIAM Rev. 56(3), 2014, Thm. 5.1). Here the integrand f(√t z)φ(z) is
// analytic for |Im z| < d/√t. With a = min(d/√t, 3), the step s = 2πa/40
// and a' = 0.9a (keeping a tenth of the strip away from any singularity),
// e^{2πa'/s} = e^{36}, and since |φ(x+iy)| = φ(x)e^{y²/2} ≤ φ(x)e^{3.7},
// M ≤ 40·M_f, so the error is below 2·40·e^{−36}·M_f ≈ 2e-14·M_f; cutting
// the line at |z| = 10 drops a Gaussian tail of 2Φ(−10) ≈ 2e-23. The rule
// needs 20/s ≈ 127/a + 1 nodes (43 for a = 3, 140 for the stiff quadratic
// problem at t = 3, where a = 0.91). In practice the error is ≈ 1e-15
// (TestNormalMoments).
//
// Gauss–Hermite quadrature converges only like exp(−2a√(2n)) for such
// integrands: with gonum's quad.Hermite, 64 nodes are off by 4e-7 for the
// stiff quadratic mean at t = 3 and 200 nodes by 1e-11, so it is not used.
func normalMoments(t, d float64, f func(w float64) float64) (mean, variance float64) {
	if t <= 0 {
		return f(0), 0
	}
	st := math.Sqrt(t)
	a := min(d/st, 3)
	s := 2 * math.Pi * a / 40
	k := int(math.Ceil(10 / s))
	// The weights s·φ(z_j) sum to 1 up to e^{−2π²/s²}, negligible for
	// s ≤ 0.48; normalise anyway so that constants integrate exactly.
	var sw, sf float64
	for j := -k; j <= k; j++ {
		z := float64(j) * s
		w := math.Exp(-z * z / 2)
		sw += w
		sf += w * f(st*z)
	}
	mean = sf / sw
	var sv float64
	for j := -k; j <= k; j++ {
		z := float64(j) * s
		d := f(st*z) - mean
		sv += math.Exp(-z*z/2) * d * d
	}
	return mean, sv / sw
}
