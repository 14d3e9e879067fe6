"""Redis Stream ids ("<ms>-<seq>") compared as numbers, not strings."""

from __future__ import annotations


def parse_id(stream_id: str) -> tuple[int, int]:
    ms, _, seq = stream_id.partition("-")
    return int(ms), int(seq or 0)


def is_valid_id(stream_id: str) -> bool:
    try:
        parse_id(stream_id)
    except ValueError:
        return False
    return True
