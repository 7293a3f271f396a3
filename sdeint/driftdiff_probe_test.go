package sdeint_test

import (
	"context"
	"slices"
	"testing"

	"github.com/gofast-sde/gofast/sdeint"
	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/control"
	"github.com/gofast-sde/gofast/sdeint/methods"
)

// TestDriftDiffProbesOffset: TestDriftDiffMixedRows with what it leaves
// out: first-step probes (H0 unset, so AutoStarter probes each path, and
// a row whose probes are done moves behind the others; FirstTarget 3 so
// that some paths, not all, reject their first attempt), initial states
// drawn by Init, integration backward in time from 1 to 0 with save times
// near 0 (steps to less than half the time, where t + h misses the stop in
// the last bit), and a path offset. RKMil keeps f at the result as the next
// first stage (State), a probe's never; LambaEM, on this multiplicative
// noise, takes its drift part over the previous step. Per path the drift
// evaluations must be perAttempt·attempts + 2 per probe (the first stage
// and f at the probe's end) + ddExtra (TestDriftDiffMixedRows); results and counts bit-identical for batch sizes
// 1, 7 and 64 and workers 1 and 3, in shared-step mode for workers 1 and
// 3, and paths 20…63 solved alone with PathOffset 20 must equal rows
// 20…63 of the full solve.
func TestDriftDiffProbesOffset(t *testing.T) {
	prob := ddDecay()
	prob.T0, prob.T1 = 1, 0
	prob.X0 = nil
	prob.Init = func(dst []float64, _ int, rng *brownian.Stream) error {
		dst[0] = 1 + 0.1*rng.Norm()
		return nil
	}
	for _, c := range []struct {
		m          sdeint.Method
		perAttempt int
		mode       ddMode
	}{
		{methods.LambaEM{}, 1, ddPrevious},
		{methods.LambaEulerHeun{}, 2, ddNone},
		{methods.RKMil{}, 1, ddFSAL},
	} {
		name := c.m.Properties().Name
		base := &sdeint.Settings{Paths: 64, Seed: 5, Override: true, Workers: 1, BatchSize: 64,
			SaveAt: []float64{0.5, 0.02, 0.007, 0.003}, Trace: true, Control: control.Settings{RTol: 1e-3, ATol: 1e-3, FirstTarget: 3}}
		res, err := sdeint.Solve(context.Background(), prob, c.m, base)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		probes, early := 0, 0
		for i, tr := range res.Trace {
			first := slices.IndexFunc(tr, func(e sdeint.TraceEntry) bool { return e.Accepted })
			if first > 0 {
				early++
			}
			ps := res.Path[i]
			if first < 0 || ps.Status != sdeint.Success {
				t.Fatalf("%s: path %d: %v, first acceptance at %d", name, i, ps.Status, first)
			}
			probes += ps.Probes
			want := c.perAttempt*(ps.Accepted+ps.Rejected) + 2*ps.Probes + ddExtra(c.mode, tr)
			if ps.DriftEvals != want {
				t.Errorf("%s: path %d: %d drift evaluations, want %d (%d attempts, %d probes, first acceptance at %d)",
					name, i, ps.DriftEvals, want, ps.Accepted+ps.Rejected, ps.Probes, first)
			}
		}
		t.Logf("%s: %d probes, %d of 64 paths rejected their first attempt", name, probes, early)
		if probes == 0 || early == 0 || early == 64 {
			t.Fatalf("%s: %d probes, %d of 64 paths rejected their first attempt; the test needs probes and a mix", name, probes, early)
		}
		checkBatchInvariant(t, prob, c.m, base, res)
		s := *base
		s.Paths, s.PathOffset, s.BatchSize, s.Trace = 44, 20, 7, false
		if got, err := sdeint.Solve(context.Background(), prob, c.m, &s); err != nil || !engEqual(res, got, 20) {
			t.Errorf("%s: paths 20…63 with PathOffset 20 differ from the full solve (%v)", name, err)
		}
	}
}
