"""Read input bytes and turn them into normalised Unicode text."""

from __future__ import annotations

import codecs
import gzip
import hashlib
import re
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from presswork.records import RawDocument, SourceFile

# Encodings the detector may name that are really "western single-byte": news in these is almost always
# cp1252 (curly quotes at 0x91-0x94 are the tell), so cp1252 is tried first when it decodes cleanly.
_WESTERN = {"cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "mac_roman", "cp850", "cp437", "cp852", "cp775"}
_HIGH_BYTES = bytes(range(0x80, 0x100))
_C1_BYTES = bytes(range(0x80, 0xA0))
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_-]+)""", re.IGNORECASE)
# C0/C1 controls other than tab and newline; they are noise in text and break some readers.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bytes that plain text never holds in numbers (NUL among them); tab, newlines and form feed are fine.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


# Inputs that hold many documents; they are read whole (up to max_container_bytes) and split into records.
CONTAINER_KINDS = frozenset({"jsonl", "warc"})


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Size limits that keep one input from exhausting memory."""

    max_input_bytes: int = 10_000_000  # one document (a file, or one record of a container)
    max_container_bytes: int = 500_000_000  # one JSONL or WARC file, decompressed


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str


class DecodeError(Exception):
    """An input that cannot be decoded; `reason` is the snake_case reject reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def read_input(source: SourceFile, max_bytes: int) -> bytes:
    """Return the (decompressed) bytes of an input, refusing more than `max_bytes`."""
    path = Path(source.path)
    try:
        if source.compressed:
            with gzip.open(path, "rb") as handle:
                data = handle.read(max_bytes + 1)
        else:
            with path.open("rb") as handle:
                data = handle.read(max_bytes + 1)
    except EOFError as exc:
        raise DecodeError("truncated_gzip", f"compressed stream ends early: {exc}") from exc
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise DecodeError("corrupt_gzip", f"not a valid gzip file: {exc}") from exc
    except OSError as exc:
        raise DecodeError("unreadable", f"{type(exc).__name__}: {exc}") from exc
    if len(data) > max_bytes:
        raise DecodeError("too_large", f"more than {max_bytes} bytes (the max_input_bytes limit)")
    return data


def looks_binary(data: bytes) -> bool:
    sample = data[:65536]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > len(sample) * 0.01


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


def _smart_punctuation_share(data: bytes) -> float:
    """Share of the non-ASCII bytes that fall in 0x80-0x9F, where cp1252 keeps its quotes and dashes."""
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    if not high:
        return 0.0
    return (len(data) - len(data.translate(None, _C1_BYTES))) / high


def decode_bytes(data: bytes, is_html: bool = False) -> Decoded:
    """Decode bytes to text: BOM, then UTF-8, then a declared HTML charset, then detection."""
    if not data.strip():
        raise DecodeError("empty", "the file is empty or only whitespace")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding).lstrip("\ufeff"), encoding.replace("-sig", ""))
            except UnicodeDecodeError as exc:
                raise DecodeError("undecodable", f"{encoding} byte-order mark but invalid data: {exc}") from exc
    # A few stray NULs in real text are stripped later; many control bytes mean this is not text at all.
    if looks_binary(data):
        raise DecodeError("binary", "the file holds binary data (NUL or control bytes), not text")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    if is_html:
        declared = _declared_charset(data)
        if declared:
            try:
                return Decoded(data.decode(declared), declared)
            except UnicodeDecodeError:
                pass
    if _smart_punctuation_share(data) >= 0.3:
        # Most high bytes are cp1252's curly quotes and dashes (0x80-0x9F): western text from Windows. The
        # detector alone took 11 of 46 such files for cp852 or cp775 ("Morocco’s" became "Moroccoĺs").
        try:
            return Decoded(data.decode("cp1252"), "cp1252")
        except UnicodeDecodeError:
            pass
    best = from_bytes(data).best()
    if best is None:
        raise DecodeError("undecodable", "no text encoding fits these bytes")
    encoding = best.encoding
    if encoding in _WESTERN:
        try:
            return Decoded(data.decode("cp1252"), "cp1252")
        except UnicodeDecodeError:
            pass
    return Decoded(str(best), encoding)


def normalise_text(text: str) -> str:
    """NFC, Unix line endings, no control or invisible characters, single spaces, trimmed lines.

    A blank line still separates paragraphs; runs of blank lines become one.
    """
    text = _nfc(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = text.replace("\f", "\n").replace("\v", "\n")
    text = _CONTROL.sub("", text)
    text = _INVISIBLE.sub("", text)
    # One pass over the whole text (the space class holds no newline), then each line trimmed.
    lines = [line.strip() for line in _SPACES.sub(" ", text).split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def _nfc(text: str) -> str:
    """NFC form; checking first is much cheaper than normalising text that already is (most text)."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def article_id_for(source_uri: str) -> str:
    """Return the stable id of the article read from a single-document file."""
    return hashlib.sha256(source_uri.encode("utf-8")).hexdigest()[:16]


def source_name_for(source: SourceFile) -> str:
    """Name the source of a file when the document names none: its folder's name."""
    return Path(source.path).parent.name


def decode_document(source: SourceFile, data: bytes) -> RawDocument:
    """Decode and normalise a single-document file (plain text or HTML)."""
    decoded = decode_bytes(data, is_html=source.kind == "html")
    # HTML keeps its layout for the extractor: only NFC and no control characters.
    text = _CONTROL.sub("", _nfc(decoded.text)) if source.kind == "html" else normalise_text(decoded.text)
    if not text.strip():
        raise DecodeError("empty", "no text after decoding")
    return RawDocument(
        article_id=article_id_for(source.uri),
        source_uri=source.uri,
        input_uri=source.uri,
        source_name=source_name_for(source),
        kind=source.kind,
        content_hash=hashlib.sha256(data).hexdigest(),
        encoding=decoded.encoding,
        text=text,
    )
