"""A stand-in for TTUR's frozen Inception graph: the same tensor names (``ExpandDims:0`` takes float RGB
images in [0, 255] of any size, ``pool_3:0`` gives [N, 1, 1, F]) around a small random network, so the
FID path runs end to end without the real file (which the tests never download). F is 64 instead of
2048: the eigendecompositions of 2048 x 2048 covariances take seconds each, too long for the suite."""

import numpy as np
import tensorflow as tf


def write_standin_inception(path, seed=0):
    graph = tf.Graph()
    rng = np.random.RandomState(seed)
    with graph.as_default():
        images = tf.compat.v1.placeholder(tf.float32, [None, None, None, 3], name="input")
        x = tf.identity(images, name="ExpandDims")
        x = (tf.image.resize(x, [16, 16]) - 128.0) / 128.0
        x = tf.nn.relu(tf.nn.conv2d(x, rng.normal(0, 0.5, (3, 3, 3, 32)).astype(np.float32), 2, "SAME"))
        x = tf.nn.relu(tf.nn.conv2d(x, rng.normal(0, 0.3, (1, 1, 32, 64)).astype(np.float32), 1, "SAME"))
        tf.reduce_mean(x, axis=[1, 2], keepdims=True, name="pool_3")
    with open(path, "wb") as f:
        f.write(graph.as_graph_def().SerializeToString())
    return str(path)
