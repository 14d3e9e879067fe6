"""Leases: a key holding the owner's id with a TTL the owner keeps renewing. A dead owner
stops renewing, the key expires and the module is free again."""

from __future__ import annotations

from shared.runtime.connection import TextRedis, eval_lua

# A running job renews every LEASE_RENEW_S; expiry means it died. A Redis stall longer than
# the TTL expires the key the moment Redis resumes, with the job alive: its next renewal
# takes the key back while the state hash still names it active (``renew_job``), and the
# reconciler only declares the job dead once the key stayed missing for LEASE_MISSING_S of
# its own observations (renewals had their chance after Redis answered again).
LEASE_TTL_MS = 20_000
LEASE_RENEW_S = 2.0
LEASE_MISSING_S = 3 * LEASE_RENEW_S

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
# KEYS: lease, module state hash. ARGV: owner, ttl, job id. 1 renewed, 2 taken back (it
# expired while Redis stalled and the job is still the module's active one), 0 lost.
_RENEW_JOB = """
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if cur then return 0 end
local h = redis.call('HMGET', KEYS[2], 'job_id', 'status')
if h[1] == ARGV[3] and (h[2] == 'running' or h[2] == 'stopping' or h[2] == 'queued') then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 2
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


def renew_job(
    r: TextRedis, key: str, owner: str, state_key: str, job_id: str, ttl_ms: int = LEASE_TTL_MS
) -> int:
    """``renew`` for a running job's leases: also takes back a key that expired during a
    Redis stall while the job is still the active one (1 renewed, 2 taken back, 0 lost)."""
    return int(eval_lua(r, _RENEW_JOB, [key, state_key], [owner, str(ttl_ms), job_id]))


def release(r: TextRedis, key: str, owner: str) -> bool:
    return bool(eval_lua(r, _RELEASE, [key], [owner]))
