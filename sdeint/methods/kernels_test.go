package methods_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
)

// TestKernelsMatchLoops: the gonum kernels the methods use give the same
// bits as the loops they replaced (on amd64 neither fuses multiply-adds;
// a build that lets the compiler fuse the loops, such as GOAMD64=v3, would
// differ, and fail here).
func TestKernelsMatchLoops(t *testing.T) {
	const n = 1000
	rng := rand.New(rand.NewPCG(3, 4))
	vec := func() []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64() * math.Exp(4*rng.NormFloat64())
		}
		return v
	}
	x, k1, k2, g := vec(), vec(), vec(), vec()
	h, w := rng.NormFloat64(), rng.NormFloat64()
	want, got := make([]float64, n), make([]float64, n)
	check := func(name string) {
		t.Helper()
		for i := range want {
			if math.Float64bits(want[i]) != math.Float64bits(got[i]) {
				t.Errorf("%s: element %d: kernel %v, loop %v", name, i, got[i], want[i])
				return
			}
		}
	}
	for i := range want {
		want[i] = h * k1[i]
	}
	floats.ScaleTo(got, h, k1)
	check("h·f")
	for i := range want {
		want[i] = x[i] + k1[i]
	}
	floats.AddTo(got, x, k1)
	check("x + k1")
	for i := range want {
		want[i] = x[i] + h*k1[i]
	}
	floats.AddScaledTo(got, x, h, k1)
	check("x + h·f")
	for i := range want {
		want[i] = x[i] + 0.5*(k1[i]+k2[i])
	}
	floats.AddTo(got, k1, k2)
	floats.AddScaledTo(got, x, 0.5, got)
	check("x + ½(k1 + k2)")
	for i := range want {
		want[i] = 0.5 * (k2[i] - k1[i])
	}
	floats.SubTo(got, k2, k1)
	floats.Scale(0.5, got)
	check("½(k2 − k1)")
	copy(want, x)
	copy(got, x)
	for i := range want {
		want[i] += g[i] * w
	}
	floats.AddScaled(got, w, g)
	check("x + g·w")
}

// BenchmarkKernels compares the hand-written loops of the two-stage pairs
// (twoStage.drift and stage, ggf's combination, sdeint.Dims.AddNoise) with
// gonum's floats kernels, which use assembly on amd64, on 64 rows of
// dimension 3072 (BenchmarkRound's CIFAR-sized configuration).
func BenchmarkKernels(b *testing.B) {
	const rows, n = 64, 3072
	rng := rand.New(rand.NewPCG(1, 2))
	vec := func() []float64 {
		v := make([]float64, rows*n)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		return v
	}
	x, f, k1, k2, g, dw := vec(), vec(), vec(), vec(), vec(), vec()
	dst, lo, e, tmp := vec(), vec(), vec(), vec()
	h := make([]float64, rows)
	for r := range h {
		h[r] = rng.Float64()
	}
	run := func(name string, fn func()) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				fn()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(rows*n), "ns/elem")
		})
	}
	run("drift/hand", func() {
		for r := range rows {
			hr := h[r]
			for i := r * n; i < (r+1)*n; i++ {
				dst[i] = hr * f[i]
			}
		}
	})
	run("drift/floats", func() {
		for r := range rows {
			floats.ScaleTo(dst[r*n:(r+1)*n], h[r], f[r*n:(r+1)*n])
		}
	})
	run("stage/hand", func() {
		for i := range dst {
			dst[i] = x[i] + k1[i]
		}
	})
	run("stage/floats", func() { floats.AddTo(dst, x, k1) })
	run("scalarnoise/hand", func() {
		for r := range rows {
			w := dw[r]
			row, gr := dst[r*n:(r+1)*n], g[r*n:(r+1)*n]
			for i := range row {
				row[i] += gr[i] * w
			}
		}
	})
	run("scalarnoise/floats", func() {
		for r := range rows {
			floats.AddScaled(dst[r*n:(r+1)*n], dw[r], g[r*n:(r+1)*n])
		}
	})
	run("diagonalnoise/hand", func() {
		for i := range dst {
			dst[i] += g[i] * dw[i]
		}
	})
	run("diagonalnoise/floats", func() {
		floats.MulTo(tmp, g, dw)
		floats.Add(dst, tmp)
	})
	run("ggf/hand", func() {
		for i := range dst {
			dst[i] = x[i] + 0.5*(k1[i]+k2[i])
			lo[i] = x[i] + k1[i]
			e[i] = 0.5 * (k2[i] - k1[i])
		}
	})
	run("ggf/floats", func() {
		floats.AddTo(dst, k1, k2)
		floats.AddScaledTo(dst, x, 0.5, dst)
		floats.AddTo(lo, x, k1)
		floats.SubTo(e, k2, k1)
		floats.Scale(0.5, e)
	})
}
