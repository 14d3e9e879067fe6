import { computed, reactive, toValue, watch, type MaybeRefOrGetter } from 'vue'
import type { ScalarType } from '@/lib/schema'

export type Cell = string | number | boolean

/**
 * Editing a list of fixed-length tuples such as ("newbee", 0.85, 0.095, 0.005, 0.015, 0.035).
 * Cells keep the typed text as drafts; a change is committed only when every cell parses
 * as its column's type, so a half-typed number never reaches the server.
 */
export function useTuple(opts: {
  value: MaybeRefOrGetter<readonly (readonly Cell[])[]>
  types: MaybeRefOrGetter<readonly ScalarType[]>
  disabled?: MaybeRefOrGetter<boolean>
  onChange: (next: Cell[][]) => void
}) {
  const types = computed(() => toValue(opts.types))
  const drafts = reactive<string[][]>([])
  const cellErrors = reactive<Record<string, string>>({})

  function sync(rows: readonly (readonly Cell[])[]): void {
    drafts.splice(0, drafts.length, ...rows.map((r) => r.map((c) => String(c))))
    for (const k of Object.keys(cellErrors)) delete cellErrors[k]
  }
  sync(toValue(opts.value))
  watch(
    () => JSON.stringify(toValue(opts.value)),
    () => {
      // adopt server/store changes unless the user holds an unparsable draft
      if (!Object.keys(cellErrors).length) sync(toValue(opts.value))
    },
  )

  function parseCell(text: string, type: ScalarType | undefined): { ok: true; value: Cell } | { ok: false; error: string } {
    if (type === 'number' || type === 'integer') {
      const t = text.trim()
      const n = Number(t)
      if (!t || !Number.isFinite(n)) return { ok: false, error: 'not a number' }
      if (type === 'integer' && !Number.isInteger(n)) return { ok: false, error: 'whole number' }
      return { ok: true, value: n }
    }
    if (type === 'boolean') return { ok: true, value: text === 'true' }
    return { ok: true, value: text }
  }

  function commit(): void {
    const rows: Cell[][] = []
    for (let r = 0; r < drafts.length; r++) {
      const row: Cell[] = []
      const draft = drafts[r] ?? []
      for (let c = 0; c < draft.length; c++) {
        const parsed = parseCell(draft[c] ?? '', types.value[c])
        if (!parsed.ok) return
        row.push(parsed.value)
      }
      rows.push(row)
    }
    opts.onChange(rows)
  }

  function setCell(row: number, col: number, text: string): void {
    const r = drafts[row]
    if (!r || toValue(opts.disabled)) return
    r[col] = text
    const parsed = parseCell(text, types.value[col])
    const key = `${row}:${col}`
    if (parsed.ok) delete cellErrors[key]
    else cellErrors[key] = parsed.error
    if (!Object.keys(cellErrors).length) commit()
  }

  function cellError(row: number, col: number): string {
    return cellErrors[`${row}:${col}`] ?? ''
  }

  function addRow(): void {
    if (toValue(opts.disabled)) return
    const blank = types.value.map((t) => (t === 'string' ? `new${drafts.length + 1}` : t === 'boolean' ? 'false' : '0'))
    // a new row must be valid to be saved: give numeric columns a usable first value
    const firstNumeric = types.value.findIndex((t) => t === 'number' || t === 'integer')
    if (firstNumeric >= 0) blank[firstNumeric] = '1'
    drafts.push(blank)
    commit()
  }

  function removeRow(row: number): void {
    if (toValue(opts.disabled) || row < 0 || row >= drafts.length) return
    drafts.splice(row, 1)
    for (const k of Object.keys(cellErrors)) delete cellErrors[k]
    commit()
  }

  const hasErrors = computed(() => Object.keys(cellErrors).length > 0)

  return { drafts, types, setCell, cellError, addRow, removeRow, hasErrors, parseCell }
}
