"""Decoding and conversion of one image file: every PIL mode, alpha, EXIF, transforms, malformed files.

Expected pixels are worked out by hand in the comments (or with plain numpy), not with the code under test.
"""

import numpy as np
import pytest
from PIL import Image

from image_files import encoded, malformed_files, png_bytes, raw_png
from pipelines.errors import SkipImage
from pipelines.image_decode import decode_image, open_image

BG = (10, 20, 30)


def decode(image, fmt="PNG", resolution=None, **kwargs):
    data = encoded(image, fmt)
    return decode_image(data, resolution or image.size[0], background=BG, **kwargs)


def test_rgb_png_is_exact():
    pixels = np.random.default_rng(0).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    np.testing.assert_array_equal(decode(Image.fromarray(pixels)), pixels)


def test_palette_with_transparency_composites_transparent_entry_onto_background():
    image = Image.new("P", (4, 4))
    image.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    image.putdata([0, 1] * 8)
    image.info["transparency"] = 1  # palette entry 1 (green) fully transparent
    out = decode(image)
    np.testing.assert_array_equal(out.reshape(-1, 3)[0::2], np.tile([255, 0, 0], (8, 1)))
    np.testing.assert_array_equal(out.reshape(-1, 3)[1::2], np.tile(BG, (8, 1)))


def test_la_composites_half_alpha():
    # L=200, A=128 over (10, 20, 30): (200*128 + bg*127) / 255 = 105.4, 110.4, 115.4 -> 105, 110, 115
    image = Image.merge("LA", [Image.new("L", (4, 4), 200), Image.new("L", (4, 4), 128)])
    np.testing.assert_array_equal(decode(image)[0, 0], [105, 110, 115])


def test_rgba_alpha_extremes_and_middle():
    pixels = np.zeros((4, 4, 4), dtype=np.uint8)
    pixels[0, 0] = [100, 150, 200, 255]  # opaque: itself
    pixels[0, 1] = [100, 150, 200, 0]  # transparent: background
    pixels[0, 2] = [255, 255, 255, 51]  # 20%: 255*0.2 + bg*0.8 = 59, 67, 75
    out = decode(Image.fromarray(pixels, "RGBA"))
    np.testing.assert_array_equal(out[0, :3], [[100, 150, 200], list(BG), [59, 67, 75]])


def test_rgba_to_one_channel_uses_bt601_luma():
    pixels = np.zeros((4, 4, 4), dtype=np.uint8)
    pixels[..., 3] = 255
    pixels[0, 0, :3] = [255, 0, 0]  # 0.299 * 255 = 76.2 -> 76
    pixels[0, 1, :3] = [0, 255, 0]  # 0.587 * 255 = 149.7 -> 150
    pixels[0, 2, :3] = [0, 0, 255]  # 0.114 * 255 = 29.1 -> 29
    pixels[0, 3, :3] = [77, 77, 77]  # gray stays gray
    out = decode(Image.fromarray(pixels, "RGBA"), channels=1)
    assert out.shape == (4, 4, 1)
    np.testing.assert_array_equal(out[0, :, 0], [76, 150, 29, 77])


def test_cmyk_tiff():
    # (255 - C) * (255 - K) / 255 per channel, with M for G and Y for B.
    cmyk = np.zeros((4, 4, 4), dtype=np.uint8)
    cmyk[0, 0] = [255, 0, 0, 0]  # full cyan -> (0, 255, 255)
    cmyk[0, 1] = [0, 51, 0, 0]  # 20% magenta -> (255, 204, 255)
    cmyk[0, 2] = [0, 0, 0, 128]  # half black -> 127 everywhere
    cmyk[0, 3] = [0, 0, 255, 255]  # black -> 0
    out = decode(Image.fromarray(cmyk, "CMYK"), fmt="TIFF")
    np.testing.assert_array_equal(out[0], [[0, 255, 255], [255, 204, 255], [127, 127, 127], [0, 0, 0]])


def test_sixteen_bit_grayscale_is_rounded_not_clipped():
    values = np.array([[0, 65535, 25700, 1000]] * 4, dtype=np.uint16)  # /257: 0, 255, 100, 3.89
    out = decode(Image.fromarray(values))
    np.testing.assert_array_equal(out[0, :, 0], [0, 255, 100, 4])
    np.testing.assert_array_equal(out[..., 0], out[..., 2])


def test_grayscale_and_bilevel():
    gray = np.arange(16, dtype=np.uint8).reshape(4, 4) * 16
    np.testing.assert_array_equal(decode(Image.fromarray(gray)), np.repeat(gray[..., None], 3, axis=-1))
    np.testing.assert_array_equal(decode(Image.fromarray(gray), channels=1)[..., 0], gray)
    bits = Image.fromarray(np.eye(4, dtype=bool))
    assert bits.mode == "1"
    np.testing.assert_array_equal(decode(bits)[..., 1], np.eye(4) * 255)


def test_gif_uses_first_frame():
    frames = [Image.new("RGB", (4, 4), (255, 0, 0)), Image.new("RGB", (4, 4), (0, 0, 255))]
    data = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:])
    np.testing.assert_array_equal(decode_image(data, 4)[0, 0], [255, 0, 0])


def test_exif_orientation_is_applied():
    pixels = np.arange(6 * 3, dtype=np.uint8).reshape(2, 3, 3) * 10
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    data = encoded(Image.fromarray(pixels), "PNG", exif=exif.tobytes())
    np.testing.assert_array_equal(np.asarray(open_image(data)), np.rot90(pixels, k=-1))


def test_center_crop_letterbox_and_resize():
    wide = np.zeros((4, 8, 3), dtype=np.uint8)
    wide[:, :, 0] = np.arange(8) * 30  # columns 0..7 -> red 0..210
    image = Image.fromarray(wide)
    crop = decode_image(png_bytes(image), 4, transform="center-crop")
    np.testing.assert_array_equal(crop[0, :, 0], [60, 90, 120, 150])  # middle columns 2..5
    boxed = decode_image(png_bytes(image), 8, transform="letterbox", background=BG)
    np.testing.assert_array_equal(boxed[:2].reshape(-1, 3), np.tile(BG, (16, 1)))  # bars of (8-4)/2 rows
    np.testing.assert_array_equal(boxed[2:6], wide)
    np.testing.assert_array_equal(boxed[6:].reshape(-1, 3), np.tile(BG, (16, 1)))
    assert decode_image(png_bytes(image), 4, transform="resize").shape == (4, 4, 3)


def test_downscale_keeps_a_flat_colour():
    flat = Image.new("RGB", (37, 50), (12, 200, 99))
    np.testing.assert_array_equal(decode_image(png_bytes(flat), 16), np.full((16, 16, 3), [12, 200, 99]))


@pytest.mark.parametrize("name", sorted(malformed_files(np.random.default_rng(0))))
def test_malformed_file_is_skipped_with_its_reason(name):
    data, category = malformed_files(np.random.default_rng(0))[name]
    with pytest.raises(SkipImage) as raised:
        decode_image(data, 16, min_size=16)
    assert raised.value.category == category
    assert str(raised.value).startswith(category)


def test_small_pixel_limit_flags_a_bomb():
    with pytest.raises(SkipImage, match="decompression bomb"):
        decode_image(png_bytes(np.zeros((32, 32, 3), np.uint8)), 16, max_pixels=100)


def test_sixteen_bit_rgb_png_keeps_the_high_byte():
    pixels = np.array([[[0, 65535, 32896], [1000, 25700, 65280]]] * 2, dtype=">u2")  # 2x2, 16 bits/sample
    data = raw_png(2, 2, 16, 2, b"".join(b"\x00" + row.tobytes() for row in pixels))  # filter byte 0 per row
    # v >> 8: 0, 255, 128 | 1000 -> 3, 25700 -> 100, 65280 -> 255
    np.testing.assert_array_equal(decode_image(data, 2)[0], [[0, 255, 128], [3, 100, 255]])
