//go:build unix

package sqldb

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockDatabase takes the lock beside the SQLite database at path: shared
// by every process that opens it, exclusive for a restore, which must not
// replace a database in use. The lock is released when unlock is called or
// the process ends, however it ends.
func lockDatabase(path string, exclusive bool) (unlock func(), err error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			if exclusive {
				return nil, fmt.Errorf("%s is in use (a tenantry serve or another command has it open; stop it first)", path)
			}
			return nil, fmt.Errorf("%s is being restored", path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
