"""Records cross process boundaries (the worker pool, Prefect's process and Dask runners) by pickle."""

from __future__ import annotations

import dataclasses
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from presswork import records

RECORDS = [
    cls
    for cls in vars(records).values()
    if isinstance(cls, type) and issubclass(cls, records.Record) and dataclasses.is_dataclass(cls)
]


def test_every_record_is_a_slotted_frozen_dataclass():
    assert len(RECORDS) >= 10
    for cls in RECORDS:
        assert cls.__dataclass_params__.frozen, cls  # type: ignore[attr-defined]
        assert cls.__slots__ == tuple(f.name for f in dataclasses.fields(cls)), cls


@pytest.mark.parametrize("cls", RECORDS, ids=lambda cls: cls.__name__)
def test_a_record_survives_pickling_unchanged(cls):
    @given(st.builds(cls))
    def roundtrip(record):
        copy = pickle.loads(pickle.dumps(record))
        # Equal, or (a NaN similarity is never equal to itself) the same bytes when pickled again.
        assert (copy == record or pickle.dumps(copy) == pickle.dumps(record)) and type(copy) is cls

    roundtrip()
