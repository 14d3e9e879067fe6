/** Redis Stream ids ("<ms>-<seq>") compared numerically; the gateway's cursors use them. */
export function parseStreamId(id: string): [bigint, bigint] {
  const [ms, seq] = id.split('-')
  try {
    return [BigInt(ms ?? '0'), BigInt(seq ?? '0')]
  } catch {
    return [0n, 0n]
  }
}

export function compareStreamIds(a: string, b: string): number {
  const [am, as] = parseStreamId(a)
  const [bm, bs] = parseStreamId(b)
  if (am !== bm) return am < bm ? -1 : 1
  if (as !== bs) return as < bs ? -1 : 1
  return 0
}

export const STREAM_START = '0-0'
