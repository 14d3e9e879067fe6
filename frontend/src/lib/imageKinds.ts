/** Image kinds a task publishes (the `kind` of an image event): readable labels, which of
 * them are charts (shown plainly with their meta) and which are frames (pixel/HSV probe). */

/** Kinds drawn by the backend as charts: no pixel probe, their meta shown as text. */
export const CHART_KINDS: ReadonlySet<string> = new Set(['loss_curve', 'similarity_histogram', 'fit'])

const LABELS: Record<string, string> = {
  frame: 'Frame',
  overlay: 'Overlay', // the note detector's view of the frame (WalkThroughSheet, traces)
  loss_curve: 'Loss curve',
  similarity_histogram: 'Similarity histogram',
  fit: 'Curve fit', // the first-note curve refitted to a trace, with residuals
}

/** "similarity_histogram" -> "Similarity histogram"; unknown kinds are title-cased
 * ("ui-crop" -> "Ui Crop"). */
export function kindLabel(kind: string): string {
  const known = LABELS[kind]
  if (known) return known
  const words = kind.split(/[_\-\s]+/).filter(Boolean)
  if (!words.length) return 'Image'
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ')
}

export function isChart(kind: string): boolean {
  return CHART_KINDS.has(kind)
}

/** Tab order that does not jump as images arrive: frames first, then the known charts,
 * then other kinds alphabetically. */
export function orderKinds(kinds: Iterable<string>): string[] {
  const rank = (k: string): number => (k === 'frame' ? 0 : k in LABELS ? 1 + Object.keys(LABELS).indexOf(k) : 99)
  return [...kinds].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
}

/** Meta entries shown under a chart: numbers rounded for reading, nested values skipped. */
export function metaEntries(meta: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = []
  for (const [k, v] of Object.entries(meta)) {
    if (typeof v === 'number' && Number.isFinite(v)) out.push([k.replace(/_/g, ' '), Number.isInteger(v) ? String(v) : v.toFixed(4)])
    else if (typeof v === 'string' || typeof v === 'boolean') out.push([k.replace(/_/g, ' '), String(v)])
  }
  return out
}

/** The image's URL made distinct per event: the URL names "the latest" image of a kind,
 * so without the event id the browser would keep showing a cached older one. */
export function imageSrc(image: { url: string; id: string }): string {
  return image.url + (image.url.includes('?') ? '&' : '?') + `v=${encodeURIComponent(image.id)}`
}
