//go:build !unix

package agent

import (
	"io/fs"
	"os"
)

// openKeyFile opens the key file at path for reading. Without O_NOFOLLOW a symbolic
// link is refused (errKeySymlink) by looking before opening, which a link swapped
// in between escapes; the agent runs in a unix VM.
func openKeyFile(path string) (*os.File, error) {
	if st, err := os.Lstat(path); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		return nil, errKeySymlink
	}
	return os.Open(path)
}
