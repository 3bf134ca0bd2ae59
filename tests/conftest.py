import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(__file__))

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def no_global_random_seed_left_behind():
    """A test that sets TensorFlow's global seed (keras.utils.set_random_seed) must not change what later tests
    in the same process draw: op seeds combine with it, so e.g. a seeded tf.data shuffle would read another
    order than the same call in a tool's fresh process."""
    yield
    if "tensorflow" in sys.modules:
        sys.modules["tensorflow"].random.set_seed(None)
