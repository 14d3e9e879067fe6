/**
 * Module configs: values shown in the forms, debounced autosave through
 * POST /api/{module}/update_config, server 422 messages kept per field, and the live
 * acknowledgement (config events) from a running task.
 */
import { defineStore } from 'pinia'
import { reactive } from 'vue'
import { ApiError, issuesByField } from '@/api/client'
import { api } from '@/api/endpoints'
import type { ConfigValues } from '@/api/types'
import { normalizeOptions, type FieldDescriptor } from '@/lib/schema'

export type SaveStatus = 'idle' | 'pending' | 'saving' | 'saved' | 'error'

export interface ModuleConfigState {
  fields: FieldDescriptor[]
  values: ConfigValues
  errors: Record<string, string>
  /** fields whose typed text is not a value yet (never sent): field -> why */
  drafts: Record<string, string>
  formError: string
  status: SaveStatus
  pending: ConfigValues
  savedVersion: number | null
  appliedVersion: number | null
  appliedTask: string | null
  appliedFields: string[]
  deferredFields: string[]
}

export const AUTOSAVE_DELAY_MS = 400

export const useConfigStore = defineStore('config', () => {
  const modules = reactive<Record<string, ModuleConfigState>>({})
  const options = reactive<Record<string, string[]>>({})
  const optionErrors = reactive<Record<string, string>>({})
  const timers = new Map<string, ReturnType<typeof setTimeout>>()
  const inflight = new Map<string, Promise<void>>()
  const optionsInflight = new Map<string, Promise<string[]>>()

  function init(module: string, fields: FieldDescriptor[], values: ConfigValues, version: number | null = null): void {
    const existing = modules[module]
    if (existing) {
      existing.fields = fields
      existing.savedVersion = version
      // never overwrite what the user is editing
      for (const [k, v] of Object.entries(values)) if (!(k in existing.pending) && !(k in existing.errors)) existing.values[k] = v
      return
    }
    modules[module] = {
      fields,
      values: { ...values },
      errors: {},
      drafts: {},
      formError: '',
      status: 'idle',
      pending: {},
      savedVersion: version,
      appliedVersion: null,
      appliedTask: null,
      appliedFields: [],
      deferredFields: [],
    }
  }

  function get(module: string): ModuleConfigState | undefined {
    return modules[module]
  }

  function set(module: string, field: string, value: unknown): void {
    const m = modules[module]
    if (!m) return
    m.values[field] = value
    m.pending[field] = value
    m.status = 'pending'
    const t = timers.get(module)
    if (t) clearTimeout(t)
    timers.set(
      module,
      setTimeout(() => {
        timers.delete(module)
        void flush(module)
      }, AUTOSAVE_DELAY_MS),
    )
  }

  function applyServerConfig(m: ModuleConfigState, body: unknown): void {
    if (!body || typeof body !== 'object') return
    const o = body as Record<string, unknown>
    const config = o.config && typeof o.config === 'object' ? (o.config as ConfigValues) : o
    if (typeof o.version === 'number') m.savedVersion = o.version
    for (const f of m.fields) {
      if (f.name in config && !(f.name in m.pending) && !(f.name in m.errors)) m.values[f.name] = config[f.name]
    }
  }

  async function send(module: string, m: ModuleConfigState, patch: ConfigValues): Promise<void> {
    const names = m.fields.map((f) => f.name)
    try {
      const body = await api.updateConfig(module, patch)
      for (const k of Object.keys(patch)) delete m.errors[k]
      m.formError = ''
      applyServerConfig(m, body)
      m.status = Object.keys(m.pending).length ? 'pending' : 'saved'
      for (const f of m.fields) if (f.optionsFrom && f.optionsFrom.startsWith(`/api/${module}/`)) void loadOptions(f.optionsFrom, true)
    } catch (err) {
      m.status = 'error'
      if (err instanceof ApiError && err.status === 422) {
        const byField = issuesByField(err.issues, names)
        const rejected = Object.keys(byField).filter((k) => k in patch)
        for (const [k, msg] of Object.entries(byField)) {
          if (k) m.errors[k] = msg
        }
        m.formError = byField[''] ?? ''
        // a rejected field must not hold back the valid ones sent with it
        const rest = Object.fromEntries(Object.entries(patch).filter(([k]) => !rejected.includes(k)))
        if (rejected.length && Object.keys(rest).length) await send(module, m, rest)
        if (m.formError || rejected.length) m.status = 'error'
      } else {
        m.formError = err instanceof Error ? err.message : String(err)
      }
    }
  }

  async function flush(module: string): Promise<void> {
    const m = modules[module]
    if (!m) return
    const previous = inflight.get(module)
    if (previous) await previous
    const patch = { ...m.pending }
    if (!Object.keys(patch).length) return
    for (const k of Object.keys(patch)) delete m.pending[k]
    m.status = 'saving'
    const p = send(module, m, patch)
    inflight.set(module, p)
    try {
      await p
    } finally {
      if (inflight.get(module) === p) inflight.delete(module)
    }
  }

  /** Saves now (before a task starts, so it starts with what the user sees). */
  async function flushNow(module: string): Promise<void> {
    const t = timers.get(module)
    if (t) {
      clearTimeout(t)
      timers.delete(module)
    }
    await flush(module)
    const p = inflight.get(module)
    if (p) await p
  }

  function acknowledge(module: string, version: number, task: string, applied: string[] = [], deferred: string[] = []): void {
    const m = modules[module]
    if (!m) return
    m.appliedVersion = version
    m.appliedTask = task
    m.appliedFields = applied
    m.deferredFields = deferred
  }

  /** Loads an x-options-from list; fields sharing a path share one request (a forced
   * reload, after a save, starts its own: one begun earlier may answer the old config). */
  function loadOptions(path: string, force = false): Promise<string[]> {
    if (!force && options[path]) return Promise.resolve(options[path])
    const running = optionsInflight.get(path)
    if (running && !force) return running
    const p: Promise<string[]> = fetchOptions(path).finally(() => {
      if (optionsInflight.get(path) === p) optionsInflight.delete(path)
    })
    optionsInflight.set(path, p)
    return p
  }

  async function fetchOptions(path: string): Promise<string[]> {
    try {
      const list = normalizeOptions(await api.options(path))
      options[path] = list
      delete optionErrors[path]
      return list
    } catch (err) {
      optionErrors[path] = err instanceof Error ? err.message : String(err)
      return options[path] ?? []
    }
  }

  /** A field's typed text is not a valid value (``why``), or is again (``''``). */
  function markDraft(module: string, field: string, why: string): void {
    const m = modules[module]
    if (!m) return
    if (why) m.drafts[field] = why
    else delete m.drafts[field]
  }

  /** The values a task started now would not get: typed but invalid, or refused on save. */
  function ignoredValues(module: string): string[] {
    const m = modules[module]
    if (!m) return []
    const all = { ...m.errors, ...m.drafts }
    return Object.entries(all).map(([k, why]) => `${k} (${why})`)
  }

  return { modules, options, optionErrors, init, get, set, flushNow, acknowledge, loadOptions, markDraft, ignoredValues }
})
