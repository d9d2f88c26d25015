//go:build unix

package retrieval

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// lockDir takes an exclusive advisory lock on dir/lock, so that loads and
// saves of one index directory never interleave, whether the other holder is
// another citebot process or another Index in this one. If the lock is held
// it logs "waiting for the index lock held by pid N" once and retries until
// wait has passed, then gives up with an error naming the holder. The
// holder's pid is written in the lock file. The lock is released by the
// returned func, or by the kernel if the process dies.
func lockDir(dir string, wait time.Duration, log *slog.Logger) (unlock func(), err error) {
	path := filepath.Join(dir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock index directory: %w", err)
	}
	deadline := time.Now().Add(wait)
	logged := false
	for pause := 10 * time.Millisecond; ; pause = min(2*pause, 500*time.Millisecond) {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if err == syscall.EINTR {
			continue
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock index directory: %w", err)
		}
		holder := lockHolder(path)
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("%w: %s is held by %s (another citebot index or serve on the same CITEBOT_INDEX?); gave up after %v",
				ErrIndexLocked, path, holder, wait.Round(time.Millisecond))
		}
		if !logged && log != nil {
			log.Warn("waiting for the index lock held by "+holder, "dir", dir, "timeout", wait)
			logged = true
		}
		time.Sleep(pause)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// lockHolder names the process holding the lock file at path, from the pid
// it wrote there.
func lockHolder(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "another process"
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return "another process"
	}
	return "pid " + strconv.Itoa(pid)
}
