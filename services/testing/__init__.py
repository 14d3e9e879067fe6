"""The test harness, a package that tests and benchmark scripts import alike (as
``arq.testing``): the whole product started as users start it (``stack``), the simulated
game's data and processes (``simgame``), fault injection with real processes (``faults``),
a /ws event collector and waits on module state (``events``), jobs written by hand into
Redis (``hand_written``), ``scripts/inject.lua`` run by redis-cli (``inject``), and the play
engine's test charts, touch server and frames (``charts``, ``fake_touch``, ``frames``)."""
