package quality

import (
	"fmt"
	"math"
)

// minComponentRows is the number of rows a component needs in each
// sample to enter Dispersion.
const minComponentRows = 10

// ModeTV returns the total-variation distance between the label
// frequencies of two labellings a and b (labels in [0, K)), e.g. a
// sample's most-likely-component assignments and those of a large
// reference sample,
//
//	TV = ½ Σ_k |f_k − g_k|,  f_k = #{i: a_i = k}/n_a,  g_k = #{i: b_i = k}/n_b,
//
// and its standard error by the delta method for multinomial proportions,
// treating a and b as independent samples.
//
// Derivation. With s_k = sign(f̂_k − ĝ_k), TV is locally linear,
// TV = ½ (sᵀf − sᵀg), and exactly equal to that as long as no difference
// f_k − g_k changes sign. The proportions f̂ of n_a independent labels are
// multinomial, Cov(f̂) = (diag(f) − ffᵀ)/n_a, so
//
//	Var(sᵀf̂) = (Σ_k s_k² f_k − (Σ_k s_k f_k)²)/n_a,
//
// likewise for ĝ, and by independence
//
//	se = ½ √( Var(sᵀf̂) + Var(sᵀĝ) )
//
// with the plug-in frequencies. Unlike the per-component sum
// Σ_k (Var f̂_k + Var ĝ_k), this keeps the negative covariances between
// the proportions of one multinomial.
//
// Why not the jackknife: TV is piecewise linear in the proportions, so the
// jackknife linearises it around the same signs and agrees with this
// formula to first order, while costing G extra passes and assuming
// exchangeable row order; the closed form is exact for the linearisation
// and includes the reference's own variance directly.
//
// Limitation near ties. For a component with f_k ≈ g_k (within a few σ_k,
// σ_k² = Var(f̂_k − ĝ_k)) the sign is random: |f̂_k − ĝ_k| is a folded normal
// with mean ≈ σ_k√(2/π) > 0 (TV is biased upwards) and SD ≈ 0.60σ_k,
// whereas the formula counts the full σ_k (conservative); an exact tie
// f̂_k = ĝ_k gives s_k = 0 and contributes nothing (anti-conservative). In
// particular at TV ≈ 0 the estimate sits at its noise floor
// ≈ ½ Σ_k σ_k √(2/π) and the SE only gives its order of magnitude. The SE is
// calibrated when every |f_k − g_k| is several σ_k from 0.
//
// ModeTV panics if a or b is empty, K < 1 or a label is outside [0, K).
func ModeTV(a []int, b []int, K int) (tv, se float64) {
	mustPositive("ModeTV", "K", K)
	mustPositive("ModeTV", "len(a)", len(a))
	mustPositive("ModeTV", "len(b)", len(b))
	f := frequencies("ModeTV", "a", a, K)
	g := frequencies("ModeTV", "b", b, K)
	var sf, sg, af, ag float64 // Σ s f, Σ s g, Σ s² f, Σ s² g
	for k := range K {
		diff := f[k] - g[k]
		tv += math.Abs(diff)
		var s float64
		switch {
		case diff > 0:
			s = 1
		case diff < 0:
			s = -1
		}
		sf += s * f[k]
		sg += s * g[k]
		af += s * s * f[k]
		ag += s * s * g[k]
	}
	va := max(af-sf*sf, 0) / float64(len(a))
	vb := max(ag-sg*sg, 0) / float64(len(b))
	return tv / 2, math.Sqrt(va+vb) / 2
}

// frequencies returns the relative frequencies of the labels 0..K−1.
func frequencies(fn, name string, lab []int, K int) []float64 {
	f := make([]float64, K)
	for _, l := range lab {
		mustLabel(fn, name, l, K)
		f[l]++
	}
	for k := range f {
		f[k] /= float64(len(lab))
	}
	return f
}

// Dispersion compares the within-component spread of a sample a (rows
// labelled la) with that of a reference b (labelled lb), both with d
// columns and labels in [0, K):
//
//	disp = Σ_{k∈I} w_k log(v̂_k(a)/v̂_k(b)) / Σ_{k∈I} w_k,
//
// where v̂_k(z) = (1/d) Σ_j s²_kj(z) is the unbiased within-component sample
// variance (divisor n_k − 1) of the rows of z labelled k, averaged over the
// d columns, w_k = n_k(b)/n_b is the reference frequency of k, and I is the
// set of components with at least 10 rows in both samples. disp > 0 means
// the sample is too spread out around its modes (disp ≈ 2 log c if its
// deviations from the component means are c times too large), disp < 0
// too concentrated. Labels are typically most-likely-component
// assignments, so v̂_k measures the spread of the rows attributed to k.
//
// SE: the two samples are independent and disp is a smooth function of
// their per-component statistics, so to first order its variance is the sum
// of the variance due to a (b fixed) and due to b (a fixed). Each part is a
// grouped jackknife variance over min(20, n) contiguous groups of rows of
// that sample (see the package documentation), and
//
//	se = √(Var_jack,a + Var_jack,b).
//
// The b part includes the variation of the weights w_k. I is fixed from the
// full samples so that replicates average over the same components.
//
// Each replicate is O(K) work: the rows are centred at the full-sample
// component means c_kj, so with Q_k = Σ_{i∈k} Σ_j (x_ij − c_kj)² and, per
// group g, Q_gk, n_gk and S_gkj = Σ_{i∈g,k} (x_ij − c_kj), the sum of squares
// about the mean of component k without group g is
// Q_k − Q_gk − Σ_j S_gkj²/(n_k − n_gk) (the centred sum of the remaining rows
// is −S_gkj).
//
// Dispersion panics if la or lb is empty, d or K is not positive, the
// lengths do not match (len(a) = len(la)·d, len(b) = len(lb)·d) or a label
// is outside [0, K). disp is NaN if no component has 10 rows in both
// samples; se is NaN if a replicate leaves fewer than 2 rows in a used
// component.
func Dispersion(a []float64, la []int, b []float64, lb []int, d, K int) (disp, se float64) {
	mustPositive("Dispersion", "d", d)
	mustPositive("Dispersion", "K", K)
	mustPositive("Dispersion", "len(la)", len(la))
	mustPositive("Dispersion", "len(lb)", len(lb))
	mustLen("Dispersion", "a", len(a), len(la)*d)
	mustLen("Dispersion", "b", len(b), len(lb)*d)
	sa := newCompStats("Dispersion", "la", a, la, d, K, min(dispersionGroups, len(la)))
	sb := newCompStats("Dispersion", "lb", b, lb, d, K, min(dispersionGroups, len(lb)))

	var used []int
	for k := range K {
		if sa.count[k] >= minComponentRows && sb.count[k] >= minComponentRows {
			used = append(used, k)
		}
	}
	if len(used) == 0 {
		return math.NaN(), math.NaN()
	}
	// value computes disp without group ga of a and group gb of b (−1:
	// none).
	value := func(ga, gb int) float64 {
		var num, den float64
		for _, k := range used {
			w := float64(sb.count[k])
			if gb >= 0 {
				w -= float64(sb.ng[gb*K+k])
			}
			num += w * math.Log(sa.variance(k, ga)/sb.variance(k, gb))
			den += w
		}
		return num / den
	}
	disp = value(-1, -1)
	repA := make([]float64, sa.g)
	for g := range repA {
		repA[g] = value(g, -1)
	}
	repB := make([]float64, sb.g)
	for g := range repB {
		repB[g] = value(-1, g)
	}
	return disp, math.Sqrt(jackknifeVar(repA) + jackknifeVar(repB))
}

// compStats holds per-component and per-(group, component) statistics of
// a labelled sample, centred at the component means (see Dispersion).
type compStats struct {
	d, K, g int
	count   []int     // n_k
	q       []float64 // Q_k
	ng      []int     // n_gk at g*K+k
	qg      []float64 // Q_gk
	rg      []float64 // Σ_j S_gkj²
}

func newCompStats(fn, name string, x []float64, lab []int, d, K, g int) *compStats {
	n := len(lab)
	cs := &compStats{
		d: d, K: K, g: g,
		count: make([]int, K), q: make([]float64, K),
		ng: make([]int, g*K), qg: make([]float64, g*K), rg: make([]float64, g*K),
	}
	center := make([]float64, K*d)
	for i, l := range lab {
		mustLabel(fn, name, l, K)
		cs.count[l]++
		c := center[l*d : (l+1)*d]
		for j, v := range x[i*d : (i+1)*d] {
			c[j] += v
		}
	}
	for k, c := range cs.count {
		if c > 0 {
			for j := range d {
				center[k*d+j] /= float64(c)
			}
		}
	}
	s := make([]float64, K*d) // S_gkj of the current group
	for gi := range g {
		clear(s)
		lo, hi := groupBounds(gi, n, g)
		for i := lo; i < hi; i++ {
			l := lab[i]
			c := center[l*d : (l+1)*d]
			sk := s[l*d : (l+1)*d]
			var qi float64
			for j, v := range x[i*d : (i+1)*d] {
				dv := v - c[j]
				qi += dv * dv
				sk[j] += dv
			}
			cs.ng[gi*K+l]++
			cs.qg[gi*K+l] += qi
		}
		for k := range K {
			if cs.ng[gi*K+k] == 0 {
				continue
			}
			var r float64
			for _, v := range s[k*d : (k+1)*d] {
				r += v * v
			}
			cs.rg[gi*K+k] = r
			cs.q[k] += cs.qg[gi*K+k]
		}
	}
	return cs
}

// variance returns v̂_k, the within-component unbiased variance averaged
// over the columns, without group skip (all rows if skip < 0); NaN if
// fewer than 2 rows remain.
func (cs *compStats) variance(k, skip int) float64 {
	n := cs.count[k]
	ss := cs.q[k]
	if skip >= 0 {
		i := skip*cs.K + k
		n -= cs.ng[i]
		if n > 0 {
			ss -= cs.qg[i] + cs.rg[i]/float64(n)
		}
	}
	if n < 2 {
		return math.NaN()
	}
	return ss / (float64(cs.d) * float64(n-1))
}

func mustLabel(fn, name string, l, K int) {
	if l < 0 || l >= K {
		panic(fmt.Sprintf("quality: %s: label %d in %s outside [0, %d)", fn, l, name, K))
	}
}
