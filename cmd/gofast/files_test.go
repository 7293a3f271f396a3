package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestWriteFileAtomic: a failed write leaves the old file whole and no
// temporary file behind; a successful one replaces it.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(p, []byte("complete\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := writeFileAtomic(p, func(w io.Writer) error {
		io.WriteString(w, "par")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want boom", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "complete\n" {
		t.Errorf("a failed write changed the file: %q", b)
	}
	if err := writeFileAtomic(p, func(w io.Writer) error { _, err := io.WriteString(w, "new\n"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new\n" {
		t.Errorf("file holds %q, want the new content", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d entries in the folder, want the file alone (no temporary left)", len(ents))
	}
}

// TestSampleUnwritableOut: an -out that cannot be written fails before
// sampling, with exit 1 and nothing on stdout.
func TestSampleUnwritableOut(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"sample", "-n", "100000", "-out", filepath.Join(file, "sub")},
		{"bench", "-quick", "-out", filepath.Join(file, "sub")},
		{"bench", "-quick", "-plot", filepath.Join(file, "sub", "p.png")},
	} {
		code, out, errs := runArgs(t, args...)
		if code != 1 || out != "" || !strings.Contains(errs, file) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 1 naming the folder, before any work", args, code, out, errs)
		}
	}
}

// TestSampleLeavesOutUnfinished: samples whose path exhausted its budget
// are left out of the files, and the command says so and exits 1; with
// none finished no file is written (TestSampleNothingFinished: an earlier
// run's files are kept).
func TestSampleLeavesOutUnfinished(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := runArgs(t, "sample", "-n", "4", "-rtol", "1e-12", "-atol", "1e-12", "-out", dir)
	if code != 1 || !strings.Contains(errs, "4 of 4 samples did not reach ε") {
		t.Fatalf("exit %d, stderr %q; want 1 and the note", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "samples.csv")); !os.IsNotExist(err) {
		t.Errorf("samples.csv written with no finished sample (%v)", err)
	}
}

// cancelAfter is a writer that cancels a context once it has seen a
// string, to interrupt a command at a known point.
type cancelAfter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	after  string
	cancel context.CancelFunc
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if strings.Contains(c.buf.String(), c.after) {
		c.cancel()
	}
	return len(p), nil
}

// TestBenchInterruptedKeepsComplete: a bench interrupted after its first
// table writes bench.partial.md (marked partial in its first line) and
// bench.partial.png, and leaves a complete bench.md and bench.png alone.
func TestBenchInterruptedKeepsComplete(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"bench.md", "bench.png"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("complete"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &cancelAfter{after: "gmm2d vp done in", cancel: cancel}
	var stdout bytes.Buffer
	code := runBench(ctx, []string{"-data", "gmm2d", "-n", "300", "-out", dir}, &stdout, stderr)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr.buf.String())
	}
	for _, name := range []string{"bench.md", "bench.png"} {
		if b, _ := os.ReadFile(filepath.Join(dir, name)); string(b) != "complete" {
			t.Errorf("%s was overwritten by the partial run", name)
		}
	}
	md, err := os.ReadFile(filepath.Join(dir, "bench.partial.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(md), "**Partial run") || !strings.Contains(string(md), "| setting |") {
		t.Errorf("bench.partial.md is not marked partial or has no table:\n%s", md)
	}
	checkPNG(t, filepath.Join(dir, "bench.partial.png"), 0, 0)
}

// TestSolveMemoryLimit: a solve estimated above the memory limit is refused
// at once with a clear message and the flag that raises the limit, instead
// of dying out of memory; -max-mem rejects bad values as usage errors.
func TestSolveMemoryLimit(t *testing.T) {
	code, out, errs := runArgs(t, "solve", "-paths", "1000000000")
	if code != 1 || out != "" || !strings.Contains(errs, "MaxMemory") || !strings.Contains(errs, "-max-mem") {
		t.Errorf("solve -paths 1e9: exit %d, stdout %q, stderr %q; want 1 with the limit and -max-mem named", code, out, errs)
	}
	code, _, _ = runArgs(t, "solve", "-paths", "10", "-max-mem", "-1")
	if code != 2 {
		t.Errorf("-max-mem -1: exit %d, want 2", code)
	}
	code, _, errs = runArgs(t, "sample", "-n", "1000000000", "-out", t.TempDir())
	if code != 1 || !strings.Contains(errs, "MaxMemory") || !strings.Contains(errs, "-max-mem") {
		t.Errorf("sample -n 1e9: exit %d, stderr %q; want 1 with the limit and -max-mem named", code, errs)
	}
}

// TestWorkPrecisionInterruptedKeepsRows: a work–precision study cancelled
// after some solves prints the rows it finished, says it was cancelled, and
// exits 1; convergence says "cancelled", not "try smaller -dts".
func TestWorkPrecisionInterruptedKeepsRows(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &cancelAfter{after: "roberts: 16 fixed steps", cancel: cancel}
	var stdout bytes.Buffer
	code := runWorkPrecision(ctx, []string{"-problem", "gbm", "-methods", "roberts", "-tols", "1e-1,1e-2", "-steps", "8,16,32", "-paths", "100"}, &stdout, stderr)
	if code != 1 || !strings.Contains(stderr.buf.String(), "cancelled after") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.buf.String())
	}
	if !strings.Contains(stdout.String(), "roberts") || !strings.Contains(stdout.String(), "0.01") {
		t.Errorf("finished rows not printed:\n%s", stdout.String())
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	var out2, err2 bytes.Buffer
	code = runConvergence(ctx2, []string{"-paths", "50"}, &out2, &err2)
	if code != 1 || !strings.Contains(err2.String(), "cancelled") || strings.Contains(err2.String(), "smaller -dts") {
		t.Errorf("convergence cancelled: exit %d, stderr %q", code, err2.String())
	}
}
