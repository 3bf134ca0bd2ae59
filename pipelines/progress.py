"""A dependency-free progress bar on stderr: redrawn in place on a terminal, a line per 10% otherwise."""

import sys
import time


class ProgressBar:
    """``[#####.....] 512/4009 images  12.8%  1534 img/s  2 skipped`` while a prepare runs."""

    def __init__(
        self,
        total,  # number of steps expected (may be an upper bound)
        stream=None,  # defaults to sys.stderr
        width=30,  # characters of the bar itself
        interval=0.2,  # seconds between redraws on a terminal
        unit="images",  # what is counted, and its rate's abbreviation
        rate_unit="img/s",
    ):
        self.total = max(1, total)
        self.stream = stream or sys.stderr
        self.width = width
        self.interval = interval
        self.unit, self.rate_unit = unit, rate_unit
        self.start = time.monotonic()
        self.last_draw = 0.0
        self.last_decile = -1
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def update(self, done, skipped=None):
        """Report ``done`` steps finished (``skipped`` of them passed over, shown unless None); redraws
        when due."""
        done = min(done, self.total)  # skipped files can take the count past a --max_images total
        now = time.monotonic()
        decile = 10 * done // self.total
        if self.tty and now - self.last_draw < self.interval and done < self.total:
            return
        if not self.tty and decile == self.last_decile:
            return
        self.last_draw, self.last_decile = now, decile
        filled = self.width * done // self.total
        rate = done / max(now - self.start, 1e-9)
        line = (f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total} {self.unit} "
                f"{100 * done / self.total:5.1f}%  {rate:.0f} {self.rate_unit}" + ("" if skipped is None else f"  {skipped} skipped"))
        self.stream.write(("\r" + line) if self.tty else (line + "\n"))
        self.stream.flush()

    def close(self):
        """End the bar's line on a terminal."""
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
