"""Configuration of a training run: frozen dataclasses that flags (train.py) are converted into.

``TrainingConfig`` holds the networks' ArchitectureConfig, the ProgressiveSchedule (ProGAN Sec. 3 /
StyleGAN's official ``TrainingSchedule``), the LossConfig, the AugmentConfig (DiffAugment / ADA) and the options
of the run itself. It is saved
in options.json (``to_dict``) and read back on resume (``from_dict``).
"""

import dataclasses

from keras_stylegan.augment import AugmentConfig
from keras_stylegan.config import ArchitectureConfig
from keras_stylegan.errors import UserError
from keras_stylegan.metrics.registry import MetricOptions, check_options, parse_metrics
from keras_stylegan.training.losses import LossConfig
from keras_stylegan.training.precision import PRECISIONS
from keras_stylegan.training.schedule import ProgressiveSchedule
from keras_stylegan.training.strategy import KINDS

NAN_POLICIES = ("stop", "rollback")


class ConfigError(UserError):
    """Options that cannot be used as given (e.g. a resume with a different architecture)."""


def _dataclass_from_dict(cls, values, what):
    """Build dataclass ``cls`` from a JSON dict: unknown keys are an error, JSON's string keys of
    resolution dictionaries become ints again."""
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise UserError(f"unknown {what} options {unknown}; known: {sorted(known)}")
    fixed = {
        key: {int(k): v for k, v in value.items()} if isinstance(value, dict) else value
        for key, value in values.items()
    }
    return cls(**fixed)


@dataclasses.dataclass(frozen=True)
class TrainingConfig:
    """Everything a training run needs, except the data itself (a dataset factory is passed to ``run``)."""

    architecture: ArchitectureConfig = dataclasses.field(default_factory=ArchitectureConfig)
    schedule: ProgressiveSchedule = dataclasses.field(default_factory=ProgressiveSchedule)
    loss: LossConfig = dataclasses.field(default_factory=LossConfig)
    augment: AugmentConfig = dataclasses.field(default_factory=AugmentConfig)
    outdir: str = "runs"  # run directories are created in here
    config_name: str = "custom"  # the <config> part of <NNNNN>-<config>
    data: str = ""  # recorded only: the dataset the factory reads
    mirror: bool = True  # recorded only: mirror augmentation applied by the factory
    seed: int = 0  # initial weights, z / noise draws, data order, grid latents
    tick_kimg: float = 4.0  # thousands of images between status lines (one fit() epoch)
    snapshot_kimg: float = 50.0  # thousands of images between checkpoints
    image_snapshot_kimg: float = 10.0  # thousands of images between fakes-<kimg>.png grids
    grid_size: int = 36  # images in the fakes / reals grids
    truncation_psi: float = 0.7  # psi of the truncated fakes grids and Gs's sampling default (not architecture)
    truncation_cutoff: int = 8  # layers, from the coarsest, that truncation applies to
    checkpoints_to_keep: int = 3
    resume: str = "auto"  # "auto" | "none" | path of a run directory
    nan_policy: str = "stop"  # "stop" | "rollback" (reload the last checkpoint and continue)
    max_rollbacks: int = 3  # rollbacks in a row without a new checkpoint before giving up
    mixed_precision: str = "auto"  # "auto" | "float32" | "float16" | "bfloat16"
    strategy: str = "auto"  # "auto" | "default" | "mirrored" | "multiworker" | "tpu"
    tpu_address: str = ""
    g_smoothing_kimg: float = 10.0  # half-life of the EMA generator Gs, in thousands of images
    deterministic: bool = False  # tf.config.experimental.enable_op_determinism(): bit-exact reruns, slower
    jit_compile: bool = False  # XLA-compile the train step (for GPUs; slower on CPUs)
    reset_optimizer_for_new_lod: bool = True  # official reset_opt_for_new_lod: Adam state reset where a fade-in starts or ends
    init_from: str = ""  # an official StyleGAN v1 pickle whose G, D and Gs a new run starts from (fine-tuning)
    metrics: str = ""  # registered metric names run on Gs during training, e.g. "swd,fid" ("" = none)
    metrics_kimg: float = 0.0  # thousands of images between metric evaluations; 0 = snapshot_kimg
    metrics_images: int = 1024  # images of each set a training-time metric compares
    inception: str = ""  # classify_image_graph_def.pb, for the fid metric
    lpips: str = ""  # LPIPS-VGG16 weights (.npz), for the ppl_* metrics

    def __post_init__(self):
        if self.nan_policy not in NAN_POLICIES:
            raise UserError(f"nan_policy must be one of {NAN_POLICIES}, got {self.nan_policy!r}.")
        if self.schedule.final_resolution != self.architecture.resolution:
            raise UserError(
                f"schedule final_resolution {self.schedule.final_resolution} differs from the architecture's "
                f"resolution {self.architecture.resolution}; set both from --resolution."
            )
        for name in ("tick_kimg", "snapshot_kimg", "image_snapshot_kimg", "g_smoothing_kimg"):
            if getattr(self, name) <= 0:
                raise UserError(f"{name} must be > 0, got {getattr(self, name)}.")
        if self.metrics_kimg < 0 or self.metrics_images < 2:
            raise UserError(f"metrics_kimg must be >= 0 and metrics_images >= 2, got {self.metrics_kimg} and "
                            f"{self.metrics_images}.")
        check_options(parse_metrics(self.metrics), self.metric_options, self.architecture.resolution)
        for name, low in (("grid_size", 1), ("checkpoints_to_keep", 1), ("max_rollbacks", 0), ("truncation_cutoff", 0)):
            if getattr(self, name) < low:
                raise UserError(f"{name} must be >= {low}, got {getattr(self, name)}.")
        if self.mixed_precision not in ("auto", *PRECISIONS):
            raise UserError(f"mixed_precision must be one of auto, {', '.join(PRECISIONS)}; "
                            f"got {self.mixed_precision!r}.")
        if self.strategy not in KINDS:
            raise UserError(f"strategy must be one of {', '.join(KINDS)}; got {self.strategy!r}.")
        self._check_minibatch_stddev()
        if self.augment.augment == "ada" and self.architecture.num_channels not in (1, 3):
            raise UserError(f"augment=ada transforms colours of RGB or grey images; these have "
                            f"{self.architecture.num_channels} channels (use augment=diffaug or none).")

    @property
    def metric_options(self):
        """The MetricOptions of the training-time metrics."""
        return MetricOptions(inception=self.inception, lpips=self.lpips, seed=self.seed)

    @property
    def metrics_interval_kimg(self):
        """Thousands of images between metric evaluations (``metrics_kimg``, or the snapshot cadence)."""
        return self.metrics_kimg or self.snapshot_kimg

    def _check_minibatch_stddev(self):
        """Every per-replica minibatch of the run splits into minibatch-stddev groups (ProGAN Sec. 3)."""
        group = self.architecture.mbstd_group_size
        if group <= 1:
            return
        for resolution in self.schedule.resolutions:
            batch = self.schedule.minibatch(resolution)
            if batch % min(group, batch):
                raise UserError(
                    f"mbstd_group_size={group} does not divide the minibatch {batch} at resolution {resolution}; "
                    "use a divisor of every minibatch (e.g. 2 or 4), or 0 to turn minibatch stddev off.")

    def to_dict(self):
        """JSON-serialisable dict (nested: architecture, schedule, loss, augment, then the run options)."""
        values = dataclasses.asdict(self)
        values["architecture"] = self.architecture.to_dict()
        return values

    @classmethod
    def from_dict(cls, values):
        """Inverse of :meth:`to_dict`; unknown keys are a clear error. A run saved before augmentation existed
        (no ``augment``) had none."""
        values = dict(values)
        architecture = ArchitectureConfig.from_dict(values.pop("architecture"))
        schedule = _dataclass_from_dict(ProgressiveSchedule, values.pop("schedule"), "schedule")
        loss = _dataclass_from_dict(LossConfig, values.pop("loss"), "loss")
        augment = _dataclass_from_dict(AugmentConfig, values.pop("augment", {}), "augment")
        run = _dataclass_from_dict(cls, values, "run")
        return dataclasses.replace(run, architecture=architecture, schedule=schedule, loss=loss, augment=augment)


def architecture_differences(saved, current):
    """``"name saved -> current"`` for every option that differs between two ArchitectureConfigs."""
    old, new = saved.to_dict(), current.to_dict()
    return [f"{key} {old[key]!r} -> {new[key]!r}" for key in old if old[key] != new[key]]
