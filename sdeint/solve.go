package sdeint

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/control"
)

// Solve integrates p over its span with method m on s.Paths independent
// paths. s may be nil for the defaults.
//
// Invalid problems or settings, method/problem pairs the method does not
// support, and plugged code that panics while the solve is prepared return
// a nil Result and an error before any work. Otherwise Solve
// returns the Result, complete or partial, and a non-nil error (a
// *SolveError) unless every path succeeded.
func Solve(ctx context.Context, p *Problem, m Method, s *Settings) (*Result, error) {
	start := time.Now()
	if s == nil {
		s = &Settings{}
	}
	sv, err := newSolver(p, m, s)
	if err != nil {
		return nil, err
	}
	sv.run(ctx)
	res := sv.finish()
	res.Stats.Wall = time.Since(start)
	if res.Status != Success {
		return res, sv.summary()
	}
	return res, nil
}

// solver holds one solve's immutable setup and its shared results.
type solver struct {
	p     *Problem
	m     Method
	props Properties
	set   *Settings
	ctrl  control.Controller
	// autoStart is ctrl when it asks for probed first steps, else nil.
	autoStart control.AutoStarter
	norm      control.ErrorNorm // nil when the controller does not use the error
	src       brownian.Source

	n, mdim, gsize int
	dims           Dims
	paths, offset  int
	workers, batch int
	maxAttempts    int
	dir, span      float64
	// errEst: the controller uses the error estimate (adaptive steps); the
	// method computes it and the engine its norm.
	errEst     bool
	saveAt     []float64
	overridden string
	stateSize  int // per-path method memory
	ctrlSize   int // per-path controller memory

	res *Result

	// Run state.
	stop      atomic.Bool
	stopMu    sync.Mutex
	stopWhy   Status // FuncError or Cancelled
	stopErr   error
	started   []bool // path started (written by its worker before the end)
	doneCount atomic.Int64
	attempts  atomic.Int64
	nfe       atomic.Int64
	sharedErr float64 // shared-step mode: the batch's error norm this round
	sharedH0  float64 // shared-step mode: the batch's first step size
	partial   []float64
	valid     []bool
	// Progress of the clocks: the blocks loaded so far, and each worker's
	// published least time (see worker.publish).
	ws      []*worker
	nblocks int
	loaded  atomic.Int64
}

// newSolver checks the problem and settings and prepares the solve and its
// workers. Plugged code runs here too (a method's Properties and
// NewStepper, a controller's StateSize, a Brownian source's NewPath): a
// panic in it is returned as an error wrapping a *PanicError, before any
// work.
func newSolver(p *Problem, m Method, s *Settings) (sv *solver, err error) {
	defer func() {
		if r := recover(); r != nil {
			sv, err = nil, fmt.Errorf("sdeint: plugged code (a method, controller, norm or Brownian source) panicked while Solve prepared the solve: %w", &PanicError{Value: r, Stack: debug.Stack()})
		}
	}()
	if sv, err = setup(p, m, s); err != nil {
		return nil, err
	}
	sv.ws = make([]*worker, sv.workers)
	for i := range sv.ws {
		sv.ws[i] = newWorker(sv, i)
	}
	return sv, nil
}

// setup checks the problem and settings and resolves the solve's
// parameters.
func setup(p *Problem, m Method, s *Settings) (*solver, error) {
	if p == nil {
		return nil, errors.New("sdeint: nil Problem")
	}
	if m == nil {
		return nil, errors.New("sdeint: nil Method")
	}
	sv := &solver{p: p, m: m, props: m.Properties(), set: s}
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("sdeint: "+format, a...)) }

	// Problem.
	n := p.Dim
	sv.n = n
	if n < 1 {
		bad("Problem.Dim = %d, want ≥ 1", n)
		return nil, errors.Join(errs...)
	}
	if p.Drift == nil {
		bad("Problem.Drift is nil")
	}
	nz := p.Noise
	nerrs := len(errs)
	switch nz.Shape {
	case NoNoise:
		if p.Diffusion != nil {
			bad("Problem.Diffusion is set but the noise shape is none; set Noise.Shape")
		}
	case ScalarNoise, DiagonalNoise:
		if implied, _ := nz.Dims(n); nz.M != 0 && nz.M != implied {
			bad("Noise.M = %d, but %v noise of dimension %d has %d components", nz.M, nz.Shape, n, implied)
		}
	case GeneralNoise:
		if nz.M < 1 {
			bad("Noise.M = %d, want ≥ 1 for general noise", nz.M)
		}
	default:
		bad("unknown noise shape %v", nz.Shape)
	}
	if nz.Shape != NoNoise && p.Diffusion == nil {
		bad("Problem.Diffusion is nil for %v noise", nz.Shape)
	}
	if p.Calculus != Ito && p.Calculus != Stratonovich {
		bad("unknown calculus %v", p.Calculus)
	}
	// Method refusals read the noise class and calculus: with either
	// invalid they would only add a confusing second complaint.
	noiseOK := len(errs) == nerrs
	sv.mdim, sv.gsize = nz.Dims(n)
	sv.dims = Dims{N: n, M: sv.mdim, GSize: sv.gsize, Noise: nz.Shape}
	if noiseOK {
		sv.dims.Class = nz.Class(n)
	}
	if !finite(p.T0) || !finite(p.T1) || p.T0 == p.T1 {
		bad("span [%v, %v]: want finite T0 ≠ T1", p.T0, p.T1)
	} else if !finite(p.T1 - p.T0) {
		// Step sizes, Brownian variances and grids are differences of
		// times: every one of them would be Inf or NaN.
		bad("span [%v, %v]: T1 − T0 overflows float64", p.T0, p.T1)
	}
	sv.dir = 1
	if p.T1 < p.T0 {
		sv.dir = -1
	}
	sv.span = math.Abs(p.T1 - p.T0)

	// Paths and initial states.
	if s.Paths < 0 || s.PathOffset < 0 || s.Workers < 0 || s.BatchSize < 0 || s.MaxAttempts < 0 || s.Steps < 0 || s.ProgressEvery < 0 || s.MaxMemory < 0 {
		bad("negative Paths, PathOffset, Workers, BatchSize, MaxAttempts, Steps, ProgressEvery or MaxMemory in Settings")
	}
	limit := s.MaxMemory
	if limit <= 0 {
		limit = defaultMaxMemory
	}
	sv.paths = s.Paths
	if p.Init == nil {
		switch {
		case len(p.X0) == n:
		case len(p.X0) > n && len(p.X0)%n == 0 && (s.Paths == 0 || len(p.X0) == s.Paths*n):
			sv.paths = len(p.X0) / n
		default:
			bad("len(Problem.X0) = %d, want Dim = %d or Paths×Dim", len(p.X0), n)
		}
		for i, v := range p.X0 {
			if !finite(v) {
				bad("Problem.X0[%d] = %v", i, v)
				break
			}
		}
	}
	if sv.paths == 0 {
		sv.paths = 1
	}
	if s.PathOffset > math.MaxInt-sv.paths {
		bad("PathOffset = %d with %d paths overflows the path index", s.PathOffset, sv.paths)
	}
	sv.offset = s.PathOffset
	sv.workers = s.Workers
	if sv.workers == 0 {
		sv.workers = runtime.GOMAXPROCS(0)
	}
	sv.maxAttempts = s.MaxAttempts
	if sv.maxAttempts == 0 {
		sv.maxAttempts = DefaultMaxAttempts
	}

	// Save times.
	sv.saveAt = slices.Clone(s.SaveAt)
	for i, t := range sv.saveAt {
		if !finite(t) || (t-p.T0)*sv.dir < 0 || (p.T1-t)*sv.dir < 0 {
			bad("SaveAt[%d] = %v is outside the span [%v, %v]", i, t, p.T0, p.T1)
		} else if i > 0 && (t-sv.saveAt[i-1])*sv.dir <= 0 {
			bad("SaveAt must be strictly monotone in the integration direction (SaveAt[%d] = %v after %v)", i, t, sv.saveAt[i-1])
		}
	}

	// The controller: fixed steps, the user's, or (below, once the noise
	// class is known) the method's default.
	fixed := s.Steps > 0 || s.Grid != nil
	if s.Steps > 0 && s.Grid != nil {
		bad("set Steps or Grid, not both")
	}
	switch {
	case fixed && s.Controller != nil:
		bad("set Controller or Steps/Grid, not both")
	case s.Steps > sv.maxAttempts:
		// Checked before the grid is built: Steps = 10⁹ would take 8 GB.
		bad("%d fixed steps exceed MaxAttempts = %d", s.Steps, sv.maxAttempts)
	case s.Steps > 0 && 8*(float64(s.Steps)+1) > float64(limit):
		bad("a grid of %d fixed steps needs %s, above Settings.MaxMemory = %s", s.Steps, fmtBytes(8*(float64(s.Steps)+1)), fmtBytes(float64(limit)))
	case fixed:
		grid := sv.makeGrid(bad)
		if len(grid)-1 > sv.maxAttempts {
			bad("%d fixed steps exceed MaxAttempts = %d", len(grid)-1, sv.maxAttempts)
		}
		sv.ctrl = &control.Fixed{Grid: grid}
	case s.Controller != nil:
		sv.ctrl = s.Controller
		if v, ok := s.Controller.(interface{ Validate() error }); ok {
			if err := v.Validate(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	// A refused fixed-step setting leaves ctrl nil: it is still fixed steps.
	sv.errEst = !fixed && (sv.ctrl == nil || sv.ctrl.UsesError())
	if !sv.errEst {
		if s.SharedStep {
			bad("SharedStep applies to adaptive steps only")
		}
		if s.Norm != nil {
			bad("Norm is set but the controller does not use the error estimate")
		}
	} else if !sv.props.Adaptive {
		bad("method %s has no error estimate: set Steps or Grid for fixed steps", sv.props.Name)
	}

	// Brownian source: the bridge for adaptive steps, the fast grid for
	// fixed ones.
	sv.src = s.Brownian
	switch {
	case sv.src != nil:
		if fo, ok := sv.src.(brownian.FixedOnly); ok && fo.FixedOnly() && sv.errEst {
			bad("Brownian source %s serves fixed steps only: it would redraw after rejections; use the bridge or the tree", sv.src.Name())
		}
	case !sv.errEst:
		sv.src = brownian.Grid{} // with Lévy areas too, when the method needs them
	default:
		sv.src = brownian.Bridge{}
	}
	if v, ok := sv.src.(brownian.Validator); ok {
		if err := v.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if sv.props.Levy && nz.Shape != NoNoise {
		// The method needs Lévy areas: ask the source for them.
		if ls, ok := sv.src.(brownian.LevySource); ok {
			sv.src = ls.WithLevy()
		}
		if _, ok := sv.src.NewPath(1, 1).(brownian.LevyPath); !ok {
			bad("method %s needs space-time Lévy areas, which Brownian source %s does not serve; use the bridge or the tree", sv.props.Name, sv.src.Name())
		}
	}

	// Method and problem.
	class := nz.Class(n)
	if sv.props.State != nil {
		if sv.stateSize = sv.props.State(sv.dims); sv.stateSize < 0 {
			bad("method %s declares a memory of %d values per path, want ≥ 0", sv.props.Name, sv.stateSize)
		}
	}
	var refusals []string
	switch {
	case !noiseOK:
	case sv.props.Orders[class].NotApplicable:
		// Not overridable: the method would compute something else.
		errs = append(errs, &RefusalError{Method: sv.props.Name, Final: true, Reason: fmt.Sprintf("method %s does not apply to %v noise", sv.props.Name, class)})
	}
	if noiseOK && sv.props.Calculus != p.Calculus && class != ClassNone && class != ClassAdditive {
		refusals = append(refusals, fmt.Sprintf("method %s converges to the %v solution but the problem is %v with %v noise", sv.props.Name, sv.props.Calculus, p.Calculus, class))
	}
	switch {
	case !noiseOK || !sv.errEst || sv.props.Orders[class].Adaptive || sv.props.Orders[class].NotApplicable:
	case class == ClassNoncommutative:
		refusals = append(refusals, fmt.Sprintf("adaptive %s refuses non-commutative noise with %d Brownian components: its error estimate misses the Lévy areas and convergence would need revisiting rejected times; use fixed steps", sv.props.Name, sv.mdim))
	default:
		refusals = append(refusals, fmt.Sprintf("adaptive %s does not converge on %v noise: its kept state has strong order ½ and its step grid depends on the Brownian increments, which biases the Itô sums (Gaines & Lyons 1997); use fixed steps", sv.props.Name, class))
	}
	if len(refusals) > 0 {
		msg := strings.Join(refusals, "; ")
		if !s.Override {
			errs = append(errs, &RefusalError{Method: sv.props.Name, Reason: msg})
		}
		sv.overridden = msg
	}

	// The default controller and norm, from Settings.Control and the
	// method's defaults (none for a method without an error estimate,
	// refused above).
	if sv.errEst && sv.props.Adaptive {
		if s.Controller == nil && s.Control.HMin > sv.span {
			bad("Control.HMin = %v exceeds the span %v: no step could land on T1", s.Control.HMin, sv.span)
		}
		d := controlDefaults(sv.props, class)
		var cerr, nerr error
		if sv.ctrl == nil {
			var c *control.Adaptive
			if c, cerr = control.NewAdaptive(s.Control, d); c != nil {
				sv.ctrl = c
			}
		}
		sv.norm = s.Norm
		if sv.norm == nil {
			var t *control.Tolerance
			if t, nerr = control.NewTolerance(s.Control, d, n); t != nil {
				sv.norm = t
			}
		}
		if err := errors.Join(nerr, cerr); err != nil {
			errs = append(errs, err)
		}
	}
	if sv.ctrl != nil {
		if sv.ctrlSize = sv.ctrl.StateSize(); sv.ctrlSize < 0 {
			bad("Controller.StateSize() = %d, want ≥ 0", sv.ctrlSize)
		}
		if as, ok := sv.ctrl.(control.AutoStarter); ok && sv.errEst && as.AutoStart() {
			sv.autoStart = as
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	// Blocks. A worker without a path would idle: clamping first also
	// keeps the products below from overflowing (Workers = MaxInt).
	sv.workers = min(sv.workers, sv.paths)
	sv.batch = s.BatchSize
	if s.SharedStep {
		sv.batch = (sv.paths + sv.workers - 1) / sv.workers
	} else if sv.batch == 0 {
		sv.batch = min(1024, max(1, (sv.paths+4*sv.workers-1)/(4*sv.workers)))
	}
	sv.batch = min(sv.batch, sv.paths) // a larger batch only costs memory
	sv.workers = min(sv.workers, (sv.paths+sv.batch-1)/sv.batch)
	if need := sv.memoryEstimate(); need > float64(limit) {
		return nil, fmt.Errorf("sdeint: this solve needs about %s (%d paths of dimension %d, %d save times, %d workers × %d rows), above Settings.MaxMemory = %s: raise MaxMemory, or solve the paths in chunks with PathOffset",
			fmtBytes(need), sv.paths, sv.n, len(sv.saveAt), sv.workers, sv.batch, fmtBytes(float64(limit)))
	}
	sv.initResult()
	return sv, nil
}

// controlDefaults returns the method's control defaults for a noise class:
// the exponent and order, when the method leaves them unset, from the growth
// of its error estimate.
func controlDefaults(props Properties, class NoiseClass) control.Defaults {
	d := props.Control
	q := props.Orders[class].ErrQ
	if d.Order == 0 {
		d.Order = q + 1
	}
	if d.Exponent == 0 {
		d.Exponent = 1 / (q + 1)
	}
	return d
}

// DefaultControl returns the error norm and controller Solve uses for p
// with method m when Settings.Controller and Settings.Norm are nil: c
// resolved with the method's control.Defaults for p's noise class. A
// controller of one's own can wrap them.
func DefaultControl(p *Problem, m Method, c control.Settings) (*control.Standard, error) {
	if p == nil || m == nil {
		return nil, errors.New("sdeint: nil Problem or Method")
	}
	return control.New(c, controlDefaults(m.Properties(), p.Noise.Class(p.Dim)), p.Dim)
}

// makeGrid builds the fixed-step grid with the save times merged in.
func (sv *solver) makeGrid(bad func(string, ...any)) []float64 {
	p, s := sv.p, sv.set
	var g []float64
	if s.Grid != nil {
		g = slices.Clone(s.Grid)
		if len(g) < 2 || g[0] != p.T0 || g[len(g)-1] != p.T1 {
			bad("Grid must start at T0 = %v and end at T1 = %v", p.T0, p.T1)
			return nil
		}
		for i := 1; i < len(g); i++ {
			if !finite(g[i]) || (g[i]-g[i-1])*sv.dir <= 0 {
				bad("Grid must be strictly monotone from T0 to T1 (Grid[%d] = %v after %v)", i, g[i], g[i-1])
				return nil
			}
		}
	} else {
		g = make([]float64, s.Steps+1)
		for k := range g {
			g[k] = p.T0 + (p.T1-p.T0)*float64(k)/float64(s.Steps)
		}
		g[s.Steps] = p.T1
	}
	// A save time within rounding of a grid point replaces it, rather than
	// adding a step of a few ulps.
	tiny := 8 * 0x1p-52 * max(math.Abs(p.T0), math.Abs(p.T1))
	for _, t := range sv.saveAt {
		for i := 1; i < len(g)-1; i++ {
			if math.Abs(g[i]-t) <= tiny {
				g[i] = t
			}
		}
	}
	for _, t := range sv.saveAt {
		i, found := slices.BinarySearchFunc(g, t, func(a, b float64) int {
			switch {
			case (a-b)*sv.dir < 0:
				return -1
			case a == b:
				return 0
			}
			return 1
		})
		if !found {
			g = slices.Insert(g, i, t)
		}
	}
	// Steps below float64's spacing at these times round to equal grid
	// points: a step of length 0, which would end every path "step size
	// collapsed" at its first grid point.
	for i := 1; i < len(g); i++ {
		if !((g[i]-g[i-1])*sv.dir > 0) {
			bad("fixed steps: grid points %d and %d are both %v: steps of %.3g are below float64's resolution at these times; use fewer steps", i-1, i, g[i], math.Abs(p.T1-p.T0)/float64(len(g)-1))
			return nil
		}
	}
	return g
}

func (sv *solver) initResult() {
	P, n, S := sv.paths, sv.n, len(sv.saveAt)
	r := &Result{
		Paths: P, Dim: n, NoiseDim: sv.mdim, PathOffset: sv.offset,
		T0: sv.p.T0, T1: sv.p.T1,
		Method: sv.props.Name, Brownian: sv.src.Name(),
		Adaptive: sv.errEst, SharedStep: sv.set.SharedStep,
		Override: sv.overridden,
		X:        make([]float64, P*n),
		W:        make([]float64, P*sv.mdim),
		SaveAt:   slices.Clone(sv.saveAt),
		Saved:    make([]float64, P*S*n),
		SavedW:   make([]float64, P*S*sv.mdim),
		Path:     make([]PathStats, P),
	}
	nan := math.NaN()
	for i := range r.Saved {
		r.Saved[i] = nan
	}
	for i := range r.SavedW {
		r.SavedW[i] = nan
	}
	if sv.set.Trace {
		r.Trace = make([][]TraceEntry, P)
	}
	sv.res = r
	sv.started = make([]bool, P)
	if sv.set.SharedStep {
		sv.partial = make([]float64, P)
		sv.valid = make([]bool, P)
	}
}

// halt stops the solve for every path: why is FuncError or Cancelled.
func (sv *solver) halt(why Status, err error) {
	sv.stopMu.Lock()
	if sv.stopErr == nil {
		sv.stopWhy, sv.stopErr = why, err
	}
	sv.stopMu.Unlock()
	sv.stop.Store(true)
}

func (sv *solver) run(ctx context.Context) {
	if err := ctx.Err(); err != nil {
		sv.halt(Cancelled, err)
		return
	}
	ws := sv.ws
	if sv.set.SharedStep {
		sv.runShared(ctx, ws)
		return
	}
	var next atomic.Int64
	nblocks := (sv.paths + sv.batch - 1) / sv.batch
	sv.nblocks = nblocks
	done := make(chan struct{})
	var wg sync.WaitGroup
	// Workers watch the context themselves, once per round: the watcher in
	// wait may not get a processor while every one is stepping.
	ctxDone := ctx.Done()
	cancelled := func() bool {
		select {
		case <-ctxDone:
			sv.halt(Cancelled, ctx.Err())
			return true
		default:
			return false
		}
	}
	for _, w := range ws {
		wg.Go(func() {
			for !sv.stop.Load() && !cancelled() {
				b := int(next.Add(1) - 1)
				if b >= nblocks {
					return
				}
				w.load(b*sv.batch, min((b+1)*sv.batch, sv.paths))
				// Publish the block's time before counting it loaded,
				// so that once every block is, the workers' least
				// times cover every unfinished path.
				w.publish()
				sv.loaded.Add(1)
				func() {
					defer w.guard()
					w.begin()
					for w.k > 0 {
						if sv.stop.Load() || cancelled() {
							w.haltAll()
							break
						}
						w.round()
						w.settle(false)
						w.publish()
					}
				}()
				w.publish()
			}
		})
	}
	go func() { wg.Wait(); close(done) }()
	sv.wait(ctx, done)
}

// wait blocks until done, watching ctx and calling the progress hook.
func (sv *solver) wait(ctx context.Context, done <-chan struct{}) {
	start := time.Now()
	var tick <-chan time.Time
	if sv.set.Progress != nil {
		every := sv.set.ProgressEvery
		if every == 0 {
			every = time.Second
		}
		t := time.NewTicker(every)
		defer t.Stop()
		tick = t.C
	}
	cancel := ctx.Done()
	for {
		select {
		case <-done:
			return
		case <-cancel:
			sv.halt(Cancelled, ctx.Err())
			cancel = nil
		case <-tick:
			if !sv.report(start) {
				tick = nil
			}
		}
	}
}

// report calls the Progress hook. A panic in it stops the solve with
// FuncError, the panic as a *PanicError in the paths' errors, like a panic
// in the problem's functions; report then returns false and the hook is
// not called again.
func (sv *solver) report(start time.Time) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			sv.halt(FuncError, &PanicError{Value: r, Stack: debug.Stack()})
			ok = false
		}
	}()
	sv.set.Progress(sv.progress(start))
	return true
}

func (sv *solver) progress(start time.Time) Progress {
	pr := Progress{
		Elapsed:   time.Since(start),
		Paths:     sv.paths,
		PathsDone: int(sv.doneCount.Load()),
		Attempts:  sv.attempts.Load(),
		NFE:       sv.nfe.Load(),
		TMin:      sv.p.T0,
	}
	// Until every block is loaded some path waits at T0. After that each
	// worker's published time only moves forward (its rows advance or
	// end), so the least of them, read one by one, never moves backward
	// between calls.
	if sv.loaded.Load() == int64(sv.nblocks) {
		key := math.Inf(1)
		for _, w := range sv.ws {
			key = min(key, math.Float64frombits(w.reached.Load()))
		}
		pr.TMin = sv.p.T1
		if !math.IsInf(key, 1) {
			pr.TMin = key * sv.dir
		}
	}
	return pr
}

// runShared runs the shared-step ablation: every worker holds one fixed
// block, and each round the batch's error norm is reduced in path order, so
// the result does not depend on the number of workers.
func (sv *solver) runShared(ctx context.Context, ws []*worker) {
	sv.nblocks = len(ws)
	for i, w := range ws {
		w.load(i*sv.batch, min((i+1)*sv.batch, sv.paths))
		w.publish()
		sv.loaded.Add(1)
	}
	type cmd int
	const (
		phaseRound cmd = iota
		phaseSettle
		phaseHalt
		phaseProbe
		phaseStart
	)
	cmds := make([]chan cmd, len(ws))
	ack := make(chan struct{}, len(ws))
	for i, w := range ws {
		cmds[i] = make(chan cmd)
		go func() {
			for c := range cmds[i] {
				func() {
					defer w.guard()
					switch c {
					case phaseRound:
						w.round()
					case phaseSettle:
						w.settle(true)
						w.publish()
					case phaseHalt:
						w.haltAll()
						w.publish()
					case phaseProbe:
						w.probe(sv.autoStart)
					case phaseStart:
						if sv.autoStart != nil && sv.sharedH0 > 0 { // probed
							w.start(func(int) float64 { return sv.sharedH0 })
						} else {
							w.start(nil)
						}
					}
				}()
				ack <- struct{}{}
			}
		}()
	}
	defer func() {
		for _, c := range cmds {
			close(c)
		}
	}()
	broadcast := func(c cmd) {
		for _, ch := range cmds {
			ch <- c
		}
		for range cmds {
			<-ack
		}
	}
	if sv.autoStart != nil && !sv.stop.Load() {
		// The batch shares its steps, so it starts from the least of its
		// paths' first step sizes.
		broadcast(phaseProbe)
		sv.sharedH0 = math.Inf(1)
		for _, w := range ws {
			for r := range w.k {
				sv.sharedH0 = min(sv.sharedH0, w.slots[r].h)
			}
		}
	}
	broadcast(phaseStart)
	every := sv.set.ProgressEvery
	if every == 0 {
		every = time.Second
	}
	start, last := time.Now(), time.Now()
	hook := sv.set.Progress != nil
	for {
		active := false
		for _, w := range ws {
			active = active || w.k > 0
		}
		if !active {
			return
		}
		if err := ctx.Err(); err != nil {
			sv.halt(Cancelled, err)
		}
		if sv.stop.Load() {
			broadcast(phaseHalt)
			return
		}
		broadcast(phaseRound)
		if !sv.reduce() {
			continue // stopped: the next pass halts the workers
		}
		broadcast(phaseSettle)
		sv.res.Stats.Rounds++
		if hook && time.Since(last) >= every {
			last = time.Now()
			hook = sv.report(start)
		}
	}
}

// reduce sets the shared step's error norm, reduced over the batch in path
// order. A panic in the norm (a plugged ErrorNorm), which runs here on
// Solve's goroutine rather than in a worker, stops the solve with FuncError
// and reduce returns false.
func (sv *solver) reduce() (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			sv.halt(FuncError, &PanicError{Value: r, Stack: debug.Stack()})
			ok = false
		}
	}()
	acc, count := 0.0, 0
	for i, valid := range sv.valid {
		if valid {
			acc = sv.norm.Combine(acc, sv.partial[i])
			count++
		}
	}
	sv.sharedErr = 0
	if count > 0 {
		sv.sharedErr = sv.norm.Finish(acc, count*sv.n)
	}
	return true
}

// finish fills in the paths that never started and the totals.
func (sv *solver) finish() *Result {
	r := sv.res
	w := sv.ws[0] // idle now: it loads the initial states of unstarted paths
	why := sv.stopWhy
	if why == FuncError {
		why = Stopped
	}
	for i := range r.Path {
		if !sv.started[i] {
			// Load the path for its initial state; it may end there.
			w.load(i, i+1)
			if w.k > 0 {
				w.retire(0, why, &PathError{Status: why, Component: -1, Err: sv.stopErr})
			}
		}
	}
	for i := range r.Path {
		ps := &r.Path[i]
		r.Stats.Accepted += int64(ps.Accepted)
		r.Stats.Rejected += int64(ps.Rejected)
		r.Stats.Probes += int64(ps.Probes)
		r.Stats.DriftEvals += int64(ps.DriftEvals)
		r.Stats.DiffusionEvals += int64(ps.DiffusionEvals)
		r.Stats.NFE += int64(ps.NFE)
		if ps.Status != Success {
			r.Stats.Failed++
		}
	}
	// The aggregate status is the stop's reason if some path ended by it
	// (a stop that came after every path had ended changes nothing), else
	// the first failed path's.
	r.Status = Success
	for _, ps := range r.Path {
		if ps.Status == Success {
			continue
		}
		if r.Status == Success {
			r.Status = ps.Status
		}
		if sv.stopErr != nil && (ps.Status == sv.stopWhy || ps.Status == Stopped && sv.stopWhy == FuncError) {
			r.Status = sv.stopWhy
			break
		}
	}
	return r
}

func (sv *solver) summary() error {
	r := sv.res
	e := &SolveError{Status: r.Status, Failed: r.Stats.Failed, Paths: r.Paths}
	for _, ps := range r.Path {
		if ps.Err != nil && ps.Status == r.Status {
			e.First = ps.Err
			break
		}
	}
	if e.First == nil {
		// The stop came from outside every path (a panic in the Progress
		// hook or in the shared step's reduction): the first path it
		// stopped carries its error.
		for _, ps := range r.Path {
			if ps.Err != nil {
				e.First = ps.Err
				break
			}
		}
	}
	return e
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// memoryEstimate is the memory in bytes that the result and the workers'
// buffers take, in floating point so that it cannot overflow: per path X,
// W, the saved states and W, its stats; per worker row the states, the
// method's proposals and scratch (about 16 values of n), the increments,
// the diffusion values, and the method's and controller's memory (their
// declared sizes, which plugged code may make large).
func (sv *solver) memoryEstimate() float64 {
	P, n, m, S := float64(sv.paths), float64(sv.n), float64(sv.mdim), float64(len(sv.saveAt))
	perPath := 8*(n+m)*(1+S) + float64(unsafe.Sizeof(PathStats{})) + 1
	perRow := 8*(16*n+8*m+4*float64(sv.gsize)+2*float64(sv.stateSize)+float64(sv.ctrlSize)) + 256
	return P*perPath + float64(sv.workers)*float64(sv.batch)*perRow
}

// fmtBytes formats a byte count in GiB, MiB or KiB.
func fmtBytes(b float64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.3g GiB", b/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.3g MiB", b/(1<<20))
	}
	return fmt.Sprintf("%.3g KiB", b/(1<<10))
}
