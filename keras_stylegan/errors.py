"""One error path for every tool (DESIGN: "every user-facing failure is one line").

A :class:`UserError` is a failure the user can fix: its message names the problem and, in parentheses
or after a semicolon, what to do. Tools run their work inside :func:`one_line_errors`, which turns a
UserError into the single line ``<tool>: error: <message>`` on stderr and exit status 2; anything else
is a bug and keeps its traceback. ``verbose=True`` prints the traceback of a UserError too.

Something the user should know that is not a failure (a damaged snapshot passed over for an older one, an
undecodable image skipped) is one line ``<tool>: warning: <message>`` on stderr, from :func:`warn`, and
the work goes on.
"""

import contextlib
import contextvars
import logging
import sys
import traceback

_TOOL = contextvars.ContextVar("tool", default="keras_stylegan")  # whose lines these are: set by one_line_errors


class UserError(ValueError):
    """A problem with the user's input, files or environment, with a message that says what to do."""


class DamagedFileError(UserError):
    """A file that exists but does not read (cut short, emptied, bytes changed): ``path`` says which,
    ``problem`` what is wrong with it, and the message what to do."""

    def __init__(self, path, problem, advice):
        self.path = path
        self.problem = problem
        super().__init__(f"{path} is damaged: {problem}; {advice}")


def warn(message, stream=None):
    """Print ``<tool>: warning: <message>`` on one line of stderr (the tool running, or ``keras_stylegan``
    when called from Python)."""
    message = " ".join(str(message).split())
    print(f"{_TOOL.get()}: warning: {message}", file=stream or sys.stderr, flush=True)


@contextlib.contextmanager
def one_line_errors(tool, verbose=False, stream=None):
    """Run the body; a UserError becomes ``<tool>: error: <message>`` and ``SystemExit(2)``; warnings from
    the body carry ``tool`` too."""
    token = _TOOL.set(tool)
    try:
        yield
    except UserError as error:
        stream = stream or sys.stderr
        if verbose:
            traceback.print_exc(file=stream)
        message = " ".join(str(error).split())
        print(f"{tool}: error: {message}", file=stream)
        stream.flush()
        # The process ends here: TensorFlow's warnings about objects torn down at exit (e.g. the values of a
        # checkpoint that did not fit, "deleted with unrestored values") would only bury the line above.
        logging.getLogger("tensorflow").setLevel(logging.ERROR)
        raise SystemExit(2) from None
    finally:
        _TOOL.reset(token)
