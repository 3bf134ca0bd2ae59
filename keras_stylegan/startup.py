"""A quiet TensorFlow start-up for the project's command lines (imports nothing heavy itself).

TensorFlow prints start-up lines on import (``cuInit``, ``cudart_stub``, oneDNN, CPU-feature and grappler
``remapper`` lines) before its logging is set up, and TensorFlow Lite's runtime prints ``INFO: Created
TensorFlow Lite XNNPACK delegate for CPU.`` the first time a model runs, whatever the log level. The tools
hold both back unless ``--verbose`` is given: ``train.py``, ``generate.py`` and the other scripts (they import
``tool_flags`` first) and ``python -m keras_stylegan.<command>`` (the official-model importer). Importing
keras_stylegan from your own program changes nothing: its start-up and runtime lines are TensorFlow's own.
"""

import contextlib
import os
import sys
import tempfile

VERBOSE_ARGUMENTS = ("--verbose", "--verbose=true", "--verbose=True", "--verbose=1")
_holding_back = False  # set once a command line's quiet start-up ran: native lines are held back (quiet_native_output)


def is_command_line():
    """Whether this process is one of the project's command lines: ``python -m keras_stylegan.<command>``
    (Python sets ``sys.argv[0]`` to ``-m`` while it imports the command's packages) or a tool that imports
    ``tool_flags`` first."""
    return sys.argv[:1] == ["-m"] or "tool_flags" in sys.modules


@contextlib.contextmanager
def stderr_held_back():
    """Send file descriptor 2 to a temporary file while the body runs: lines native code prints there (which
    Python's own streams and log levels do not reach) are dropped, or shown if the body raises."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        except BaseException:
            sys.stderr.flush()
            os.dup2(saved, 2)
            captured.seek(0)
            os.write(2, captured.read())
            raise
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def quiet_native_output():
    """:func:`stderr_held_back` in a command line started without ``--verbose``; anywhere else nothing."""
    return stderr_held_back() if _holding_back else contextlib.nullcontext()


def quiet_tensorflow_startup(argv):
    """Keep TensorFlow's startup noise out of the terminal unless ``--verbose`` is among ``argv``.

    Sets ``TF_CPP_MIN_LOG_LEVEL=3`` (only fatal C++ messages; unless the environment already sets a level),
    which TensorFlow reads once, and imports TensorFlow with file descriptor 2 held back: the lines it prints
    before its logging is set up ignore that level. What the import printed is shown only if the import fails.
    From then on :func:`quiet_native_output` holds back the runtime lines of TensorFlow Lite too. Python errors
    are not affected: they reach the user through the one-line error path.
    """
    global _holding_back
    if any(argument in VERBOSE_ARGUMENTS for argument in argv[1:]) or "tensorflow" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with stderr_held_back():
        import tensorflow  # noqa: F401  (the import whose noise is held back)
    _holding_back = True
