import { computed, reactive, ref, toValue, watch, type MaybeRefOrGetter } from 'vue'
import { api } from '@/api/endpoints'
import type { FrameListing, LastFit } from '@/api/types'
import { liveFields } from '@/lib/live'
import { isActive } from '@/lib/status'
import { captureInfo, currentMode, noteMarks, sectionOf, walkPosition, walkReply, type WalkAction } from '@/lib/workflow'
import { useBackendStore } from '@/stores/backend'
import { useConfigStore } from '@/stores/config'
import { useConsoleStore } from '@/stores/console'
import { useTelemetryStore } from '@/stores/telemetry'

export const MODULE = 'workflow'
/** Where the UI states come from when no prompt offers them (shared.screens.UI_STATES). */
export const STATES_PATH = '/api/scriptor/available-states'

/** A request's state for a button: what the user sees after pressing it. */
export interface Action {
  state: 'idle' | 'busy' | 'done' | 'error'
  message: string
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err))

/**
 * The Workflow tab's controls over the running task (docs/workflow.md): Capture's frame
 * rate, backend and Save frame; Record's progress; the walk-through's next / previous /
 * jump / label (answers to the task's prompt); the overlay's notes; the trace's last fit
 * and Save coefficients. State from the stores (the /ws events), requests via the gateway.
 */
export function useWorkflow(opts: { unit?: MaybeRefOrGetter<string> } = {}) {
  const backend = useBackendStore()
  const config = useConfigStore()
  const consoles = useConsoleStore()
  const telemetry = useTelemetryStore()

  // the unit of the device the tab picked (`workflow@mumu2`); the config is the module's one
  const unit = computed(() => toValue(opts.unit) ?? MODULE)
  const state = computed(() => backend.stateOf(unit.value))
  const running = computed(() => isActive(state.value.status))
  const live = computed(() => liveFields('workflow', state.value))
  const mode = computed(() => currentMode(live.value, config.get(MODULE)?.values.workflow_mode, running.value))
  const section = computed(() => sectionOf(mode.value))
  const images = computed(() => telemetry.images[unit.value] ?? {})
  const capture = computed(() => captureInfo(live.value, images.value.frame?.meta))
  const marks = computed(() => noteMarks(images.value.overlay?.meta))
  const position = computed(() => (running.value ? walkPosition(live.value) : null))
  /** The task's open question (the walk-through's "frame i/n"), if any. */
  const prompt = computed(() => consoles.openPrompts(unit.value).find((p) => p.job_id === state.value.jobId) ?? null)
  const progress = computed(() => {
    const p = telemetry.progress[unit.value]
    return p && p.jobId === state.value.jobId ? p.latest : null
  })

  const knownStates = ref<string[]>([])
  /** The UI states to label a frame with: the prompt's own choices, else the gateway's list. */
  const states = computed(() => (prompt.value?.choices?.length ? prompt.value.choices : knownStates.value))
  async function loadStates(): Promise<void> {
    if (knownStates.value.length) return
    try {
      const list = await api.options(STATES_PATH)
      if (Array.isArray(list)) knownStates.value = list.filter((s): s is string => typeof s === 'string')
    } catch {
      // the label list is a convenience: free text still works
    }
  }

  const saving = reactive<Action>({ state: 'idle', message: '' })
  async function saveFrame(label: string): Promise<void> {
    saving.state = 'busy'
    saving.message = ''
    try {
      const saved = await api.saveFrame(label.trim() || 'unknown', undefined, unit.value)
      saving.state = 'done'
      saving.message = saved.path
      void refreshFrames()
    } catch (err) {
      saving.state = 'error'
      saving.message = messageOf(err)
    }
  }

  const walking = reactive<Action>({ state: 'idle', message: '' })
  async function walk(action: WalkAction): Promise<void> {
    const p = prompt.value
    if (!p) {
      walking.state = 'error'
      walking.message = 'the walk-through is not waiting: start it in WalkThrough or WalkThroughSheet mode'
      return
    }
    const { answer, text } = walkReply(action)
    walking.state = 'busy'
    walking.message = ''
    try {
      await api.reply(unit.value, answer, text, p.prompt_id)
      walking.state = 'done'
      if (action.kind === 'label') void refreshFrames()
    } catch (err) {
      walking.state = 'error'
      walking.message = messageOf(err)
    }
  }

  const listing = ref<FrameListing | null>(null)
  const listingError = ref('')
  async function refreshFrames(): Promise<void> {
    try {
      listing.value = await api.savedFrames()
      listingError.value = ''
    } catch (err) {
      listingError.value = messageOf(err)
    }
  }

  const fit = ref<LastFit | null>(null)
  const fitError = ref('')
  async function loadFit(): Promise<void> {
    try {
      fit.value = await api.lastFit()
      fitError.value = ''
    } catch (err) {
      fitError.value = messageOf(err)
    }
  }
  const savingFit = reactive<Action>({ state: 'idle', message: '' })
  async function saveFit(): Promise<void> {
    savingFit.state = 'busy'
    savingFit.message = ''
    try {
      const saved = await api.saveFit()
      savingFit.state = 'done'
      savingFit.message = `saved as ${saved.version} (${saved.path}): the play engine uses it from now on`
      await loadFit()
    } catch (err) {
      savingFit.state = 'error'
      savingFit.message = messageOf(err)
    }
  }

  // Keep the saved frames and the last fit current as the task moves on.
  // (sources watched one by one: a state event that changes none of them asks nothing)
  watch(
    [section, () => live.value.total, () => state.value.status],
    ([s]) => {
      if (s === 'walk' || s === 'capture') void refreshFrames()
    },
    { immediate: true },
  )
  watch(
    [section, () => images.value.fit?.id, () => state.value.status],
    ([s]) => {
      if (s === 'trace') void loadFit()
    },
    { immediate: true },
  )

  return {
    state,
    running,
    mode,
    section,
    images,
    capture,
    marks,
    position,
    prompt,
    progress,
    states,
    loadStates,
    saving,
    saveFrame,
    walking,
    walk,
    listing,
    listingError,
    refreshFrames,
    fit,
    fitError,
    loadFit,
    savingFit,
    saveFit,
  }
}
