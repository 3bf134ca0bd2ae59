import os

import pytest

import keras_stylegan as ks

FIXTURE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "quickstart-faces",
                       "quickstart-faces-32px.keras")


@pytest.fixture(scope="session")
def faces():
    """The quickstart network trained on 97 face emoji (tests/fixtures/quickstart-faces/README.md)."""
    return ks.load_generator(FIXTURE)
