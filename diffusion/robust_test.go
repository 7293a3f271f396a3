package diffusion

// Adversarial tests of the sampling API: mismatched dimensions, scores
// that fail, settings out of range.

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/gofast-sde/gofast/sdeint"
)

// TestExactScoreWrongDimension: the exact score of a 5-dimensional mixture
// driving a sampler of another dimension is an error, not samples. With
// d = 10 it treated each 10-wide row as two 5-wide ones and the sampler
// returned garbage with status success; with d = 3 it panicked inside the
// solver.
func TestExactScoreWrongDimension(t *testing.T) {
	sde := NewSDE(VP)
	e, err := NewExact(sde, smallShared())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []int{10, 3} {
		res, err := Sample(context.Background(), sde, e, nil, d, Settings{Sampler: EM, N: 4, Steps: 10, Seed: 1})
		if err == nil || !strings.Contains(err.Error(), "exact score of a 5-dimensional mixture") {
			t.Errorf("d = %d: error %v, want the score's dimension named", d, err)
		}
		if res != nil && res.Status != sdeint.FuncError {
			t.Errorf("d = %d: status %v, want FuncError", d, res.Status)
		}
	}
}

// TestSampleArgumentsRefused: a dimension below 1, an exact sampler whose
// mixture has another dimension, and a nil score are refused before any
// work (the exact sampler panicked with an index out of range on the first
// two; a nil score panicked inside the solver).
func TestSampleArgumentsRefused(t *testing.T) {
	sde := NewSDE(VP)
	e, err := NewExact(sde, smallShared())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		score Score
		d     int
		s     Settings
		want  string
	}{
		{"exact d 0", e, 0, Settings{Sampler: ExactSampler, N: 4}, "dimension 0"},
		{"em d 0", e, 0, Settings{Sampler: EM, N: 4, Steps: 10}, "dimension 0"},
		{"exact d 10", e, 10, Settings{Sampler: ExactSampler, N: 4}, "dimension 5, the sample 10"},
		{"exact d 3", e, 3, Settings{Sampler: ExactSampler, N: 4}, "dimension 5, the sample 3"},
		{"nil score", nil, 5, Settings{Sampler: EM, N: 4, Steps: 10}, "needs a score"},
		{"nil score denoised", nil, 5, Settings{Sampler: ExactSampler, N: 4, Denoise: true}, "needs a score"},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("Sample panicked: %v", r)
				}
			}()
			res, err := Sample(context.Background(), sde, c.score, e, c.d, c.s)
			if res != nil || err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("result %v, error %v; want a refusal saying %q", res != nil, err, c.want)
			}
		})
	}
	// The exact sampler needs no score.
	if _, err := Sample(context.Background(), sde, nil, e, 5, Settings{Sampler: ExactSampler, N: 4}); err != nil {
		t.Errorf("exact sampler without a score: %v", err)
	}
}

// panicScore is a score that panics.
type panicScore struct{}

func (panicScore) Score(_, _, _ []float64, _ sdeint.Batch) error { panic("boom in the score") }

// TestDenoiseFailures: a score that panics during the final denoising
// gives an error carrying the panic and status FuncError (it killed the
// process from Denoise's goroutine), and Denoise refuses rows it cannot
// split (it divided by zero for d = 0 and left a ragged tail untouched).
func TestDenoiseFailures(t *testing.T) {
	sde := NewSDE(VP)
	e, err := NewExact(sde, smallShared())
	if err != nil {
		t.Fatal(err)
	}
	res, err := Sample(context.Background(), sde, panicScore{}, e, 5, Settings{Sampler: ExactSampler, N: 300, Seed: 1, Workers: 2, Denoise: true})
	var pe *sdeint.PanicError
	if res == nil || res.Status != sdeint.FuncError || !errors.As(err, &pe) || !strings.Contains(err.Error(), "boom in the score") {
		t.Errorf("result %v, error %v; want FuncError with the score's panic", res != nil, err)
	}
	for _, c := range []struct{ n, d int }{{10, 0}, {12, 5}, {5, -1}} {
		if err := Denoise(sde, e, make([]float64, c.n), c.d, 1); err == nil || !strings.Contains(err.Error(), "in rows of") {
			t.Errorf("Denoise of %d values in rows of %d: error %v", c.n, c.d, err)
		}
	}
}

// nanScore is a score that is NaN for the samples of odd index.
type nanScore struct{}

func (nanScore) Score(dst, _, _ []float64, b sdeint.Batch) error {
	d := len(dst) / len(b.Paths)
	for r, p := range b.Paths {
		for i := range d {
			dst[r*d+i] = float64(p % 2)
			if p%2 == 1 {
				dst[r*d+i] = math.NaN()
			}
		}
	}
	return nil
}

// TestDenoiseNotFinite: a score that is NaN at the final denoising gives
// an error naming the first sample it spoilt and status NotFinite (the
// samples came back NaN with status success and no error).
func TestDenoiseNotFinite(t *testing.T) {
	sde := NewSDE(VP)
	e, err := NewExact(sde, smallShared())
	if err != nil {
		t.Fatal(err)
	}
	res, err := Sample(context.Background(), sde, nanScore{}, e, 5, Settings{Sampler: ExactSampler, N: 600, Seed: 1, Workers: 3, Denoise: true})
	if res == nil || res.Status != sdeint.NotFinite || err == nil || !strings.Contains(err.Error(), "NaN or Inf in sample 1 ") {
		t.Errorf("result %v, error %v; want NotFinite naming sample 1", res != nil, err)
	}
}

// TestExactSamplerMemory: the exact sampler refuses a sample above
// MaxMemory before any work, as the solver-based samplers do (N = 2⁴⁰ died
// out of memory), and a negative MaxMemory.
func TestExactSamplerMemory(t *testing.T) {
	sde := NewSDE(VP)
	e, err := NewExact(sde, smallShared())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []Settings{{N: 1 << 40}, {N: 1000, MaxMemory: 1000}, {N: 4, MaxMemory: -1}} {
		s.Sampler = ExactSampler
		res, err := Sample(context.Background(), sde, e, e, 5, s)
		if res != nil || err == nil || !strings.Contains(err.Error(), "MaxMemory") {
			t.Errorf("N %d, MaxMemory %d: result %v, error %v; want a refusal naming MaxMemory", s.N, s.MaxMemory, res != nil, err)
		}
	}
	if _, err := Sample(context.Background(), sde, e, e, 5, Settings{Sampler: ExactSampler, N: 100, MaxMemory: 16 * 500}); err != nil {
		t.Errorf("100 samples in 8000 bytes: %v", err)
	}
}

// TestExactSharedBySolves: one Exact score driving concurrent samplers
// gives each the samples it gives alone. Its scratch is kept per worker
// index, which concurrent solves share: their calls overwrote each other's
// variances and posteriors, and paths ended NaN or took wrong values.
func TestExactSharedBySolves(t *testing.T) {
	sde := NewSDE(VP)
	e, err := NewExact(sde, smallShared())
	if err != nil {
		t.Fatal(err)
	}
	s := Settings{Sampler: EM, N: 64, Steps: 50, Seed: 3, Workers: 1}
	ref, err := Sample(context.Background(), sde, e, e, 5, s)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for range 5 {
				r, err := Sample(context.Background(), sde, e, e, 5, s)
				if err != nil {
					t.Errorf("goroutine %d: %v", g, err)
					return
				}
				for i := range r.Model {
					if r.Model[i] != ref.Model[i] {
						t.Errorf("goroutine %d: sample value %d = %v, alone %v", g, i, r.Model[i], ref.Model[i])
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

// TestMixtureMeansFinite: a mixture with a NaN or infinite mean is refused
// by NewExact (the exact sampler's draws from that component came out NaN,
// with status success).
func TestMixtureMeansFinite(t *testing.T) {
	for _, v := range []float64{math.NaN(), math.Inf(1)} {
		mix := smallShared()
		mix.Means[7] = v
		if _, err := NewExact(NewSDE(VP), mix); err == nil || !strings.Contains(err.Error(), "mean value 7") {
			t.Errorf("mean %v: error %v, want a refusal naming it", v, err)
		}
	}
}

// TestExactSamplerCancelled: the exact sampler heeds its context: cancelled
// before it starts it returns status Cancelled with the context's error
// and no draws (it ignored the context and returned success), and in
// blocks it draws the same samples as in one go.
func TestExactSamplerCancelled(t *testing.T) {
	sde := NewSDE(VP)
	e, err := NewExact(sde, smallShared())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Sample(ctx, sde, e, e, 5, Settings{Sampler: ExactSampler, N: 10, Seed: 1})
	if !errors.Is(err, context.Canceled) || res == nil || res.Status != sdeint.Cancelled || !math.IsNaN(res.Model[0]) {
		t.Errorf("result %+v, error %v; want Cancelled without draws", res, err)
	}
	const n = 5000 // more than one block
	res, err = Sample(context.Background(), sde, e, e, 5, Settings{Sampler: ExactSampler, N: n, Seed: 1, Offset: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float64, n*5)
	e.SampleExact(want, n, sde.Eps, 1, 3)
	for i := range want {
		if res.Model[i] != want[i] {
			t.Fatalf("value %d: %v in blocks, %v in one go", i, res.Model[i], want[i])
		}
	}
}

// pathScore wraps a score and records, for each sample row it is called
// on at the final time ε, the path index the call gave it.
type pathScore struct {
	inner Score
	eps   float64
	mu    sync.Mutex
	seen  map[int]bool
}

func (p *pathScore) Score(dst, t, x []float64, b sdeint.Batch) error {
	p.mu.Lock()
	for r, tr := range t {
		if tr == p.eps {
			p.seen[b.Paths[r]] = true
		}
	}
	p.mu.Unlock()
	return p.inner.Score(dst, t, x, b)
}

// TestDenoisePathIndices: the final denoising gives the score the same
// global path indices (Offset included) as the solve did, as
// sdeint.Batch.Paths promises; it gave local indices 0…N−1.
func TestDenoisePathIndices(t *testing.T) {
	sde := NewSDE(VP)
	e, err := NewExact(sde, smallShared())
	if err != nil {
		t.Fatal(err)
	}
	ps := &pathScore{inner: e, eps: sde.Eps, seen: map[int]bool{}}
	if _, err := Sample(context.Background(), sde, ps, e, 5, Settings{Sampler: ExactSampler, N: 4, Offset: 100, Seed: 1, Denoise: true}); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if !ps.seen[100+i] {
			t.Errorf("path %d not denoised under its global index; seen %v", 100+i, ps.seen)
		}
	}
}

// TestNewSDEUnknownKind: NewSDE with a kind it does not know used to
// return a VP SDE silently; now Validate refuses the result, naming the
// kind, while the three known kinds validate.
func TestNewSDEUnknownKind(t *testing.T) {
	for _, k := range []Kind{VE, VP, SubVP} {
		if err := NewSDE(k).Validate(); err != nil {
			t.Errorf("NewSDE(%v): %v", k, err)
		}
	}
	s := NewSDE(Kind(7))
	err := s.Validate()
	if err == nil || s.Kind != Kind(7) || !strings.Contains(err.Error(), "Kind(7)") {
		t.Errorf("NewSDE(Kind(7)) = %+v, Validate: %v; want Kind(7) refused by name", s, err)
	}
}
