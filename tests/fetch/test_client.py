"""The Bestdori client against the fake server on loopback: retries, timeouts, 404s,
truncated bodies, cookies, user agent and request spacing."""

from __future__ import annotations

import re

import pytest

from services.fetch.client import USER_AGENT, BestdoriClient, BestdoriError, NotFound
from tests.fetch.fake_bestdori import SONGS_PATH, FakeBestdori, chart_url

TIMEOUT_S = 0.3


def client(fake: FakeBestdori, sleeps: list[float] | None = None, **kw: float) -> BestdoriClient:
    args: dict[str, float] = {"timeout_s": TIMEOUT_S, "retries": 2, "backoff_s": 0.01, "interval_s": 0.0}
    args.update(kw)
    record = sleeps if sleeps is not None else []
    return BestdoriClient(
        fake.url,
        timeout_s=args["timeout_s"],
        retries=int(args["retries"]),
        backoff_s=args["backoff_s"],
        interval_s=args["interval_s"],
        sleep=record.append,  # record instead of sleeping: the backoff is checked, not timed
    )


def test_fetches_the_real_files(bestdori: FakeBestdori) -> None:
    with client(bestdori) as c:
        assert c.chart(1, 0) == bestdori.charts[(1, "easy")]
        assert c.songs_all() == bestdori.songs_all
    path, headers = bestdori.hits[0]
    assert path == "/api/charts/1/easy.json"
    assert headers["user-agent"] == USER_AGENT


@pytest.mark.parametrize("fault", ["500", "503", "slow", "truncated"])
def test_transient_failures_are_retried_with_backoff(bestdori: FakeBestdori, fault: str) -> None:
    url = chart_url(316, 3)
    bestdori.fail(url, fault, fault)
    sleeps: list[float] = []
    with client(bestdori, sleeps, backoff_s=0.5) as c:
        assert c.chart(316, 3) == bestdori.charts[(316, "expert")]
    assert bestdori.hits_for(url) == 3
    assert sleeps == [0.5, 1.0]  # exponential backoff between the three tries


def test_too_many_requests_waits_as_long_as_asked(bestdori: FakeBestdori) -> None:
    bestdori.fail(SONGS_PATH, "429")
    sleeps: list[float] = []
    with client(bestdori, sleeps, backoff_s=0.5) as c:
        assert c.songs_all() == bestdori.songs_all
    assert sleeps == [7.0]  # Retry-After beats the shorter backoff


def test_gives_up_after_the_retries_with_a_clear_message(bestdori: FakeBestdori) -> None:
    url = chart_url(316, 3)
    bestdori.fail(url, "500", "500", "500", "500")
    expected = "/api/charts/316/expert.json: HTTP 500 (gave up after 3 tries)"
    with client(bestdori) as c, pytest.raises(BestdoriError, match=re.escape(expected)):
        c.chart(316, 3)
    assert bestdori.hits_for(url) == 3


def test_timeout_message_names_the_timeout(bestdori: FakeBestdori) -> None:
    url = chart_url(1, 0)
    bestdori.fail(url, "slow", "slow")
    with client(bestdori, retries=1) as c, pytest.raises(BestdoriError, match="ReadTimeout"):
        c.chart(1, 0)


def test_404_is_not_found_and_not_retried(bestdori: FakeBestdori) -> None:
    with client(bestdori) as c, pytest.raises(NotFound, match=re.escape("/api/charts/1/expert.json: 404")):
        c.chart(1, 3)  # the fake has no 1_3
    assert bestdori.hits_for(chart_url(1, 3)) == 1


def test_cookies_are_never_sent_back(bestdori: FakeBestdori) -> None:
    bestdori.fail(SONGS_PATH, "cookie")
    with client(bestdori) as c:
        c.songs_all()
        c.songs_all()
    assert [h.get("cookie") for _, h in bestdori.hits] == [None, None]


def test_requests_are_spaced_by_the_interval(bestdori: FakeBestdori) -> None:
    sleeps: list[float] = []
    with client(bestdori, sleeps, interval_s=30.0) as c:
        c.chart(1, 0)
        assert sleeps == []  # the first request does not wait
        c.chart(570, 0)
    # The recorded sleep did not really wait, so the client asked for almost the whole gap.
    assert len(sleeps) == 1 and 29.0 < sleeps[0] <= 30.0


def test_unknown_difficulty_index_is_refused(bestdori: FakeBestdori) -> None:
    with client(bestdori) as c, pytest.raises(ValueError, match="difficulty index 5"):
        c.chart(1, 5)
    assert bestdori.hits == []
