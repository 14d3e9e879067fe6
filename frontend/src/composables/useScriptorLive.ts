import { computed, onScopeDispose, ref } from 'vue'
import { liveFields } from '@/lib/live'
import { scriptorWarnings, type LogLineLike } from '@/lib/scriptor'
import type { ModuleState } from '@/stores/backend'

/**
 * The scriptor's live status for its panel: the state fields the loop publishes each
 * cycle (from the WebSocket's state events) and the warnings of the moment, which expire
 * as the clock runs (`tickMs`), not only when a new event arrives.
 */
export function useScriptorLive(opts: {
  state: () => ModuleState
  lines: () => readonly LogLineLike[]
  clock?: () => number
  tickMs?: number
}) {
  const clock = opts.clock ?? (() => Date.now() / 1000)
  const now = ref(clock())
  const timer = setInterval(() => (now.value = clock()), opts.tickMs ?? 1000)
  onScopeDispose(() => clearInterval(timer))

  const live = computed(() => liveFields('scriptor', opts.state()))
  const warnings = computed(() => {
    const s = opts.state()
    return scriptorWarnings({ status: s.status, error: s.error, live: live.value, lines: opts.lines(), now: now.value })
  })
  return { live, warnings, now }
}
