import io

import pytest

from keras_stylegan.errors import UserError, one_line_errors


def test_a_user_error_is_one_line_and_exit_status_2():
    stream = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        with one_line_errors("tool.py", stream=stream):
            raise UserError("--seeds=x is not a list of integers\n(give e.g. 0-35,85)")
    assert exit_info.value.code == 2
    assert stream.getvalue() == "tool.py: error: --seeds=x is not a list of integers (give e.g. 0-35,85)\n"


def test_verbose_adds_the_traceback_and_bugs_keep_theirs():
    stream = io.StringIO()
    with pytest.raises(SystemExit):
        with one_line_errors("tool.py", verbose=True, stream=stream):
            raise UserError("bad")
    assert "Traceback" in stream.getvalue() and stream.getvalue().endswith("tool.py: error: bad\n")
    with pytest.raises(KeyError):
        with one_line_errors("tool.py", stream=io.StringIO()):
            raise KeyError("a bug")
