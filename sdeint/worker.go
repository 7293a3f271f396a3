package sdeint

import (
	"fmt"
	"math"
	"runtime/debug"
	"sync/atomic"

	"github.com/gofast-sde/gofast/sdeint/brownian"
	"github.com/gofast-sde/gofast/sdeint/control"
)

// slot is the clock and bookkeeping of the path in one row of a worker's
// block. Rows are kept compact: when a path ends, the last active row moves
// into its place.
type slot struct {
	path  int     // local path index (row of the Result)
	t     float64 // time of the last accepted state
	h     float64 // the controller's last step-size proposal |h|
	tNew  float64 // end of the next (or current) attempt
	hTry  float64 // the controller's |h| for it, before landing on a stop
	save  int     // next save index
	src   brownian.Path
	levy  brownian.LevyPath // src, when the method needs Lévy areas
	aux   brownian.Stream
	stats PathStats
	fail  failure // what went wrong in the current attempt
	// lastFail is the path's most recent non-finite attempt, kept across
	// accepted steps: a step that collapses just short of it collapsed
	// against it, even if the last attempt was a tiny accepted step.
	lastFail failure
}

// failure records the first NaN/Inf seen for a row in one attempt.
type failure struct {
	where     string // "" when none
	component int
	t         float64
}

// worker advances one block of paths at a time. It owns all its buffers, so
// the stepping loop allocates nothing.
type worker struct {
	sv      *solver
	id      int
	k       int // active rows
	slots   []slot
	gpaths  []int     // global path index per row (Batch.Paths)
	x, prev []float64 // states and last accepted low-order proposals
	w       []float64 // W(t) − W(T0) per row
	stepper Stepper
	step    Step
	eval    evaluator
	errNorm []float64 // per-row partial error norm of the current attempt
	state   []float64 // method memory, rows×Properties.State
	cstate  []float64 // controller memory, rows×Controller.StateSize()
	// reached holds the bits of t·dir for the least time, in the direction
	// of integration, of the active rows (+Inf with none), for Progress.
	reached atomic.Uint64
}

// evaluator binds the problem's functions to a worker's current batch,
// counting calls and checking outputs for NaN and Inf.
type evaluator struct {
	w                     *worker
	driftCalls, diffCalls int       // calls on all the round's rows
	rowDrift              []int     // per row: drift evaluations in calls on some rows (DriftRows)
	sub                   []int     // scratch: global path indices of a DriftRows call
	lastDiffusion         bool      // the last call was the diffusion (names a function error)
	failed                bool      // a drift or diffusion call of this step returned an error
	lastT                 []float64 // times of the last call
	lastRows              []int     // rows of the last call if it was a DriftRows call, else nil
}

func newWorker(sv *solver, id int) *worker {
	rows, n, m := sv.batch, sv.n, sv.mdim
	w := &worker{
		sv:      sv,
		id:      id,
		slots:   make([]slot, rows),
		gpaths:  make([]int, rows),
		x:       make([]float64, rows*n),
		prev:    make([]float64, rows*n),
		w:       make([]float64, rows*m),
		stepper: sv.m.NewStepper(sv.dims, rows),
		errNorm: make([]float64, rows),
	}
	for i := range w.slots {
		w.slots[i].src = sv.src.NewPath(m, sv.span)
		if sv.props.Levy && m > 0 {
			w.slots[i].levy = w.slots[i].src.(brownian.LevyPath) // checked by newSolver
		}
	}
	w.eval.w = w
	w.reached.Store(math.Float64bits(math.Inf(1)))
	w.eval.rowDrift = make([]int, rows)
	w.eval.sub = make([]int, rows)
	w.step = Step{
		Dims:     sv.dims,
		T:        make([]float64, rows),
		H:        make([]float64, rows),
		TEnd:     make([]float64, rows),
		DW:       make([]float64, rows*m),
		Adaptive: sv.errEst,
		High:     make([]float64, rows*n),
		eval:     &w.eval,
	}
	if sv.errEst {
		w.step.Low = make([]float64, rows*n)
		w.step.Err = make([]float64, rows*n)
	}
	if sv.props.Signs {
		w.step.Signs = make([]float64, rows*m)
	}
	if sv.props.Normals {
		w.step.Normals = make([]float64, rows*m)
	}
	if sv.props.Levy {
		w.step.Area = make([]float64, rows*m)
	}
	if S := sv.stateSize; S > 0 {
		w.state = make([]float64, rows*S)
		w.step.NextState = make([]float64, rows*S)
	}
	w.cstate = make([]float64, rows*sv.ctrlSize)
	return w
}

// load starts paths [lo, hi) in rows 0…hi−lo.
func (w *worker) load(lo, hi int) {
	sv, n := w.sv, w.sv.n
	w.k = 0
	for i := lo; i < hi; i++ {
		r := w.k
		w.k++
		sl := &w.slots[r]
		g := sv.offset + i
		key := brownian.Key{Seed: sv.set.Seed, Path: uint64(g)}
		sl.path, sl.t, sl.save, sl.h = i, sv.p.T0, 0, 0
		sl.stats = PathStats{}
		sl.fail, sl.lastFail = failure{}, failure{}
		w.gpaths[r] = g
		if S := sv.stateSize; S > 0 {
			clear(w.state[r*S : (r+1)*S])
		}
		x := w.x[r*n : (r+1)*n]
		clear(w.w[r*sv.mdim : (r+1)*sv.mdim])
		switch {
		// Before the plugged code below, so that a path it ends keeps its
		// initial state rather than another path's.
		case sv.p.Init != nil:
			// Init gets zeros, not the row's previous path's state: an
			// Init that leaves a component unwritten must not make the
			// result depend on the batch.
			clear(x)
		case len(sv.p.X0) == n:
			copy(x, sv.p.X0)
		default:
			copy(x, sv.p.X0[i*n:(i+1)*n])
		}
		sv.started[i] = true
		if err := w.reset(r, key); err != nil {
			if sv.p.Init != nil {
				for j := range x {
					x[j] = math.NaN() // never drawn
				}
			}
			sv.halt(FuncError, err)
			w.retire(r, FuncError, &PathError{Status: FuncError, Where: "step", TEval: sv.p.T0, Component: -1, Rows: 1, Err: err})
			continue
		}
		if sv.p.Init != nil {
			rng := brownian.NewStream(key, brownian.Init)
			if err := callInit(sv.p.Init, x, g, &rng); err != nil {
				sv.halt(FuncError, err)
				w.retire(r, FuncError, &PathError{Status: FuncError, Where: "init", TEval: sv.p.T0, Component: -1, Err: err})
				continue
			}
			if c := firstNonFinite(x); c >= 0 {
				w.retire(r, NotFinite, &PathError{Status: NotFinite, Where: "init", TEval: sv.p.T0, Component: c})
				continue
			}
		}
		copy(w.prev[r*n:(r+1)*n], x)
		w.landed(r) // the saves at T0; it cannot end the path (T0 ≠ T1)
	}
}

// reset keys row r's Brownian path and auxiliary stream and starts its
// controller. These may be plugged code (a Brownian source, a controller):
// a panic is returned as a *PanicError, as for the problem's functions,
// since load runs outside the workers' guard.
func (w *worker) reset(r int, key brownian.Key) (err error) {
	defer recoverPanic(&err)
	sv, sl := w.sv, &w.slots[r]
	sl.src.Reset(key)
	if sv.props.Signs || sv.props.Normals {
		sl.aux.Reset(key, brownian.Aux)
	}
	sl.h = sv.ctrl.Start(w.ctrlState(r), sv.p.T0, sv.p.T1)
	return nil
}

// begin readies the loaded rows for their first attempt: it probes for
// their first step sizes when the controller asks for it and proposes each
// row's first attempt. (Shared-step mode does the same in phases, to start
// the batch from its least first step.)
func (w *worker) begin() {
	if as := w.sv.autoStart; as != nil && !w.sv.stop.Load() {
		w.probe(as)
		w.start(func(r int) float64 { return w.slots[r].h })
		return
	}
	w.start(nil)
}

// start proposes each row's first attempt, from the first step size h0(r)
// when the controller probes (control.AutoStarter.SetStep), else from its
// own.
func (w *worker) start(h0 func(r int) float64) {
	for r := w.k - 1; r >= 0; r-- {
		if as := w.sv.autoStart; as != nil && h0 != nil {
			as.SetStep(w.ctrlState(r), h0(r))
		}
		w.checkNext(r)
	}
}

// probe runs the trial steps of control.AutoStarter on the active rows and
// leaves each row's first step size in its slot's h. The rows still probing
// are kept first: a row whose probes are done moves behind them and is not
// stepped again, so that a path's probes and their evaluations are its own,
// whatever paths share its batch.
func (w *worker) probe(as control.AutoStarter) {
	sv, n, m := w.sv, w.sv.n, w.sv.mdim
	st := &w.step
	for iter, k := 1, w.k; k > 0; iter++ {
		if sv.stop.Load() || iter > maxProbeRounds {
			// Stopped, or a plugged AutoStarter that never says done:
			// the rows keep their last probe's size.
			return
		}
		st.K = k
		for r := range k {
			sl := &w.slots[r]
			sl.fail = failure{}
			st.T[r] = sl.t
			st.H[r] = sv.dir * sl.h
			st.TEnd[r] = sl.t + st.H[r] // a probe is never kept
			dw := math.Sqrt(2 * sl.h)
			for j := range m {
				st.DW[r*m+j] = dw
			}
			if st.Area != nil {
				a := math.Sqrt(sl.h / 12)
				for j := range m {
					st.Area[r*m+j] = a
				}
			}
			if st.Signs != nil {
				for j := range m {
					st.Signs[r*m+j] = 1
				}
			}
			if st.Normals != nil {
				for j := range m {
					st.Normals[r*m+j] = 1
				}
			}
		}
		for r := range k {
			// Counted before the call, so that a probe whose call
			// fails is counted with the evaluations it made.
			w.slots[r].stats.Probes++
		}
		if !w.step1(k, false) {
			return
		}
		for r := k - 1; r >= 0; r-- {
			sl := &w.slots[r]
			w.checkState(r, st.High)
			w.checkState(r, st.Low)
			e := math.Inf(1)
			if sl.fail.where == "" {
				ok, failed := w.inDomain(r, sl.t+sv.dir*sl.h, st.High[r*n:(r+1)*n])
				if failed {
					return
				}
				if ok {
					o := r * n
					e = sv.norm.Finish(sv.norm.Accumulate(st.Err[o:o+n], st.Low[o:o+n], w.prev[o:o+n], w.x[o:o+n], st.High[o:o+n]), n)
				}
			}
			sl.fail = failure{}
			var done bool
			if sl.h, done = as.NextProbe(w.ctrlState(r), sl.h, e, iter); done {
				k--
				w.swap(r, k)
			}
		}
	}
}

// maxProbeRounds bounds the probes of a path, whatever NextProbe says.
const maxProbeRounds = 100

// step1 runs the method on the first k rows, whose times, steps and
// increments are set, and counts the evaluations; attempt says it is an
// attempt, not a probe. If the method fails it ends the rows (stepFailed)
// and reports false.
func (w *worker) step1(k int, attempt bool) bool {
	sv, n, st := w.sv, w.sv.n, &w.step
	st.X = w.x[:k*n]
	if S := sv.stateSize; S > 0 {
		st.State = w.state[:k*S]
	}
	w.eval.driftCalls, w.eval.diffCalls = 0, 0
	w.eval.failed, w.eval.lastT, w.eval.lastRows = false, nil, nil
	if err := w.stepper.Step(st); err != nil {
		w.stepFailed(err, k, attempt)
		return false
	}
	w.count(k, attempt)
	return true
}

// swap exchanges rows a and b of the block.
func (w *worker) swap(a, b int) {
	if a == b {
		return
	}
	sv, n, m := w.sv, w.sv.n, w.sv.mdim
	w.slots[a], w.slots[b] = w.slots[b], w.slots[a]
	w.gpaths[a], w.gpaths[b] = w.gpaths[b], w.gpaths[a]
	swapRows(w.x, a, b, n)
	swapRows(w.prev, a, b, n)
	swapRows(w.w, a, b, m)
	swapRows(w.state, a, b, sv.stateSize)
	swapRows(w.cstate, a, b, sv.ctrlSize)
}

// swapRows exchanges rows a and b of width c in v.
func swapRows(v []float64, a, b, c int) {
	ra, rb := v[a*c:(a+1)*c], v[b*c:(b+1)*c]
	for i := range ra {
		ra[i], rb[i] = rb[i], ra[i]
	}
}

// round attempts one step for every active row: it proposes the step,
// draws the increments, runs the method and checks the results.
func (w *worker) round() {
	sv, k, n, m := w.sv, w.k, w.sv.n, w.sv.mdim
	st := &w.step
	st.K = k
	for r := range k {
		sl := &w.slots[r]
		sl.fail = failure{} // the attempt was proposed by checkNext
		st.T[r] = sl.t
		st.H[r] = sl.tNew - sl.t
		st.TEnd[r] = sl.tNew
		if sl.levy != nil {
			sl.levy.IncrementLevy(st.DW[r*m:(r+1)*m], st.Area[r*m:(r+1)*m], (sl.tNew-sv.p.T0)*sv.dir)
		} else {
			sl.src.Increment(st.DW[r*m:(r+1)*m], (sl.tNew-sv.p.T0)*sv.dir)
		}
		if st.Signs != nil {
			for j := range m {
				st.Signs[r*m+j] = sl.aux.Sign()
			}
		}
		if st.Normals != nil {
			for j := range m {
				st.Normals[r*m+j] = sl.aux.Norm()
			}
		}
	}
	if !w.step1(k, true) {
		return
	}
	for r := range k {
		sl := &w.slots[r]
		if sl.fail.where == "" {
			w.checkState(r, st.High)
			if st.Adaptive {
				w.checkState(r, st.Low)
			}
		}
		if sl.fail.where == "" {
			ok, failed := w.inDomain(r, sl.tNew, st.High[r*n:(r+1)*n])
			if failed {
				return
			}
			if !ok {
				sl.fail = failure{where: "domain", component: -1, t: sl.tNew}
			}
		}
		if st.Adaptive && sl.fail.where == "" {
			o := r * n
			w.errNorm[r] = sv.norm.Accumulate(st.Err[o:o+n], st.Low[o:o+n], w.prev[o:o+n], w.x[o:o+n], st.High[o:o+n])
			// Finite proposals with a NaN error estimate: find the culprit.
			if math.IsNaN(w.errNorm[r]) {
				w.checkState(r, st.Err)
			}
		}
		if sv.set.SharedStep {
			// A non-finite row makes the batch's norm infinite: the whole
			// batch shares the step, so it rejects it and shrinks.
			sv.valid[sl.path] = true
			sv.partial[sl.path] = w.errNorm[r]
			if sl.fail.where != "" {
				sv.partial[sl.path] = math.Inf(1)
			}
		}
	}
}

// inDomain reports whether row r's proposal x at time t lies in the
// problem's domain (true without Problem.InDomain). If InDomain fails (it
// panicked), the solve stops: row r ends FuncError, the others Stopped, and
// failed is true.
func (w *worker) inDomain(r int, t float64, x []float64) (ok, failed bool) {
	in := w.sv.p.InDomain
	if in == nil {
		return true, false
	}
	ok, err := callInDomain(in, t, x)
	if err == nil {
		return ok, false
	}
	w.sv.halt(FuncError, err)
	for q := w.k - 1; q >= 0; q-- {
		if q == r {
			w.retire(q, FuncError, &PathError{Status: FuncError, Where: "domain", TEval: t, Component: -1, Rows: 1, Err: err})
		} else {
			w.retire(q, Stopped, &PathError{Status: Stopped, Component: -1, Err: err})
		}
	}
	return false, true
}

// stepFailed ends the active rows after the method's step on the first k
// of them returned err: the solve stops. For a function's error the rows
// the failing call evaluated end FuncError, the others Stopped; for the
// method's own error (no function failed) the k rows end FuncError, Where
// "method". attempt says the step was an attempt (not a probe).
func (w *worker) stepFailed(err error, k int, attempt bool) {
	w.count(k, attempt)
	w.sv.halt(FuncError, err)
	if !w.eval.failed {
		for r := w.k - 1; r >= 0; r-- {
			if r < k {
				w.retire(r, FuncError, &PathError{Status: FuncError, Where: "method", TEval: w.step.T[r], Component: -1, Rows: k, Err: err})
			} else {
				w.retire(r, Stopped, &PathError{Status: Stopped, Component: -1, Err: err})
			}
		}
		return
	}
	where := "drift"
	if w.eval.lastDiffusion {
		where = "diffusion"
	}
	// The call was batched: any of its rows may have raised the error, so
	// each is marked with the call's size.
	rows := 0
	for r := range k {
		if _, ok := w.eval.tEval(r); ok {
			rows++
		}
	}
	for r := w.k - 1; r >= 0; r-- { // rows past k (done probing) end Stopped
		if te, ok := w.eval.tEval(r); ok {
			w.retire(r, FuncError, &PathError{Status: FuncError, Where: where, TEval: te, Component: -1, Rows: rows, Err: err})
		} else {
			w.retire(r, Stopped, &PathError{Status: Stopped, Component: -1, Err: err})
		}
	}
}

// count adds the round's evaluations to every active row: the calls on all
// rows, and each row's own evaluations in calls on some rows. attempt says
// they were attempts (counted for Progress), not probes.
func (w *worker) count(k int, attempt bool) {
	nfe := 0
	for r := range k {
		ps := &w.slots[r].stats
		d := w.eval.driftCalls + w.eval.rowDrift[r]
		w.eval.rowDrift[r] = 0
		ps.DriftEvals += d
		ps.DiffusionEvals += w.eval.diffCalls
		ps.NFE += d
		nfe += d
	}
	if attempt {
		w.sv.attempts.Add(int64(k))
	}
	w.sv.nfe.Add(int64(nfe))
}

// settle decides each row's attempt and moves the accepted ones forward.
// shared selects the batch-wide decision of shared-step mode.
func (w *worker) settle(shared bool) {
	sv, n, m := w.sv, w.sv.n, w.sv.mdim
	st := &w.step
	for r := w.k - 1; r >= 0; r-- {
		sl := &w.slots[r]
		o := r * n
		errNorm := 0.0
		if sv.errEst {
			if shared {
				errNorm = sv.sharedErr
			} else {
				errNorm = sv.norm.Finish(w.errNorm[r], n)
			}
		}
		if sl.fail.where != "" {
			// A NaN or Inf in a stage or a proposal, or a proposal outside
			// the domain, says the step was too long, not that the path
			// failed, as in Diffrax and the SciML integrators: the
			// controller sees an infinite error and shrinks the step
			// (Adaptive), or ends the path when it has no smaller step
			// (Fixed). If the step collapses, the path ends NotFinite
			// (checkNext).
			errNorm = math.Inf(1)
		}
		d, h := sv.ctrl.Decide(w.ctrlState(r), sl.t, sl.tNew, errNorm)
		sl.h = h
		if d != control.Accept && d != control.Reject && d != control.Stop {
			// A plugged controller's unknown verdict: taken as a
			// rejection it would retry until the budget ran out.
			err := fmt.Errorf("sdeint: Controller.Decide returned %v, want accept, reject or stop", d)
			sv.halt(FuncError, err)
			sl.src.Reject()
			w.retire(r, FuncError, &PathError{Status: FuncError, Where: "controller", TEval: sl.tNew, Component: -1, Rows: 1, H: h, Err: err})
			continue
		}
		if d == control.Stop {
			sl.src.Reject()
			if f := sl.fail; f.where != "" {
				w.retire(r, NotFinite, &PathError{Status: NotFinite, Where: f.where, TEval: f.t, Component: f.component, H: h})
			} else {
				w.retire(r, StepCollapse, &PathError{Status: StepCollapse, H: h, Component: -1})
			}
			continue
		}
		accept := d == control.Accept
		if sl.fail.where != "" {
			sl.lastFail = sl.fail
			sl.stats.NonFinite++
		}
		if sv.set.Trace {
			tr := &sv.res.Trace[sl.path]
			*tr = append(*tr, TraceEntry{T: sl.t, H: sl.tNew - sl.t, Err: errNorm, HTry: sl.hTry, Accepted: accept})
		}
		if accept {
			sl.stats.Accepted++
			if sl.stats.MinStep == 0 || sl.hTry < sl.stats.MinStep {
				sl.stats.MinStep = sl.hTry
			}
			sl.src.Accept()
			copy(w.x[o:o+n], st.High[o:o+n])
			if st.Adaptive {
				copy(w.prev[o:o+n], st.Low[o:o+n])
			}
			if S := sv.stateSize; S > 0 {
				copy(w.state[r*S:(r+1)*S], st.NextState[r*S:(r+1)*S])
			}
			wr, dw := w.w[r*m:(r+1)*m], st.DW[r*m:(r+1)*m]
			for j := range wr {
				wr[j] += dw[j]
			}
			sl.t = sl.tNew
			if w.landed(r) {
				continue
			}
		} else {
			sl.stats.Rejected++
			sl.src.Reject()
		}
		w.checkNext(r)
	}
}

// publish stores the least time of the active rows for Progress.
func (w *worker) publish() {
	key, dir := math.Inf(1), w.sv.dir
	for r := range w.k {
		key = min(key, w.slots[r].t*dir)
	}
	w.reached.Store(math.Float64bits(key))
}

// nextStop returns the next time the path must land on: a save time or T1.
func (w *worker) nextStop(sl *slot) float64 {
	if sl.save < len(w.sv.saveAt) {
		return w.sv.saveAt[sl.save]
	}
	return w.sv.p.T1
}

// landed records the saves at the row's current time and retires the path
// if it reached T1. It reports whether the path ended.
func (w *worker) landed(r int) bool {
	sv, n, m := w.sv, w.sv.n, w.sv.mdim
	sl := &w.slots[r]
	S := len(sv.saveAt)
	for sl.save < S && sv.saveAt[sl.save] == sl.t {
		o := sl.path*S + sl.save
		copy(sv.res.Saved[o*n:(o+1)*n], w.x[r*n:(r+1)*n])
		copy(sv.res.SavedW[o*m:(o+1)*m], w.w[r*m:(r+1)*m])
		sl.save++
	}
	if sl.t == sv.p.T1 {
		w.retire(r, Success, nil)
		return true
	}
	return false
}

// checkNext asks the controller for the row's next attempt, and retires the
// row if it cannot be made: budget exhausted, or a step size that has
// collapsed.
func (w *worker) checkNext(r int) {
	sv := w.sv
	sl := &w.slots[r]
	if sl.stats.Accepted+sl.stats.Rejected >= sv.maxAttempts {
		w.retire(r, BudgetExhausted, &PathError{Status: BudgetExhausted, Component: -1})
		return
	}
	stop := w.nextStop(sl)
	tEnd, hTry, ok := sv.ctrl.Propose(w.ctrlState(r), sl.t, stop)
	if ok && (tEnd-stop)*sv.dir > 0 {
		// A plugged controller stepping past its stop would skip the save
		// times and T1 and integrate beyond the span: a broken contract,
		// which stops the solve like a panic.
		err := fmt.Errorf("sdeint: Controller.Propose from t = %v returned tEnd = %v, past the next stop %v (a save time or T1)", sl.t, tEnd, stop)
		sv.halt(FuncError, err)
		w.retire(r, FuncError, &PathError{Status: FuncError, Where: "controller", TEval: sl.t, Component: -1, Rows: 1, H: hTry, Err: err})
		return
	}
	if !ok || !((tEnd-sl.t)*sv.dir > 0) {
		f := sl.fail
		if lf := sl.lastFail; f.where == "" && lf.where != "" && (lf.t-sl.t)*sv.dir <= 1e-6*sv.span {
			// The last attempts crept up to a non-finite point within a
			// millionth of the span: that is what the step collapsed on.
			f = lf
		}
		if f.where != "" {
			// The step collapsed while shrinking away from NaN or Inf.
			w.retire(r, NotFinite, &PathError{Status: NotFinite, Where: f.where, TEval: f.t, Component: f.component, H: hTry})
			return
		}
		w.retire(r, StepCollapse, &PathError{Status: StepCollapse, H: hTry, Component: -1})
		return
	}
	sl.tNew, sl.hTry = tEnd, hTry
}

// ctrlState returns the controller memory of row r.
func (w *worker) ctrlState(r int) []float64 {
	C := w.sv.ctrlSize
	return w.cstate[r*C : (r+1)*C : (r+1)*C]
}

// retire ends the path in row r with the given status, writes its results
// and moves the last active row into r.
func (w *worker) retire(r int, status Status, perr *PathError) {
	sv, n, m := w.sv, w.sv.n, w.sv.mdim
	sl := &w.slots[r]
	i := sl.path
	sl.stats.Status = status
	sl.stats.T = sl.t
	sl.stats.H = sl.h
	if perr != nil {
		perr.Path = sv.offset + i
		perr.T = sl.t
		sl.stats.Err = perr
	}
	sv.res.Path[i] = sl.stats
	if sv.valid != nil {
		sv.valid[i] = false
	}
	copy(sv.res.X[i*n:(i+1)*n], w.x[r*n:(r+1)*n])
	copy(sv.res.W[i*m:(i+1)*m], w.w[r*m:(r+1)*m])
	sv.doneCount.Add(1)
	last := w.k - 1
	if r != last {
		w.slots[r], w.slots[last] = w.slots[last], w.slots[r]
		w.gpaths[r] = w.gpaths[last]
		copy(w.x[r*n:(r+1)*n], w.x[last*n:(last+1)*n])
		copy(w.prev[r*n:(r+1)*n], w.prev[last*n:(last+1)*n])
		copy(w.w[r*m:(r+1)*m], w.w[last*m:(last+1)*m])
		if S := sv.stateSize; S > 0 {
			copy(w.state[r*S:(r+1)*S], w.state[last*S:(last+1)*S])
		}
		copy(w.ctrlState(r), w.ctrlState(last))
		w.errNorm[r] = w.errNorm[last]
	}
	w.k--
}

// haltAll retires every active row after the solve was stopped.
func (w *worker) haltAll() {
	sv := w.sv
	why := sv.stopWhy
	if why == FuncError {
		why = Stopped
	}
	for r := w.k - 1; r >= 0; r-- {
		w.retire(r, why, &PathError{Status: why, Component: -1, Err: sv.stopErr})
	}
}

func (w *worker) checkState(r int, v []float64) {
	n := w.sv.n
	if c := firstNonFinite(v[r*n : (r+1)*n]); c >= 0 {
		w.slots[r].fail = failure{where: "state", component: c, t: w.slots[r].tNew}
	}
}

func firstNonFinite(v []float64) int {
	for i, x := range v {
		if x-x != 0 {
			return i
		}
	}
	return -1
}

func (e *evaluator) drift(dst, t, x []float64) (err error) {
	defer e.markFailed(&err) // after recoverPanic has turned a panic into err
	defer recoverPanic(&err)
	w := e.w
	k, n := len(t), w.sv.n
	e.driftCalls++
	e.lastDiffusion, e.lastT, e.lastRows = false, t, nil
	if err := w.sv.p.Drift(dst[:k*n], t, x[:k*n], Batch{Worker: w.id, Paths: w.gpaths[:k]}); err != nil {
		return err
	}
	e.check(dst, t, n, "drift", nil)
	return nil
}

func (e *evaluator) driftRows(dst, t, x []float64, rows []int) (err error) {
	defer e.markFailed(&err)
	defer recoverPanic(&err)
	w := e.w
	k, n := len(rows), w.sv.n
	if k == 0 {
		return nil
	}
	sub := e.sub[:k]
	for i, r := range rows {
		sub[i] = w.gpaths[r]
		e.rowDrift[r]++
	}
	e.lastDiffusion, e.lastT, e.lastRows = false, t[:k], rows
	if err := w.sv.p.Drift(dst[:k*n], t[:k], x[:k*n], Batch{Worker: w.id, Paths: sub}); err != nil {
		return err
	}
	e.check(dst, t[:k], n, "drift", rows)
	return nil
}

// markFailed records that a user function failed, so that a step error is
// told apart from the method's own.
func (e *evaluator) markFailed(err *error) {
	if *err != nil {
		e.failed = true
	}
}

// tEval returns the time at which the last call evaluated row r, and
// whether the call included the row.
func (e *evaluator) tEval(r int) (float64, bool) {
	if e.lastRows == nil {
		if r >= len(e.lastT) { // a probe of the first rows only
			return 0, false
		}
		return e.lastT[r], true
	}
	for i, q := range e.lastRows {
		if q == r {
			return e.lastT[i], true
		}
	}
	return 0, false
}

func (e *evaluator) diffusion(dst, t, x []float64) (err error) {
	defer e.markFailed(&err)
	defer recoverPanic(&err)
	w := e.w
	k, n, gs := len(t), w.sv.n, w.sv.gsize
	if gs == 0 {
		return nil
	}
	e.diffCalls++
	e.lastDiffusion, e.lastT, e.lastRows = true, t, nil
	if err := w.sv.p.Diffusion(dst[:k*gs], t, x[:k*n], Batch{Worker: w.id, Paths: w.gpaths[:k]}); err != nil {
		return err
	}
	e.check(dst, t, gs, "diffusion", nil)
	return nil
}

// check marks rows whose output holds NaN or Inf. Output i belongs to row
// rows[i], or to row i when rows is nil.
func (e *evaluator) check(dst, t []float64, width int, where string, rows []int) {
	for i := range t {
		if c := firstNonFinite(dst[i*width : (i+1)*width]); c >= 0 {
			r := i
			if rows != nil {
				r = rows[i]
			}
			if sl := &e.w.slots[r]; sl.fail.where == "" {
				sl.fail = failure{where: where, component: c, t: t[i]}
			}
		}
	}
}

// recoverPanic turns a panic in user code into a *PanicError in *err; use
// as defer recoverPanic(&err) in the function that calls the code.
func recoverPanic(err *error) {
	if r := recover(); r != nil {
		*err = &PanicError{Value: r, Stack: debug.Stack()}
	}
}

func callInit(f func([]float64, int, *brownian.Stream) error, x []float64, g int, rng *brownian.Stream) (err error) {
	defer recoverPanic(&err)
	return f(x, g, rng)
}

func callInDomain(f func(float64, []float64) bool, t float64, x []float64) (ok bool, err error) {
	defer recoverPanic(&err)
	return f(t, x), nil
}

// guard recovers a panic in a worker's stepping (a plugged method,
// controller, norm or Brownian source): the solve stops with FuncError,
// the worker's active paths end Stopped, and the caller's goroutine gets
// the panic as an error instead of the process dying.
func (w *worker) guard() {
	if r := recover(); r != nil {
		err := &PanicError{Value: r, Stack: debug.Stack()}
		w.sv.halt(FuncError, err)
		k := w.k
		for q := k - 1; q >= 0; q-- {
			w.retire(q, FuncError, &PathError{Status: FuncError, Where: "step", TEval: w.slots[q].t, Component: -1, Rows: k, Err: err})
		}
		w.publish()
	}
}
