package brownian

import "math"

// splitLevy draws the split of an interval of length h, with increment w and
// space-time Lévy area H, at the fraction α of its length: the left piece's
// increment w1 and area H1, and the right piece's area H2 (its increment is
// w − w1). It draws from the exact conditional law: with w1, w2, H1, H2
// independent, N(0, αh), N(0, (1−α)h), N(0, αh/12), N(0, (1−α)h/12), the
// pieces combine as w = w1 + w2 and
//
//	H = αH1 + (1−α)H2 + ½((1−α)w1 − αw2),
//
// and conditioning on (w, H) gives (w and H being independent)
//
//	E[w1] = αw + 6α(1−α)H,   Var w1 = α(1−α)h(1 − 3α(1−α)),
//	E[H1] = α²H,             Var H1 = αh(1 − α³)/12,
//	Cov(w1, H1) = −α³(1−α)h/2.
//
// For α > ½ the right piece is drawn by time reversal (which maps w to −w and
// keeps H), so the piece solved from the constraint is always the longer one.
func splitLevy(w, H, h, alpha float64, c *Stream) (w1, h1, h2 float64) {
	if alpha > 0.5 {
		// Reverse time: the right piece is the left piece of the reversed
		// interval, with increment −w2 and the same area.
		rw2, rh2, _ := splitLevy(-w, H, h, 1-alpha, c)
		w2 := -rw2
		w1 = w - w2
		h2 = rh2
		h1 = (H - (1-alpha)*h2 - 0.5*((1-alpha)*w1-alpha*w2)) / alpha
		return w1, h1, h2
	}
	a, b := alpha, 1-alpha
	vw := a * b * h * (1 - 3*a*b)
	vh := a * h * (1 - a*a*a) / 12
	cov := -a * a * a * b * h / 2
	sw := math.Sqrt(max(vw, 0))
	var l21 float64
	if sw > 0 {
		l21 = cov / sw
	}
	l22 := math.Sqrt(max(vh-l21*l21, 0))
	z1, z2 := c.Norm(), c.Norm()
	w1 = a*w + 6*a*b*H + sw*z1
	h1 = a*a*H + l21*z1 + l22*z2
	w2 := w - w1
	h2 = (H - a*h1 - 0.5*(b*w1-a*w2)) / b
	return w1, h1, h2
}

// joinLevy combines consecutive pieces of lengths h1, h2 with increments and
// areas (w1, H1), (w2, H2) into the increment and area of their union.
func joinLevy(w1, a1, h1, w2, a2, h2 float64) (w, H float64) {
	h := h1 + h2
	al, be := h1/h, h2/h
	return w1 + w2, al*a1 + be*a2 + 0.5*(be*w1-al*w2)
}
