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


def expected_counts(resolution, fmap_base, fmap_max, latent, dlatent, mapping_layers, mapping_fmaps, rgb=3,
                    labels=0):
    """Counts worked out from the papers' layer list, independently of the code.

    With ``labels`` classes, as the official conditional networks: G_mapping's LabelConcat embeds the
    one-hot label with a [labels, latent] matrix and concatenates it to z (the first dense layer takes
    2 * latent inputs); D's last dense layer has ``labels`` outputs instead of one.
    """

    def nf(stage):
        return min(fmap_base // 2**stage, fmap_max)

    widths = [latent * (2 if labels else 1)] + [mapping_fmaps] * (mapping_layers - 1) + [dlatent]
    mapping = sum(a * b + b for a, b in zip(widths[:-1], widths[1:])) + labels * latent

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
    outputs = max(labels, 1)
    d += 9 * (nf(1) + 1) * nf(1) + nf(1) + 16 * nf(1) * nf(0) + nf(0) + nf(0) * outputs + outputs
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


def test_conditional_counts_match_the_official_conditional_networks():
    cfg = ArchitectureConfig(resolution=32, fmap_base=256, fmap_max=64, latent_size=24, dlatent_size=20,
                             mapping_layers=3, mapping_fmaps=12, label_size=9)
    mapping, synthesis, d = expected_counts(32, 256, 64, 24, 20, 3, 12, labels=9)
    G, D = Generator(cfg), Discriminator(cfg)
    assert count(G.mapping.trainable_weights) == mapping
    assert count(G.synthesis.trainable_weights) == synthesis
    assert count(D.trainable_weights) == d
    shapes = {name: tuple(w.shape) for name, w in G.named_weights().items()}
    assert shapes["mapping/label_embedding"] == (9, 24)  # official G_mapping/LabelConcat/weight
    assert [tuple(w.shape) for w in D.block(4).dense1.weights] == [(64, 9), (9,)]  # official 4x4/Dense1


def test_conditional_formula_agrees_with_a_hand_count():
    # latent 4, dlatent 4, two mapping layers of width 4, 3 classes: embedding 3*4, dense0 (4+4)*4+4, dense1 4*4+4
    mapping, _, d = expected_counts(8, 32, 8, 4, 4, 2, 4, labels=3)
    assert mapping == 12 + 36 + 20
    _, _, d_unconditional = expected_counts(8, 32, 8, 4, 4, 2, 4)
    assert d - d_unconditional == (8 * 3 + 3) - (8 * 1 + 1)  # nf(0) = min(32, 8) = 8 inputs to Dense1
