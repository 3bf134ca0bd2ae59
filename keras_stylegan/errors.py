"""One error path for every tool (DESIGN: "every user-facing failure is one line").

A :class:`UserError` is a failure the user can fix: its message names the problem and, in parentheses
or after a semicolon, what to do. Tools run their work inside :func:`one_line_errors`, which turns a
UserError into the single line ``<tool>: error: <message>`` on stderr and exit status 2; anything else
is a bug and keeps its traceback. ``verbose=True`` prints the traceback of a UserError too.
"""

import contextlib
import sys
import traceback


class UserError(ValueError):
    """A problem with the user's input, files or environment, with a message that says what to do."""


@contextlib.contextmanager
def one_line_errors(tool, verbose=False, stream=None):
    """Run the body; a UserError becomes ``<tool>: error: <message>`` and ``SystemExit(2)``."""
    try:
        yield
    except UserError as error:
        stream = stream or sys.stderr
        if verbose:
            traceback.print_exc(file=stream)
        message = " ".join(str(error).split())
        print(f"{tool}: error: {message}", file=stream)
        stream.flush()
        raise SystemExit(2) from None
