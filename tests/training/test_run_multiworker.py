"""MultiWorkerMirroredStrategy: two train.py worker processes on 127.0.0.1 (TF_CONFIG) train the smoke
config for a few steps; the chief writes the one checkpoint, the other worker nothing in the run tree."""

import glob
import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def fingerprint(line):
    return float(line.rsplit("sum |w|: ", 1)[1].rstrip(")"))


def test_two_workers_train_and_write_one_consistent_checkpoint(tmp_path):
    workers = [f"127.0.0.1:{port}" for port in free_ports(2)]
    outdir, cache = str(tmp_path / "runs"), str(tmp_path / "cache")
    from pipelines.builtin import ensure_builtin

    ensure_builtin("twemoji", cache, show_progress=False)  # prepared once, before the workers start
    processes = []
    for index in range(2):
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2",
                   TF_CONFIG=json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}))
        command = [sys.executable, os.path.join(REPO, "train.py"), f"--flagfile={REPO}/configs/smoke.flags",
                   f"--outdir={outdir}", f"--cache_dir={cache}", "--strategy=multiworker", "--resume=none",
                   "--total_kimg=0.064", "--snapshot_kimg=0.032"]
        processes.append(subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, text=True))
    outputs = [p.communicate(timeout=300)[0] for p in processes]
    for process, output in zip(processes, outputs):
        assert process.returncode == 0, output[-3000:]
    assert "CollectiveAllReduceStrategy with 2 replica(s)" in outputs[0], outputs[0][-3000:]  # = MultiWorkerMirrored

    run_dirs = [d for d in glob.glob(os.path.join(outdir, "*")) if os.path.isdir(d)]
    assert len(run_dirs) == 1  # the chief's; the other worker wrote nothing under outdir
    checkpoints = os.path.join(run_dirs[0], "checkpoints")
    latest = tf.train.latest_checkpoint(checkpoints)
    assert latest.endswith("ckpt-64")  # 4 steps of 2 workers x 8 images
    reader = tf.train.load_checkpoint(latest)
    names = reader.get_variable_to_shape_map()
    assert reader.get_tensor("images_seen/.ATTRIBUTES/VARIABLE_VALUE") == 64
    ema = sum(np.abs(reader.get_tensor(n).astype(np.float64)).sum() for n in names if n.startswith("ema_generator/"))
    done = [next(line for line in out.splitlines() if line.startswith("Done:")) for out in outputs]
    # both workers hold the same Gs after training, and it is what the chief saved
    assert fingerprint(done[0]) == pytest.approx(fingerprint(done[1]), rel=1e-12)
    assert fingerprint(done[0]) == pytest.approx(ema, rel=1e-9)
