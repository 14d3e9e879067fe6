// The files of the error bundle a run left (GET /api/scriptor/errors), looked up once per
// bundle name: the panel links each one (the frames, states.json, log.txt) so the user
// opens them in the browser instead of digging in the data dir.
import { ref, watch, type Ref } from 'vue'
import type { ErrorBundle } from '@/api/types'

export interface ErrorBundleLookup {
  bundle: Ref<ErrorBundle | null>
  /** why the listing failed (the path stays shown) */
  error: Ref<string | null>
}

export function useErrorBundle(opts: { name: () => string | null; list: () => Promise<ErrorBundle[]> }): ErrorBundleLookup {
  const bundle = ref<ErrorBundle | null>(null)
  const error = ref<string | null>(null)
  let asked = 0
  watch(
    opts.name,
    async (name) => {
      const ticket = ++asked
      bundle.value = null
      error.value = null
      if (!name) return
      try {
        const found = (await opts.list()).find((b) => b.name === name) ?? null
        if (ticket === asked) bundle.value = found
      } catch (exc) {
        if (ticket === asked) error.value = exc instanceof Error ? exc.message : String(exc)
      }
    },
    { immediate: true },
  )
  return { bundle, error }
}
