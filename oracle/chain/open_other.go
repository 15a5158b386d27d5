//go:build !unix

package chain

// oNonblock is 0 where opening without waiting is not a flag of open.
const oNonblock = 0
