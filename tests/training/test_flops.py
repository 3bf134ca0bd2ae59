"""Model FLOP counts: hand-worked numbers for a tiny network, and TensorFlow's profiler on the real graphs."""

import pytest
import tensorflow as tf

from keras_stylegan import ArchitectureConfig, Discriminator, Generator
from keras_stylegan.training import flops
from keras_stylegan.training.losses import LossConfig
from tiny_gan import tiny_model

# nf(0) = 8, nf(1) = 8 channels at 4x4, nf(2) = 4 channels at 8x8.
HAND = ArchitectureConfig(resolution=8, latent_size=4, dlatent_size=4, mapping_layers=2, mapping_fmaps=6,
                          fmap_base=16, fmap_max=8, fused_scale="false")
HEAVY_OPS = ("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter", "DepthwiseConv2dNative", "MatMul")


def test_mapping_by_hand():
    # 4 -> 6 -> 4, two FLOPs a multiply-add
    assert flops.mapping_layers(HAND) == {"dense0": 2 * 4 * 6, "dense1": 2 * 6 * 4}


def test_synthesis_by_hand():
    layers = flops.synthesis_layers(HAND, 8)
    assert layers == {
        "b4/const/adain/affine": 128,  # 4 -> 2 * 8
        "b4/conv/conv": 18432,  # 4x4 outputs x 9 taps x 8 x 8
        "b4/conv/adain/affine": 128,
        "b8/conv0_up/conv": 36864,  # 8x8 outputs x 9 taps x 8 in x 4 out
        "b8/conv0_up/blur": 4608,  # 8x8 x 4 channels x 9 taps
        "b8/conv0_up/adain/affine": 64,  # 4 -> 2 * 4
        "b8/conv1/conv": 18432,  # 8x8 x 9 x 4 x 4
        "b8/conv1/adain/affine": 64,
        "b8/to_rgb": 1536,  # 8x8 x 4 x 3
    }
    assert sum(flops.synthesis_layers(HAND, 8, fading=True).values()) == 80256 + 768  # + toRGB of 4x4: 16 x 8 x 3 x 2
    fused = flops.synthesis_layers(ArchitectureConfig(**{**HAND.to_dict(), "fused_scale": "true"}), 8)
    assert fused["b8/conv0_up/conv"] == 16384  # 4x4 inputs x 16 taps x 8 x 4
    assert sum(flops.synthesis_layers(HAND, 4).values()) == 128 + 18432 + 128 + 2 * 16 * 8 * 3


def test_discriminator_by_hand():
    assert flops.discriminator_layers(HAND, 8) == {
        "b8/from_rgb": 1536,  # 8x8 x 3 x 4
        "b8/conv0": 18432,  # 8x8 x 9 x 4 x 4
        "b8/blur": 4608,
        "b8/conv1_down": 36864,  # 8x8 x 9 x 4 x 8
        "b4/conv": 20736,  # 4x4 x 9 x (8 + 1 stddev map) x 8
        "b4/dense0": 2048,  # 128 x 8
        "b4/dense1": 16,  # 8 x 1
    }
    assert flops.discriminator_layers(HAND, 8, fading=True)["b4/from_rgb"] == 768
    fused = flops.discriminator_layers(ArchitectureConfig(**{**HAND.to_dict(), "fused_scale": "true"}), 8)
    assert fused["b8/conv1_down"] == 16384  # 4x4 outputs x 16 taps x 4 x 8


def test_generator_weights_by_hand_and_at_nvidia_widths():
    # mapping 4*6+6 + 6*4+4 = 58; b4: const 128, conv 576, 2 x (affine 80 + bias 8 + noise 8), toRGB 27;
    # b8: convs 288 + 144, 2 x (affine 40 + bias 4 + noise 4), toRGB 15. w_avg 4, noise images 2*16 + 2*64.
    assert flops.generator_weights(HAND) == (1524, 164)
    generator = Generator(HAND)
    assert sum(int(tf.size(w)) for w in generator.trainable_weights) == 1524
    assert sum(int(tf.size(w)) for w in generator.non_trainable_weights) == 164
    assert flops.generator_weights(ArchitectureConfig())[0] == 26_219_627  # NVIDIA's released FFHQ G


def test_training_step_by_hand():
    g = 2 * 96 + 80256  # two mapping passes (style mixing) + synthesis
    d = 84240
    terms = flops.training_step_terms(HAND, LossConfig(), 8, batch=2)
    assert terms == {
        "d_step/G_forward": 2 * g,
        "d_step/D_fakes_forward_backward": 3 * 2 * d,
        "d_step/D_reals_forward_backward": 3 * 2 * d,
        "d_step/r1": 3 * 2 * d,
        "g_step/G_forward_backward": 3 * 2 * g,
        "g_step/D_forward_backward_to_input": 2 * 2 * d,
        "ema": 3 * (1524 + 164),
    }
    assert flops.training_step_flops(HAND, LossConfig(), 8, batch=2) == 2501928
    wgan = flops.training_step_terms(HAND, LossConfig(loss="wgan_gp"), 8, batch=2)
    assert wgan["d_step/gradient_penalty"] == 6 * 2 * d and "d_step/r1" not in wgan
    assert flops.training_step_terms(HAND, LossConfig(r1_interval=4), 8, 2)["d_step/r1"] == 3 * 2 * d / 4
    no_mixing = ArchitectureConfig(**{**HAND.to_dict(), "style_mixing_prob": 0.0})
    assert flops.training_step_terms(no_mixing, LossConfig(), 8, 2)["d_step/G_forward"] == 2 * (96 + 80256)


def profile_nodes(graph):
    """{node name: FLOPs} of every node of ``graph`` by TensorFlow's profiler ("scope" view)."""
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    nodes, stack = {}, [tf.compat.v1.profiler.profile(graph, cmd="scope", options=options)]
    while stack:
        node = stack.pop()
        nodes[node.name] = node.float_ops
        stack.extend(node.children)
    return nodes


def executed_ops(graph):
    """Names of the ops a function runs: those its outputs or its stateful ops depend on (the rest is pruned)."""
    stack = [t.op for t in graph.outputs] + [op for op in graph.get_operations() if op.op_def.is_stateful]
    names = set()
    while stack:
        op = stack.pop()
        if op.name not in names:
            names.add(op.name)
            stack.extend([t.op for t in op.inputs] + list(op.control_inputs))
    return names


def profiled_flops(function, *specs):
    """FLOPs of the heavy ops of ``function``'s graph by TensorFlow's profiler, {op type: FLOPs}."""
    graph = tf.function(function).get_concrete_function(*specs).graph
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    node = tf.compat.v1.profiler.profile(graph, cmd="op", options=options)
    by_type = {}
    while node.children:  # the "op" view lists op types as a chain, each the child of the previous
        node = node.children[0]
        by_type[node.name] = node.float_ops
    return {name: value for name, value in by_type.items() if name in HEAVY_OPS}


def check_against_profiler(config, stage, fading, batch=2):
    generator, discriminator = Generator(config), Discriminator(config)
    alpha = 0.5 if fading else 1.0
    mapped = profiled_flops(lambda z: generator.mapping(z), tf.TensorSpec([batch, config.latent_size]))
    assert sum(mapped.values()) == batch * sum(flops.mapping_layers(config).values())
    synthesized = profiled_flops(
        lambda ws: generator.synthesis(ws, stage=stage, alpha=alpha, noise_mode="none"),
        tf.TensorSpec([batch, config.num_layers, config.dlatent_size]))
    assert sum(synthesized.values()) == batch * sum(flops.synthesis_layers(config, stage, fading).values())
    discriminated = profiled_flops(lambda x: discriminator(x, stage=stage, alpha=alpha),
                                   tf.TensorSpec([batch, stage, stage, config.num_channels]))
    assert sum(discriminated.values()) == batch * sum(flops.discriminator_layers(config, stage, fading).values())
    return synthesized, discriminated


TINY = dict(resolution=16, fmap_base=64, fmap_max=16, latent_size=8, dlatent_size=8, mapping_layers=2,
            mapping_fmaps=8)


def test_forward_counts_equal_the_profilers_on_a_fading_fused_stage():
    synthesized, discriminated = check_against_profiler(ArchitectureConfig(**TINY, fused_scale="true"), 16, True)
    assert "Conv2DBackpropInput" in synthesized and "DepthwiseConv2dNative" in discriminated  # fused up, blur


@pytest.mark.slow
@pytest.mark.parametrize("fused_scale", ["true", "false"])
@pytest.mark.parametrize("fading", [False, True])
@pytest.mark.parametrize("stage", [4, 8, 16, 32])
def test_forward_counts_equal_the_profilers_at_every_stage(stage, fading, fused_scale):
    check_against_profiler(ArchitectureConfig(**{**TINY, "resolution": 32}, fused_scale=fused_scale), stage, fading)


@pytest.mark.slow
@pytest.mark.parametrize("loss", [LossConfig(), LossConfig(loss="wgan_gp")], ids=["logistic_r1", "wgan_gp"])
def test_training_step_count_equals_the_heavy_ops_that_run(loss):
    model = tiny_model(loss=loss)  # 16 px, start at 8 px: alpha is a variable, both fade-in paths run
    model.set_stage(16, 4)
    graph = tf.function(model.train_step).get_concrete_function(tf.TensorSpec([4, 16, 16, 3])).graph
    nodes, executed = profile_nodes(graph), executed_ops(graph)
    heavy = {op.name for op in graph.get_operations() if op.type in HEAVY_OPS}
    counted = flops.training_step_flops(model.generator.config, loss, 16, 4, fading=True)
    traced = sum(nodes.get(name, 0) for name in heavy)
    run = sum(nodes.get(name, 0) for name in heavy & executed)
    # What runs lacks only what the profiler has no figure for (the blur's backward) and the first layers'
    # input gradients; the traced graph also holds unused weight gradients (D in G's step, penalties' inner).
    assert 0.95 * counted < run <= counted
    assert 1.05 * counted < traced < 1.15 * counted
