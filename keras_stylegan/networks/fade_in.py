"""Fade-in of a new resolution (ProGAN, Karras et al. 2018, Sec. 3 and Fig. 2).

While a resolution is being faded in, the network blends the path through the new block with the path
that skips it, with weight alpha (0 = the previous stage, 1 = the new stage, stable). The generator
blends its images, the discriminator blends its features after the new block, and the reals shown to D
are blended the same way (official ``process_reals``), so that both networks see one consistent resolution.
"""

from keras_stylegan.interpolation import lerp
from keras_stylegan.layers.resample import downsample2d, upsample2d


def is_stable(alpha):
    """True when alpha is the Python constant 1: nothing to fade (and nothing extra to compute)."""
    return isinstance(alpha, (int, float)) and alpha == 1


def fade_in(skip, new, alpha):
    """lerp(skip(), new, alpha): the new block's path ``new`` blended with the path that skips the block,
    ``skip`` (a function, called only when alpha is not the constant 1)."""
    return new if is_stable(alpha) else lerp(skip(), new, alpha)


def fade_reals(reals, alpha):
    """Reals as D sees them during a fade-in: lerp(upsample(avgpool2x2(x)), x, alpha), the same blend of
    resolutions as G's output (official ``process_reals``)."""
    return fade_in(lambda: upsample2d(downsample2d(reals)), reals, alpha)
