package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// writeFileAtomic writes a file through write, to a temporary file in the
// same folder renamed over path only once complete, so that an interrupted
// or failed write never leaves a truncated file or destroys a complete one.
func writeFileAtomic(path string, write func(w io.Writer) error) error {
	return saveAtomic(path, func(tmp string) error {
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			return err
		}
		if err := write(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
}

// saveAtomic is writeFileAtomic for writers that take a path (gonum/plot's
// Save picks the format from the extension, which the temporary name
// keeps).
func saveAtomic(path string, save func(tmp string) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*"+filepath.Ext(base))
	if err != nil {
		return err
	}
	tmp := f.Name()
	f.Close()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	if err := save(tmp); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// checkWritableDir makes dir if needed and checks that a file can be
// created in it, so that a long run fails before it starts rather than at
// its end.
func checkWritableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".gofast-check-*")
	if err != nil {
		return fmt.Errorf("output folder %s is not writable: %w", dir, errors.Unwrap(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
