/** Task states as the runtime names them (shared/event_schema.py TaskStatus), in plain words. */
export const TASK_STATUSES = ['idle', 'queued', 'running', 'stopping', 'finished', 'failed', 'stopped'] as const
export type TaskStatus = (typeof TASK_STATUSES)[number]

export const ACTIVE_STATUSES: readonly TaskStatus[] = ['queued', 'running', 'stopping']

export function isTaskStatus(value: unknown): value is TaskStatus {
  return typeof value === 'string' && (TASK_STATUSES as readonly string[]).includes(value)
}

export function isActive(status: TaskStatus): boolean {
  return ACTIVE_STATUSES.includes(status)
}

export const STATUS_LABEL: Record<TaskStatus, string> = {
  idle: 'idle',
  queued: 'queued',
  running: 'running',
  stopping: 'stopping',
  finished: 'finished',
  failed: 'failed',
  stopped: 'stopped',
}
