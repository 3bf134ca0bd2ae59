"""Errors of the dataset pipeline, each a one-line message naming the problem and what to do."""

from keras_stylegan.errors import UserError


class DatasetError(UserError):
    """A source, an output directory or a prepared dataset cannot be used as asked."""


class SkipImage(Exception):
    """One source file cannot become a training image; ``str(e)`` is the reason written to the manifest.

    The reason starts with a short category (``"truncated"``, ``"not an image"``...), then ``": "`` and
    the details, so that the end-of-run summary can count skips by category.
    """

    def __init__(self, category, detail=""):
        self.category = category
        super().__init__(f"{category}: {detail}" if detail else category)
