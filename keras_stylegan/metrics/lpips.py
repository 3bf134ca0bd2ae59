"""LPIPS-VGG16 perceptual distance (Zhang et al. 2018, "The Unreasonable Effectiveness of Deep Features as
a Perceptual Metric", v0.1 "lin" weights), the distance StyleGAN's path length uses (Sec. 4.1), from
weights the user provides as one ``.npz`` file (nothing is downloaded).

Images [N, H, W, 3] RGB in [-1, 1] are scaled as LPIPS does, ``(x - shift) / scale`` with shift
(-0.030, -0.088, -0.188) and scale (0.458, 0.448, 0.450), and run through VGG16's convolutions (3x3,
'same', ReLU; 2x2 max pooling between blocks). At relu1_2, relu2_2, relu3_3, relu4_3 and relu5_3 the
features of both images are divided by their L2 norm over channels (+1e-10); the distance is the sum over
those five layers of the spatial mean of ``sum_c lin_k[c] (f1 - f2)^2``.

The ``.npz`` layout (arrays float32):

- ``conv{b}_{i}/kernel`` [3, 3, C_in, C_out] (height, width, in, out) and ``conv{b}_{i}/bias`` [C_out] for
  VGG16's thirteen convolutions: blocks b = 1, 2 with i = 1, 2; blocks 3, 4, 5 with i = 1, 2, 3
  (C_out 64, 128, 256, 512, 512 in VGG16);
- ``lin{k}`` [C] for k = 0..4: LPIPS' non-negative channel weights of the five layers above.

From PyTorch (torchvision's VGG16 ``features`` conv indices 0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28,
kernel ``weight.permute(2, 3, 1, 0)``; LPIPS' ``lin{k}.model.1.weight`` flattened) the file is a few lines
of ``numpy.savez``; the README shows them.
"""

import os

import numpy as np
import tensorflow as tf

from keras_stylegan.errors import UserError

BLOCKS = (2, 2, 3, 3, 3)  # convolutions per VGG16 block
SHIFT = (-0.030, -0.088, -0.188)
SCALE = (0.458, 0.448, 0.450)


def layer_names():
    """The npz keys, in order: conv kernels and biases, then lin0..lin4."""
    convs = [f"conv{b + 1}_{i + 1}" for b, count in enumerate(BLOCKS) for i in range(count)]
    return [f"{c}/{part}" for c in convs for part in ("kernel", "bias")] + [f"lin{k}" for k in range(len(BLOCKS))]


class LPIPS:
    """``LPIPS(path)(x, y)``: the distance [N] between image batches x and y (see the module docstring)."""

    def __init__(self, path):
        if not path or not os.path.isfile(path):
            raise UserError(f"the path length needs LPIPS-VGG16 weights (got {path or 'none'}): pass "
                            "--lpips=PATH.npz, laid out as the README's section on metrics describes.")
        with np.load(path) as stored:
            missing = [name for name in layer_names() if name not in stored]
            if missing:
                raise UserError(f"{path} lacks {len(missing)} LPIPS-VGG16 arrays, e.g. {missing[0]!r} "
                                "(see the README for the layout).")
            self.weights = {name: tf.constant(stored[name], tf.float32) for name in layer_names()}
        self._distance = tf.function(self._compute)

    def features(self, images):
        """The five unit-normalised VGG16 feature maps of images [N, H, W, 3] in [-1, 1]."""
        x = (images - tf.constant(SHIFT)) / tf.constant(SCALE)
        taps = []
        for b, count in enumerate(BLOCKS):
            if b:
                x = tf.nn.max_pool2d(x, 2, 2, "VALID")
            for i in range(count):
                name = f"conv{b + 1}_{i + 1}"
                x = tf.nn.relu(tf.nn.conv2d(x, self.weights[f"{name}/kernel"], 1, "SAME") + self.weights[f"{name}/bias"])
            taps.append(x / (tf.sqrt(tf.reduce_sum(x * x, axis=-1, keepdims=True)) + 1e-10))
        return taps

    def distance_of_features(self, features_x, features_y):
        """The distance [N] between two images' :meth:`features` (a projection computes its target's once)."""
        total = 0.0
        for k, (a, b) in enumerate(zip(features_x, features_y)):
            total += tf.reduce_mean(tf.reduce_sum(self.weights[f"lin{k}"] * (a - b) ** 2, axis=-1), axis=[1, 2])
        return total

    def _compute(self, x, y):
        return self.distance_of_features(self.features(x), self.features(y))

    def __call__(self, x, y):
        return self._distance(tf.cast(x, tf.float32), tf.cast(y, tf.float32))
