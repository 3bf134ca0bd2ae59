"""Affine transformations of image batches, as ADA executes its geometric augmentations (Karras et al. 2020,
"Training Generative Adversarial Networks with Limited Data", App. B.2).

The geometric augmentations of an image compose into one 3x3 matrix in centred pixel coordinates (x to the
right, y down, the origin at the image centre, one unit per pixel), so the image is resampled once, whatever it
drew. :func:`warp` takes the *inverse* matrices (output coordinates -> input coordinates), extends the image by
reflection about its edges as the paper does (a border of zeros would be something D could tell apart and G
could learn) and looks each output pixel up bilinearly. Flips, quarter turns and integer translations map pixel
centres onto pixel centres, so they move pixels exactly; an image whose matrix is the identity is passed through
untouched. Positions and weights are float32 and do not depend on the pixels, so the result is linear in the
image and its gradient is exact (R1 is taken through it).

The paper resamples at twice the resolution between a sym6 wavelet up- and down-sampling, against aliasing when
an image shrinks. On this project's CPUs that cost 5x the lookups and two filterings for each of the six warps
of a training step (forward and adjoint, reals and fakes), 14 ms a warp of 16 images at 32 px, about as much as
the training step itself; one bilinear lookup costs a small fraction (benchmarks/augment_cost.py). Both reals and
fakes go through the same resampling, so its softness is not something G can learn from D.
"""

import tensorflow as tf


def _matrix(rows):
    """[B, 3, 3] from nine [B] tensors (row by row)."""
    return tf.reshape(tf.stack(rows, axis=-1), [-1, 3, 3])


def translate(tx, ty):
    """[B, 3, 3] translations by (tx, ty) pixels ([B] each)."""
    one, zero = tf.ones_like(tx), tf.zeros_like(tx)
    return _matrix([one, zero, tx, zero, one, ty, zero, zero, one])


def scale(sx, sy):
    """[B, 3, 3] scalings by sx horizontally and sy vertically about the image centre."""
    one, zero = tf.ones_like(sx), tf.zeros_like(sx)
    return _matrix([sx, zero, zero, zero, sy, zero, zero, zero, one])


def rotate(theta):
    """[B, 3, 3] rotations by ``theta`` radians about the image centre (with y down: clockwise on screen)."""
    cos, sin = tf.cos(theta), tf.sin(theta)
    one, zero = tf.ones_like(theta), tf.zeros_like(theta)
    return _matrix([cos, -sin, zero, sin, cos, zero, zero, zero, one])


def quarter_turn(turns):
    """[B, 3, 3] rotations by ``turns`` [B] (int) times 90 degrees, as :func:`rotate` but with exact entries."""
    cos = tf.gather(tf.constant([1.0, 0.0, -1.0, 0.0]), tf.math.floormod(turns, 4))
    sin = tf.gather(tf.constant([0.0, 1.0, 0.0, -1.0]), tf.math.floormod(turns, 4))
    one, zero = tf.ones_like(cos), tf.zeros_like(cos)
    return _matrix([cos, -sin, zero, sin, cos, zero, zero, zero, one])


def _source_index(position, size):
    """Fractional pixel index (pixel i has its centre at i + 0.5) of a source ``position`` measured from the image's
    first edge, in the image extended by reflection about its edges (period 2 * size): clamped to [0, size - 1],
    where the reflected image is flat between the outermost pixel centre and the edge."""
    folded = tf.math.floormod(position, 2.0 * size)
    folded = tf.where(folded > size, 2.0 * size - folded, folded)
    return tf.clip_by_value(folded - 0.5, 0.0, size - 1.0)


def _bilinear(images, rows, cols):
    """``images`` [B, H, W, C] looked up bilinearly at fractional pixel indices (rows, cols) [B, P] within the image."""
    batch, height, width, channels = tf.shape(images)[0], images.shape[1], images.shape[2], images.shape[3]
    row0 = tf.minimum(tf.floor(rows), height - 2.0)
    col0 = tf.minimum(tf.floor(cols), width - 2.0)
    fy, fx = (rows - row0)[..., None], (cols - col0)[..., None]
    base = tf.range(batch)[:, None] * (height * width) + tf.cast(row0, tf.int32) * width + tf.cast(col0, tf.int32)
    corners = tf.gather(tf.reshape(images, [-1, channels]), tf.stack([base, base + 1, base + width, base + width + 1]))
    top = corners[0] * (1.0 - fx) + corners[1] * fx
    bottom = corners[2] * (1.0 - fx) + corners[3] * fx
    return top * (1.0 - fy) + bottom * fy


@tf.function(jit_compile=True)
def _warp_all(images, inverse):
    """:func:`warp` for every image of the batch (no pass-through); compiled by XLA, whose gathers and scatters
    (the gradient) take a third of the time of TensorFlow's kernels on a CPU."""
    batch, height, width, channels = tf.shape(images)[0], images.shape[1], images.shape[2], images.shape[3]
    ys = tf.range(height, dtype=tf.float32) + 0.5 - height / 2.0  # output pixel centres, centred coordinates
    xs = tf.range(width, dtype=tf.float32) + 0.5 - width / 2.0
    grid_y, grid_x = tf.meshgrid(ys, xs, indexing="ij")
    points = tf.stack([tf.reshape(grid_x, [-1]), tf.reshape(grid_y, [-1]), tf.ones([height * width])])  # [3, P]
    source = tf.einsum("bij,jp->bip", inverse, points)
    rows = _source_index(source[:, 1] + height / 2.0, height)
    cols = _source_index(source[:, 0] + width / 2.0, width)
    return tf.reshape(_bilinear(images, rows, cols), [batch, height, width, channels])


def warp(images, inverse):
    """Resample float32 ``images`` [B, H, W, C] so that output pixel q shows the input at ``inverse[b] @ q``
    (``inverse`` [B, 3, 3], centred pixel coordinates); images whose matrix is the identity are returned as
    they are. (Every image is resampled, so that the cost does not depend on p: a tf.cond that skipped the work
    for a batch of identities cannot be differentiated twice inside XLA.)"""
    images = tf.convert_to_tensor(images, tf.float32)
    inverse = tf.convert_to_tensor(inverse, tf.float32)
    identity = tf.reduce_all(tf.equal(inverse, tf.eye(3)), axis=[1, 2])
    return tf.where(identity[:, None, None, None], images, _warp_all(images, inverse))
