package main

import (
	"bytes"
	"strings"
	"testing"
)

// runArgs runs the command line and returns its exit status and output.
func runArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestNoArgsIsUsageError(t *testing.T) {
	code, out, errs := runArgs(t)
	if code != 2 || out != "" || !strings.Contains(errs, "Usage:") {
		t.Fatalf("gofast: exit %d, stdout %q, stderr %q; want 2 and usage on stderr", code, out, errs)
	}
}

func TestHelp(t *testing.T) {
	code, out, _ := runArgs(t, "help")
	if code != 0 {
		t.Fatalf("gofast help: exit %d", code)
	}
	for _, c := range commands {
		if !strings.Contains(out, c.name) || !strings.Contains(out, c.summary) {
			t.Errorf("gofast help does not list %s:\n%s", c.name, out)
		}
	}
	code, out, _ = runArgs(t, "help", "solve")
	if code != 0 || !strings.Contains(out, "-problem") || !strings.Contains(out, "-brownian") {
		t.Errorf("gofast help solve: exit %d, output:\n%s", code, out)
	}
	code, _, errs := runArgs(t, "help", "nope")
	if code != 2 || !strings.Contains(errs, "solve") {
		t.Errorf("gofast help nope: exit %d, stderr %q; want 2 listing the commands", code, errs)
	}
	code, _, _ = runArgs(t, "solve", "-h")
	if code != 0 {
		t.Errorf("gofast solve -h: exit %d, want 0", code)
	}
}

func TestUnknownCommand(t *testing.T) {
	code, out, errs := runArgs(t, "bogus")
	if code != 2 || out != "" {
		t.Fatalf("gofast bogus: exit %d, stdout %q; want 2 and nothing on stdout", code, out)
	}
	if !strings.Contains(errs, `"bogus"`) || !strings.Contains(errs, "solve") {
		t.Errorf("gofast bogus: stderr does not name the command and list the commands:\n%s", errs)
	}
}

// TestPositionalArgsRefused: a stray word stops flag parsing, so everything
// after it would be ignored; every command refuses it with exit 2 before
// any work.
func TestPositionalArgsRefused(t *testing.T) {
	for _, c := range commands {
		code, out, errs := runArgs(t, c.name, "-seed", "1", "extra", "-json")
		if code != 2 || out != "" || !strings.Contains(errs, `"extra"`) {
			t.Errorf("gofast %s … extra: exit %d, stdout %q, stderr %q; want 2 naming the argument", c.name, code, out, errs)
		}
	}
}
