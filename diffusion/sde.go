package diffusion

import (
	"fmt"
	"math"
	"strings"
)

// Kind names a forward SDE family.
type Kind int

const (
	VP    Kind = iota // variance preserving (Song et al. 2021, eq. 11; DDPM's limit)
	VE                // variance exploding (eq. 9; SMLD's limit)
	SubVP             // sub-VP (eq. 12)
)

// String returns the kind's name, as ParseKind reads it.
func (k Kind) String() string {
	switch k {
	case VP:
		return "vp"
	case VE:
		return "ve"
	case SubVP:
		return "subvp"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// ParseKind returns the Kind named s ("vp", "ve", "subvp").
func ParseKind(s string) (Kind, error) {
	switch strings.ToLower(s) {
	case "vp":
		return VP, nil
	case "ve":
		return VE, nil
	case "subvp", "sub-vp":
		return SubVP, nil
	}
	return 0, fmt.Errorf("diffusion: unknown SDE %q (want vp, ve or subvp)", s)
}

// SDE is a forward diffusion dX = f(t)·X dt + g(t) dW on [0, T], linear in
// X, as in Song et al., "Score-Based Generative Modeling through Stochastic
// Differential Equations" (ICLR 2021), with the parameters of
// Jolicoeur-Martineau et al. (2021) (../shared/references.md §1):
//
//	VE:     σ(t) = σ_min(σ_max/σ_min)^t, f = 0, g = σ(t)√(2 ln(σ_max/σ_min)),
//	        α = 1, std(t) = σ(t), prior N(0, σ_max²)
//	VP:     β(t) = β_min + t(β_max − β_min), f = −½β(t), g = √β(t),
//	        α(t) = exp(−¼t²(β_max−β_min) − ½tβ_min), std = √(1 − α²), prior N(0, 1)
//	sub-VP: f = −½β(t), g = √(β(t)(1 − exp(−2β_min t − (β_max−β_min)t²))),
//	        α as VP, std = 1 − α², prior N(0, 1)
//
// The perturbation kernel is p_t(x | x₀) = N(α(t)x₀, std(t)²I), one
// convention for the score, the reference and the denoiser; VE's std(0) is
// σ_min, so its p₀ is the data blurred by N(0, σ_min²). VP and sub-VP model
// data mapped to [−1, 1] (y = 2x − 1); VE models data in [0, 1].
type SDE struct {
	Kind               Kind
	SigmaMin, SigmaMax float64 // VE
	BetaMin, BetaMax   float64 // VP, sub-VP
	T                  float64 // end of the forward process
	Eps                float64 // where sampling stops
}

// NewSDE returns the forward SDE of the given kind with the paper's
// parameters: σ_min = 0.01, σ_max = 50 (CIFAR-10) and ε = 1e-5 for VE;
// β_min = 0.1, β_max = 20 and ε = 1e-3 for VP and sub-VP; T = 1. An
// unknown kind keeps its Kind and no parameters, so that Validate (and
// every sampler) refuses it rather than running a VP SDE in its place.
func NewSDE(k Kind) SDE {
	switch k {
	case VE:
		return SDE{Kind: VE, SigmaMin: 0.01, SigmaMax: 50, T: 1, Eps: 1e-5}
	case VP:
		return SDE{Kind: VP, BetaMin: 0.1, BetaMax: 20, T: 1, Eps: 1e-3}
	case SubVP:
		return SDE{Kind: SubVP, BetaMin: 0.1, BetaMax: 20, T: 1, Eps: 1e-3}
	}
	return SDE{Kind: k}
}

// Beta returns β(t) (VP, sub-VP).
func (s SDE) Beta(t float64) float64 { return s.BetaMin + t*(s.BetaMax-s.BetaMin) }

// Sigma returns σ(t) (VE).
func (s SDE) Sigma(t float64) float64 {
	return s.SigmaMin * math.Pow(s.SigmaMax/s.SigmaMin, t)
}

// F returns the drift coefficient: f(x, t) = F(t)·x.
func (s SDE) F(t float64) float64 {
	if s.Kind == VE {
		return 0
	}
	return -0.5 * s.Beta(t)
}

// G returns the diffusion coefficient g(t).
func (s SDE) G(t float64) float64 {
	switch s.Kind {
	case VE:
		return s.Sigma(t) * math.Sqrt(2*math.Log(s.SigmaMax/s.SigmaMin))
	case SubVP:
		return math.Sqrt(s.Beta(t) * -math.Expm1(-2*s.BetaMin*t-(s.BetaMax-s.BetaMin)*t*t))
	}
	return math.Sqrt(s.Beta(t))
}

// Alpha returns the kernel's mean coefficient α(t).
func (s SDE) Alpha(t float64) float64 {
	if s.Kind == VE {
		return 1
	}
	return math.Exp(-0.25*t*t*(s.BetaMax-s.BetaMin) - 0.5*t*s.BetaMin)
}

// Std returns the kernel's standard deviation std(t).
func (s SDE) Std(t float64) float64 {
	switch s.Kind {
	case VE:
		return s.Sigma(t)
	case SubVP:
		// 1 − α² = −expm1(log α²), accurate for small t.
		return -math.Expm1(-0.5*t*t*(s.BetaMax-s.BetaMin) - t*s.BetaMin)
	}
	return math.Sqrt(-math.Expm1(-0.5*t*t*(s.BetaMax-s.BetaMin) - t*s.BetaMin))
}

// PriorStd is the standard deviation of the prior N(0, PriorStd²I) that
// sampling starts from: σ_max for VE, 1 for VP and sub-VP.
func (s SDE) PriorStd() float64 {
	if s.Kind == VE {
		return s.SigmaMax
	}
	return 1
}

// ToModel maps data in [0, 1] to the model's space: 2x − 1 for VP and
// sub-VP, unchanged for VE.
func (s SDE) ToModel(x float64) float64 {
	if s.Kind == VE {
		return x
	}
	return 2*x - 1
}

// ToData maps the model's space back to data units [0, 1].
func (s SDE) ToData(y float64) float64 {
	if s.Kind == VE {
		return y
	}
	return (y + 1) / 2
}

// DataScale is the factor from data units to model units (2 for VP and
// sub-VP, 1 for VE): tolerances and lengths scale by it.
func (s SDE) DataScale() float64 {
	if s.Kind == VE {
		return 1
	}
	return 2
}

// Validate reports a parameter set that cannot define the SDE.
func (s SDE) Validate() error {
	switch s.Kind {
	case VE:
		if !(s.SigmaMin > 0 && s.SigmaMax > s.SigmaMin) || math.IsInf(s.SigmaMax, 0) {
			return fmt.Errorf("diffusion: VE needs 0 < SigmaMin < SigmaMax < ∞, got %v, %v", s.SigmaMin, s.SigmaMax)
		}
	case VP, SubVP:
		if !(s.BetaMin > 0 && s.BetaMax >= s.BetaMin) || math.IsInf(s.BetaMax, 0) {
			return fmt.Errorf("diffusion: %v needs 0 < BetaMin ≤ BetaMax < ∞, got %v, %v", s.Kind, s.BetaMin, s.BetaMax)
		}
	default:
		return fmt.Errorf("diffusion: unknown SDE kind %v", s.Kind)
	}
	if !(s.T > 0) || !(s.Eps > 0) || s.Eps >= s.T || math.IsInf(s.T, 0) {
		return fmt.Errorf("diffusion: need 0 < Eps < T < ∞, got Eps = %v, T = %v", s.Eps, s.T)
	}
	return nil
}
