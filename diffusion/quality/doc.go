// Package quality measures the quality of diffusion-model samples against
// data sets whose exact distribution is known (Gaussian mixtures), each
// metric paired with a standard error (SE).
//
// # Conventions
//
// Samples are row-major flat []float64 slices of n rows × d columns, always
// in data units (the [0, 1] scale); converting from model units is the
// caller's job. Labels are component indices in [0, K), one per row.
// Everything is deterministic given its inputs: where randomness is needed
// (random projections and slicing directions) it comes from an explicit
// seed, never from a global generator.
//
// # Metrics
//
//   - Frechet, FrechetToMoments, FrechetSamples: the Fréchet (2-Wasserstein)
//     distance between Gaussians with the samples' first two moments, the
//     FID-style distance of Heusel et al. (2017), usually computed after a
//     fixed random Projection to p dimensions.
//   - SlicedW2: the sliced 2-Wasserstein distance (Rabin et al. 2011;
//     Bonneel et al. 2015) over fixed random Directions.
//   - ModeTV: the total-variation distance between the mode (component)
//     frequencies of two labellings; it detects dropped or over-weighted
//     modes.
//   - Dispersion: the reference-weighted mean log ratio of within-component
//     variances; it detects samples that are too spread out (> 0) or too
//     concentrated (< 0) around their modes.
//
// # Standard errors
//
// Unless stated otherwise the SEs are grouped (delete-one-group) jackknife
// estimates (Efron & Tibshirani, An Introduction to the Bootstrap, 1993,
// §11.5; Shao & Tu, The Jackknife and Bootstrap, 1995, §2.1), the style of
// internal/mcstat.LogLogSlope: the rows are cut into G contiguous groups of
// sizes ⌊n/G⌋ or ⌈n/G⌉, θ₍g₎ is the statistic recomputed without group g,
// θ₍.₎ the average of the θ₍g₎, and
//
//	se = √((G−1)/G · Σ_g (θ₍g₎ − θ₍.₎)²).
//
// Contiguous groups assume the rows are exchangeable (independent draws in
// any order), which holds for samples from independent paths. Like every
// linearisation-based SE, these SEs are reliable where the statistic is a
// smooth function of the sample away from its minimum; close to a distance
// of 0 (where a distance is not differentiable, or has zero derivative) the
// SE describes the spread poorly and the estimate is biased upwards by the
// sampling noise itself. Compare a sample with a reference of the same size
// drawn from the truth to see that noise floor.
//
// # Error handling
//
// Empty input, negative or inconsistent sizes, slices of mismatched length
// and labels out of range are programming errors and cause a panic with a
// message prefixed by "quality: ". An SE that is not defined for the given
// sizes (fewer than two groups) is returned as NaN. No function modifies
// its arguments.
package quality
