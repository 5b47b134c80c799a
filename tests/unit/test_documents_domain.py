"""The rules of documents, without a database: names cleaned, records named, types read from the content (by the
store's reader, filetype), sizes bounded."""

from __future__ import annotations

import io
import zipfile

import pytest

from coalition.adapters.documents import sniff
from coalition.domain.documents import (
    NAME_LENGTH,
    RecordType,
    check_size,
    clean_name,
    looks_like_text,
    media_type_of,
    record_key,
    record_type,
)
from coalition.domain.errors import InvalidInput

PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32)
TIFF = b"II*\x00\x08\x00\x00\x00" + bytes(32)
PDF = b"%PDF-1.4\n%%EOF\n"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _zip(*names: str) -> bytes:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return packed.getvalue()


@pytest.mark.parametrize(("content", "expected"), [
    (PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"), (TIFF, "image/tiff"),
    ("Протокол, 2024\n".encode(), "text/plain"), ("\ufeffa,b\r\n1,2\r\n".encode(), "text/plain"),
    (_zip("[Content_Types].xml", "xl/workbook.xml"), XLSX),
])
def test_the_type_is_read_from_the_content(content: bytes, expected: str):
    assert media_type_of(content, sniff(content)) == expected


@pytest.mark.parametrize("content", [b"MZ\x90\x00" + bytes(64), b"\x7fELF\x02\x01\x01" + bytes(64),
                                     _zip("readme.txt"), b"\x00\x01\x02binary", b"", b"text\x07bell"])
def test_other_content_is_refused_naming_the_file(content: bytes):
    with pytest.raises(InvalidInput) as refused:
        media_type_of(content, sniff(content))
    assert refused.value.field == "file"


def test_text_is_utf8_without_control_characters():
    assert looks_like_text("рядок\tз табуляцією\r\n".encode())
    assert not looks_like_text("текст".encode("cp1251"))
    assert not looks_like_text(b"a\x1bb")


@pytest.mark.parametrize(("given", "kept"), [
    ("C:\\Users\\me\\Договір №5.pdf", "Договір №5.pdf"),
    ("../../etc/passwd", "passwd"),
    ("report\u202efdp.exe", "reportfdp.exe"),
    ("  ..hidden  name .pdf", "hidden name .pdf"),
    ("line\nbreak.pdf", "line break.pdf"),
])
def test_names_are_cleaned(given: str, kept: str):
    assert clean_name(given) == kept


def test_a_long_name_keeps_its_extension_and_an_empty_one_is_refused():
    assert clean_name("ж" * 500 + ".docx") == "ж" * (NAME_LENGTH - 5) + ".docx"
    with pytest.raises(InvalidInput) as refused:
        clean_name("/..")
    assert refused.value.field == "name"


def test_records_are_named_by_code_id_or_contract_and_version():
    assert record_type(" Contract ") is RecordType.CONTRACT
    assert record_key(RecordType.MEETING, "07") == "7"
    assert record_key(RecordType.CONTRACT_VERSION, "NSPA-IT-C001/02") == "NSPA-IT-C001/2"
    for kind, bad in ((RecordType.MEETING, "seven"), (RecordType.BID, "0"), (RecordType.CONTRACT_VERSION, "K-1"),
                      (RecordType.CONTRACT, "has space"), (RecordType.CONTRACT, "")):
        with pytest.raises(InvalidInput) as refused:
            record_key(kind, bad)
        assert refused.value.field == "record_id", (kind, bad)
    with pytest.raises(InvalidInput, match="not a record that holds documents"):
        record_type("invoice")


def test_the_size_limit():
    assert check_size(100, 100) == 100
    with pytest.raises(InvalidInput, match="101 bytes, more than the 100") as refused:
        check_size(101, 100)
    assert refused.value.field == "file"
