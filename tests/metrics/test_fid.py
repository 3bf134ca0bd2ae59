"""FID: the Frechet distance against closed forms worked out independently, the statistics, and the whole
path through a stand-in frozen graph with TTUR's tensor names (cache, clear errors)."""

import os

import numpy as np
import pytest

from keras_stylegan.errors import UserError
from keras_stylegan.metrics import MetricInputs, MetricOptions, evaluate, fid
from standin_inception import write_standin_inception


def random_spd(dim, rng):
    a = rng.standard_normal((dim, dim))
    return a @ a.T + 0.1 * np.eye(dim)


def test_two_by_two_gaussians_match_the_closed_form():
    # For 2x2 M = S1 S2 (eigenvalues real, >= 0): tr sqrt(M) = sqrt(tr M + 2 sqrt(det M)).
    rng = np.random.RandomState(0)
    for _ in range(5):
        s1, s2 = random_spd(2, rng), random_spd(2, rng)
        m1, m2 = rng.standard_normal(2), rng.standard_normal(2)
        trace_sqrt = np.sqrt(np.trace(s1 @ s2) + 2 * np.sqrt(np.linalg.det(s1) * np.linalg.det(s2)))
        expected = np.sum((m1 - m2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * trace_sqrt
        assert fid.frechet_distance(m1, s1, m2, s2) == pytest.approx(expected, rel=1e-10, abs=1e-12)


def test_diagonal_gaussians_match_the_closed_form():
    # Commuting covariances: FID = |m1 - m2|^2 + sum (sqrt(a_i) - sqrt(b_i))^2.
    rng = np.random.RandomState(1)
    a, b = rng.uniform(0.1, 4, 256), rng.uniform(0.1, 4, 256)
    m1, m2 = rng.standard_normal(256), rng.standard_normal(256)
    expected = np.sum((m1 - m2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    assert fid.frechet_distance(m1, np.diag(a), m2, np.diag(b)) == pytest.approx(expected, rel=1e-9)


def test_a_set_against_itself_is_about_zero_and_samples_approach_the_closed_form():
    rng = np.random.RandomState(2)
    s1, s2 = random_spd(3, rng), random_spd(3, rng)
    features = rng.multivariate_normal(np.zeros(3), s1, size=200_000)
    others = rng.multivariate_normal(np.ones(3), s2, size=200_000)
    batches = lambda x: (x[i:i + 50_000] for i in range(0, len(x), 50_000))
    mean1, cov1 = fid.statistics(lambda f: f, batches(features), len(features))
    np.testing.assert_allclose(cov1, np.cov(features, rowvar=False), rtol=1e-9, atol=1e-12)
    assert abs(fid.frechet_distance(mean1, cov1, mean1, cov1)) < 1e-9
    mean2, cov2 = fid.statistics(lambda f: f, batches(others), len(others))
    assert fid.frechet_distance(mean1, cov1, mean2, cov2) == pytest.approx(
        fid.frechet_distance(np.zeros(3), s1, np.ones(3), s2), rel=0.02)


@pytest.fixture(scope="module")
def inception(tmp_path_factory):
    return write_standin_inception(tmp_path_factory.mktemp("inception") / "classify_image_graph_def.pb")


def image_batches(seed, count=48, size=16, batch=16):
    rng = np.random.RandomState(seed)
    images = rng.randint(0, 256, (count, size, size, 3)).astype(np.uint8)
    images[:, : size // 2] //= 1 + seed % 3  # sets differ in more than noise
    return [images[i:i + batch] for i in range(0, count, batch)]


def test_fid_runs_through_a_frozen_graph_with_ttur_tensor_names_and_caches_the_reals(inception, tmp_path):
    features = fid.InceptionFeatures(inception)
    assert features(image_batches(0)[0]).shape == (16, 64)
    grey = image_batches(0)[0][..., :1]
    np.testing.assert_allclose(features(grey), features(np.repeat(grey, 3, axis=-1)))
    calls = []

    def reals(n):
        calls.append(n)
        return image_batches(0)

    def run(fakes_seed):
        inputs = MetricInputs(fakes=lambda n: image_batches(fakes_seed), reals=reals, resolution=16, channels=3,
                              reals_key="manifest_sha256=abc")
        options = MetricOptions(inception=inception, cache_dir=str(tmp_path / "stats"))
        [record] = evaluate(["fid"], inputs, options, num_images=48)
        return record["results"]["fid"]

    same, different = run(0), run(1)
    assert abs(same) < 1e-6 and different > 1e-3, (same, different)
    assert calls == [48]  # the second run read the reals' statistics from the cache
    assert len(os.listdir(tmp_path / "stats")) == 1


def test_a_missing_or_foreign_graph_file_is_one_clear_error(tmp_path):
    with pytest.raises(UserError, match=r"inception-2015-12-05\.tgz.*--inception=PATH/classify_image_graph_def\.pb"):
        fid.InceptionFeatures(str(tmp_path / "missing.pb"))
    (tmp_path / "other.pb").write_bytes(b"not a graph at all")
    with pytest.raises(UserError, match="not a frozen TensorFlow graph|has no tensors"):
        fid.InceptionFeatures(str(tmp_path / "other.pb"))
