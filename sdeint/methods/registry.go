package methods

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gofast-sde/gofast/sdeint"
)

// entry is one registered method.
type entry struct {
	new     func() sdeint.Method
	summary string
}

// registry maps each method's short name to its constructor. Each method's
// file adds itself in an init function, so that a new method is one file.
// It is written only during package initialisation and read-only after.
var registry = map[string]entry{}

// register adds a method under its Properties().Name; called from init.
func register(summary string, f func() sdeint.Method) {
	name := f().Properties().Name
	if _, dup := registry[name]; dup {
		panic("methods: method " + name + " registered twice")
	}
	registry[name] = entry{new: f, summary: summary}
}

// ByName returns the method with the given short name (case-insensitive).
func ByName(name string) (sdeint.Method, error) {
	if e, ok := registry[strings.ToLower(name)]; ok {
		return e.new(), nil
	}
	return nil, fmt.Errorf("methods: unknown method %q (want one of %s)", name, strings.Join(Names(), ", "))
}

// Names lists the method names ByName accepts, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Summary returns the one-line description of the named method, or "".
func Summary(name string) string { return registry[strings.ToLower(name)].summary }
