"""The multitouch protocol's rules as pure bookkeeping: which contacts are down, and what a
commit may hold (docs/scriptor-and-play.md section 4). The clients check every command
against them before it leaves, so a broken stream never reaches an injector."""

from __future__ import annotations

from dataclasses import dataclass, field


class ProtocolError(ValueError):
    """A command the protocol forbids (double down, move/up of a lifted contact, two
    commands for one contact in one commit, a contact out of range)."""


@dataclass
class ContactRules:
    max_contacts: int
    down: set[int] = field(default_factory=set)
    pending: set[int] = field(default_factory=set)  # contacts touched since the last commit

    def _check(self, contact: int, op: str) -> None:
        if not 0 <= contact < self.max_contacts:
            raise ProtocolError(f"{op} {contact}: contact outside 0..{self.max_contacts - 1}")
        if contact in self.pending:
            raise ProtocolError(f"{op} {contact}: a second command for this contact before the commit")

    def press(self, contact: int) -> None:
        self._check(contact, "d")
        if contact in self.down:
            raise ProtocolError(f"d {contact}: the contact is already down")
        self.down.add(contact)
        self.pending.add(contact)

    def move(self, contact: int) -> None:
        self._check(contact, "m")
        if contact not in self.down:
            raise ProtocolError(f"m {contact}: the contact is not down")
        self.pending.add(contact)

    def lift(self, contact: int) -> None:
        self._check(contact, "u")
        if contact not in self.down:
            raise ProtocolError(f"u {contact}: the contact is not down")
        self.down.discard(contact)
        self.pending.add(contact)

    def commit(self) -> None:
        self.pending.clear()

    def lift_all(self) -> list[int]:
        """The contacts still down (now counted as lifted): what a reset must lift."""
        left = sorted(self.down)
        self.down.clear()
        self.pending.clear()
        return left
