"""The table from NVIDIA's variable names to ours, with the layout change each variable needs.

Official names are those of the official ``Network.vars`` (a component's variables prefixed by its name);
ours are ``named_weights()`` paths. Blocks correspond one to one (official scope ``{r}x{r}`` = our ``b{r}``,
``ToRGB_lod{k}`` / ``FromRGB_lod{k}`` = ``b{R / 2**k}/to_rgb`` / ``from_rgb``), and so do the layers:

    G_mapping/Dense{i}/weight, bias         mapping/dense{i}/kernel, bias
    G_mapping/LabelConcat/weight            mapping/label_embedding
    dlatent_avg                             w_avg
    G_synthesis/4x4/Const/const             synthesis/b4/const/const/const              NCHW -> NHWC
    G_synthesis/{r}x{r}/{Layer}/weight      synthesis/b{r}/{layer}/conv/kernel          flipped if fused up-sampling
    G_synthesis/{r}x{r}/{Layer}/bias        synthesis/b{r}/{layer}/bias
    G_synthesis/{r}x{r}/{Layer}/Noise/weight     synthesis/b{r}/{layer}/noise/strength
    G_synthesis/{r}x{r}/{Layer}/StyleMod/weight  synthesis/b{r}/{layer}/adain/affine/kernel (and bias)
    G_synthesis/noise{i}                    the i-th styled layer's noise/const_noise   NCHW -> NHWC
    {r}x{r}/Conv0, Conv1_down (D)           b{r}/conv0, conv1_down
    4x4/Conv, Dense0, Dense1 (D)            b4/conv, dense0, dense1                     Dense0 rows NCHW -> NHWC

with {Layer} -> {layer}: Const -> const, Conv -> conv (4x4), Conv0_up -> conv0_up, Conv1 -> conv1. The
official fused up-sampling convolution (``Conv0_up`` at 128 px and above with fused_scale "auto") hands its
kernel to ``conv2d_transpose`` unflipped, ours flips it so that the fused and unfused forms are one function:
the same network has our kernel = the official one flipped in both spatial axes. The official fused
down-sampling convolution and every other kernel are used as stored. ``lod`` variables are not weights.
"""

import functools
import math

import numpy as np

IGNORED = {"G": ("lod", "G_synthesis/lod"), "D": ("lod",)}  # the level of detail: a setting, not a weight
_PARAMETERS = (("weight", "kernel"), ("bias", "bias"))


def nchw_to_nhwc(value):
    """[N, C, H, W] -> [N, H, W, C] (the learned constant and the noise inputs)."""
    return np.transpose(value, (0, 2, 3, 1))


def flip_spatial(value):
    """A [k, k, in, out] kernel flipped in both spatial axes (the official fused up-sampling kernel)."""
    return value[::-1, ::-1]


def nchw_rows_to_nhwc(value, channels):
    """Rows of a dense kernel fed by a flattened [C, 4, 4] input, reordered for a flattened [4, 4, C] one."""
    return value.reshape(channels, 4, 4, -1).transpose(1, 2, 0, 3).reshape(16 * channels, -1)


def _dense(table, official, ours, convert=None):
    """A layer's weight and bias: official ``{official}/weight``, ``/bias`` -> our ``{ours}/kernel``, ``/bias``."""
    for official_name, our_name in _PARAMETERS:
        table[f"{official}/{official_name}"] = (f"{ours}/{our_name}", convert if official_name == "weight" else None)


def _lod(config, resolution):
    """The official level of detail of a resolution: log2(final) - log2(resolution) (``ToRGB_lod{k}``)."""
    return config.resolution_log2 - int(math.log2(resolution))


def _styled_layers(resolution):
    """(official scope, our name) of the two styled layers of the generator block at ``resolution``."""
    return (("Const", "const"), ("Conv", "conv")) if resolution == 4 else (("Conv0_up", "conv0_up"), ("Conv1", "conv1"))


def generator_table(config):
    """``{official name: (our weight path, conversion or None)}`` for every weight of G / Gs."""
    table = {"dlatent_avg": ("w_avg", None)}
    if config.label_size:
        table["G_mapping/LabelConcat/weight"] = ("mapping/label_embedding", None)
    for i in range(config.mapping_layers):
        _dense(table, f"G_mapping/Dense{i}", f"mapping/dense{i}")
    layer_index = 0
    for res in config.resolutions:
        block, ours = f"G_synthesis/{res}x{res}", f"synthesis/b{res}"
        for scope, name in _styled_layers(res):
            official, layer = f"{block}/{scope}", f"{ours}/{name}"
            if scope == "Const":
                table[f"{official}/const"] = (f"{layer}/const/const", nchw_to_nhwc)
            else:
                fused_up = scope == "Conv0_up" and config.is_fused(res)
                table[f"{official}/weight"] = (f"{layer}/conv/kernel", flip_spatial if fused_up else None)
            table[f"{official}/bias"] = (f"{layer}/bias", None)
            _dense(table, f"{official}/StyleMod", f"{layer}/adain/affine")
            if config.use_noise:
                table[f"{official}/Noise/weight"] = (f"{layer}/noise/strength", None)
                table[f"G_synthesis/noise{layer_index}"] = (f"{layer}/noise/const_noise", nchw_to_nhwc)
            layer_index += 1
        _dense(table, f"G_synthesis/ToRGB_lod{_lod(config, res)}", f"{ours}/to_rgb")
    return table


def discriminator_table(config):
    """``{official name: (our weight path, conversion or None)}`` for every weight of D."""
    table = {}
    for res in config.resolutions:
        _dense(table, f"FromRGB_lod{_lod(config, res)}", f"b{res}/from_rgb")
        if res > 4:
            _dense(table, f"{res}x{res}/Conv0", f"b{res}/conv0")
            _dense(table, f"{res}x{res}/Conv1_down", f"b{res}/conv1_down")
        else:
            _dense(table, "4x4/Conv", "b4/conv")
            _dense(table, "4x4/Dense0", "b4/dense0", functools.partial(nchw_rows_to_nhwc, channels=config.channels_at(4)))
            _dense(table, "4x4/Dense1", "b4/dense1")
    return table
