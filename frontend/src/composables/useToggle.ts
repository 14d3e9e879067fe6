import { computed, toValue, type MaybeRefOrGetter } from 'vue'

/** Toggle behaviour: state, flip, keyboard (Space/Enter come free with <button>). */
export function useToggle(opts: {
  value: MaybeRefOrGetter<boolean>
  disabled?: MaybeRefOrGetter<boolean>
  onChange: (next: boolean) => void
}) {
  const checked = computed(() => toValue(opts.value))
  const disabled = computed(() => !!toValue(opts.disabled))
  const state = computed(() => (checked.value ? 'on' : 'off'))
  function toggle(): void {
    if (!disabled.value) opts.onChange(!checked.value)
  }
  function set(next: boolean): void {
    if (!disabled.value && next !== checked.value) opts.onChange(next)
  }
  return { checked, disabled, state, toggle, set }
}
