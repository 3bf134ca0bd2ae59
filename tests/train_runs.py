"""train.py in a subprocess on the smoke config, as the command-line tests run it."""

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMOKE = os.path.join(REPO, "configs", "smoke.flags")


def train_command(outdir, cache_dir, *extra):
    """The train.py command line of the smoke config with ``extra`` flags after it."""
    return [sys.executable, os.path.join(REPO, "train.py"), f"--flagfile={SMOKE}", f"--outdir={outdir}",
            f"--cache_dir={cache_dir}", *extra]


def tool_env(quiet_default=False, **extra):
    """The environment of a tool run: TF_CPP_MIN_LOG_LEVEL=2 as the suite sets it, or (``quiet_default``)
    unset, so that the tool's own default applies as in a user's terminal."""
    env = {key: value for key, value in os.environ.items() if key not in ("TF_CONFIG", "TF_CPP_MIN_LOG_LEVEL")}
    env.update({"PYTHONPATH": REPO, **extra})
    if not quiet_default:
        env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    return env


def run_train(outdir, cache_dir, *extra, timeout=900, quiet_default=False):
    """Run train.py to its end; the CompletedProcess (text stdout / stderr)."""
    return subprocess.run(train_command(outdir, cache_dir, *extra), cwd=REPO, env=tool_env(quiet_default),
                          capture_output=True, text=True, timeout=timeout)


def start_train(outdir, cache_dir, *extra):
    """Start train.py without waiting; a Popen whose output is discarded."""
    return subprocess.Popen(train_command(outdir, cache_dir, *extra), cwd=REPO, env=tool_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def checkpoint_weights(prefix):
    """``{variable name: array}`` of a training checkpoint, without its save counter."""
    import tensorflow as tf

    reader = tf.train.load_checkpoint(str(prefix))
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map() if "save_counter" not in name}
