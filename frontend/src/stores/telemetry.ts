/** Progress (with metrics such as loss and lr for the training chart) and the latest
 * image of each kind per module (a frame, a loss curve and a similarity histogram can
 * all be current at once). */
import { defineStore } from 'pinia'
import { reactive } from 'vue'
import type { ImageData, LatestImage, ProgressData } from '@/api/events'
import { compareStreamIds } from '@/lib/streamId'

export interface ProgressPoint {
  done: number
  ts: number
  metrics: Record<string, number>
}

export interface ModuleProgress {
  jobId: string
  task: string
  latest: ProgressData
  points: ProgressPoint[]
}

export interface ModuleImage extends ImageData {
  id: string
  ts: number
}

export const MAX_POINTS = 2000

export const useTelemetryStore = defineStore('telemetry', () => {
  const progress = reactive<Record<string, ModuleProgress>>({})
  /** module -> kind -> the latest image of that kind */
  const images = reactive<Record<string, Record<string, ModuleImage>>>({})

  function addProgress(module: string, ts: number, data: ProgressData): void {
    let p = progress[module]
    if (!p || p.jobId !== data.job_id) {
      progress[module] = { jobId: data.job_id, task: data.task, latest: data, points: [] }
      p = progress[module] as ModuleProgress
    }
    p.latest = data
    const metrics: Record<string, number> = {}
    for (const [k, v] of Object.entries(data.metrics ?? {})) {
      if (typeof v === 'number' && Number.isFinite(v)) metrics[k] = v
    }
    if (Object.keys(metrics).length) {
      p.points.push({ done: data.done, ts, metrics })
      // keep long runs drawable: halve the resolution of the older half
      if (p.points.length > MAX_POINTS) {
        const half = Math.floor(p.points.length / 2)
        const older = p.points.slice(0, half).filter((_, i) => i % 2 === 0)
        p.points.splice(0, p.points.length, ...older, ...p.points.slice(half))
      }
    }
  }

  function setImage(module: string, id: string, ts: number, data: ImageData): void {
    const kinds = images[module] ?? (images[module] = {})
    kinds[data.kind] = { ...data, id, ts }
  }

  /** The snapshot's latest image per kind: it outlives its event, which the capped stream
   * may have trimmed. An image already here from a replayed event of the same or a newer
   * id stays. */
  function adoptImages(module: string, latest: Record<string, LatestImage>): void {
    for (const { id, ts, ...data } of Object.values(latest)) {
      const have = images[module]?.[data.kind]
      if (!have || compareStreamIds(have.id, id) < 0) setImage(module, id, ts, data)
    }
  }

  return { progress, images, addProgress, setImage, adoptImages }
})
