"""The columnar JSON Lines reader gives exactly what the per-line reader gives:
the same records, values, broken lines and shape reasons, line for line."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingestion.delimited import FileRejected
from ingestion.feeds._jsonl import FlatJsonLines
from ingestion.json_records import Field, check_drift, iter_json_lines, shape_errors

SPEC = {
    "id": Field("string"),
    "when": Field("string"),
    "note": Field("string", required=False, nullable=True),
    "flag": Field("boolean", required=False, nullable=True),
    "count": Field("integer", required=False, nullable=True),
    "score": Field("number", required=False, nullable=True),
}
GOOD = {"id": "A1", "when": "2025-03-04T08:15:00+01:00", "note": "hej", "flag": True,
        "count": 3, "score": 1.5}

TRICKY = [
    json.dumps(GOOD),
    json.dumps({**GOOD, "note": None, "flag": None}),
    json.dumps({"id": "A2", "when": "x"}),  # optional fields absent
    json.dumps({**GOOD, "when": 1741072500}),  # wrong type
    json.dumps({**GOOD, "flag": "true"}),  # a string for a boolean
    json.dumps({**GOOD, "count": True}),  # a boolean is not an integer
    json.dumps({**GOOD, "count": 1.5}),
    json.dumps({**GOOD, "score": 2}),  # an integer is a number
    json.dumps({**GOOD, "id": ""}),  # required and empty
    json.dumps({**GOOD, "id": "  \t"}),
    json.dumps({**GOOD, "id": None}),
    json.dumps({k: v for k, v in GOOD.items() if k != "id"}),  # required and absent
    json.dumps({**GOOD, "colour": "blue"}),  # unknown field
    json.dumps({**GOOD, "note": {"nested": 1}}),
    json.dumps({**GOOD, "note": ["a"]}),
    json.dumps({**GOOD, "note": 'quote " and \\ and \u00e5 and \n'}),
    json.dumps({**GOOD, "note": "åäö ✓"}, ensure_ascii=False),
    '  {"id": "A3" , "when" : "y" }  ',  # spaces around tokens
    '{"id": "A4", "when": "y", "id": "A5"}',  # a duplicated key
    '{"id": "A6", "when": "y",}',  # a trailing comma: invalid JSON
    '{"id": "A7", "when": ',  # cut mid-object
    "[1, 2]",
    '"a string"',
    "null",
    "",
    "   ",
    '{"id": "A8", "when": "y", "count": 123456789012345678901234567890}',
    '{"id": "A9", "when": "y", "score": -1.5e10}',
    '{"id": "\\u00e5", "when": "\\ud83d\\ude00"}',
]


def reference(path):
    """What the per-line reader and the shape check say, per line."""
    records, broken = {}, []
    for batch in iter_json_lines(path):
        broken += batch.broken
        for number, obj in batch.records:
            errors = shape_errors(obj, SPEC)
            records[number] = ("; ".join(errors) if errors else None,
                               {name: obj.get(name) if _kind_ok(obj.get(name), f.kind) else None
                                for name, f in SPEC.items()})
    return records, broken


def _kind_ok(value, kind):
    return {"string": type(value) is str, "boolean": type(value) is bool,
            "integer": type(value) is int,
            "number": type(value) in (int, float)}[kind]


def fast(path, batch_bytes=1 << 20):
    records, broken = {}, []
    for frame in FlatJsonLines(SPEC, "records", batch_bytes=batch_bytes).batches(path):
        broken += frame.broken
        for row in frame.rows.iter_rows(named=True):
            values = {name: row[name] for name in SPEC}
            records[row["line_number"]] = (row["shape_errors"], values)
            assert frame.record(row["line_number"]) is not None
    return records, broken


def write(tmp_path, lines, name="f.jsonl", final_newline=True):
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + ("\n" if final_newline else "")).encode("utf-8"))
    return path


@pytest.mark.parametrize("batch_bytes", [1 << 20, 200])
def test_tricky_lines_match_the_per_line_reader(tmp_path, batch_bytes):
    path = write(tmp_path, TRICKY)
    got = fast(path, batch_bytes)
    want = reference(path)
    assert got[1] == want[1]
    assert got[0].keys() == want[0].keys()
    for number in want[0]:
        assert got[0][number] == want[0][number], number


def test_invalid_utf8_and_bom(tmp_path):
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode() + b"\n"
                     + b'{"id": "\xff\xfe", "when": "y"}\n' + json.dumps(GOOD).encode() + b"\n")
    assert fast(path) == reference(path)
    assert fast(path)[1] == [(2, "not valid UTF-8")]


def test_a_cut_last_line_rejects_the_file_and_a_complete_one_does_not(tmp_path):
    cut = write(tmp_path, [json.dumps(GOOD), json.dumps(GOOD)[:-5]], final_newline=False)
    with pytest.raises(FileRejected, match="truncated"):
        fast(cut)
    whole = write(tmp_path, [json.dumps(GOOD)] * 2, name="g.jsonl", final_newline=False)
    assert len(fast(whole)[0]) == 2


def test_drift_in_every_record_rejects_the_file(tmp_path):
    renamed = [json.dumps({("ident" if k == "id" else k): v for k, v in GOOD.items()})] * 3
    with pytest.raises(FileRejected, match="missing field\\(s\\) id"):
        fast(write(tmp_path, renamed))


values = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                   st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8),
                   st.lists(st.integers(), max_size=2))
records = st.dictionaries(st.sampled_from([*SPEC, "other"]), values, max_size=7)


@settings(max_examples=60, deadline=None)
@given(st.lists(records, min_size=1, max_size=12))
def test_any_records_match_the_per_line_reader(tmp_path_factory, objs):
    path = write(tmp_path_factory.mktemp("h"), [json.dumps(o) for o in objs])
    want = reference(path)
    try:
        got = fast(path)
    except FileRejected:  # drift: exactly when the whole-batch check says so
        with pytest.raises(FileRejected):
            check_drift(objs, SPEC, "records")
        return
    check_drift(objs, SPEC, "records")
    assert got[1] == want[1]
    assert got[0].keys() == want[0].keys()
    for number in want[0]:
        assert got[0][number][0] == want[0][number][0]
        assert got[0][number][1] == want[0][number][1]


def test_crlf_line_ends_and_blank_lines(tmp_path):
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"\r\n".join([json.dumps(GOOD).encode(), b"", b"  ",
                                   json.dumps({**GOOD, "id": 7}).encode(),
                                   json.dumps(GOOD).encode()]) + b"\r\n")
    got, want = fast(path), reference(path)
    assert got == want
    assert sorted(got[0]) == [1, 4, 5]
