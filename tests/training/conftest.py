"""Fixtures for the training tests."""

import keras
import pytest


@pytest.fixture
def policy():
    """Sets a global dtype policy for one test and restores float32 afterwards."""
    yield keras.mixed_precision.set_global_policy
    keras.mixed_precision.set_global_policy("float32")
