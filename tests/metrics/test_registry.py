"""metrics.jsonl: appending never joins a record onto a line cut short, and reading names each bad line."""

import json

from keras_stylegan.metrics import append_record, read_records


def test_a_record_appended_to_a_file_without_a_final_newline_starts_its_own_line(tmp_path):
    path = tmp_path / "metrics.jsonl"
    path.write_bytes(b'{"metric": "swd", "results": {"swd": 1.0}}')  # an edit that dropped the newline
    append_record(str(path), {"metric": "swd", "results": {"swd": 2.0}})
    append_record(str(path), {"metric": "fid", "results": {"fid": 3.0}})
    lines = path.read_text().splitlines()
    assert [json.loads(line)["results"] for line in lines] == [{"swd": 1.0}, {"swd": 2.0}, {"fid": 3.0}]
    assert path.read_bytes().endswith(b"}\n")
    append_record(str(tmp_path / "new.jsonl"), {"metric": "swd", "results": {"swd": 4.0}})
    assert (tmp_path / "new.jsonl").read_text() == '{"metric": "swd", "results": {"swd": 4.0}}\n'


def test_reading_passes_over_bad_lines_by_number_and_keeps_the_rest(tmp_path):
    path = tmp_path / "metrics.jsonl"
    good = [json.dumps({"metric": "swd", "kimg": k, "results": {"swd": float(k)}}) for k in range(4)]
    path.write_text("\n".join([
        good[0],
        good[1] + good[2],  # two records glued by an append of an older version: both are read
        "",
        '["not", "a", "record"]',
        good[3],
        good[3][:20],  # a crash cut the last line short
    ]))
    records, problems = read_records(str(path))
    assert [r["kimg"] for r in records] == [0, 1, 2, 3]
    assert [number for number, _ in problems] == [4, 6]
    assert problems[0][1] == "not a metric record (a JSON object with 'results')"
    assert problems[1][1].startswith("not JSON (") and problems[1][1].endswith("cut short or edited?)")
