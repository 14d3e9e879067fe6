"""The simulated game: a BanG Dream stand-in reachable through the same ADB path as a real
emulator (docs/play-architecture.md)."""
