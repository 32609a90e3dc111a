"""Retired index readers are closed once nothing holds them, and never while a request still does."""

from __future__ import annotations

import gc

import pytest

from medora.index.retired import Retired

pytestmark = pytest.mark.unit


class Reader:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    def close(self) -> None:
        self.log.append("closed")


class Engine:
    def __init__(self, log: list[str], cycle: bool = False) -> None:
        self.reader = Reader(log)
        self.cycle = self if cycle else None


def test_closed_once_nobody_holds_it_even_from_a_reference_cycle() -> None:
    retired, log = Retired(), []
    engine = Engine(log, cycle=True)
    retired.add(engine, engine.reader)
    assert log == []  # the test still holds the engine
    del engine
    assert retired.sweep() == 0 and log == []  # only the cycle holds it now, until the collector runs
    gc.collect()
    assert retired.sweep() == 1 and log == ["closed"] and len(retired) == 0


def test_never_closed_while_a_request_holds_the_engine_or_its_reader() -> None:
    retired, log = Retired(), []
    in_flight = Engine(log)
    retired.add(in_flight, in_flight.reader)
    assert retired.sweep() == 0 and log == []  # a request answering from the old engine
    reader = in_flight.reader  # e.g. `get_engine(settings).reader.stats()`: the reader outlives the engine
    del in_flight
    assert retired.sweep() == 0 and log == []
    del reader
    assert retired.sweep() == 1 and log == ["closed"] and len(retired) == 0
