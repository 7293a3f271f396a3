package problems

// The problem registers itself here, in its own file, so that it adds no
// line to the registry literal that other problems edit.
func init() { registry["gbm-torchsde"] = GBMTorchsde }

// GBMTorchsde is geometric Brownian motion in Itô form with the parameters
// of issue 9's comparison with torchsde: dX = μX dt + σX dW, μ = 0.5,
// σ = 1, X(0) = 1, on [0, 1]. Exact: X_t = exp((μ − σ²/2)t + σW_t) = exp(W_t),
// E X_t = e^{μt}, Var X_t = e^{2μt}(e^{σ²t} − 1). Scalar noise,
// commutative. The peer figures (torchsde 0.2.6, one step size for the
// batch, 10⁴ paths): adaptive Milstein at tolerance 1e-3, 135 drift calls
// per path, mean |X(1) − exact| = 1.0e-2; adaptive SRK (SRI2), 630 calls,
// 2.4e-3 (gofast issue 9; see docs/convergence.md).
func GBMTorchsde() *Problem {
	return itoGBM("gbm-torchsde", "geometric Brownian motion, Itô: dX = 0.5 X dt + 1.0 X dW, X(0) = 1, t in [0, 1] (issue 9's torchsde comparison)",
		"gofast issue 9 (the problem of its torchsde 0.2.6 figures); "+refKP, 0.5, 1.0, 1.0)
}
