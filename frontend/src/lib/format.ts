export function formatTime(ts: number): string {
  const d = new Date(ts * 1000)
  const p = (n: number, w = 2): string => String(n).padStart(w, '0')
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`
}

/** Compact number for chart ticks and metrics. */
export function formatNumber(n: number): string {
  if (n === 0) return '0'
  const a = Math.abs(n)
  if (Number.isInteger(n) && a < 1e6) return String(n)
  if (a >= 1e4 || a < 1e-3) return n.toExponential(1)
  if (a >= 100) return n.toFixed(0)
  if (a >= 1) return n.toFixed(2)
  return n.toPrecision(2)
}
