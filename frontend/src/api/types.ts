/**
 * Shapes of the gateway's REST answers used by the UI. Provisional until src/api/schema.d.ts
 * is generated from the gateway's OpenAPI schema (npm run gen:api).
 */
import type { JsonSchema } from '@/lib/schema'
import type { StateData } from './events'

export interface TaskInfo {
  name: string
  title: string
  uses_device?: boolean
  interactive?: boolean
  placeholder?: boolean
}

export interface ModuleInfo {
  name: string
  title: string
  tasks: TaskInfo[]
  state: Partial<StateData>
  config_schema: JsonSchema
  config?: Record<string, unknown>
}

export interface Health {
  ok?: boolean
  status?: string
  redis?: unknown
  workers?: Record<string, unknown>
  [key: string]: unknown
}

export interface CheckResult {
  ok: boolean
  message?: string
}

export type ConfigValues = Record<string, unknown>

export type ReplyAnswer = 'Yes' | 'No' | 'Drop' | 'Stop'
