package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// fuzzTokens is the vocabulary FuzzArgs builds command lines from: the
// commands' flags, good and bad values, and a stray word. Paths are
// relative: the target runs in a temporary folder.
var fuzzTokens = []string{
	"-paths", "-n", "-problem", "-method", "-tols", "-dts", "-out", "-plot", "-json", "-csv",
	"-steps", "-rtol", "-atol", "-h0", "-seed", "-workers", "-axes", "-grid", "-controllers",
	"-kind", "-phi", "-exact", "-brownian", "-norm", "-max-mem", "-quick", "-full", "-data",
	"-sde", "-sampler", "-methods", "-bench", "-theta", "-r", "-tree-tol", "-override", "-h",
	"", "0", "-1", "1e-9", "NaN", "Inf", "1e300", "3", "gbm", "ou", "cir", "bogus", "ggf", "roberts",
	"sosri", "pid:-1/0/0", "pi", "i,pi", "norm=linf", "controller=i,pi;clamps=none", "full",
	"weak", "strong", "x0", "out", "out/p.png", "1,2", "1e-2,1e-3", "x=1", "tree", "redraw",
	"ve", "gmm2d", "extra",
}

// FuzzArgs runs every command on random command lines with a context that
// is already cancelled, so that only parsing, validation and the first
// steps run: never a panic, an exit status of 0, 1 or 2, and a message on
// stderr for every non-zero status.
func FuzzArgs(f *testing.F) {
	f.Add(uint8(0), []byte{0, 37, 52})
	f.Add(uint8(1), []byte{4, 60, 10, 50})
	f.Add(uint8(2), []byte{9, 40, 16, 58, 71})
	f.Add(uint8(3), []byte{22, 41, 2, 45, 5, 63})
	f.Add(uint8(4), []byte{68, 6, 64})
	f.Add(uint8(5), []byte{31, 38, 17, 59})
	f.Add(uint8(6), []byte{})
	f.Fuzz(func(t *testing.T, cmd uint8, picks []byte) {
		if len(picks) > 12 {
			picks = picks[:12]
		}
		t.Chdir(t.TempDir())
		c := commands[int(cmd)%len(commands)]
		args := make([]string, len(picks))
		for i, p := range picks {
			args[i] = fuzzTokens[int(p)%len(fuzzTokens)]
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var out, errb bytes.Buffer
		code := c.run(ctx, args, &out, &errb)
		if code < 0 || code > 2 {
			t.Fatalf("gofast %s %s: exit %d", c.name, strings.Join(args, " "), code)
		}
		if code != 0 && strings.TrimSpace(errb.String()) == "" {
			t.Fatalf("gofast %s %s: exit %d with nothing on stderr", c.name, strings.Join(args, " "), code)
		}
	})
}
