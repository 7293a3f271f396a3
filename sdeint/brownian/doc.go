// Package brownian provides the Brownian paths that drive gofast's SDE solvers
// and the keyed random streams they draw from.
//
// A Source makes Path values; a Path serves the increments W(τ') − W(τ) of
// one m-dimensional Brownian path, where τ is the elapsed solver time
// |t − T0| of the last accepted step and τ' the end of the attempted one. The
// solver tells the Path whether each attempt was accepted or rejected, so that
// a source can stay exact when steps are rejected:
//
//   - Bridge (the default for adaptive solving) keeps every value it has ever
//     drawn. A retry after a rejection is drawn from the Brownian bridge
//     conditioned on the values already known, so the path is exactly Brownian
//     whatever the accept/reject decisions (after Rackauckas & Nie, "Adaptive
//     methods for stochastic differential equations via natural embeddings and
//     rejection sampling with memory", DCDS-B 22(7), 2017).
//   - Redraw draws a fresh increment for every attempt, as the official code of
//     Jolicoeur-Martineau et al. (2021) does. Because rejection depends on the
//     draw, the accepted increments are not Brownian: it is biased and exists
//     for ablations only.
//
// Every random number comes from a Stream keyed by (seed, path, purpose), so a
// path's values depend on nothing but its key: not on the batch it is solved
// in, the worker that solves it, or GOMAXPROCS.
//
// This package is a leaf: it imports nothing of gofast.
package brownian
