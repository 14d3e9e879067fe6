"""Leases: a key holding the owner's id with a TTL the owner keeps renewing. A dead owner
stops renewing, the key expires and the module is free again."""

from __future__ import annotations

from shared.runtime.connection import TextRedis, eval_lua

# A running job renews every LEASE_RENEW_S; expiry means it died. The TTL outlasts a Redis
# stall of 10 s with margin (a stalled Redis expires the key as soon as it resumes).
LEASE_TTL_MS = 20_000
LEASE_RENEW_S = 2.0

# Take the key if it is free or already ours (the gateway reserves it at enqueue time).
_CLAIM = """
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return cur end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def claim(r: TextRedis, key: str, owner: str, ttl_ms: int = LEASE_TTL_MS) -> str | None:
    """None when ``owner`` now holds ``key``; otherwise the current holder."""
    holder = eval_lua(r, _CLAIM, [key], [owner, str(ttl_ms)])
    return str(holder) if holder else None


def renew(r: TextRedis, key: str, owner: str, ttl_ms: int = LEASE_TTL_MS) -> bool:
    return bool(eval_lua(r, _RENEW, [key], [owner, str(ttl_ms)]))


def release(r: TextRedis, key: str, owner: str) -> bool:
    return bool(eval_lua(r, _RELEASE, [key], [owner]))
