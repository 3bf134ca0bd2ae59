"""The progressive-growing schedule: level of detail, resolution and fade-in alpha from images seen.

ProGAN (Karras et al. 2018, Sec. 2 and A.1) trains each resolution for ``lod_training_kimg`` thousand
images and then fades the next one in over ``lod_transition_kimg``; StyleGAN (Karras et al. 2019,
official ``training/training_loop.py: training_schedule``) writes this as a level of detail (lod):

    phase_idx  = floor(kimg / (lod_training_kimg + lod_transition_kimg))
    phase_kimg = kimg - phase_idx * (lod_training_kimg + lod_transition_kimg)
    lod        = log2(final) - log2(start) - phase_idx
                 - max(phase_kimg - lod_training_kimg, 0) / lod_transition_kimg,   clipped at 0
    resolution = 2 ** (log2(final) - floor(lod))
    alpha      = 1 - frac(lod)   (weight of the new, higher resolution; 1 = stable)
"""

import dataclasses
import math

import tensorflow as tf

from keras_stylegan.errors import UserError


def _log2_int(value, name):
    """log2 of a power of two >= 4, or a one-line error naming the argument."""
    if not isinstance(value, int) or value < 4 or value & (value - 1):
        raise UserError(f"{name}={value!r} must be a power of two >= 4 (e.g. 8, 64, 1024).")
    return value.bit_length() - 1


@dataclasses.dataclass(frozen=True)
class ProgressiveSchedule:
    """StyleGAN's ``training_schedule`` (Karras et al. 2019, official code; ProGAN Sec. 2).

    Every quantity is a function of the number of real images shown so far (``images_seen``), so
    the schedule is exact across resume and under any number of replicas. Minibatch sizes are per
    replica; the global batch is ``minibatch(res) * num_replicas``.
    """

    final_resolution: int = 1024
    start_resolution: int = 8  # lod_initial_resolution
    lod_training_kimg: float = 600.0  # thousands of images at a stable resolution per phase
    lod_transition_kimg: float = 600.0  # thousands of images fading the next resolution in
    total_kimg: float = 25000.0  # length of the whole run
    minibatch_base: int = 4  # per-replica minibatch where minibatch_dict has no entry
    minibatch_dict: dict = dataclasses.field(default_factory=dict)  # {resolution: per-replica batch}
    g_lrate_base: float = 0.001
    d_lrate_base: float = 0.001
    g_lrate_dict: dict = dataclasses.field(default_factory=dict)  # {resolution: generator lr}
    d_lrate_dict: dict = dataclasses.field(default_factory=dict)  # {resolution: discriminator lr}

    def __post_init__(self):
        final_log2 = _log2_int(self.final_resolution, "final_resolution")
        start_log2 = _log2_int(self.start_resolution, "start_resolution")
        if start_log2 > final_log2:
            raise UserError(
                f"start_resolution={self.start_resolution} exceeds final_resolution="
                f"{self.final_resolution}; lower start_resolution.")
        if self.lod_training_kimg < 0 or self.lod_transition_kimg < 0:
            raise UserError("lod_training_kimg and lod_transition_kimg must be >= 0.")
        if self.lod_training_kimg + self.lod_transition_kimg <= 0 and start_log2 != final_log2:
            raise UserError(
                "lod_training_kimg + lod_transition_kimg is 0, so the resolution would never grow; "
                "make one positive or set start_resolution=final_resolution.")
        if self.total_kimg <= 0:
            raise UserError(f"total_kimg={self.total_kimg} must be positive.")
        for name in ("minibatch_dict", "g_lrate_dict", "d_lrate_dict"):
            for res in getattr(self, name):
                _log2_int(res, f"{name} key")
        for res, batch in {self.start_resolution: self.minibatch_base, **self.minibatch_dict}.items():
            if not isinstance(batch, int) or batch < 1:
                raise UserError(f"minibatch for resolution {res} is {batch!r}; it must be an int >= 1.")

    @property
    def total_images(self):
        """Length of the run in images (``total_kimg * 1000``)."""
        return int(round(self.total_kimg * 1000))

    @property
    def resolutions(self):
        """Resolutions the run trains at, from start to final."""
        return [2 ** k for k in range(_log2_int(self.start_resolution, "start_resolution"),
                                      _log2_int(self.final_resolution, "final_resolution") + 1)]

    def _phase_dur(self):
        return self.lod_training_kimg + self.lod_transition_kimg

    def lod(self, images_seen):
        """Level of detail after ``images_seen`` images (0 = final resolution, fully faded in)."""
        kimg = images_seen / 1000.0
        phase_dur = self._phase_dur()
        phase_idx = math.floor(kimg / phase_dur) if phase_dur > 0 else 0
        phase_kimg = kimg - phase_idx * phase_dur
        lod = (math.log2(self.final_resolution) - math.log2(self.start_resolution)
               - phase_idx)
        if self.lod_transition_kimg > 0:
            lod -= max(phase_kimg - self.lod_training_kimg, 0.0) / self.lod_transition_kimg
        return max(lod, 0.0)

    def resolution(self, images_seen):
        """Resolution the step starting at ``images_seen`` trains at: 2 ** (log2(final) - floor(lod))."""
        return 2 ** (_log2_int(self.final_resolution, "final_resolution")
                     - math.floor(self.lod(images_seen)))

    def alpha(self, images_seen):
        """Fade-in weight of the newest resolution, 1 - frac(lod); 1.0 in a stable phase."""
        lod = self.lod(images_seen)
        return 1.0 - (lod - math.floor(lod))

    def alpha_tensor(self, images_seen, resolution):
        """``alpha`` in-graph from an int64 ``images_seen`` tensor, for a graph traced at ``resolution``.

        The network traced for ``resolution`` fades it in over the level
        ``log2(final) - lod``: alpha = clip(log2(final) - lod - (log2(resolution) - 1), 0, 1).
        Inside the phase that trains ``resolution`` this equals ``1 - frac(lod)``; a step run at
        a neighbouring stage's boundary gets 1 (stage already stable) or 0 (not yet faded in),
        both the same function as the schedule's own stage there.
        """
        res_log2 = _log2_int(resolution, "resolution")
        final_log2 = _log2_int(self.final_resolution, "final_resolution")
        kimg = tf.cast(images_seen, tf.float64) / 1000.0
        phase_dur = self._phase_dur()
        if phase_dur > 0:
            phase_idx = tf.floor(kimg / phase_dur)
        else:
            phase_idx = tf.zeros_like(kimg)
        phase_kimg = kimg - phase_idx * phase_dur
        lod = final_log2 - math.log2(self.start_resolution) - phase_idx
        if self.lod_transition_kimg > 0:
            lod -= tf.maximum(phase_kimg - self.lod_training_kimg, 0.0) / self.lod_transition_kimg
        lod = tf.maximum(lod, 0.0)
        level = final_log2 - lod
        return tf.cast(tf.clip_by_value(level - (res_log2 - 1), 0.0, 1.0), tf.float32)

    def phase_end(self, images_seen):
        """Images count at which the resolution next changes (the first count at a new resolution),
        or ``total_images`` if the run ends first."""
        res = self.resolution(images_seen)
        if res == self.final_resolution or images_seen >= self.total_images:
            return max(self.total_images, images_seen)
        index = _log2_int(res, "resolution") - _log2_int(self.start_resolution, "start_resolution")
        # Resolution number `index` lasts until kimg = index * phase_dur + lod_training_kimg.
        end = int(round((index * self._phase_dur() + self.lod_training_kimg) * 1000))
        end = max(end, images_seen + 1)
        while self.resolution(end) == res:
            end += 1
        while end - 1 > images_seen and self.resolution(end - 1) != res:
            end -= 1
        return min(end, self.total_images)

    def minibatch(self, resolution):
        """Per-replica minibatch at ``resolution`` (``minibatch_dict`` or ``minibatch_base``)."""
        return self.minibatch_dict.get(resolution, self.minibatch_base)

    def g_lrate(self, resolution):
        """Generator learning rate at ``resolution`` (``g_lrate_dict`` or ``g_lrate_base``)."""
        return self.g_lrate_dict.get(resolution, self.g_lrate_base)

    def d_lrate(self, resolution):
        """Discriminator learning rate at ``resolution`` (``d_lrate_dict`` or ``d_lrate_base``)."""
        return self.d_lrate_dict.get(resolution, self.d_lrate_base)

    def lod_key(self, images_seen):
        """floor(lod) + ceil(lod): changes exactly where the official loop resets the optimizers
        (``reset_opt_for_new_lod``: a fade-in starts or ends) and names the half-phase the optimizer
        state belongs to, so a resumed run knows whether the reset already happened."""
        lod = self.lod(images_seen)
        return math.floor(lod) + math.ceil(lod)
