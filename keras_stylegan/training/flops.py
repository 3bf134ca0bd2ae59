"""Model FLOPs of StyleGAN's networks and of one training step, counted analytically from the layer shapes.

The count is what model FLOPs utilisation (MFU: achieved model FLOP/s over the hardware's peak FLOP/s,
Chowdhery et al. 2022, "PaLM", App. B) divides by. Conventions:

- A multiply-add is 2 FLOPs. Only the layers' multiply-accumulate work is counted: dense layers (mapping,
  style affines "A", D's dense layers), convolutions (3x3, 1x1 toRGB / fromRGB, the fused up-sampling
  transposed and down-sampling strided 4x4 ones) and the depthwise binomial blur. A convolution counts
  every kernel tap at every output position, the zero padding included, as TensorFlow's profiler does.
  Elementwise work (bias, leaky ReLU, noise, instance norm, pixel norm, minibatch stddev, nearest and
  average resampling, fade-in blends, the losses) is linear in the activations, not in activations x
  channels, and is left out, except the EMA update of Gs, which the step counts (3 FLOPs a weight).
- Backward through a network whose weights the pass trains costs 2x its forward (the gradients with
  respect to the inputs and to the weights, each as costly as the forward); backward through a network
  only to reach its input (D inside G's step, the inner gradient of R1 / WGAN-GP) costs 1x.
- A gradient penalty (R1, Mescheder et al. 2018 Eq. 9; WGAN-GP, Gulrajani et al. 2017 Eq. 3) takes the
  inner gradient of D's output with respect to its input (1x) and then differentiates its norm with
  respect to D's weights: back through the inner backward pass (2x: its upstream gradient and its
  weights) and back through D's forward pass (2x, because the minibatch-stddev layer's second derivative
  is not zero). For R1 on reals, D's forward on reals and the backward through it are those of the real
  scores' loss, shared; WGAN-GP runs D on its own interpolated images.

The graph TensorFlow traces for a training step holds ~10% more of these FLOPs (9-11% on a tiny network):
the gradient of a convolution builds both its input and its weight gradient, and the weight gradients of D
inside G's step and inside the penalties' inner gradient are used by nothing, so the runtime prunes them.
The ops that do run come to this count within 2% (tests/training/test_flops.py; the profiler has no FLOP
figure for the blur's backward ops, and no input gradient is taken for a network's first layer).
"""

from keras_stylegan.config import ArchitectureConfig

BLUR_TAPS = 3  # the [1, 2, 1] binomial filter of layers.resample.Blur


def dense(fan_in, units):
    """One dense layer's FLOPs per sample: fan_in x units multiply-adds."""
    return 2 * fan_in * units


def conv2d(out_size, kernel, in_channels, out_channels):
    """A convolution's FLOPs per sample on an ``out_size`` x ``out_size`` output: every tap at every position."""
    return 2 * out_size * out_size * kernel * kernel * in_channels * out_channels


def transposed_conv2d(in_size, kernel, in_channels, out_channels):
    """A transposed convolution's FLOPs per sample: every input position scatters a full kernel."""
    return 2 * in_size * in_size * kernel * kernel * in_channels * out_channels


def blur(size, channels, taps=BLUR_TAPS):
    """The depthwise taps x taps blur's FLOPs per sample on a ``size`` x ``size`` x ``channels`` tensor."""
    return 2 * size * size * channels * taps * taps


def mapping_layers(config):
    """``{layer: FLOPs per sample}`` of the mapping network f (StyleGAN Sec. 2, Fig. 1b)."""
    config = ArchitectureConfig.coerce(config)
    layers = {}
    in_size = config.latent_size
    if config.label_size:
        layers["label_embedding"] = dense(config.label_size, config.latent_size)
        in_size += config.latent_size
    for i in range(config.mapping_layers):
        units = config.dlatent_size if i == config.mapping_layers - 1 else config.mapping_fmaps
        layers[f"dense{i}"] = dense(in_size, units)
        in_size = units
    return layers


def synthesis_layers(config, stage=None, fading=False):
    """``{layer: FLOPs per sample}`` of the synthesis network g at ``stage`` (a resolution; None = final).

    ``fading``: alpha is not the constant 1, so the previous block's toRGB runs as well (ProGAN Fig. 2).
    """
    config = ArchitectureConfig.coerce(config)
    stage = config.check_stage(stage)
    layers = {}
    for res in config.resolutions:
        if res > stage:
            break
        channels = config.channels_at(res)
        affine = dense(config.dlatent_size, 2 * channels)
        if res == 4:
            layers["b4/const/adain/affine"] = affine
            layers["b4/conv/conv"] = conv2d(4, 3, channels, channels)
            layers["b4/conv/adain/affine"] = affine
            continue
        in_channels = config.channels_at(res // 2)
        if config.is_fused(res):
            layers[f"b{res}/conv0_up/conv"] = transposed_conv2d(res // 2, 4, in_channels, channels)
        else:
            layers[f"b{res}/conv0_up/conv"] = conv2d(res, 3, in_channels, channels)
        layers[f"b{res}/conv0_up/blur"] = blur(res, channels)
        layers[f"b{res}/conv0_up/adain/affine"] = affine
        layers[f"b{res}/conv1/conv"] = conv2d(res, 3, channels, channels)
        layers[f"b{res}/conv1/adain/affine"] = affine
    layers[f"b{stage}/to_rgb"] = conv2d(stage, 1, config.channels_at(stage), config.num_channels)
    if fading and stage > 4:
        previous = stage // 2
        layers[f"b{previous}/to_rgb"] = conv2d(previous, 1, config.channels_at(previous), config.num_channels)
    return layers


def discriminator_layers(config, stage=None, fading=False):
    """``{layer: FLOPs per sample}`` of the discriminator at ``stage`` (ProGAN Table 2, StyleGAN App. C).

    ``fading``: alpha is not the constant 1, so the previous block's fromRGB runs on the 2x2-averaged image.
    """
    config = ArchitectureConfig.coerce(config)
    stage = config.check_stage(stage)
    layers = {f"b{stage}/from_rgb": conv2d(stage, 1, config.num_channels, config.channels_at(stage))}
    if fading and stage > 4:
        previous = stage // 2
        layers[f"b{previous}/from_rgb"] = conv2d(previous, 1, config.num_channels, config.channels_at(previous))
    res = stage
    while res > 4:
        channels, out_channels = config.channels_at(res), config.channels_at(res // 2)
        layers[f"b{res}/conv0"] = conv2d(res, 3, channels, channels)
        layers[f"b{res}/blur"] = blur(res, channels)
        if config.is_fused(res):
            layers[f"b{res}/conv1_down"] = conv2d(res // 2, 4, channels, out_channels)
        else:
            layers[f"b{res}/conv1_down"] = conv2d(res, 3, channels, out_channels)
        res //= 2
    channels = config.channels_at(4)
    mbstd_features = config.mbstd_num_features if config.mbstd_group_size > 1 else 0
    layers["b4/conv"] = conv2d(4, 3, channels + mbstd_features, channels)
    layers["b4/dense0"] = dense(16 * channels, config.nf(0))
    layers["b4/dense1"] = dense(config.nf(0), max(config.label_size, 1))
    return layers


def generator_weights(config):
    """(trainable, non-trainable) weight counts of the Generator at full resolution, from the layer list.

    Trainable: mapping, the constant, per styled layer its conv kernel, noise strength, bias and style
    affine, per block its toRGB. Non-trainable: w_avg and each styled layer's constant noise image.
    """
    config = ArchitectureConfig.coerce(config)
    trainable = sum(flops // 2 for flops in mapping_layers(config).values())  # kernels and label embedding
    trainable += (config.mapping_layers - 1) * config.mapping_fmaps + config.dlatent_size  # mapping biases
    noise = 0
    for res in config.resolutions:
        channels = config.channels_at(res)
        affine = config.dlatent_size * 2 * channels + 2 * channels  # style "A": kernel and bias
        trainable += 2 * (affine + channels)  # two styled layers, each with its own bias
        if config.use_noise:
            trainable += 2 * channels  # noise strengths
            noise += 2 * res * res
        if res == 4:
            trainable += 16 * channels + 9 * channels * channels  # constant, conv
        else:
            trainable += 9 * config.channels_at(res // 2) * channels + 9 * channels * channels  # conv0_up, conv1
        trainable += channels * config.num_channels + config.num_channels  # toRGB
    return trainable, config.dlatent_size + noise


def training_step_terms(config, loss, stage, batch, fading=False):
    """``{term: FLOPs}`` of one ``StyleGAN.train_step`` on a global batch of ``batch`` images.

    ``loss`` is a ``LossConfig``; ``fading``: the stage is being faded in (alpha a variable: during
    training every stage above the start resolution computes both fade-in paths). Lazy R1 (interval k)
    is counted as its average per step, 1/k of the penalty.
    """
    config = ArchitectureConfig.coerce(config)
    mapping = sum(mapping_layers(config).values())
    mappings = 2 if config.style_mixing_prob > 0 else 1  # style mixing maps a second z (Sec. 3.1)
    generator = mappings * mapping + sum(synthesis_layers(config, stage, fading).values())
    discriminator = sum(discriminator_layers(config, stage, fading).values())
    terms = {
        "d_step/G_forward": batch * generator,
        "d_step/D_fakes_forward_backward": 3 * batch * discriminator,
        "d_step/D_reals_forward_backward": 3 * batch * discriminator,
    }
    if loss.loss == "wgan_gp":
        terms["d_step/gradient_penalty"] = 6 * batch * discriminator
    else:
        if loss.r1_gamma > 0:
            terms["d_step/r1"] = 3 * batch * discriminator / loss.r1_interval
        if loss.r2_gamma > 0:
            terms["d_step/r2"] = 6 * batch * discriminator
    terms["g_step/G_forward_backward"] = 3 * batch * generator
    terms["g_step/D_forward_backward_to_input"] = 2 * batch * discriminator
    trainable, non_trainable = generator_weights(config)
    terms["ema"] = 3 * (trainable + non_trainable)
    return terms


def training_step_flops(config, loss, stage, batch, fading=False):
    """Model FLOPs of one training step (the sum of :func:`training_step_terms`)."""
    return sum(training_step_terms(config, loss, stage, batch, fading).values())
