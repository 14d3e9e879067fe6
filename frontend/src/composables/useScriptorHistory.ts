import { onScopeDispose, ref, shallowRef, watch } from 'vue'
import type { PlayRecord } from '@/api/types'

/**
 * The play history (GET /api/scriptor/history), fetched at first and again whenever
 * `trigger` changes: the loop appends a play to the file before it publishes its new
 * `plays` count, so a state event with a new count means a new row is there. One request
 * at a time; a change during a request asks once more after it (never a stale answer
 * last). A failed request keeps the rows already shown and says why.
 */
export function useScriptorHistory(opts: { fetch: () => Promise<PlayRecord[]>; trigger: () => unknown }) {
  const records = shallowRef<PlayRecord[]>([])
  const error = ref('')
  const loading = ref(false)
  const loaded = ref(false)
  let again = false
  let alive = true

  async function refresh(): Promise<void> {
    if (loading.value) {
      again = true
      return
    }
    loading.value = true
    try {
      do {
        again = false
        try {
          const rows = await opts.fetch()
          if (!alive) return
          records.value = rows
          error.value = ''
          loaded.value = true
        } catch (err) {
          if (!alive) return
          error.value = `the play history could not be loaded: ${err instanceof Error ? err.message : String(err)}`
        }
      } while (again && alive)
    } finally {
      loading.value = false
    }
  }

  watch(opts.trigger, () => void refresh(), { immediate: true })
  onScopeDispose(() => {
    alive = false
  })

  return { records, error, loading, loaded, refresh }
}
