//go:build unix

package agent

import (
	"errors"
	"os"
	"syscall"
)

// openKeyFile opens the key file at path for reading without following a symbolic
// link there (errKeySymlink) and without waiting on a FIFO's writer
// (O_NONBLOCK, which changes nothing for a regular file's reads).
func openKeyFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil, errKeySymlink
	}
	return f, err
}
