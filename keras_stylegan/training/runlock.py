"""The lock of a run directory: one training at a time writes into it.

``<run_dir>/lock`` holds the holder's pid, host and start time for the message a second training gives
(empty once the holder has released it).
The lock itself is ``fcntl.flock`` on that file, which the kernel releases when the holder exits in any way
(kill -9 included), so a lock left by a dead training is taken over without any guessing from pids. flock
is local to one machine on most network file systems: for multi-host runs only the chief takes it.
"""

import fcntl
import os
import socket
import time

from keras_stylegan.errors import UserError

LOCK_FILE = "lock"


class RunLockedError(UserError):
    """Another training holds the run directory."""


class RunLock:
    """An exclusive, non-blocking lock on ``<run_dir>/lock``; release with :meth:`release` (or by exiting)."""

    def __init__(
        self,
        run_dir,  # an existing run directory
    ):
        self.path = os.path.join(run_dir, LOCK_FILE)
        self._file = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._file.seek(0)
            holder = self._file.read().strip() or "a process that has not written its pid yet"
            self._file.close()
            raise RunLockedError(
                f"{run_dir} is in use by another training ({holder}); wait for it to finish, stop it, or start a "
                "new run with --resume=none.") from None
        self._file.seek(0)
        self.previous = self._file.read().strip()  # the holder's line when a training died holding the lock
        self._file.seek(0)
        self._file.truncate()
        self._file.write(f"pid {os.getpid()} on host {socket.gethostname()}, started "
                         f"{time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        self._file.flush()

    def release(self):
        """Empty the lock file and release the lock (the file stays: removing it could let two trainings
        lock two different files of the same name)."""
        if self._file:
            self._file.truncate(0)
            self._file.close()
            self._file = None
