import { ref, toValue, watch, type MaybeRefOrGetter } from 'vue'
import type { CheckResult } from '@/api/types'

export type CheckState = 'idle' | 'checking' | 'ok' | 'warning' | 'error'

/**
 * Asynchronous check of a field's value (x-check, e.g. check_song_id): debounced, and an
 * answer for an older value never overwrites the answer for the current one.
 */
export function useAsyncCheck(opts: {
  value: MaybeRefOrGetter<unknown>
  check: (value: unknown) => Promise<CheckResult>
  delay?: number
  enabled?: MaybeRefOrGetter<boolean>
}) {
  const state = ref<CheckState>('idle')
  const message = ref('')
  let timer: ReturnType<typeof setTimeout> | null = null
  let seq = 0

  async function run(value: unknown): Promise<void> {
    const mine = ++seq
    state.value = 'checking'
    message.value = ''
    try {
      const res = await opts.check(value)
      if (mine !== seq) return
      state.value = res.ok ? 'ok' : 'warning'
      message.value = res.message ?? ''
    } catch (err) {
      if (mine !== seq) return
      state.value = 'error'
      message.value = `check failed: ${err instanceof Error ? err.message : String(err)}`
    }
  }

  let first = true
  watch(
    () => toValue(opts.value),
    (value) => {
      const delay = first ? 0 : (opts.delay ?? 300) // the value shown on load is checked at once
      first = false
      if (timer) clearTimeout(timer)
      if (toValue(opts.enabled) === false || value === undefined || value === null || value === '') {
        seq++
        state.value = 'idle'
        return
      }
      timer = setTimeout(() => void run(value), delay)
    },
    { immediate: true },
  )

  return { state, message, run }
}
