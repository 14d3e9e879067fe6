import { http } from './client'
import type { CheckResult, ConfigValues, Health, ModuleInfo, ReplyAnswer } from './types'

const enc = encodeURIComponent

export const api = {
  health: () => http.get<Health>('/healthz'),
  modules: async (): Promise<ModuleInfo[]> => {
    const body = await http.get<ModuleInfo[] | { modules: ModuleInfo[] }>('/api/modules')
    return Array.isArray(body) ? body : body.modules
  },
  config: (module: string) => http.get<ConfigValues>(`/api/${enc(module)}/config`),
  updateConfig: (module: string, patch: ConfigValues) => http.post<unknown>(`/api/${enc(module)}/update_config`, patch),
  start: (module: string, task: string) => http.post<unknown>(`/api/${enc(module)}/tasks/${enc(task)}/start`, {}),
  stop: (module: string, task: string) => http.post<unknown>(`/api/${enc(module)}/tasks/${enc(task)}/stop`),
  reply: (module: string, answer: ReplyAnswer | string, text: string | null, promptId: string) =>
    http.post<unknown>(`/api/${enc(module)}/reply`, { answer, text, prompt_id: promptId }),
  options: (path: string) => http.get<unknown>(path),
  check: (template: string, value: unknown) => http.get<CheckResult>(template.replace('{value}', enc(String(value)))),
}
