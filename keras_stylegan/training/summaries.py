"""TensorBoard scalars and images written with TensorFlow alone.

``tf.summary.scalar`` / ``tf.summary.image`` need the ``tensorboard`` package, which TensorFlow 2.21 no
longer installs; ``tf.summary.write`` with the plugins' metadata writes the same event records, so
TensorBoard (``pip install tensorboard``) shows them and training does not depend on it.
"""

import io

import numpy as np
import tensorflow as tf
from PIL import Image


def _metadata(plugin_name):
    return tf.compat.v1.SummaryMetadata(
        plugin_data=tf.compat.v1.SummaryMetadata.PluginData(plugin_name=plugin_name)).SerializeToString()


def scalar(name, value, step):
    """A scalar in TensorBoard's Scalars tab (the "scalars" plugin's float32 tensor)."""
    return tf.summary.write(name, tf.constant(float(value), tf.float32), step=step, metadata=_metadata("scalars"))


def image(name, pixels, step):
    """A uint8 HWC image in TensorBoard's Images tab (the "images" plugin's [width, height, png] strings)."""
    pixels = np.asarray(pixels, np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels).save(buffer, format="PNG")
    tensor = tf.constant([str(pixels.shape[1]).encode(), str(pixels.shape[0]).encode(), buffer.getvalue()])
    return tf.summary.write(name, tensor, step=step, metadata=_metadata("images"))
