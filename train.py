"""Train StyleGAN with progressive growing: ``python train.py --flagfile=configs/quickstart.flags``.

Flags -> keras_stylegan.training.config.TrainingConfig -> keras_stylegan.training.run.run(); the data comes
from pipelines.reader (a prepared dataset directory, or ``builtin:NAME`` prepared on first use).

Minibatch dictionaries are PER REPLICA (per GPU / per CPU device): the global batch is the per-replica batch
times the number of replicas, as in the official ``minibatch_gpu`` view of the schedule.

On resume (``--resume=auto`` finding a run, or ``--resume=DIR``) the run's saved flags are used, except the
flags given on this command line; giving an architecture flag whose value differs from the saved one is an
error before any training.
"""

import dataclasses
import os
import sys

from absl import app, flags

import tool_flags  # first: TensorFlow's quiet startup
import tensorflow as tf
from keras_stylegan.augment import AugmentConfig
from keras_stylegan.config import ArchitectureConfig
from keras_stylegan.errors import UserError, one_line_errors
from keras_stylegan.legacy import read_official
from keras_stylegan.training.config import TrainingConfig
from keras_stylegan.training.losses import LossConfig
from keras_stylegan.training.run import run
from keras_stylegan.training.rundir import read_options, resolve_run_dir
from keras_stylegan.training.schedule import ProgressiveSchedule
from pipelines.builtin import resolve_data
from pipelines.manifest import label_size, manifest_sha256, read_manifest, shard_problems
from pipelines.reader import make_dataset

FLAGS = flags.FLAGS

ARCHITECTURE_HELP = {
    "resolution": "Final image resolution (power of two); default: the dataset's.",
    "num_channels": "Image channels; default: the dataset's.",
    "label_size": "Classes of a conditional network; default: the dataset's (0 = unconditional, unlabelled data).",
    "latent_size": "Dimension of the latent z.",
    "dlatent_size": "Dimension of the intermediate latent w.",
    "mapping_layers": "Layers of the mapping network (StyleGAN Sec. 2: 8).",
    "mapping_fmaps": "Width of the mapping network's hidden layers.",
    "mapping_lrmul": "Learning-rate multiplier of the mapping network (StyleGAN App. C: 0.01).",
    "fmap_base": "Feature-map base: channels at stage s are min(fmap_base / 2**(s*fmap_decay), fmap_max).",
    "fmap_decay": "Feature-map decay per stage.",
    "fmap_max": "Maximum channels of any layer.",
    "w_avg_beta": "Decay of the moving average of w used by the truncation trick.",
    "style_mixing_prob": "Probability of style-mixing regularisation in training (StyleGAN Sec. 3.1).",
    "fused_scale": "Fused up/down-sampling convolutions: auto (>= 128 px), true or false.",
    "mbstd_group_size": "Group size of the minibatch-stddev layer (ProGAN Sec. 3).",
    "mbstd_num_features": "Features of the minibatch-stddev layer.",
    "use_noise": "Per-layer noise inputs (StyleGAN Sec. 3.2).",
}
SCHEDULE_HELP = {
    "start_resolution": "Resolution training starts at (official lod_initial_resolution).",
    "lod_training_kimg": "Thousands of images per stable phase at each resolution (ProGAN Sec. 3).",
    "lod_transition_kimg": "Thousands of images per fade-in of a new resolution.",
    "total_kimg": "Length of the run in thousands of real images shown to D.",
    "minibatch_base": "Per-replica minibatch where --minibatch_dict has no entry.",
    "minibatch_dict": "Per-replica minibatch by resolution, e.g. 4:64,8:32,16:16.",
    "g_lrate_base": "Generator learning rate where --g_lrate_dict has no entry.",
    "d_lrate_base": "Discriminator learning rate where --d_lrate_dict has no entry.",
    "g_lrate_dict": "Generator learning rate by resolution, e.g. 128:0.0015,256:0.002.",
    "d_lrate_dict": "Discriminator learning rate by resolution, e.g. 128:0.0015,256:0.002.",
}
LOSS_HELP = {
    "loss": "logistic (non-saturating + R1, StyleGAN) or wgan_gp (WGAN-GP + drift, ProGAN).",
    "r1_gamma": "R1 penalty weight on reals (Mescheder et al. 2018); 0 disables.",
    "r1_interval": "Lazy R1: apply the penalty every k-th D step (scaled by k); 1 = every step.",
    "r2_gamma": "R2 penalty weight on fakes; 0 disables.",
    "wgan_lambda": "WGAN-GP gradient-penalty weight (Gulrajani et al. 2017).",
    "wgan_epsilon": "WGAN drift penalty epsilon (ProGAN Sec. A.1).",
    "wgan_target": "WGAN-GP target gradient norm.",
}
AUGMENT_HELP = {
    "augment": "Augment every image D sees (reals and fakes; small datasets): none, diffaug (DiffAugment, Zhao et "
               "al. 2020) or ada (adaptive augmentation, Karras et al. 2020).",
    "diffaug_policy": "DiffAugment's policies, comma-separated, applied in this order: color, translation, cutout.",
    "augment_p": "ADA: a fixed augmentation strength p in [0, 1]; negative (default) = adaptive, from 0.",
    "ada_target": "ADA: the target of the overfitting heuristic r_t = E[sign(D(real))] (the paper: 0.6).",
    "ada_kimg": "ADA: thousands of images in which p can move by 1 (the paper: 500; short runs need less).",
    "ada_interval": "ADA: minibatches between adjustments of p (the paper: 4).",
    "ada_p_max": "ADA: the adaptive p stays in [0, ada_p_max]; the paper sees augmentations leak into G's images "
                 "from about p = 0.8.",
}
RUN_HELP = {
    "outdir": "Directory that holds the run directories <NNNNN>-<config_name>.",
    "config_name": "Name of this configuration, the <config> part of the run directory.",
    "data": "Prepared dataset directory (python -m pipelines.prepare_dataset) or builtin:NAME.",
    "mirror": "Mirror augmentation: flip reals left-right at random.",
    "seed": "Seed of the initial weights, z / noise draws, the data order and the grid latents.",
    "tick_kimg": "Thousands of images between status lines.",
    "snapshot_kimg": "Thousands of images between checkpoints (one is also written at the end).",
    "image_snapshot_kimg": "Thousands of images between fakes-<kimg>.png grids.",
    "grid_size": "Images in the reals / fakes grids.",
    "truncation_psi": "Truncation psi of the truncated fakes grids and Gs's sampling default (StyleGAN Sec. 3.2); "
                      "may change on resume.",
    "truncation_cutoff": "Layers (from the coarsest) that truncation applies to.",
    "checkpoints_to_keep": "Checkpoints kept in <run>/checkpoints (the newest ones).",
    "resume": "auto (continue the latest run of --config_name in --outdir), none (new run) or a run directory.",
    "nan_policy": "On a NaN/Inf loss: stop (with a message) or rollback (reload the last checkpoint, go on).",
    "max_rollbacks": "Rollbacks in a row without a new checkpoint before giving up.",
    "mixed_precision": "auto, float32, float16 or bfloat16 (auto: float16 on GPU, bfloat16 on TPU and AMX CPUs).",
    "strategy": "auto, default, mirrored, multiworker (from TF_CONFIG) or tpu.",
    "tpu_address": "TPU name or grpc:// address for --strategy=tpu.",
    "g_smoothing_kimg": "Half-life in thousands of images of the EMA generator Gs (official G_smoothing_kimg).",
    "deterministic": "Deterministic ops (tf.config.experimental.enable_op_determinism): reruns and resumes are bit-exact.",
    "jit_compile": "XLA-compile the train step (Keras compile(jit_compile=True)); for GPUs, slower on CPUs.",
    "reset_optimizer_for_new_lod": "Reset the Adam state where each fade-in starts and ends (official default).",
    "init_from": "Fine-tune: an official StyleGAN v1 pickle (karras2019stylegan-*.pkl) whose G, D and Gs a new run "
                 "starts from; the architecture flags default to the pickle's (others are an error) and "
                 "--start_resolution to its resolution.",
    "metrics": "Metrics run on Gs during training, comma-separated registered names (swd, ms_ssim, fid, "
               "ppl_zfull, ppl_wfull, ppl_zend, ppl_wend; see evaluate.py), into <run>/metrics.jsonl and TensorBoard; empty = none.",
    "metrics_kimg": "Thousands of images between metric evaluations (also at the start and the end); "
                    "0 = every --snapshot_kimg.",
    "metrics_images": "Images of each set (fakes and reals) a training-time metric compares.",
    "inception": "Path of classify_image_graph_def.pb (from inception-2015-12-05.tgz) for --metrics=fid.",
    "lpips": "Path of LPIPS-VGG16 weights (.npz, layout in the README) for --metrics=ppl_*.",
}
NESTED = (("architecture", ArchitectureConfig, ARCHITECTURE_HELP),
          ("schedule", ProgressiveSchedule, SCHEDULE_HELP),
          ("loss", LossConfig, LOSS_HELP),
          ("augment", AugmentConfig, AUGMENT_HELP),
          ("run", TrainingConfig, RUN_HELP))


def parse_resolution_dict(text, value_type, name="dict flag"):
    """Parse ``"4:128,8:64"`` into ``{4: 128, 8: 64}``; a clear one-line error on anything else."""
    result = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition(":")
        try:
            if not sep:
                raise ValueError
            resolution, converted = int(key), value_type(value)
        except ValueError:
            raise UserError(
                f"--{name}: bad entry {item!r}; expected RESOLUTION:{value_type.__name__.upper()} pairs "
                f"separated by commas, e.g. 4:128,8:64") from None
        if resolution < 4 or resolution & (resolution - 1):
            raise UserError(f"--{name}: resolution {resolution} is not a power of two >= 4.")
        result[resolution] = converted
    return result


def format_resolution_dict(values):
    """Inverse of :func:`parse_resolution_dict`."""
    return ",".join(f"{key}:{value}" for key, value in sorted(values.items()))


def _define_flags():
    """One flag per dataclass field, typed by the field's default; dict fields use the RES:VALUE syntax."""
    for group, cls, helps in NESTED:
        fields = {f.name: f for f in dataclasses.fields(cls)}
        skip = {"architecture", "schedule", "loss", "augment"} if group == "run" else {"final_resolution"}
        missing = set(fields) - set(helps) - skip
        if missing:
            raise AssertionError(f"train.py: no help text for {group} options {sorted(missing)}")
        defaults = cls()
        for name in helps:
            default = getattr(defaults, name)
            help_text = f"[{group}] {helps[name]}"
            if isinstance(default, bool):
                flags.DEFINE_bool(name, default, help_text)
            elif isinstance(default, int):
                flags.DEFINE_integer(name, default, help_text)
            elif isinstance(default, float):
                flags.DEFINE_float(name, default, help_text)
            elif isinstance(default, dict):
                flags.DEFINE_string(name, format_resolution_dict(default), help_text)
            else:
                flags.DEFINE_string(name, default, help_text)
    flags.DEFINE_string("cache_dir", os.path.join(os.path.expanduser("~"), ".cache", "keras-stylegan"),
                        "Where builtin:NAME datasets are prepared on first use.")
    tool_flags.define_verbose_flag()


_define_flags()
SAVED_FLAGS = [name for _, _, helps in NESTED for name in helps]


def _group_values(cls, helps, overrides=None):
    """The dataclass ``cls`` built from the current flag values of its fields."""
    values = {}
    for name in helps:
        value = FLAGS[name].value
        default = getattr(cls(), name)
        if isinstance(default, dict):
            value_type = int if name.startswith("minibatch") else float
            value = parse_resolution_dict(value, value_type, name)
        values[name] = value
    values.update(overrides or {})
    return cls(**values)


def config_from_flags(resume):
    """TrainingConfig from the flags (``resume`` replaces --resume, e.g. by the resolved run directory)."""
    architecture = _group_values(ArchitectureConfig, ARCHITECTURE_HELP)
    schedule = _group_values(ProgressiveSchedule, SCHEDULE_HELP, {"final_resolution": architecture.resolution})
    loss = _group_values(LossConfig, LOSS_HELP)
    augment = _group_values(AugmentConfig, AUGMENT_HELP)
    run_values = {name: FLAGS[name].value for name in RUN_HELP}
    run_values["resume"] = resume
    return TrainingConfig(architecture=architecture, schedule=schedule, loss=loss, augment=augment, **run_values)


def make_dataset_factory(data_dir, mirror):
    """``dataset_factory(resolution, global_batch, input_context, seed)`` for run(), from pipelines.reader."""
    def dataset_factory(resolution, global_batch, input_context, seed):
        return make_dataset(data_dir, resolution, global_batch, mirror=mirror, seed=seed, input_context=input_context)

    return dataset_factory


def _apply_saved_flags(run_dir):
    """On resume: every flag not given on this command line takes the run's saved value."""
    saved = read_options(run_dir).get("flags", {})
    if not isinstance(saved, dict):
        raise UserError(f"{run_dir}/options.json: 'flags' is not a dict of flag values; restore the file from a "
                        "backup, or start a new run with --resume=none.")
    applied = {name for name in saved if name in FLAGS and not FLAGS[name].present and name != "resume"}
    for name in applied:
        expected = type(FLAGS[name].default)
        if not (isinstance(saved[name], expected) or expected is float and type(saved[name]) is int):
            raise UserError(f"{run_dir}/options.json: flag {name} holds {saved[name]!r}, not a {expected.__name__}; "
                            "restore the file from a backup, or start a new run with --resume=none.")
    for name in applied:
        FLAGS[name].value = saved[name]
    return applied


def _apply_official(path, given):
    """``--init_from``: every architecture flag not given takes the official model's value (a given one must
    equal it), and the run starts at the model's resolution unless --start_resolution is given."""
    official = read_official(path).architecture.to_dict()
    differences = [f"--{name}={FLAGS[name].value} but the official model has {official[name]}"
                   for name in ARCHITECTURE_HELP if name in given and FLAGS[name].value != official[name]]
    if differences:
        raise UserError(f"--init_from={path}: {'; '.join(differences)} (drop those flags: the architecture comes "
                         "from the pickle).")
    for name in ARCHITECTURE_HELP:
        FLAGS[name].value = official[name]
    if "start_resolution" not in given:
        FLAGS.start_resolution = official["resolution"]
    return set(ARCHITECTURE_HELP) | {"start_resolution"}


def _apply_manifest(manifest, given):
    """Resolution, channels and label size default to the dataset's; a given resolution may be lower (the
    reader reads that level of the multi-resolution records), a given channel count and label size must
    match. ``given``: the flags set on the command line or by a resumed run."""
    classes = label_size(manifest)
    if "label_size" not in given:
        FLAGS.label_size = classes
    elif FLAGS.label_size != classes:
        held = f"{classes} classes" if classes else "no labels"
        raise UserError(f"--label_size={FLAGS.label_size} but the dataset has {held}; drop --label_size (it comes "
                        "from the dataset) or prepare the data with --labels.")
    if "num_channels" not in given:
        FLAGS.num_channels = manifest["channels"]
    elif FLAGS.num_channels != manifest["channels"]:
        raise UserError(f"--num_channels={FLAGS.num_channels} but the dataset has {manifest['channels']} channels; "
                         "drop --num_channels or prepare the data with that many.")
    if "resolution" not in given:
        FLAGS.resolution = manifest["resolution"]
    elif FLAGS.resolution > manifest["resolution"]:
        raise UserError(f"--resolution={FLAGS.resolution} but the dataset only goes up to {manifest['resolution']}; "
                         f"lower --resolution or prepare the data at {FLAGS.resolution}.")


def _damaged_data(data_dir, error):
    """The UserError for a dataset whose records do not read: the damaged shards named (by their sha256
    against the manifest) and the command that checks the whole dataset."""
    problems = shard_problems(data_dir)
    found = f"{problems[0]}" + (f" and {len(problems) - 1} more" if len(problems) > 1 else "") if problems else (
        " ".join(str(error).split()))
    return UserError(f"the dataset {data_dir} is damaged: {found}; list every damaged file with python -m "
                     f"pipelines.prepare_dataset --verify={data_dir}, then prepare or copy it again (the run resumes).")


def train():
    """Flags (+ the saved ones on resume, + the dataset's resolution/channels) -> TrainingConfig -> run()."""
    run_dir, resuming = resolve_run_dir(FLAGS.outdir, FLAGS.config_name, FLAGS.resume)
    given = {name for name in SAVED_FLAGS if FLAGS[name].present}
    if resuming:
        given |= _apply_saved_flags(run_dir)
    if FLAGS.init_from:
        given |= _apply_official(FLAGS.init_from, given)
    data_dir = resolve_data(FLAGS.data, FLAGS.cache_dir)
    manifest = read_manifest(data_dir)
    _apply_manifest(manifest, given)
    config = config_from_flags(run_dir if resuming else "none")
    data_hash = manifest_sha256(manifest)
    options = {
        "flags": {name: FLAGS[name].value for name in SAVED_FLAGS},
        "data_dir": os.path.abspath(data_dir),
        "manifest_sha256": data_hash,
        "command": sys.argv,
    }
    try:
        run(config, make_dataset_factory(data_dir, config.mirror), extra_options=options,
            reals_key=f"manifest_sha256={data_hash}")
    except FloatingPointError as error:
        raise UserError(str(error)) from None
    except tf.errors.DataLossError as error:
        raise _damaged_data(data_dir, error) from None


def main(argv):
    """absl's main: :func:`train` inside the one-line error path."""
    tool_flags.quiet_info_logs()
    tool_flags.check_no_arguments(argv)
    with one_line_errors("train.py", FLAGS.verbose):
        train()


if __name__ == "__main__":
    app.run(main, flags_parser=tool_flags.flags_parser("train.py"))
