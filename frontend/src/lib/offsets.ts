/**
 * Per-device touch offsets (GET /api/scriptor/offsets, shared/device_offsets.py) in
 * words: each play's move and the trail of the last ones.
 */
import type { DeviceOffset, OffsetMove } from '@/api/types'
import { formatOffset } from './scriptor'

/** "−45.0 ms → −2.3 ms: learned (mean touch error −42.7 ms) on <title>" */
export function moveText(m: OffsetMove): string {
  const change = m.used_us === m.offset_us ? `stays ${formatOffset(m.offset_us)}` : `${formatOffset(m.used_us)} → ${formatOffset(m.offset_us)}`
  const error = m.mean_error_ms === null || m.mean_error_ms === undefined ? '' : ` (mean touch error ${formatOffset(m.mean_error_ms * 1000)})`
  const song = m.title ? ` on ${m.title}` : ''
  return `${change}: ${m.why || 'moved'}${error}${song}`
}

/** The last `n` moves, newest first. */
export function lastMoves(d: DeviceOffset, n = 8): OffsetMove[] {
  return [...(d.moves ?? [])].slice(-n).reverse()
}

/** Where the device's value came from, with "pinned" first when it is. */
export function offsetSource(d: DeviceOffset): string {
  const plays = d.plays ? `, ${d.plays} play${d.plays === 1 ? '' : 's'} learned` : ''
  return `${d.pinned ? 'pinned; ' : ''}${d.source || 'unknown'}${plays}`
}
