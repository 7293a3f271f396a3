package control

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseController reads a step-size controller by name, as the command line
// spells it: "default" (or "": the method's own default), "i" (or
// "integral": integral control, P = 0, I = 1, D = 0, whose exponent is
// 1/(q+1) for an estimate growing as h^(q+1)), "pi" (P = 0.1, I = 0.3, the
// PI coefficients Diffrax suggests for SDEs), or "pid:P/I/D" with explicit
// coefficients in the parametrisation of Settings.PCoeff. Only the
// controller fields of the result are set.
func ParseController(s string) (Settings, error) {
	name, args, _ := strings.Cut(strings.ToLower(strings.TrimSpace(s)), ":")
	switch name {
	case "", "default":
		if args == "" {
			return Settings{}, nil
		}
	case "i", "integral":
		if args == "" {
			return Settings{ICoeff: 1}, nil
		}
	case "pi":
		if args == "" {
			return Settings{PCoeff: 0.1, ICoeff: 0.3}, nil
		}
	case "pid":
		parts := strings.Split(args, "/")
		if len(parts) != 3 {
			break
		}
		var c [3]float64
		for i, p := range parts {
			v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return Settings{}, fmt.Errorf("control: controller %q: coefficient %q is not a finite number", s, p)
			}
			c[i] = v
		}
		if c == [3]float64{} {
			return Settings{}, fmt.Errorf("control: controller %q: all coefficients zero (use \"i\" for integral control)", s)
		}
		return Settings{PCoeff: c[0], ICoeff: c[1], DCoeff: c[2]}, nil
	}
	return Settings{}, fmt.Errorf("control: unknown controller %q (want default, i, pi or pid:P/I/D)", s)
}
