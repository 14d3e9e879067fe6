"""The task runtime: everything between Redis and a task body (events, state, config,
control, leases, the RQ job entry point and the worker)."""
