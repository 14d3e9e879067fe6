import { http } from './client'
import type {
  CheckResult,
  ColorResponse,
  ConfigDoc,
  ConfigValues,
  DeviceList,
  DevicesDoc,
  DeviceStatus,
  FrameFolder,
  FrameListing,
  LastFit,
  Health,
  ErrorBundle,
  StateCoverage,
  PlayRecord,
  DeviceOffset,
  ScreenModel,
  UseShipped,
  ModulesResponse,
  ReplyAnswer,
  ReplyResponse,
  SavedCoefficients,
  SavedFrame,
  ScreenshotList,
  ScreenshotUpload,
  StartResponse,
  StopResponse,
} from './types'

const enc = encodeURIComponent

export const api = {
  health: () => http.get<Health>('/healthz'),
  modules: () => http.get<ModulesResponse>('/api/modules'),
  config: (module: string) => http.get<ConfigDoc>(`/api/${enc(module)}/config`),
  updateConfig: (module: string, patch: ConfigValues) => http.post<ConfigDoc>(`/api/${enc(module)}/update_config`, patch),
  start: (module: string, task: string) => http.post<StartResponse>(`/api/${enc(module)}/tasks/${enc(task)}/start`, { config: {} }),
  stop: (module: string, task: string) => http.post<StopResponse>(`/api/${enc(module)}/tasks/${enc(task)}/stop`),
  reply: (module: string, answer: ReplyAnswer, text: string | null, promptId: string) =>
    http.post<ReplyResponse>(`/api/${enc(module)}/reply`, { answer, text, prompt_id: promptId }),
  // `unit`: the device the Workflow tab picked (workflow@NAME), its frame
  color: (x: number, y: number, kind = 'frame', unit = 'workflow') =>
    http.get<ColorResponse>(`/api/workflow/color?x=${x}&y=${y}&kind=${enc(kind)}&unit=${enc(unit)}`),
  saveFrame: (state: string, folder?: FrameFolder, unit = 'workflow') =>
    http.post<SavedFrame>(`/api/workflow/frames?state=${enc(state)}${folder ? `&folder=${enc(folder)}` : ''}&unit=${enc(unit)}`),
  savedFrames: (folder?: FrameFolder) => http.get<FrameListing>(`/api/workflow/frames${folder ? `?folder=${enc(folder)}` : ''}`),
  lastFit: () => http.get<LastFit | null>('/api/workflow/fit'),
  saveFit: () => http.post<SavedCoefficients>('/api/workflow/fit/save'),
  screenshots: (module: string) => http.get<ScreenshotList>(`/api/${enc(module)}/screenshots`),
  uploadScreenshots: (module: string, files: readonly File[]) => {
    const form = new FormData()
    for (const f of files) form.append('files', f, f.name)
    return http.post<ScreenshotUpload>(`/api/${enc(module)}/screenshots`, form)
  },
  device: (name = '') => http.get<DeviceStatus>(`/api/device${name ? `?device=${enc(name)}` : ''}`),
  devices: () => http.get<DevicesDoc>('/api/devices'),
  saveDevices: (list: DeviceList) => http.put<DevicesDoc>('/api/devices', list),
  scriptorHistory: (limit = 500, device?: string | null) =>
    http.get<PlayRecord[]>(`/api/scriptor/history?limit=${limit}${device ? `&device=${enc(device)}` : ''}`),
  errorBundles: () => http.get<ErrorBundle[]>('/api/scriptor/errors'),
  screenModels: () => http.get<ScreenModel[]>('/api/ui_recognition/models'),
  useShippedModel: () => http.post<UseShipped>('/api/ui_recognition/models/use-shipped'),
  offsets: () => http.get<DeviceOffset[]>('/api/scriptor/offsets'),
  pinOffset: (device: string, pinned: boolean, offsetMs?: number) =>
    http.put<DeviceOffset>(`/api/scriptor/offsets/${enc(device)}`, { pinned, offset_ms: offsetMs ?? null }),
  screenCoverage: () => http.get<StateCoverage[]>('/api/screens/coverage'),
  options: (path: string) => http.get<unknown>(path),
  check: (template: string, value: unknown) => http.get<CheckResult>(template.replace('{value}', enc(String(value)))),
}
