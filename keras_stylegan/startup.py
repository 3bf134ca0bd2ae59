"""A quiet TensorFlow start-up for the project's command lines (imports nothing heavy itself).

TensorFlow prints start-up lines on import (``cuInit``, ``cudart_stub``, oneDNN, CPU-feature and grappler
``remapper`` lines) before its logging is set up. The tools hold them back unless ``--verbose`` is given:
``train.py``, ``generate.py`` and the other scripts (they import ``tool_flags`` first) and
``python -m keras_stylegan.<command>`` (the official-model importer). Importing keras_stylegan from your
own program changes nothing: its start-up is TensorFlow's own.
"""

import os
import sys
import tempfile

VERBOSE_ARGUMENTS = ("--verbose", "--verbose=true", "--verbose=True", "--verbose=1")


def is_command_line():
    """Whether this process is one of the project's command lines: ``python -m keras_stylegan.<command>``
    (Python sets ``sys.argv[0]`` to ``-m`` while it imports the command's packages) or a tool that imports
    ``tool_flags`` first."""
    return sys.argv[:1] == ["-m"] or "tool_flags" in sys.modules


def quiet_tensorflow_startup(argv):
    """Keep TensorFlow's startup noise out of the terminal unless ``--verbose`` is among ``argv``.

    Sets ``TF_CPP_MIN_LOG_LEVEL=3`` (only fatal C++ messages; unless the environment already sets a level),
    which TensorFlow reads once, and imports TensorFlow with file descriptor 2 sent to a temporary file: the
    lines it prints before its logging is set up ignore that level. What the import printed is shown only if
    the import fails. Python errors are not affected: they reach the user through the one-line error path.
    """
    if any(argument in VERBOSE_ARGUMENTS for argument in argv[1:]) or "tensorflow" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow  # noqa: F401  (the import whose noise is held back)
        except BaseException:
            os.dup2(saved, 2)
            captured.seek(0)
            os.write(2, captured.read())
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
