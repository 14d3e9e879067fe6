/** A small fetch wrapper: JSON in and out, errors as ApiError with the server's words. */
import type { components } from './schema'
import { announceTokenRequired } from '@/lib/token'

/** One entry of FastAPI's 422 detail, as the gateway's OpenAPI schema names it. */
export type ValidationIssue = components['schemas']['ValidationError']

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
    message: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** FastAPI's 422 body: {"detail": [{loc, msg, type}]} */
  get issues(): ValidationIssue[] {
    return Array.isArray(this.detail) ? (this.detail as ValidationIssue[]).filter((d) => d && typeof d.msg === 'string') : []
  }
}

function messageOf(status: number, detail: unknown, fallback: string): string {
  if (typeof detail === 'string') return detail
  if (Array.isArray(detail)) {
    return detail.map((d: unknown) => (d && typeof d === 'object' && 'msg' in d ? String((d as { msg: unknown }).msg) : String(d))).join('; ')
  }
  if (detail && typeof detail === 'object') {
    const o = detail as Record<string, unknown>
    if (typeof o.message === 'string') return o.message
    return JSON.stringify(detail)
  }
  return `${status} ${fallback}`
}

export async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const init: RequestInit = { method, headers: { Accept: 'application/json' } }
  if (signal) init.signal = signal
  if (body instanceof FormData) {
    init.body = body // multipart: the browser sets Content-Type with the boundary
  } else if (body !== undefined) {
    init.body = JSON.stringify(body)
    init.headers = { ...init.headers, 'Content-Type': 'application/json' }
  }
  const res = await fetch(path, init)
  const text = await res.text()
  let payload: unknown = undefined
  if (text) {
    try {
      payload = JSON.parse(text)
    } catch {
      payload = text
    }
  }
  if (res.status === 401) announceTokenRequired()
  if (!res.ok) {
    const detail = payload && typeof payload === 'object' && 'detail' in payload ? (payload as { detail: unknown }).detail : payload
    throw new ApiError(res.status, detail, messageOf(res.status, detail, res.statusText))
  }
  return payload as T
}

export const http = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, undefined, signal),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body),
}

/** Maps 422 issues to config field names: the first loc part that names a field (FastAPI
 * prefixes "body"); issues that name no field (model-level rules) go under "". */
export function issuesByField(issues: ValidationIssue[], fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const issue of issues) {
    const field = issue.loc.find((p): p is string => typeof p === 'string' && fields.includes(p)) ?? ''
    const where = issue.loc.slice(issue.loc.indexOf(field) + 1).filter((p) => p !== field)
    const msg = field && where.length ? `${issue.msg} (at ${where.join('.')})` : issue.msg
    out[field] = out[field] ? `${out[field]}; ${msg}` : msg
  }
  return out
}
