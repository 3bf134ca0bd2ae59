import numpy as np

from keras_stylegan import ArchitectureConfig, Discriminator, Generator


def count(weights):
    return sum(int(np.prod(v.shape)) for v in weights)


def test_ffhq_1024_counts_match_nvidia_release():
    G, D = Generator(), Discriminator()
    assert count(G.mapping.trainable_weights) == 2_101_248
    assert count(G.synthesis.trainable_weights) == 24_118_379
    assert count(G.trainable_weights) == 26_219_627
    assert count(D.trainable_weights) == 23_087_249


def expected_counts(resolution, fmap_base, fmap_max, latent, dlatent, mapping_layers, mapping_fmaps, rgb=3):
    """Counts worked out from the papers' layer list, independently of the code."""

    def nf(stage):
        return min(fmap_base // 2**stage, fmap_max)

    widths = [latent] + [mapping_fmaps] * (mapping_layers - 1) + [dlatent]
    mapping = sum(a * b + b for a, b in zip(widths[:-1], widths[1:]))

    def epilogue(c):  # noise strength + bias + style affine (dlatent -> 2c, with bias)
        return c + c + dlatent * 2 * c + 2 * c

    log2 = resolution.bit_length() - 1
    synthesis = nf(1) * 16  # const
    synthesis += epilogue(nf(1)) + 9 * nf(1) * nf(1) + epilogue(nf(1))
    synthesis += nf(1) * rgb + rgb
    for r in range(3, log2 + 1):
        cin, c = nf(r - 2), nf(r - 1)
        synthesis += 9 * cin * c + epilogue(c) + 9 * c * c + epilogue(c) + c * rgb + rgb
    d = 0
    for r in range(2, log2 + 1):
        d += rgb * nf(r - 1) + nf(r - 1)  # fromRGB
    for r in range(3, log2 + 1):
        d += 9 * nf(r - 1) ** 2 + nf(r - 1) + 9 * nf(r - 1) * nf(r - 2) + nf(r - 2)
    d += 9 * (nf(1) + 1) * nf(1) + nf(1) + 16 * nf(1) * nf(0) + nf(0) + nf(0) + 1
    return mapping, synthesis, d


def test_small_config_counts_match_formula():
    cfg = ArchitectureConfig(
        resolution=64, fmap_base=256, fmap_max=64, latent_size=24, dlatent_size=20, mapping_layers=3, mapping_fmaps=12
    )
    mapping, synthesis, d = expected_counts(64, 256, 64, 24, 20, 3, 12)
    G, D = Generator(cfg), Discriminator(cfg)
    assert count(G.mapping.trainable_weights) == mapping
    assert count(G.synthesis.trainable_weights) == synthesis
    assert count(D.trainable_weights) == d


def test_ffhq_formula_agrees_with_release_numbers():
    mapping, synthesis, d = expected_counts(1024, 8192, 512, 512, 512, 8, 512)
    assert (mapping, synthesis, d) == (2_101_248, 24_118_379, 23_087_249)
