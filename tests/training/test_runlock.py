"""RunLock: a second holder is refused with the first one's pid and host; a lock whose holder was killed
(kill -9) is taken over, with the dead holder's line kept for the log."""

import os
import signal
import socket
import subprocess
import sys

import pytest

from keras_stylegan.training.runlock import RunLock, RunLockedError

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOLD = ("import sys, time\n"
        "from keras_stylegan.training.runlock import RunLock\n"
        "lock = RunLock(sys.argv[1])\n"
        "print('locked', flush=True)\n"
        "time.sleep(600)\n")


def test_a_second_holder_is_refused_and_a_killed_holders_lock_is_taken_over(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], cwd=REPO, stdout=subprocess.PIPE,
                              text=True, env={**os.environ, "PYTHONPATH": REPO})
    try:
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(RunLockedError, match=f"{tmp_path} is in use by another training \\(pid {holder.pid} on "
                           f"host {socket.gethostname()}, started .*\\); wait for it to finish"):
            RunLock(str(tmp_path))
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        holder.stdout.close()
    lock = RunLock(str(tmp_path))
    assert lock.previous.startswith(f"pid {holder.pid} on host {socket.gethostname()}, started ")
    assert open(tmp_path / "lock").read().startswith(f"pid {os.getpid()} on host ")
    lock.release()
    assert open(tmp_path / "lock").read() == ""
    again = RunLock(str(tmp_path))  # a released lock leaves nothing to take over
    assert again.previous == ""
    again.release()
