"""The run's log: every line printed during training is also appended to ``<run_dir>/log.txt``."""

import sys
import time


class RunLog:
    """Prints lines to stdout and appends them, time-stamped, to a log file (official ``dnnlib`` Logger)."""

    def __init__(
        self,
        path=None,  # log.txt; None = stdout only (non-chief workers)
        stream=None,  # defaults to sys.stdout
    ):
        self.path = path
        self.stream = stream or sys.stdout
        self._file = open(path, "a", encoding="utf-8") if path else None

    def __call__(self, line):
        """Print ``line`` and append it to the file."""
        print(line, file=self.stream, flush=True)
        if self._file:
            self._file.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}\n")
            self._file.flush()

    def close(self):
        """Close the file (printing still works afterwards)."""
        if self._file:
            self._file.close()
            self._file = None
