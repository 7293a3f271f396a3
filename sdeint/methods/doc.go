// Package methods holds gofast's step methods for package sdeint.
//
// Each method declares its calculus, its stages per step, whether it has an
// embedded error estimate, and a table of strong and weak orders per noise
// class; sdeint.Solve uses that table to refuse unsuitable problems and to
// pick the default controller exponent 1/(q+1).
//
//	name     method                                   calculus      adaptive
//	em       Euler–Maruyama                           Itô           no
//	ggf      EM + stochastic Heun, the "Gotta Go      Stratonovich  yes
//	         Fast" pair (Jolicoeur-Martineau et al.)  (Itô if additive)
//	roberts  EM + Roberts' Itô improved Euler         Itô           yes
//	dp5      Dormand–Prince 5(4), ODEs only           —             yes
//
// With fixed steps, adaptive pairs step with their high-order result and no
// error control.
package methods

import (
	"github.com/gofast-sde/gofast/sdeint"
)

// Default returns the method gofast uses when none is named: the paper's
// pair where it applies (Stratonovich problems, additive noise, ODEs), else
// Roberts' Itô pair.
func Default(p *sdeint.Problem) sdeint.Method {
	c := p.Noise.Class(p.Dim)
	if p.Calculus == sdeint.Stratonovich || c == sdeint.ClassAdditive || c == sdeint.ClassNone {
		return GGF{}
	}
	return Roberts{}
}

// orders builds an order table from one entry per noise class, in the order
// none, additive, scalar, commutative diagonal, commutative,
// non-commutative.
func orders(o ...sdeint.Order) (t [sdeint.NumNoiseClasses]sdeint.Order) {
	copy(t[:], o)
	return t
}

func grow(s []float64, n int) []float64 {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]float64, n)
}
