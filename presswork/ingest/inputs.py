"""Read a batch of input files into documents: single-document files and containers (JSONL, WARC)."""

from __future__ import annotations

from dataclasses import dataclass

from presswork.faults import NO_FAULTS, Faults, failure_detail
from presswork.ingest.decode import (
    CONTAINER_KINDS,
    DecodeError,
    ReadLimits,
    decode_document,
    looks_binary,
    read_input,
    source_name_for,
)
from presswork.ingest.discover import UNSUPPORTED
from presswork.ingest.formats import Container, read_jsonl, read_warc
from presswork.records import InputFile, RawDocument, Reject, SourceFile


@dataclass(frozen=True, slots=True)
class DecodedBatch:
    documents: list[RawDocument]
    rejects: list[Reject]
    inputs: list[InputFile]
    seconds: float = 0.0  # time the stage took


def decode_source(source: SourceFile, limits: ReadLimits) -> tuple[list[RawDocument], list[Reject], int]:
    """Read one input file into its documents; return (documents, rejects, skipped records)."""
    container = source.kind in CONTAINER_KINDS
    try:
        if source.kind == UNSUPPORTED:
            raise DecodeError("unsupported_format", f"unsupported file type: {source.path.rsplit('/', 1)[-1]}")
        data = read_input(source, limits.max_container_bytes if container else limits.max_input_bytes)
        if not container:
            return [decode_document(source, data)], [], 0
        if not data.strip():
            raise DecodeError("empty", "the file is empty or only whitespace")
        if looks_binary(data) and source.kind == "jsonl":
            raise DecodeError("binary", "the file holds binary data (NUL or control bytes), not text")
    except DecodeError as exc:
        return [], [Reject(source.uri, source.uri, source.content_hash, exc.reason, exc.detail)], 0
    where = Container(source.uri, source.content_hash, source_name_for(source))
    read = read_jsonl if source.kind == "jsonl" else read_warc
    contents = read(data, where, limits.max_input_bytes)
    return contents.documents, contents.rejects, contents.skipped_records


def decode_batch(sources: list[SourceFile], limits: ReadLimits, faults: Faults = NO_FAULTS) -> DecodedBatch:
    """Decode a batch; an input that fails becomes a reject with its reason, and the batch goes on.

    Inputs that cannot be decoded get the reason their DecodeError names; anything else that goes wrong while
    reading one input (a bug in a decoder or a format reader) becomes a `decode_failed` reject naming the error.
    """
    documents: list[RawDocument] = []
    rejects: list[Reject] = []
    inputs: list[InputFile] = []
    for source in sources:
        try:
            faults.check("decode", source.uri)
            found, failed, skipped = decode_source(source, limits)
        except Exception as exc:  # one input must not sink the batch: it is named, with the stage and error
            detail = failure_detail("decode", exc)
            found, failed, skipped = (
                [],
                [Reject(source.uri, source.uri, source.content_hash, "decode_failed", detail)],
                0,
            )
        documents.extend(found)
        rejects.extend(failed)
        documents_read = len(found) + len(failed)
        inputs.append(InputFile(source.uri, source.content_hash, source.kind, source.size, documents_read, skipped))
    return DecodedBatch(documents, rejects, inputs)
