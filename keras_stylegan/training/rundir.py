"""Run directories ``<outdir>/<NNNNN>-<config>/`` (the official ``dnnlib`` submit layout) and their options.

A run directory is the unit a user resumes: it holds options.json, log.txt, image grids, checkpoints/
and tensorboard/.
"""

import json
import os
import re

from keras_stylegan.errors import UserError

OPTIONS_FILE = "options.json"
_RUN_NAME = re.compile(r"^(\d{5})-(.+)$")


def list_runs(outdir, config_name=None):
    """Run directories in ``outdir`` (optionally only those of ``config_name``), oldest first."""
    if not os.path.isdir(outdir):
        return []
    runs = []
    for name in os.listdir(outdir):
        match = _RUN_NAME.match(name)
        path = os.path.join(outdir, name)
        if match and os.path.isdir(path) and (config_name is None or match.group(2) == config_name):
            runs.append((int(match.group(1)), path))
    return [path for _, path in sorted(runs)]


def next_run_dir(outdir, config_name, create=True):
    """The path of a new run: one more than the highest run number in ``outdir`` (any config)."""
    numbers = [int(_RUN_NAME.match(os.path.basename(p)).group(1)) for p in list_runs(outdir)]
    path = os.path.join(outdir, f"{max(numbers, default=-1) + 1:05d}-{config_name}")
    if create:
        os.makedirs(path)
    return path


def resolve_run_dir(outdir, config_name, resume):
    """Where a run goes and whether it continues one: returns ``(run_dir, resuming)``.

    ``resume``: "none" = a new run; "auto" = the latest run of ``config_name`` in ``outdir`` that has
    saved options, else a new run; anything else = the path of an existing run directory. The new run's
    directory is not created here.
    """
    if resume == "none":
        return next_run_dir(outdir, config_name, create=False), False
    if resume == "auto":
        runs = [p for p in list_runs(outdir, config_name) if os.path.isfile(os.path.join(p, OPTIONS_FILE))]
        if runs:
            return runs[-1], True
        return next_run_dir(outdir, config_name, create=False), False
    if not os.path.isfile(os.path.join(resume, OPTIONS_FILE)):
        raise UserError(f"--resume={resume}: not a run directory (no {OPTIONS_FILE}); pass a directory made by train.py, 'auto' or 'none'.")
    return resume, True


def create_run_dir(run_dir):
    """Create a new run's directory; a UserError if it appeared meanwhile (another training started it)."""
    try:
        os.makedirs(os.path.dirname(run_dir) or ".", exist_ok=True)
        os.mkdir(run_dir)
    except FileExistsError:
        raise UserError(f"{run_dir} was created by another training at the same time; run the command again "
                        "(it will pick the next number, or resume with --resume=auto).") from None
    except OSError as error:
        raise UserError(f"cannot create {run_dir} ({error.strerror or error}); choose another --outdir or fix its "
                        "permissions.") from None


def write_options(run_dir, options):
    """Write ``options`` (a JSON-serialisable dict) to ``<run_dir>/options.json`` atomically."""
    path = os.path.join(run_dir, OPTIONS_FILE)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(options, f, indent=2, sort_keys=True)
    os.replace(path + ".tmp", path)


def read_options(run_dir):
    """The dict saved by :func:`write_options`; a UserError when the file is not such a dict."""
    path = os.path.join(run_dir, OPTIONS_FILE)
    try:
        with open(path, encoding="utf-8") as f:
            options = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UserError(f"{path} cannot be read ({error}); restore it from a backup, or start a new run with "
                        "--resume=none.") from None
    if not isinstance(options, dict):
        raise UserError(f"{path} is not a run's options (a JSON object); restore it from a backup, or start a new "
                        "run with --resume=none.")
    return options
