package brownian

// Path serves the increments of one m-dimensional Brownian path W with
// W(0) = 0, in elapsed solver time τ ≥ 0 (τ = |t − T0| for a solve from T0,
// so backward integration uses the same path type).
//
// The solver uses a Path as a sequence of attempts: Increment proposes the
// step from the current time τ (the end of the last accepted step, initially
// 0) to a later time, then exactly one of Accept or Reject settles it. A
// rejected attempt leaves the current time unchanged; the next attempt may go
// to any later time, shorter or longer.
//
// A Path is used by one goroutine at a time.
type Path interface {
	// Reset starts the path of key k at τ = 0 with no values drawn.
	Reset(k Key)
	// Increment writes W(to) − W(τ) to dst (len m), where τ is the current
	// time. A target that is not a finite time after τ gives a zero
	// increment, and accepting it leaves the path where it was.
	Increment(dst []float64, to float64)
	// Accept moves the current time to the end of the last attempt.
	Accept()
	// Reject discards the last attempt; the current time is unchanged.
	Reject()
}

// Source makes Paths of one kind. Its methods may be called concurrently.
type Source interface {
	// Name is the source's short name, as the command line spells it.
	Name() string
	// NewPath returns an unkeyed path of dimension m; call Reset before use.
	// span is the length of the interval the path will cover, a hint for
	// sources that need it.
	NewPath(m int, span float64) Path
	// Exact reports whether the source's accepted increments are exactly
	// Brownian whatever the accept/reject decisions.
	Exact() bool
}

// LevyPath is implemented by paths that also serve the space-time Lévy area
// of each attempt, which the order-1.5 methods for additive noise need: over
// an attempt of length h = to − τ,
//
//	H = (1/h)·∫_τ^to (W(s) − W(τ)) ds − ½(W(to) − W(τ)),
//
// which is N(0, h/12), independent of the increment, per component
// (Foster, Lyons & Oberhauser, "An optimal polynomial approximation of
// Brownian motion", SIAM J. Numer. Anal. 58(3), 2020).
type LevyPath interface {
	Path
	// IncrementLevy writes the increment to dw and the space-time Lévy
	// area to area (each len m), as Increment does.
	IncrementLevy(dw, area []float64, to float64)
}

// FixedOnly is implemented by sources that may serve fixed steps only:
// Solve refuses them for adaptive steps when FixedOnly returns true.
type FixedOnly interface {
	FixedOnly() bool
}

// LevySource is implemented by sources that can serve space-time Lévy
// areas: WithLevy returns the same source with the areas on, whose paths
// implement LevyPath. Solve calls it when the method needs the areas, so
// a user names the source (bridge, tree, …) without knowing whether the
// method needs them.
type LevySource interface {
	Source
	WithLevy() Source
}

// Validator is implemented by sources with settings that can be invalid:
// Solve calls Validate before any work and returns its error.
type Validator interface {
	Validate() error
}
