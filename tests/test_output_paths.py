import os

import pytest

from keras_stylegan.errors import UserError
from keras_stylegan.output_paths import check_creatable_dir, check_output_dir, check_output_file


def test_a_new_file_in_missing_directories_passes_and_creates_nothing(tmp_path):
    check_output_file(str(tmp_path / "a" / "b" / "out.png"), "--output")
    assert os.listdir(tmp_path) == []


def test_an_existing_file_is_refused_unless_overwrite(tmp_path):
    path = tmp_path / "out.png"
    path.write_bytes(b"old")
    with pytest.raises(UserError, match=r"--output=.*out.png exists; give --overwrite to replace it"):
        check_output_file(str(path), "--output")
    check_output_file(str(path), "--output", overwrite=True)
    assert path.read_bytes() == b"old"


def test_a_file_path_that_is_a_directory_is_refused_even_with_overwrite(tmp_path):
    with pytest.raises(UserError, match="is a directory; give a file name"):
        check_output_file(str(tmp_path), "--output", overwrite=True)


def test_a_path_under_a_regular_file_names_the_file_in_the_way(tmp_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("x")
    with pytest.raises(UserError, match=f"{blocker} is in the way: a file, not a directory"):
        check_output_file(str(blocker / "sub" / "out.png"), "--output")
    with pytest.raises(UserError, match=f"--outdir={blocker}: {blocker} is a file, not a directory"):
        check_output_dir(str(blocker), ["seed0000.png"], "--outdir")


def test_existing_outputs_in_a_directory_are_counted_and_named(tmp_path):
    for seed in range(5):
        (tmp_path / f"seed{seed:04d}.png").write_bytes(b"x")
    names = [f"seed{seed:04d}.png" for seed in range(10)]
    with pytest.raises(UserError) as error:
        check_output_dir(str(tmp_path), names, "--outdir")
    assert "5 of the 10 files to write exist (seed0000.png, seed0001.png, seed0002.png, ...)" in str(error.value)
    assert "give --overwrite to replace them" in str(error.value)
    check_output_dir(str(tmp_path), names, "--outdir", overwrite=True)
    check_output_dir(str(tmp_path), [f"seed{seed:04d}.png" for seed in range(5, 10)], "--outdir")


def test_a_directory_where_a_file_goes_is_refused_even_with_overwrite(tmp_path):
    (tmp_path / "grid.png").mkdir()
    with pytest.raises(UserError, match="grid.png is a directory where a file is to be written"):
        check_output_dir(str(tmp_path), ["grid.png"], "--outdir", overwrite=True)


def test_empty_paths_are_refused(tmp_path):
    with pytest.raises(UserError, match="--output is empty"):
        check_output_file("", "--output")
    with pytest.raises(UserError, match="--outdir is empty"):
        check_output_dir("", ["a.png"], "--outdir")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to any directory")
def test_a_read_only_directory_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(UserError, match="is not writable"):
            check_creatable_dir(str(locked / "new"), "--outdir")
    finally:
        locked.chmod(0o700)


def test_a_tree_output_is_refused_when_it_exists_and_replaced_only_if_the_tool_wrote_it(tmp_path):
    from keras_stylegan.output_paths import check_output_tree

    target = tmp_path / "data"
    check_output_tree(str(target), "--output")  # missing: fine
    target.mkdir()
    check_output_tree(str(target), "--output", overwrite=True, marker="manifest.json")  # empty: may be replaced
    (target / "holiday.jpg").write_bytes(b"a photo")
    with pytest.raises(UserError, match=r"--output: .*data exists; give --overwrite to replace it"):
        check_output_tree(str(target), "--output", marker="manifest.json")
    with pytest.raises(UserError, match=r"is a directory but not a prepared dataset \(it has no manifest.json\), so it is "
                                        r"not replaced even with --overwrite"):
        check_output_tree(str(target), "--output", overwrite=True, marker="manifest.json", what="prepared dataset")
    (target / "manifest.json").write_text("{}")
    check_output_tree(str(target), "--output", overwrite=True, marker="manifest.json")
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="file exists and is not a directory"):
        check_output_tree(str(tmp_path / "file"), "--output", overwrite=True, marker="manifest.json")
    with pytest.raises(UserError, match="is in the way: a file"):
        check_output_tree(str(tmp_path / "file" / "data"), "--output")


def test_move_into_place_swaps_a_finished_directory_in_and_leaves_nothing_else(tmp_path):
    from keras_stylegan.output_paths import move_into_place

    for content in ("first", "second"):
        built = tmp_path / f".out.partial-{content}"
        built.mkdir()
        (built / "content.txt").write_text(content)
        move_into_place(str(built), str(tmp_path / "out"))
        assert sorted(os.listdir(tmp_path)) == ["out"]
        assert (tmp_path / "out" / "content.txt").read_text() == content


def test_an_appendable_file_is_a_regular_file_in_a_writable_directory(tmp_path):
    from keras_stylegan.output_paths import check_appendable_file

    check_appendable_file(str(tmp_path / "run" / "metrics.jsonl"), "--network")
    (tmp_path / "metrics.jsonl").mkdir()
    with pytest.raises(UserError, match="metrics.jsonl is not a regular file"):
        check_appendable_file(str(tmp_path / "metrics.jsonl"), "--network")


def test_more_files_than_max_files_are_refused_naming_the_flag_to_raise():
    from keras_stylegan.output_paths import check_file_count

    check_file_count(10, 10, "--seeds=0-9")
    with pytest.raises(UserError, match=r"--seeds=0-10 asks for 11 files, more than --max_files=10; give "
                                        r"--max_files=11 to write them all"):
        check_file_count(11, 10, "--seeds=0-10")
