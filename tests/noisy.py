"""Test networks whose noise and truncation show: a fresh Generator has zero noise strengths and w_avg."""

import numpy as np


def with_noise(generator, strength=0.5, seed=1):
    """``generator`` with every noise strength set to ``strength`` and a random w_avg (scale 0.3)."""
    for name, variable in generator.named_weights().items():
        if name.endswith("noise/strength"):
            variable.assign(np.full(variable.shape, strength, np.float32))
    size = generator.config.dlatent_size
    generator.w_avg.assign(np.random.RandomState(seed).randn(size).astype(np.float32) * 0.3)
    return generator
