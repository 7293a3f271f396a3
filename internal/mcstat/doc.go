// Package mcstat provides small Monte-Carlo statistics helpers for the
// statistical tests of this module: point estimates paired with their
// standard errors, a one-sample Kolmogorov–Smirnov test and least-squares
// convergence-order fits with error bars.
//
// The helpers are meant to be used with fixed random seeds and acceptance
// bounds of the form |estimate - target| <= k*se, where se is the standard
// error returned alongside the estimate.
//
// # Error handling
//
// Empty input and slices of mismatched length are programming errors and
// cause a panic with a message prefixed by "mcstat: ". A quantity that is
// not defined for the given (non-empty) sample size, such as a standard
// error computed from a single observation, is returned as NaN. NaN inputs
// propagate to the results. No function modifies its arguments.
package mcstat
