"""Everything between image files and batched tensors.

Images (a folder, a .zip or an embedded ``builtin:NAME`` set) are prepared once into sharded
multi-resolution TFRecords with a ``manifest.json`` (:mod:`pipelines.prepare`), in the manner of
the official dataset tool of Karras et al. 2018 ("Progressive Growing of GANs", Sec. 5 / App. A)
and 2019 ("A Style-Based Generator Architecture for GANs"): one set of records per resolution
4..R so that early, low-resolution stages never decode full-size images. :mod:`pipelines.reader`
turns the records of one resolution into a ``tf.data.Dataset``.

This package is imported by decoding worker processes, so it imports nothing heavy here.
"""
