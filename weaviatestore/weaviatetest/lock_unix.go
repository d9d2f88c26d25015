//go:build unix

package weaviatetest

import (
	"os"
	"syscall"
)

// fileLocks: tryLock excludes other processes.
const fileLocks = true

// tryLock takes an exclusive lock on f without waiting; it lasts until f
// is closed or the process exits.
func tryLock(f *os.File) bool {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}
