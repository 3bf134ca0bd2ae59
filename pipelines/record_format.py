"""The TFRecord example layout shared by the writer and the reader.

Each record is a ``tf.train.Example`` with ``shape`` (int64 ``[H, W, C]``) and ``data`` (the uint8 HWC
pixels in C order for the ``raw`` encoding, a PNG file for ``png``), as the official StyleGAN
``dataset_tool.py`` stores ``shape`` and ``data`` per resolution; records of a labelled dataset also hold
``label`` (int64, the class index; the official tool keeps labels in a separate ``.labels`` file).
"""

import tensorflow as tf

SHAPE_KEY = "shape"
DATA_KEY = "data"
LABEL_KEY = "label"


def serialize_example(payload, shape, label=None):
    """Encoded image bytes, their ``(H, W, C)`` and the class index (None: unlabelled) -> a serialized
    ``tf.train.Example``."""
    feature = {
        SHAPE_KEY: tf.train.Feature(int64_list=tf.train.Int64List(value=list(shape))),
        DATA_KEY: tf.train.Feature(bytes_list=tf.train.BytesList(value=[payload])),
    }
    if label is not None:
        feature[LABEL_KEY] = tf.train.Feature(int64_list=tf.train.Int64List(value=[label]))
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()


def parse_example(serialized, resolution, channels, encoding, labelled=False):
    """A serialized example -> uint8 ``[resolution, resolution, channels]`` tensor (graph op), and with
    ``labelled`` its int64 class index as well."""
    spec = {
        SHAPE_KEY: tf.io.FixedLenFeature([3], tf.int64),
        DATA_KEY: tf.io.FixedLenFeature([], tf.string),
    }
    if labelled:
        spec[LABEL_KEY] = tf.io.FixedLenFeature([], tf.int64)
    features = tf.io.parse_single_example(serialized, spec)
    if encoding == "png":
        image = tf.io.decode_png(features[DATA_KEY], channels=channels)
    else:
        image = tf.io.decode_raw(features[DATA_KEY], tf.uint8)
    image = tf.reshape(image, [resolution, resolution, channels])
    return (image, features[LABEL_KEY]) if labelled else image
