"""The TFRecord example layout shared by the writer and the reader.

Each record is a ``tf.train.Example`` with ``shape`` (int64 ``[H, W, C]``) and ``data`` (the uint8 HWC
pixels in C order for the ``raw`` encoding, a PNG file for ``png``), as the official StyleGAN
``dataset_tool.py`` stores ``shape`` and ``data`` per resolution.
"""

import tensorflow as tf

SHAPE_KEY = "shape"
DATA_KEY = "data"


def serialize_example(payload, shape):
    """Encoded image bytes and their ``(H, W, C)`` -> a serialized ``tf.train.Example``."""
    features = tf.train.Features(
        feature={
            SHAPE_KEY: tf.train.Feature(int64_list=tf.train.Int64List(value=list(shape))),
            DATA_KEY: tf.train.Feature(bytes_list=tf.train.BytesList(value=[payload])),
        }
    )
    return tf.train.Example(features=features).SerializeToString()


def parse_example(serialized, resolution, channels, encoding):
    """A serialized example -> uint8 ``[resolution, resolution, channels]`` tensor (graph op)."""
    features = tf.io.parse_single_example(
        serialized,
        {
            SHAPE_KEY: tf.io.FixedLenFeature([3], tf.int64),
            DATA_KEY: tf.io.FixedLenFeature([], tf.string),
        },
    )
    if encoding == "png":
        image = tf.io.decode_png(features[DATA_KEY], channels=channels)
    else:
        image = tf.io.decode_raw(features[DATA_KEY], tf.uint8)
    return tf.reshape(image, [resolution, resolution, channels])
