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
//   - Tree is the virtual Brownian tree: W is a pure function of (seed, path,
//     time), built by Brownian-bridge bisection of the span with a
//     counter-based draw per node, so any query order and any rejection see
//     the same path, and solves at different steps or tolerances can be
//     compared on one path. Below its leaf length Tol, W is interpolated.
//   - Grid serves fixed steps. Grid{} (the default for fixed steps) draws a
//     fresh increment per step and is refused for adaptive steps (FixedOnly).
//     Grid{Steps: N} pre-draws W on N equal cells, so that solves on any
//     sub-grid share one path; inside a cell it draws from the Brownian bridge
//     and keeps what it drew, so it is exact under adaptive steps too.
//   - Redraw draws a fresh increment for every attempt, as the official code of
//     Jolicoeur-Martineau et al. (2021) does. Because rejection depends on the
//     draw, the accepted increments are not Brownian: it is biased and exists
//     for ablations only.
//
// Source.Exact reports which sources stay exact under rejections.
//
// With Levy set, Bridge, Tree, Grid and Redraw also serve the space-time Lévy area
// H = (1/h)∫_τ^{τ+h}(W(s) − W(τ))ds − ΔW/2 ~ N(0, h/12) of each attempt of
// length h, independent of ΔW, through LevyPath, for the order-1.5 methods
// for additive noise. The bridge, the tree and the pre-drawn grid split known
// (ΔW, H) pairs from their exact conditional law, so they stay exact with the
// area too.
//
// Every random number comes from a Stream keyed by (seed, path, purpose) (the
// tree from counter-based generators keyed by hashes of the same key), so a
// path's values depend on nothing but its key: not on the batch it is solved
// in, the worker that solves it, or GOMAXPROCS.
//
// This package is a leaf: it imports nothing of gofast.
package brownian
