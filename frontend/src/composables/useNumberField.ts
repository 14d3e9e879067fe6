import { computed, ref, toValue, watch, type MaybeRefOrGetter } from 'vue'

/**
 * Bounded number input: keeps the text the user types as a draft, commits parsed numbers
 * (the server validates ranges and answers with the message shown at the field), steppers
 * clamp to the bounds.
 */
export function useNumberField(opts: {
  value: MaybeRefOrGetter<number | undefined>
  min?: MaybeRefOrGetter<number | undefined>
  max?: MaybeRefOrGetter<number | undefined>
  integer?: MaybeRefOrGetter<boolean>
  step?: MaybeRefOrGetter<number | undefined>
  onChange: (next: number) => void
}) {
  const integer = computed(() => !!toValue(opts.integer))
  const min = computed(() => toValue(opts.min))
  const max = computed(() => toValue(opts.max))
  const step = computed(() => toValue(opts.step) ?? (integer.value ? 1 : stepFor(toValue(opts.value))))
  const draft = ref(format(toValue(opts.value)))
  const parseError = ref('')

  watch(
    () => toValue(opts.value),
    (v) => {
      if (parse(draft.value) !== v) draft.value = format(v)
    },
  )

  function format(v: number | undefined): string {
    return v === undefined || v === null ? '' : String(v)
  }

  function stepFor(v: number | undefined): number {
    if (v === undefined || v === 0) return 0.001
    return 10 ** Math.floor(Math.log10(Math.abs(v)))
  }

  function parse(text: string): number | null {
    const t = text.trim()
    if (!t || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return null
    const n = Number(t)
    return Number.isFinite(n) ? n : null
  }

  const outOfRange = computed(() => {
    const n = parse(draft.value)
    if (n === null) return false
    return (min.value !== undefined && n < min.value) || (max.value !== undefined && n > max.value)
  })

  const rangeText = computed(() => {
    if (min.value === -(2 ** 31) && max.value === 2 ** 31 - 1) return 'int32'
    if (min.value !== undefined && max.value !== undefined) return `${min.value} – ${max.value}`
    if (min.value !== undefined) return `≥ ${min.value}`
    if (max.value !== undefined) return `≤ ${max.value}`
    return ''
  })

  function input(text: string): void {
    draft.value = text
    const n = parse(text)
    if (n === null) {
      parseError.value = text.trim() ? 'not a number' : 'required'
      return
    }
    if (integer.value && !Number.isInteger(n)) {
      parseError.value = 'must be a whole number'
      return
    }
    parseError.value = ''
    if (n !== toValue(opts.value)) opts.onChange(n)
  }

  function clamp(n: number): number {
    let out = n
    if (min.value !== undefined) out = Math.max(min.value, out)
    if (max.value !== undefined) out = Math.min(max.value, out)
    return integer.value ? Math.round(out) : Number(out.toPrecision(12))
  }

  function nudge(direction: 1 | -1, times = 1): void {
    const current = parse(draft.value) ?? toValue(opts.value) ?? min.value ?? 0
    const next = clamp(current + direction * step.value * times)
    draft.value = format(next)
    parseError.value = ''
    if (next !== toValue(opts.value)) opts.onChange(next)
  }

  const state = computed(() => (parseError.value ? 'invalid' : outOfRange.value ? 'out-of-range' : 'valid'))

  return { draft, parseError, outOfRange, rangeText, state, min, max, step, input, nudge, parse, clamp }
}
