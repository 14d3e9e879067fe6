/**
 * A module's state fields as its generated model (LiveStates, from shared/live_state.py).
 * The one place the store's merged fields meet their type: every field was checked against
 * that model where the task published it, so nothing is parsed here.
 */
import type { LiveStates } from '@/api/types'

export type LiveModule = keyof LiveStates

export function liveFields<M extends LiveModule>(_module: M, state: { fields: Record<string, unknown> }): LiveStates[M] {
  return state.fields as LiveStates[M]
}
