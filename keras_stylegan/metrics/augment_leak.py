"""Whether a generator's images carry an augmentation that should have stayed in front of D: turned images and
shifted colours, measured against the training data (the leaking ADA guards against, Karras et al. 2020, Sec.
2.2 and Fig. 3: a G trained with transformations applied at p close to 1 produces rotated or recoloured images).

- **Orientation.** The template is the mean of the reals. Each image is compared (Pearson correlation of its
  pixels) with the template turned by 0, 90, 180 and 270 degrees; an image whose best match is a turned
  template counts as turned. For data with an upright orientation (faces, emoji) the reals' own fraction is the
  baseline: a G that learned the quarter turns of ADA's pipeline shows a far larger fraction.
- **Colour.** A hue histogram (36 bins of 10 degrees, each pixel weighted by its chroma max - min, so that
  greys do not count) of each set, and their total variation distance, 0 (the same hues) to 1 (none shared);
  the mean luma (0.299 R + 0.587 G + 0.114 B, 0-255) of each set shows a luma flip. Grey images have no hue:
  the distance is 0.

Images are uint8 NHWC batches, as metrics/image_sets.py yields them.
"""

import numpy as np

HUE_BINS = 36
_LUMA = np.array([0.299, 0.587, 0.114])


def _collect(batches, num_images):
    """The first ``num_images`` images of ``batches`` (which may repeat forever), float64."""
    images, count = [], 0
    for batch in batches:
        images.append(np.asarray(batch[:num_images - count], np.float64))
        count += len(images[-1])
        if count >= num_images:
            break
    if count < num_images:
        raise ValueError(f"augment_leak needs {num_images} images of each set, got {count}.")
    return np.concatenate(images)


def turned_fraction(images, template):
    """Fraction of ``images`` [N, S, S, C] whose pixels correlate better with ``template`` [S, S, C] turned by 90,
    180 or 270 degrees than with the template itself."""
    flat = images.reshape(len(images), -1)
    flat = flat - flat.mean(axis=1, keepdims=True)
    turns = np.stack([np.rot90(template, k).reshape(-1) for k in range(4)])
    turns = turns - turns.mean(axis=1, keepdims=True)
    scores = (flat @ turns.T) / (np.linalg.norm(flat, axis=1, keepdims=True) * np.linalg.norm(turns, axis=1) + 1e-12)
    return float(np.mean(np.argmax(scores, axis=1) != 0))


def hue_histogram(images):
    """The chroma-weighted histogram of hues (HUE_BINS bins over 0-360 degrees, sum 1) of RGB ``images``; zeros
    when no pixel has any chroma."""
    red, green, blue = images[..., 0], images[..., 1], images[..., 2]
    high, low = images.max(axis=-1), images.min(axis=-1)
    chroma = high - low
    safe = np.where(chroma > 0, chroma, 1.0)
    hue = np.where(high == red, ((green - blue) / safe) % 6.0,
                   np.where(high == green, (blue - red) / safe + 2.0, (red - green) / safe + 4.0)) * 60.0
    counts, _ = np.histogram(hue, bins=HUE_BINS, range=(0.0, 360.0), weights=chroma)
    total = counts.sum()
    return counts / total if total > 0 else counts


def augment_leak(reals, fakes, num_images):
    """Figures of ``num_images`` fakes against as many reals (iterables of uint8 batches): ``turned_fakes``,
    ``turned_reals``, ``hue_tv``, ``luma_fakes``, ``luma_reals``."""
    reals, fakes = _collect(reals, num_images), _collect(fakes, num_images)
    template = reals.mean(axis=0)
    colour = reals.shape[-1] == 3
    luma = (lambda x: x @ _LUMA) if colour else (lambda x: x[..., 0])
    hue_tv = 0.5 * float(np.abs(hue_histogram(fakes) - hue_histogram(reals)).sum()) if colour else 0.0
    return {"turned_fakes": turned_fraction(fakes, template), "turned_reals": turned_fraction(reals, template),
            "hue_tv": hue_tv, "luma_fakes": float(luma(fakes).mean()), "luma_reals": float(luma(reals).mean())}
