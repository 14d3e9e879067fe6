/**
 * Raw WebSocket to the gateway's /ws with resume: every (re)connect sends the last stream id
 * seen per module (`?since=mod:id,...`), so the gateway replays exactly what was missed.
 */
import { parseServerMessage, type ServerMessage } from '@/api/events'

export type SocketStatus = 'connecting' | 'open' | 'reconnecting' | 'closed'

export interface EventSocketOptions {
  url?: string
  cursors: () => Record<string, string>
  onMessage: (msg: ServerMessage) => void
  onStatus?: (status: SocketStatus) => void
  /** messages are delivered in batches at most this often (ms) */
  batchMs?: number
  /** backoff bounds in ms */
  minDelay?: number
  maxDelay?: number
  WebSocketImpl?: typeof WebSocket
}

/** `batch=1` asks the gateway for JSON-array frames (fewer frames on a replay). */
export function wsUrl(cursors: Record<string, string>, base?: string): string {
  const origin = base ?? `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`
  const since = Object.entries(cursors)
    .map(([m, id]) => `${m}:${id}`)
    .join(',')
  return since ? `${origin}?batch=1&since=${encodeURIComponent(since)}` : `${origin}?batch=1`
}

export class EventSocket {
  private ws: WebSocket | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private delay: number
  private stopped = false
  private buffer: ServerMessage[] = []
  private flushTimer: ReturnType<typeof setTimeout> | null = null

  constructor(private readonly opts: EventSocketOptions) {
    this.delay = opts.minDelay ?? 300
  }

  connect(): void {
    this.stopped = false
    this.open('connecting')
  }

  close(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.flushTimer) {
      clearTimeout(this.flushTimer)
      this.flush() // deliver what already arrived
    }
    const ws = this.ws
    this.ws = null
    ws?.close()
    this.opts.onStatus?.('closed')
  }

  private flush(): void {
    this.flushTimer = null
    const batch = this.buffer
    this.buffer = []
    for (const msg of batch) this.opts.onMessage(msg)
  }

  private open(status: SocketStatus): void {
    this.opts.onStatus?.(status)
    const Impl = this.opts.WebSocketImpl ?? WebSocket
    const ws = new Impl(wsUrl(this.opts.cursors(), this.opts.url))
    this.ws = ws
    ws.onopen = () => {
      this.delay = this.opts.minDelay ?? 300
      this.opts.onStatus?.('open')
    }
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== 'string') return
      let parsed: unknown
      try {
        parsed = JSON.parse(ev.data)
      } catch {
        return
      }
      const list = Array.isArray(parsed) ? parsed : [parsed]
      for (const item of list) {
        const msg = parseServerMessage(item)
        if (msg) this.buffer.push(msg)
      }
      // a replay after a reload can be thousands of messages: hand them over in batches so
      // the page renders (and e.g. loads a frame) once per batch, not once per message
      this.flushTimer ??= setTimeout(() => this.flush(), this.opts.batchMs ?? 25)
    }
    ws.onclose = () => {
      if (this.ws !== ws || this.stopped) return
      this.ws = null
      this.opts.onStatus?.('reconnecting')
      this.timer = setTimeout(() => this.open('reconnecting'), this.delay)
      this.delay = Math.min(this.delay * 2, this.opts.maxDelay ?? 5000)
    }
    // errors are followed by close; reconnecting there is enough
    ws.onerror = () => undefined
  }
}
