"""One rule for every tool's outputs: check each output path before any network is loaded or work is done.

A tool calls :func:`check_output_file` for each file it will write (:func:`check_output_dir` for a directory
and the names it will write there, :func:`check_output_tree` for a directory written as one unit, such as a
SavedModel or a prepared dataset, :func:`check_appendable_file` for a log it appends to) first thing, so that
a mistake in a path is one line (``UserError``) before minutes of work, never a traceback after it. The rule:

- the path's first existing ancestor is a writable directory (nothing on the way is a regular file), so the
  missing directories can be created;
- a file path is not an existing directory, and a directory path is not an existing file;
- an existing output is never replaced silently: the check refuses, naming ``--overwrite``, unless the user
  gave it; and even with it a directory is replaced only when it is empty or was written by the same tool
  (it holds the tool's marker file), never a directory of the user's that happens to be named;
- a tool that writes one file per input refuses more than ``--max_files`` of them (:func:`check_file_count`):
  a typo such as ``--seeds=0-9999999`` is one line, not a full disk.

Writes themselves stay atomic (``keras_stylegan.inference.image_io.atomic_output``): a temporary file beside
the target, then a rename, so an interrupted tool leaves the old file or the new one, never half of one. A
directory written as one unit is built in a hidden directory beside it and put in place by
:func:`move_into_place`.
"""

import os
import shutil
import tempfile

from keras_stylegan.errors import UserError

OVERWRITE_HINT = "give --overwrite to replace {what}, or choose another {flag}"
MAX_FILES = 10000  # files a tool writes in one go unless --max_files allows more


def first_existing_ancestor(path):
    """The nearest existing path among ``path`` and its parents (``path`` itself when it exists)."""
    existing = os.path.abspath(path)
    while not os.path.lexists(existing):
        existing = os.path.dirname(existing)
    return existing


def check_creatable_dir(path, flag, given=None):
    """A UserError unless ``path`` is a writable directory or can be created as one.

    ``flag`` names the option the path came from (e.g. ``--outdir``) and ``given`` its value when ``path`` is
    the directory of what the user gave (default: ``path`` itself), for the message.
    """
    given = path if given is None else given
    existing = first_existing_ancestor(path)
    if not os.path.isdir(existing):
        where = "is" if existing == os.path.abspath(given) else "is in the way:"
        raise UserError(f"{flag}={given}: {existing} {where} a file, not a directory; choose another {flag}.")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(f"{flag}={given}: {existing} is not writable; choose another {flag} or fix its permissions.")


def check_output_file(path, flag, overwrite=False):
    """A UserError unless the file ``path`` can be written: its directory exists or can be created, it is not
    a directory, and it does not exist (unless ``overwrite``)."""
    if not path:
        raise UserError(f"{flag} is empty; give a file name.")
    if os.path.isdir(path):
        raise UserError(f"{flag}={path} is a directory; give a file name (e.g. {os.path.join(path, 'out.png')}).")
    check_creatable_dir(os.path.dirname(os.path.abspath(path)), flag, given=path)
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


def check_output_tree(path, flag, overwrite=False, marker=None, what="output", retry=None):
    """A UserError unless the directory ``path``, which a tool writes as one unit (built beside it and renamed
    into place), can be written: its parent exists or can be created, it is not a file, and it does not exist
    unless ``overwrite``; even then only an empty directory or one holding ``marker`` (the file that makes it
    a previous ``what`` of the same tool) is replaced. ``retry`` names what to change instead (default ``flag``)."""
    if not path:
        raise UserError(f"{flag} is empty; give a directory.")
    check_creatable_dir(os.path.dirname(os.path.abspath(path)), flag, given=path)
    retry = retry or flag
    if not os.path.lexists(path):
        return
    if not os.path.isdir(path) or os.path.islink(path):
        raise UserError(f"{flag}: {path} exists and is not a directory; move it or choose another {retry}.")
    if not overwrite:
        raise UserError(f"{flag}: {path} exists; {OVERWRITE_HINT.format(what='it', flag=retry)}.")
    if os.listdir(path) and not (marker and os.path.isfile(os.path.join(path, marker))):
        raise UserError(f"{flag}: {path} is a directory but not a {what} (it has no {marker}), so it is not replaced "
                        f"even with --overwrite; move it or choose another {retry}.")


def move_into_place(built, target):
    """Rename the finished directory ``built`` (beside ``target``) to ``target``; an existing ``target`` (which
    :func:`check_output_tree` allowed) is renamed aside first and removed only once the new one is in place."""
    if not os.path.lexists(target):
        os.rename(built, target)
        return
    old = tempfile.mkdtemp(prefix=f".{os.path.basename(target)}.old-", dir=os.path.dirname(os.path.abspath(target)))
    os.rename(target, os.path.join(old, os.path.basename(target)))
    os.rename(built, target)
    shutil.rmtree(old, ignore_errors=True)


def check_appendable_file(path, flag):
    """A UserError unless lines can be appended to the file ``path`` (which ``flag`` leads to): its directory
    is writable, and it is a writable regular file or does not exist yet."""
    check_creatable_dir(os.path.dirname(os.path.abspath(path)), flag, given=path)
    if os.path.lexists(path) and not os.path.isfile(path):
        raise UserError(f"{flag}: {path} is not a regular file; move it away so that records can be appended.")
    if os.path.isfile(path) and not os.access(path, os.W_OK):
        raise UserError(f"{flag}: {path} is not writable; fix its permissions.")


def check_file_count(count, max_files, what):
    """A UserError when ``what`` would write ``count`` files, more than ``max_files`` (``--max_files``)."""
    if count > max_files:
        raise UserError(f"{what} asks for {count:,} files, more than --max_files={max_files:,}; give "
                        f"--max_files={count} to write them all, or ask for fewer.")
