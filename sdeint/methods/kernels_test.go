package methods_test

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/floats"
)

// TestKernelsMatchLoops: the gonum kernels the methods use give the same
// bits as the loops they replaced, on amd64, where gonum's kernels are
// assembly without fused multiply-adds. The reference loops round each
// product explicitly (float64(a*b)), which the Go spec says prevents
// fusion, so they stay unfused even where the compiler fuses (GOAMD64=v3,
// arm64). Elsewhere gonum's kernels are plain Go that the compiler may
// fuse, so there the test allows a fused result: within 2⁻⁵² of the sum of
// the terms' magnitudes.
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
	exact := runtime.GOARCH == "amd64"
	x, k1, k2, g := vec(), vec(), vec(), vec()
	h, w := rng.NormFloat64(), rng.NormFloat64()
	want, got, mag := make([]float64, n), make([]float64, n), make([]float64, n)
	check := func(name string) {
		t.Helper()
		for i := range want {
			ok := math.Float64bits(want[i]) == math.Float64bits(got[i])
			if !exact {
				ok = math.Abs(want[i]-got[i]) <= 0x1p-52*mag[i]
			}
			if !ok {
				t.Errorf("%s: element %d: kernel %v, loop %v", name, i, got[i], want[i])
				return
			}
		}
	}
	for i := range want {
		want[i] = h * k1[i]
		mag[i] = math.Abs(want[i])
	}
	floats.ScaleTo(got, h, k1)
	check("h·f")
	for i := range want {
		want[i] = x[i] + k1[i]
		mag[i] = math.Abs(x[i]) + math.Abs(k1[i])
	}
	floats.AddTo(got, x, k1)
	check("x + k1")
	for i := range want {
		want[i] = x[i] + float64(h*k1[i])
		mag[i] = math.Abs(x[i]) + math.Abs(h*k1[i])
	}
	floats.AddScaledTo(got, x, h, k1)
	check("x + h·f")
	for i := range want {
		want[i] = x[i] + float64(0.5*(k1[i]+k2[i]))
		mag[i] = math.Abs(x[i]) + 0.5*(math.Abs(k1[i])+math.Abs(k2[i]))
	}
	floats.AddTo(got, k1, k2)
	floats.AddScaledTo(got, x, 0.5, got)
	check("x + ½(k1 + k2)")
	for i := range want {
		want[i] = 0.5 * (k2[i] - k1[i])
		mag[i] = 0.5 * (math.Abs(k2[i]) + math.Abs(k1[i]))
	}
	floats.SubTo(got, k2, k1)
	floats.Scale(0.5, got)
	check("½(k2 − k1)")
	copy(want, x)
	copy(got, x)
	for i := range want {
		want[i] += float64(g[i] * w)
		mag[i] = math.Abs(x[i]) + math.Abs(g[i]*w)
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
