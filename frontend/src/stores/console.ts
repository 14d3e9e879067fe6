/**
 * Per-module console: log lines, state changes and prompts in arrival order. Lines come
 * from the gateway's event stream (replayed on reload), so the console survives tab
 * switches and reloads; "clear" remembers the last cleared id so a replay does not bring
 * cleared lines back.
 */
import { defineStore } from 'pinia'
import { reactive } from 'vue'
import type { LogLevel, PromptData } from '@/api/events'
import { compareStreamIds } from '@/lib/streamId'

export type LineLevel = LogLevel | 'state'
export const LINE_LEVELS: readonly LineLevel[] = ['debug', 'info', 'warning', 'error', 'state']

export interface ConsoleLine {
  key: string
  id: string
  ts: number
  level: LineLevel
  message: string
  task?: string | null
  promptId?: string
  /** longer text behind the line (a failed task's traceback), shown behind a toggle */
  details?: string | null
}

export interface PromptEntry extends PromptData {
  id: string
  ts: number
  module: string
  /** known only from a state snapshot so far: its event, if replayed, fixes its place */
  provisional?: boolean
}

export interface ModuleConsole {
  lines: ConsoleLine[]
  levels: Record<LineLevel, boolean>
  trimmed: boolean
}

export const MAX_LINES = 5000
const clearedKey = (m: string): string => `autobang.console.cleared.${m}`

export const useConsoleStore = defineStore('console', () => {
  const consoles = reactive<Record<string, ModuleConsole>>({})
  const prompts = reactive<Record<string, PromptEntry>>({})

  function of(module: string): ModuleConsole {
    let c = consoles[module]
    if (!c) {
      c = { lines: [], levels: { debug: true, info: true, warning: true, error: true, state: true }, trimmed: false }
      consoles[module] = c
      c = consoles[module] as ModuleConsole
    }
    return c
  }

  // read once per module: push() runs for every streamed line
  const cleared = new Map<string, string | null>()

  function clearedUpTo(module: string): string | null {
    if (!cleared.has(module)) {
      let id: string | null = null
      try {
        id = localStorage.getItem(clearedKey(module))
      } catch {
        // storage blocked: nothing was remembered
      }
      cleared.set(module, id)
    }
    return cleared.get(module) ?? null
  }

  function push(module: string, line: ConsoleLine): void {
    const upTo = clearedUpTo(module)
    if (upTo && compareStreamIds(line.id, upTo) <= 0) return
    const c = of(module)
    c.lines.push(line)
    if (c.lines.length > MAX_LINES) c.lines.splice(0, c.lines.length - MAX_LINES)
  }

  function addLog(module: string, id: string, ts: number, level: LogLevel, message: string, task?: string | null, details?: string | null): void {
    push(module, { key: id, id, ts, level, message, task: task ?? null, details: details || null })
  }

  function addState(module: string, id: string, ts: number, message: string, task?: string | null): void {
    push(module, { key: `${id}/s`, id, ts, level: 'state', message, task: task ?? null })
  }

  function upsertPrompt(module: string, id: string, ts: number, data: PromptData, provisional = false): void {
    const existing = prompts[data.prompt_id]
    if (existing) {
      if (existing.provisional && !provisional) {
        // the real event arrived: move the prompt to its place in the log
        const c = of(module)
        const at = c.lines.findIndex((l) => l.promptId === data.prompt_id)
        if (at >= 0) c.lines.splice(at, 1)
        Object.assign(existing, data, { id, ts, provisional: false })
        if (!data.closed) push(module, { key: `${id}/p`, id, ts, level: 'info', message: data.prompt, task: data.task, promptId: data.prompt_id })
        return
      }
      Object.assign(existing, data, { id: existing.id, ts: existing.ts })
      return
    }
    prompts[data.prompt_id] = { ...data, id, ts, module, provisional }
    if (!data.closed) {
      push(module, { key: `${id}/p`, id, ts, level: 'info', message: data.prompt, task: data.task, promptId: data.prompt_id })
    }
  }

  function markTrimmed(module: string): void {
    of(module).trimmed = true
  }

  function clear(module: string): void {
    const c = of(module)
    const last = c.lines[c.lines.length - 1]
    if (last) {
      cleared.set(module, last.id)
      try {
        localStorage.setItem(clearedKey(module), last.id)
      } catch {
        // storage blocked: clear still applies until reload
      }
    }
    c.lines.splice(0)
    c.trimmed = false
  }

  function visibleLines(module: string): ConsoleLine[] {
    const c = of(module)
    return c.lines.filter((l) => c.levels[l.level])
  }

  function openPrompts(module: string): PromptEntry[] {
    return Object.values(prompts).filter((p) => p.module === module && !p.closed)
  }

  function asText(module: string): string {
    return visibleLines(module)
      .map((l) => `${new Date(l.ts * 1000).toISOString()} ${l.level.toUpperCase().padEnd(7)} ${l.task ? `[${l.task}] ` : ''}${l.message}${l.details ? `\n${l.details}` : ''}`)
      .join('\n')
  }

  return { consoles, prompts, of, addLog, addState, upsertPrompt, markTrimmed, clear, visibleLines, openPrompts, asText }
})
