//go:build !unix

package devnet

import "io/fs"

// oNoFollow is 0 where the platform has no O_NOFOLLOW; O_EXCL still refuses an
// existing path.
const oNoFollow = 0

func ownedByMe(fs.FileInfo) bool { return true }
