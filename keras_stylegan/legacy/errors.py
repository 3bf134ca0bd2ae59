"""The error of the official-model importer."""

from keras_stylegan.errors import UserError


class OfficialModelError(UserError):
    """An official pickle that cannot be imported as it is: unsafe, damaged, or an architecture (or an
    option of it) that keras-stylegan does not implement. The message names the global, variable or option."""
