"""One rule for every tool's outputs: check each output path before any network is loaded or work is done.

A tool calls :func:`check_output_file` for each file it will write (or :func:`check_output_dir` for a
directory and the names it will write there) first thing, so that a mistake in a path is one line
(``UserError``) before minutes of work, never a traceback after it. The rule:

- the path's first existing ancestor is a writable directory (nothing on the way is a regular file), so the
  missing directories can be created;
- a file path is not an existing directory, and a directory path is not an existing file;
- an existing output file is never replaced silently: the check refuses, naming ``--overwrite``, unless the
  user gave it.

Writes themselves stay atomic (``keras_stylegan.inference.image_io.atomic_output``): a temporary file beside
the target, then a rename, so an interrupted tool leaves the old file or the new one, never half of one.
"""

import os

from keras_stylegan.errors import UserError

OVERWRITE_HINT = "give --overwrite to replace {what}, or choose another {flag}"


def first_existing_ancestor(path):
    """The nearest existing path among ``path`` and its parents (``path`` itself when it exists)."""
    existing = os.path.abspath(path)
    while not os.path.lexists(existing):
        existing = os.path.dirname(existing)
    return existing


def check_creatable_dir(path, flag):
    """A UserError unless ``path`` is a writable directory or can be created as one.

    ``flag`` names the option the path came from (e.g. ``--outdir``), for the message.
    """
    existing = first_existing_ancestor(path)
    if not os.path.isdir(existing):
        where = "is" if existing == os.path.abspath(path) else "is in the way:"
        raise UserError(f"{flag}={path}: {existing} {where} a file, not a directory; choose another {flag}.")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(f"{flag}={path}: {existing} is not writable; choose another {flag} or fix its permissions.")


def check_output_file(path, flag, overwrite=False):
    """A UserError unless the file ``path`` can be written: its directory exists or can be created, it is not
    a directory, and it does not exist (unless ``overwrite``)."""
    if not path:
        raise UserError(f"{flag} is empty; give a file name.")
    if os.path.isdir(path):
        raise UserError(f"{flag}={path} is a directory; give a file name (e.g. {os.path.join(path, 'out.png')}).")
    check_creatable_dir(os.path.dirname(os.path.abspath(path)), flag)
    if os.path.lexists(path) and not overwrite:
        raise UserError(f"{flag}={path} exists; {OVERWRITE_HINT.format(what='it', flag=flag)}.")


def check_output_dir(directory, names, flag, overwrite=False):
    """A UserError unless the files ``names`` can be written into ``directory``: it is (or can be created as)
    a writable directory, and none of the files exists as anything (unless ``overwrite``, which still refuses
    a name that is a directory)."""
    if not directory:
        raise UserError(f"{flag} is empty; give a directory.")
    check_creatable_dir(directory, flag)
    paths = [os.path.join(directory, name) for name in names]
    blocked = [path for path in paths if os.path.isdir(path)]
    if blocked:
        raise UserError(f"{flag}={directory}: {blocked[0]} is a directory where a file is to be written; "
                        f"move it or choose another {flag}.")
    existing = [path for path in paths if os.path.lexists(path)]
    if existing and not overwrite:
        shown = ", ".join(os.path.basename(path) for path in existing[:3]) + (", ..." if len(existing) > 3 else "")
        what = "it" if len(existing) == 1 else "them"
        raise UserError(f"{flag}={directory}: {len(existing)} of the {len(paths)} files to write exist ({shown}); "
                        f"{OVERWRITE_HINT.format(what=what, flag=flag)}.")
