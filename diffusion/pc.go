package diffusion

import (
	"fmt"
	"math"

	"github.com/gofast-sde/gofast/sdeint"
)

// PC is the predictor–corrector sampler of Song et al. (2021, Algorithms 2
// and 3, and their code's ReverseDiffusionPredictor and LangevinCorrector)
// as an sdeint.Method for the reverse SDE of SDE (Reverse), with fixed
// steps. Each step from t to t − Δ first takes one Langevin corrector step
// at t,
//
//	ε = 2·a·(SNR·‖z‖/‖s(x, t)‖)²,   x ← x + ε·s(x, t) + √(2ε)·z,
//
// with a = 1 − β(t)Δ for VP and 1 otherwise, then one reverse-diffusion
// predictor step: for VP, with β_i = β(t)Δ,
// x ← (2 − √(1 − β_i))·x + β_i·s(x, t) + √β_i·ξ (DDPM's ancestral step); for
// VE, x ← x + (σ(t)² − σ(t−Δ)²)·s(x, t) + √(σ(t)² − σ(t−Δ)²)·ξ (SMLD's); for
// sub-VP, the Euler–Maruyama step of the reverse SDE. ξ = ΔW/√Δ is the
// path's Brownian increment, z an independent normal from its auxiliary
// stream. Two score evaluations per step.
//
// As in Song et al.'s code, ‖z‖ and ‖s‖ are averaged over the batch: with
// per-sample norms the step explodes wherever a sample's score is near zero
// (measured on gmm2d: within-component variances 18 times too large for VE).
// Sample therefore runs PC on fixed blocks of PCBlock samples, by sample
// index, so a sample depends on the other samples of its block (by design,
// like the shared-step ablation) but not on the number of workers.
type PC struct {
	SDE SDE
	SNR float64 // signal-to-noise ratio, finite and > 0 (0: 0.16 for VE, 0.01 otherwise)
}

// snr returns the SNR, the default for 0; Step refuses any other value that
// is not finite and positive.
func (m PC) snr() float64 {
	if m.SNR != 0 {
		return m.SNR
	}
	if m.SDE.Kind == VE {
		return 0.16
	}
	return 0.01
}

// Properties describes the sampler: fixed steps only, additive noise.
func (m PC) Properties() sdeint.Properties {
	var o [sdeint.NumNoiseClasses]sdeint.Order
	o[sdeint.ClassAdditive] = sdeint.Order{Strong: 0.5, Weak: 1}
	return sdeint.Properties{Name: "pc", Calculus: sdeint.Ito, Normals: true, Orders: o}
}

// NewStepper returns a stepper for rows of dimension d.N.
func (m PC) NewStepper(d sdeint.Dims, rows int) sdeint.Stepper {
	return &pcStepper{m: m, snr: m.snr(), dr: make([]float64, rows*d.N), s: make([]float64, rows*d.N), xc: make([]float64, rows*d.N)}
}

type pcStepper struct {
	m         PC
	snr       float64
	dr, s, xc []float64 // drift, score, corrected state
}

func (st *pcStepper) Step(s *sdeint.Step) error {
	k, n := s.K, s.Dims.N
	sde := st.m.SDE
	// Corrector at t.
	if err := s.Drift(st.dr[:k*n], s.T[:k], s.X[:k*n]); err != nil {
		return err
	}
	var sn, zn float64
	for r := range k {
		o := r * n
		scoreFromDrift(sde, st.s[o:o+n], st.dr[o:o+n], s.X[o:o+n], s.T[r])
		sn += rowNorm(st.s[o : o+n])
		zn += rowNorm(s.Normals[o : o+n])
	}
	if !(st.snr > 0) || math.IsInf(st.snr, 0) {
		return fmt.Errorf("diffusion: PC's SNR = %v, want a finite value > 0", st.snr)
	}
	ratio := st.snr * zn / sn // the batch means' ratio
	if sn == 0 {
		ratio = 0 // a zero score everywhere: nothing to correct
	}
	for r := range k {
		o := r * n
		t, delta := s.T[r], math.Abs(s.H[r])
		sc, x, z, xc := st.s[o:o+n], s.X[o:o+n], s.Normals[o:o+n], st.xc[o:o+n]
		a := 1.0
		if sde.Kind == VP {
			a = 1 - sde.Beta(t)*delta
			if !(a >= 0) {
				// √(2ε) would be NaN: say why rather than let the
				// solver report a NaN drift.
				return fmt.Errorf("diffusion: PC on VP needs 1 − β(t)·Δ > 0, but at t = %g, β = %g and Δ = %g give %g: use more steps", t, sde.Beta(t), delta, a)
			}
		}
		eps := 2 * a * ratio * ratio
		if math.IsInf(eps, 0) {
			// The SNR is too large for these norms: dropping the
			// corrector would silently change the sampler. (A NaN score
			// gives a NaN proposal, which the solver reports itself.)
			return fmt.Errorf("diffusion: PC's corrector step ε = 2a·(SNR·‖z‖/‖s‖)² overflows at t = %g with SNR = %g: lower the SNR", t, st.snr)
		}
		sq := math.Sqrt(2 * eps)
		for i := range xc {
			xc[i] = x[i] + eps*sc[i] + sq*z[i]
		}
	}
	// Predictor from t to t − Δ at the corrected state.
	if err := s.Drift(st.dr[:k*n], s.T[:k], st.xc[:k*n]); err != nil {
		return err
	}
	for r := range k {
		o := r * n
		t, h := s.T[r], s.H[r]
		delta := math.Abs(h)
		sc, xc, dw, out := st.s[o:o+n], st.xc[o:o+n], s.DW[o:o+n], s.High[o:o+n]
		scoreFromDrift(sde, sc, st.dr[o:o+n], xc, t)
		switch sde.Kind {
		case VP:
			bi := sde.Beta(t) * delta
			c, g := 2-math.Sqrt(1-bi), math.Sqrt(bi/delta)
			for i := range out {
				out[i] = c*xc[i] + bi*sc[i] + g*dw[i]
			}
		case VE:
			s0, s1 := sde.Sigma(t), sde.Sigma(t+h)
			g2 := s0*s0 - s1*s1
			g := math.Sqrt(g2 / delta)
			for i := range out {
				out[i] = xc[i] + g2*sc[i] + g*dw[i]
			}
		default:
			// Euler–Maruyama on the reverse SDE: x + D·h + g·ΔW.
			g, dr := sde.G(t), st.dr[o:o+n]
			for i := range out {
				out[i] = xc[i] + dr[i]*h + g*dw[i]
			}
		}
	}
	return nil
}
