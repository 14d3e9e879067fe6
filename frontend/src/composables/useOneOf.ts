import { computed, toValue, type MaybeRefOrGetter } from 'vue'

/**
 * One-of (radio group) behaviour following the WAI-ARIA radio pattern: one tab stop (the
 * selected item, or the first), arrow keys move and select, Home/End jump.
 */
export function useOneOf(opts: {
  options: MaybeRefOrGetter<readonly string[]>
  value: MaybeRefOrGetter<string | undefined>
  disabled?: MaybeRefOrGetter<boolean>
  onChange: (next: string) => void
}) {
  const options = computed(() => toValue(opts.options))
  const selected = computed(() => toValue(opts.value))
  const disabled = computed(() => !!toValue(opts.disabled))
  const selectedIndex = computed(() => options.value.indexOf(selected.value ?? ''))

  function isSelected(option: string): boolean {
    return option === selected.value
  }
  function select(option: string): void {
    if (!disabled.value && option !== selected.value && options.value.includes(option)) opts.onChange(option)
  }
  function tabIndexOf(index: number): number {
    const focusable = selectedIndex.value >= 0 ? selectedIndex.value : 0
    return index === focusable ? 0 : -1
  }
  /** Handles a key on item `index`; returns the index to focus, or null if not ours. */
  function onKey(key: string, index: number): number | null {
    const n = options.value.length
    if (!n) return null
    let next: number
    if (key === 'ArrowRight' || key === 'ArrowDown') next = (index + 1) % n
    else if (key === 'ArrowLeft' || key === 'ArrowUp') next = (index - 1 + n) % n
    else if (key === 'Home') next = 0
    else if (key === 'End') next = n - 1
    else if (key === ' ' || key === 'Enter') next = index
    else return null
    const option = options.value[next]
    if (option !== undefined) select(option)
    return next
  }
  return { options, selected, selectedIndex, disabled, isSelected, select, tabIndexOf, onKey }
}
