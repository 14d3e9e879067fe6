import { computed, ref, toValue, type MaybeRefOrGetter } from 'vue'

/** Many-of behaviour: an ordered subset of the allowed values, add/remove, and a filter
 * over what can still be added. Values outside the allowed list stay visible (flagged) so
 * nothing the server holds is hidden. */
export function useManyOf(opts: {
  options: MaybeRefOrGetter<readonly string[]>
  value: MaybeRefOrGetter<readonly string[]>
  disabled?: MaybeRefOrGetter<boolean>
  onChange: (next: string[]) => void
}) {
  const query = ref('')
  const options = computed(() => toValue(opts.options))
  const selected = computed(() => [...toValue(opts.value)])
  const disabled = computed(() => !!toValue(opts.disabled))
  const available = computed(() => options.value.filter((o) => !selected.value.includes(o)))
  const filtered = computed(() => {
    const q = query.value.trim().toLowerCase()
    return q ? available.value.filter((o) => o.toLowerCase().includes(q)) : available.value
  })
  function isKnown(v: string): boolean {
    return options.value.length === 0 || options.value.includes(v)
  }
  function isSelected(v: string): boolean {
    return selected.value.includes(v)
  }
  function add(v: string): void {
    if (disabled.value || isSelected(v)) return
    opts.onChange([...selected.value, v])
    query.value = ''
  }
  function remove(v: string): void {
    if (disabled.value) return
    opts.onChange(selected.value.filter((s) => s !== v))
  }
  function toggle(v: string): void {
    if (isSelected(v)) remove(v)
    else add(v)
  }
  /** Enter in the filter box adds the first match. */
  function addFirstMatch(): void {
    const first = filtered.value[0]
    if (first !== undefined) add(first)
  }
  return { query, options, selected, available, filtered, disabled, isKnown, isSelected, add, remove, toggle, addFirstMatch }
}
