"""Frechet Inception distance (Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule"; the
figure StyleGAN, Karras et al. 2019, reports in Tables 1-2).

Features: the 2048 ``pool_3`` activations of the frozen Inception graph that TTUR and NVIDIA's figures
use, ``classify_image_graph_def.pb`` from ``inception-2015-12-05.tgz``, read from a path the user gives
(nothing is downloaded). Images go in as TTUR feeds them: float RGB in [0, 255], NHWC of any size, at the
graph's tensor ``ExpandDims:0`` (the graph resizes them to 299x299 and scales them itself); grayscale
images are repeated to three channels. With means m1, m2 and covariances S1, S2 of the two feature sets,
in float64:

    FID = |m1 - m2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2))

where tr((S1 S2)^(1/2)) is the sum of the square roots of the eigenvalues of the symmetric positive
semi-definite matrix S1^(1/2) S2 S1^(1/2) (similar to S1 S2), S1^(1/2) from the eigendecomposition of S1;
eigenvalues below 0 (rounding) count as 0. The statistics of the reals are cached on disk, keyed by what
the reals are (the dataset's manifest hash, resolution and image count) and by the graph file's hash.
"""

import hashlib
import os

import numpy as np
import tensorflow as tf

from keras_stylegan.errors import UserError

INPUT_TENSOR = "ExpandDims:0"
FEATURES_TENSOR = "pool_3:0"
GRAPH_FILE = "classify_image_graph_def.pb"
GRAPH_URL = "http://download.tensorflow.org/models/image/imagenet/inception-2015-12-05.tgz"
DEFAULT_CACHE_DIR = os.path.join(os.path.expanduser("~"), ".cache", "keras-stylegan", "fid-stats")


def missing_graph_message(path):
    return (f"FID needs the Inception graph {GRAPH_FILE} (got {path or 'none'}): download {GRAPH_URL}, extract "
            f"it and pass --inception=PATH/{GRAPH_FILE}.")


class InceptionFeatures:
    """``pool_3`` features [N, 2048] of uint8 NHWC images through the frozen graph at ``path`` (as many
    features as its ``pool_3`` has)."""

    def __init__(self, path):
        if not path or not os.path.isfile(path):
            raise UserError(missing_graph_message(path))
        graph_def = tf.compat.v1.GraphDef()
        with open(path, "rb") as f:
            data = f.read()
        try:
            graph_def.ParseFromString(data)
        except Exception as error:  # the protobuf decoder's own error types vary by implementation
            raise UserError(f"{path} is not a frozen TensorFlow graph ({error}); "
                            f"{missing_graph_message(path)}") from None
        self.sha256 = hashlib.sha256(data).hexdigest()

        def features(images):
            outputs = tf.graph_util.import_graph_def(graph_def, input_map={INPUT_TENSOR: images},
                                                     return_elements=[FEATURES_TENSOR], name="inception")
            return tf.reshape(outputs[0], [tf.shape(images)[0], -1])  # [N, 2048] from the real graph

        try:
            self._features = tf.compat.v1.wrap_function(
                features, [tf.TensorSpec([None, None, None, 3], tf.float32)])
        except (ValueError, KeyError) as error:
            raise UserError(f"{path} has no tensors {INPUT_TENSOR} and {FEATURES_TENSOR} ({error}); "
                            f"{missing_graph_message(path)}") from None

    def __call__(self, images):
        images = np.asarray(images, np.float32)
        if images.shape[-1] == 1:
            images = np.repeat(images, 3, axis=-1)
        return self._features(tf.constant(images)).numpy().astype(np.float64)


def statistics(features_of, batches, num_images):
    """Mean [F] and covariance [F, F] (float64, unbiased) of the features of the first
    ``num_images`` images of ``batches``."""
    total, outer, count = 0.0, 0.0, 0
    for batch in batches:
        features = features_of(batch[:num_images - count])
        total = total + features.sum(axis=0)
        outer = outer + features.T @ features
        count += len(features)
        if count >= num_images:
            break
    if count < 2:
        raise ValueError(f"FID needs at least 2 images, got {count}.")
    mean = total / count
    covariance = (outer - count * np.outer(mean, mean)) / (count - 1)
    return mean, covariance


def _psd_sqrt(matrix):
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.maximum(values, 0.0))) @ vectors.T


def frechet_distance(mean1, covariance1, mean2, covariance2):
    """Frechet distance between the Gaussians N(mean1, covariance1) and N(mean2, covariance2), float64."""
    mean1, mean2 = np.asarray(mean1, np.float64), np.asarray(mean2, np.float64)
    covariance1, covariance2 = np.asarray(covariance1, np.float64), np.asarray(covariance2, np.float64)
    root1 = _psd_sqrt(covariance1)
    product = root1 @ covariance2 @ root1
    trace_sqrt = np.sqrt(np.maximum(np.linalg.eigvalsh((product + product.T) / 2), 0.0)).sum()
    difference = mean1 - mean2
    return float(difference @ difference + np.trace(covariance1) + np.trace(covariance2) - 2.0 * trace_sqrt)


class StatisticsCache:
    """Reals' statistics in ``<directory>/<key>.npz``, written atomically."""

    def __init__(self, directory):
        self.directory = directory

    def path(self, key):
        return os.path.join(self.directory, hashlib.sha256(key.encode()).hexdigest()[:32] + ".npz")

    def get(self, key, compute):
        """The cached (mean, covariance) for ``key``, or ``compute()``'s, then cached."""
        path = self.path(key)
        if os.path.isfile(path):
            with np.load(path) as stored:
                if str(stored["key"]) == key:
                    return stored["mean"], stored["covariance"]
        mean, covariance = compute()
        os.makedirs(self.directory, exist_ok=True)
        partial = f"{path}.partial-{os.getpid()}.npz"
        np.savez(partial, key=key, mean=mean, covariance=covariance)
        os.replace(partial, path)
        return mean, covariance


def fid(features_of, reals, fakes, num_images, reals_key="", cache_dir=DEFAULT_CACHE_DIR):
    """FID between ``num_images`` reals and fakes (iterables of uint8 NHWC batches, ``reals`` a callable
    returning one); the reals' statistics come from the cache when ``reals_key`` names them."""
    def reals_statistics():
        return statistics(features_of, reals(), num_images)

    if reals_key:
        key = f"{reals_key} images={num_images} inception={features_of.sha256}"
        mean_reals, covariance_reals = StatisticsCache(cache_dir).get(key, reals_statistics)
    else:
        mean_reals, covariance_reals = reals_statistics()
    mean_fakes, covariance_fakes = statistics(features_of, fakes, num_images)
    return frechet_distance(mean_reals, covariance_reals, mean_fakes, covariance_fakes)
