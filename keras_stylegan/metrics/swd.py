"""Sliced Wasserstein distance between image sets (ProGAN, Karras et al. 2018, Sec. 5 and Appendix D).

Each image is decomposed into a Laplacian pyramid (Burt & Adelson 1983) from the image resolution down to
16x16; from every level, 128 neighbourhoods of 7x7 pixels (all channels) are taken per image at random
positions. The descriptors of a set are normalised per channel to zero mean and unit standard deviation,
and the distance between the reals' and the fakes' descriptors of a level is the sliced Wasserstein
distance (Rabin et al. 2011): the mean, over 512 random unit directions (drawn as ProGAN does, in 4
repeats of 128), of the mean absolute difference between the sorted projections of the two sets.
Figures are reported x1e3 per level (``swd_16``, ``swd_32``, ...; coarse levels say whether the large-scale
structure is right, fine ones the detail) and their average (``swd``).

The pyramid filter is the 5x5 binomial ``[1, 4, 6, 4, 1] / 16`` (outer product) with mirror padding
(the edge pixel is not repeated); going down is filtering then keeping every other pixel, going up is
inserting zeros then filtering with the kernel x4. The 16x16 level holds the low-pass residual, every
finer level the difference between its Gaussian level and the up-sampled coarser one. Images below 16 px
(ProGAN never measured them) have one level, at their own resolution.

Random draws come from ``numpy.random.RandomState(seed)``, in this order: per level (finest first), the
neighbourhood positions ``(num_images, 128, 2)`` (row, column of the top-left pixel in ``[0, size - 7]``),
then the directions ``(4, 128, 7*7*C)`` standard normal, each normalised. Image i of either set is
sampled at the same positions (ProGAN draws them independently per set; sharing them changes no
expectation, removes the sampling noise between identical sets, whose distance is then exactly 0), and
the distance is a deterministic function of the two image sets and the seed.
"""

import numpy as np

NEIGHBOURHOOD = 7
NEIGHBOURHOODS_PER_IMAGE = 128
DIRECTION_REPEATS = 4
DIRECTIONS_PER_REPEAT = 128
LOWEST_LEVEL = 16
_BINOMIAL = np.array([1.0, 4.0, 6.0, 4.0, 1.0], np.float32) / 16.0


def _filter(images, taps):
    """Separable 5x5 filtering of NHWC images with ``taps`` along rows and columns, mirror padding."""
    padded = np.pad(images, ((0, 0), (2, 2), (2, 2), (0, 0)), mode="reflect")
    size_h, size_w = images.shape[1], images.shape[2]
    rows = sum(t * padded[:, k:k + size_h] for k, t in enumerate(taps))
    return sum(t * rows[:, :, k:k + size_w] for k, t in enumerate(taps))


def pyramid_down(images):
    """Gaussian filter, then every other pixel: NHWC [N, S, S, C] -> [N, S/2, S/2, C]."""
    return _filter(images, _BINOMIAL)[:, ::2, ::2]


def pyramid_up(images):
    """Zeros between pixels, then the Gaussian filter x4: [N, S, S, C] -> [N, 2S, 2S, C]."""
    n, h, w, c = images.shape
    spread = np.zeros((n, 2 * h, 2 * w, c), images.dtype)
    spread[:, ::2, ::2] = images
    return _filter(spread, 2.0 * _BINOMIAL)


def level_sizes(resolution):
    """Pyramid level sizes, finest first: 32 -> [32, 16]; below 16 px, the image's own size."""
    sizes = [resolution]
    while sizes[-1] > LOWEST_LEVEL:
        sizes.append(sizes[-1] // 2)
    return sizes


def laplacian_pyramid(images):
    """Levels of float32 NHWC images, finest first, down to 16x16 (the last level is the low-pass residual)."""
    levels = [np.asarray(images, np.float32)]
    for _ in level_sizes(images.shape[1])[1:]:
        coarser = pyramid_down(levels[-1])
        levels[-1] = levels[-1] - pyramid_up(coarser)
        levels.append(coarser)
    return levels


def neighbourhoods(level, positions):
    """Descriptors [N * 128, 7, 7, C] of ``level`` [N, S, S, C] at ``positions`` [N, 128, 2] (top-left corners)."""
    offsets = np.arange(NEIGHBOURHOOD)
    rows = positions[:, :, 0, None, None] + offsets[None, None, :, None]  # [N, 128, 7, 1]
    cols = positions[:, :, 1, None, None] + offsets[None, None, None, :]  # [N, 128, 1, 7]
    images = np.arange(len(level))[:, None, None, None]
    return level[images, rows, cols].reshape(-1, NEIGHBOURHOOD, NEIGHBOURHOOD, level.shape[-1])


def normalise(descriptors):
    """Per channel zero mean and unit standard deviation over all descriptors and pixels; flattened [M, 49 C]."""
    pixels = descriptors.reshape(-1, descriptors.shape[-1])
    pixels = (pixels - pixels.mean(axis=0)) / pixels.std(axis=0)
    return pixels.reshape(len(descriptors), -1)


def sliced_wasserstein(a, b, directions):
    """Mean over ``directions`` [K, D] (unit rows) of the mean |sorted(a . d) - sorted(b . d)|; a, b [M, D]."""
    projected_a = np.sort(directions @ a.T, axis=1)
    projected_b = np.sort(directions @ b.T, axis=1)
    return float(np.mean(np.abs(projected_a - projected_b)))


class LevelDescriptors:
    """Accumulates the descriptors of one image set, batch by batch, at pre-drawn positions."""

    def __init__(self, positions):
        self.positions = positions  # per level: [num_images, 128, 2]
        self.levels = [[] for _ in positions]
        self.count = 0

    def add(self, images):
        """Add the descriptors of uint8 (or float) NHWC ``images``."""
        end = self.count + len(images)
        for store, level, positions in zip(self.levels, laplacian_pyramid(images), self.positions):
            store.append(neighbourhoods(level, positions[self.count:end]))
        self.count = end

    def normalised(self):
        return [normalise(np.concatenate(store)) for store in self.levels]


def draw_positions(rng, num_images, size):
    return rng.randint(0, size - NEIGHBOURHOOD + 1, size=(num_images, NEIGHBOURHOODS_PER_IMAGE, 2))


def swd(first, second, num_images, resolution, channels, seed=0):
    """SWD x1e3 between two image sets given as iterables of NHWC batches (``num_images`` images each, of
    ``resolution`` px and ``channels`` channels): ``{"swd_<size>": per level, ..., "swd": their mean}``."""
    rng = np.random.RandomState(seed)
    sizes = level_sizes(resolution)
    positions, directions = [], []
    for size in sizes:
        positions.append(draw_positions(rng, num_images, size))
        drawn = rng.standard_normal((DIRECTION_REPEATS, DIRECTIONS_PER_REPEAT, NEIGHBOURHOOD ** 2 * channels))
        directions.append((drawn / np.linalg.norm(drawn, axis=-1, keepdims=True)).astype(np.float32))
    sets = []
    for batches in (first, second):
        descriptors = LevelDescriptors(positions)
        for batch in batches:
            descriptors.add(batch[:num_images - descriptors.count])
            if descriptors.count == num_images:
                break
        if descriptors.count < num_images:
            raise ValueError(f"SWD needs {num_images} images of each set, got {descriptors.count}.")
        sets.append(descriptors.normalised())
    results = {}
    for size, a, b, level_directions in zip(sizes, sets[0], sets[1], directions):
        distance = np.mean([sliced_wasserstein(a, b, repeat) for repeat in level_directions])
        results[f"swd_{size}"] = 1e3 * float(distance)
    results["swd"] = float(np.mean(list(results.values())))
    return results
