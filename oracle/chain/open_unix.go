//go:build unix

package chain

import "syscall"

// oNonblock makes opening a FIFO return at once instead of waiting for a writer;
// it changes nothing for a regular file's reads.
const oNonblock = syscall.O_NONBLOCK
