import codecs

import pytest

from ingestion.encoding import UndetectableEncoding, detect_encoding


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_bom_means_utf8(tmp_path):
    assert detect_encoding(write(tmp_path, "a.csv", codecs.BOM_UTF8 + "Vårdenhet".encode())) == "utf-8-sig"


def test_plain_utf8(tmp_path):
    assert detect_encoding(write(tmp_path, "a.csv", "Vårdenhet;Ändrad".encode())) == "utf-8"


def test_windows_1252_is_detected(tmp_path):
    assert detect_encoding(write(tmp_path, "a.csv", "Vårdenhet;Ändrad;€".encode("cp1252"))) == "cp1252"


@pytest.mark.parametrize("data", ["Vårdenhet".encode("utf-16"), b"\x00\x01binary",
                                  b"abc\x81\x8d"])
def test_undetectable_encodings_are_refused(tmp_path, data):
    with pytest.raises(UndetectableEncoding):
        detect_encoding(write(tmp_path, "a.csv", data))
