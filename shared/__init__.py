"""AutoBangDream's common package: settings, Redis keys, module registry, config models,
event schema and the task runtime. Never imports from ``services``."""
