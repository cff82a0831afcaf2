"""Decoding: encodings people actually have, broken files, and the normal form of text."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from presswork.ingest.decode import DecodeError, ReadLimits, decode_bytes, normalise_text
from presswork.ingest.discover import discover_inputs
from presswork.ingest.inputs import decode_batch

TEXT = "Café “quotes” — naïve résumé: the Kremlin’s reply.\nSecond line."


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("cp1252"), "cp1252"),
        (TEXT.encode("utf-8-sig"), "utf-8"),
        (TEXT.encode("utf-16"), "utf-16"),
        ("\ufeff".encode("utf-16-be") + TEXT.encode("utf-16-be"), "utf-16"),
    ],
)
def test_decodes_common_encodings_to_the_same_text(data, encoding):
    decoded = decode_bytes(data)
    assert decoded.text == TEXT
    assert decoded.encoding == encoding


@pytest.mark.parametrize(
    "text",
    [
        "Morocco’s minister said the talks – which began in May – were “constructive”.",
        "Le président a dit: « c’est fini » – et l’équipe est rentrée à Paris.",
        "Putin’s visit “sparked outrage” in Kyiv, officials said on Monday.",
    ],
)
def test_windows_text_with_curly_quotes_is_cp1252(text):
    decoded = decode_bytes(text.encode("cp1252"))
    assert (decoded.text, decoded.encoding) == (text, "cp1252")


def test_cyrillic_windows_text_is_not_taken_for_cp1252():
    text = "Путин прибыл в Монголию с официальным визитом, несмотря на ордер МУС. " * 3
    assert decode_bytes(text.encode("cp1251")).text == text


def test_latin1_text_decodes():
    text = "Le président a dit à l'AFP que la réunion était terminée, sans détails."
    assert decode_bytes(text.encode("latin-1")).text == text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t\n ", "empty"),
        (bytes(range(256)) * 64, "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 100, "binary"),
    ],
)
def test_undecodable_inputs_name_their_reason(data, reason):
    with pytest.raises(DecodeError) as caught:
        decode_bytes(data)
    assert caught.value.reason == reason


def test_a_stray_nul_byte_is_dropped_not_fatal():
    text = "A long paragraph of ordinary news text. " * 20
    data = text.encode() + b"\x00" + text.encode()
    assert "\x00" not in normalise_text(decode_bytes(data).text)


def test_html_declared_charset_is_used():
    html = '<html><head><meta charset="windows-1251"></head><body><p>Путин прибыл в Монголию</p></body></html>'
    assert "Путин прибыл" in decode_bytes(html.encode("cp1251"), is_html=True).text


def test_normalise_text():
    raw = "Cafe\u0301\r\nline\u00a0with   spaces \t\r\n\n\n\nnext\u200b para\x07"
    assert normalise_text(raw) == "Café\nline with spaces\n\nnext para"


def test_bad_files_become_rejects_and_the_batch_goes_on(tmp_path: Path):
    (tmp_path / "good.txt").write_text("A real article about something that happened.")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 3)
    (tmp_path / "truncated.txt.gz").write_bytes(gzip.compress(b"some text " * 150)[:-6])
    (tmp_path / "notgzip.html.gz").write_bytes(b"<html>plain, not gzip</html>")
    (tmp_path / "huge.txt").write_bytes(b"word " * 500)
    (tmp_path / "README.md").write_text("not an input")
    sources = discover_inputs([str(tmp_path)])
    assert [Path(s.path).name for s in sources] == [
        "binary.txt",
        "empty.txt",
        "good.txt",
        "huge.txt",
        "notgzip.html.gz",
        "truncated.txt.gz",
    ]
    decoded = decode_batch(sources, ReadLimits(max_input_bytes=2000))
    documents, rejects = decoded.documents, decoded.rejects
    assert [Path(d.source_uri).name for d in documents] == ["good.txt"]
    assert [i.documents for i in decoded.inputs] == [1] * 6
    reasons = {Path(r.source_uri).name: r.reason for r in rejects}
    assert reasons == {
        "binary.txt": "binary",
        "empty.txt": "empty",
        "huge.txt": "too_large",
        "notgzip.html.gz": "corrupt_gzip",
        "truncated.txt.gz": "truncated_gzip",
    }
    assert all(r.detail for r in rejects)


def test_explicit_unsupported_file_is_rejected(tmp_path: Path):
    path = tmp_path / "data.pdf"
    path.write_bytes(b"%PDF-1.4")
    sources = discover_inputs([str(path)])
    assert [s.kind for s in sources] == ["unsupported"]
    assert [r.reason for r in decode_batch(sources, ReadLimits()).rejects] == ["unsupported_format"]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4096))
def test_any_bytes_decode_or_raise_a_named_reason(data):
    try:
        decoded = decode_bytes(data)
    except DecodeError as exc:
        assert exc.reason in {"empty", "binary", "undecodable"}
        return
    normalise_text(decoded.text).encode("utf-8")  # always valid UTF-8
