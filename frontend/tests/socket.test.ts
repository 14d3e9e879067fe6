// EventSocket against a real WebSocket server on loopback (ws), through happy-dom's
// WebSocket: resume cursors on reconnect, batching, message parsing.
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws'
import type { ServerMessage } from '@/api/events'
import { EventSocket, wsUrl, type SocketStatus } from '@/ws/socket'
import { until } from './helpers'

let server: WebSocketServer | null = null
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
  server = null
})

async function startServer(onConnection: (socket: ServerSocket, url: string) => void): Promise<string> {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  server.on('connection', (socket, req) => onConnection(socket, req.url ?? ''))
  await new Promise<void>((r) => server?.once('listening', () => r()))
  const addr = server.address()
  if (typeof addr !== 'object' || !addr) throw new Error('no address')
  return `ws://127.0.0.1:${addr.port}/ws`
}

const ev = (id: string, message: string) => JSON.stringify({ id, module: 'fetch', type: 'log', ts: 1, data: { level: 'info', message } })

describe('wsUrl', () => {
  it('encodes per-module cursors', () => {
    expect(wsUrl({ fetch: '5-0', scriptor: '0-0' }, 'ws://h/ws')).toBe('ws://h/ws?batch=1&since=fetch%3A5-0%2Cscriptor%3A0-0')
    expect(wsUrl({}, 'ws://h/ws')).toBe('ws://h/ws?batch=1')
  })
})

describe('EventSocket', () => {
  it('delivers events in order, reconnects after a drop and resumes from the last id seen', async () => {
    const urls: string[] = []
    const url = await startServer((socket, u) => {
      urls.push(decodeURIComponent(u))
      if (urls.length === 1) {
        socket.send(JSON.stringify({ type: 'snapshot', modules: { fetch: { status: 'running' } } }))
        socket.send(ev('1-0', 'a'))
        socket.send(ev('2-0', 'b'))
        socket.send('not json')
        socket.send(JSON.stringify({ type: 'unknown' }))
        setTimeout(() => socket.close(), 100) // the gateway closes slow sockets; they resume
      } else {
        socket.send(`[${ev('3-0', 'c')}]`) // a batch frame (JSON array)
      }
    })
    const got: ServerMessage[] = []
    const statuses: SocketStatus[] = []
    const cursors: Record<string, string> = { fetch: '0-0' }
    const s = new EventSocket({
      url,
      minDelay: 20,
      cursors: () => cursors,
      onMessage: (m) => {
        got.push(m)
        if ('id' in m) cursors[m.module] = m.id
      },
      onStatus: (st) => statuses.push(st),
    })
    s.connect()
    await until(() => got.length === 4, 5000)
    s.close()
    expect(got.map((m) => ('id' in m ? m.id : m.type))).toEqual(['snapshot', '1-0', '2-0', '3-0'])
    expect(urls).toEqual(['/ws?batch=1&since=fetch:0-0', '/ws?batch=1&since=fetch:2-0'])
    expect(statuses).toContain('reconnecting')
    expect(statuses.at(-1)).toBe('closed')
  })

  it('hands a burst over in one batch', async () => {
    const url = await startServer((socket) => {
      for (let i = 1; i <= 200; i++) socket.send(ev(`${i}-0`, `m${i}`))
    })
    const batches: number[] = []
    let current = 0
    let scheduled = false
    const s = new EventSocket({
      url,
      batchMs: 50,
      cursors: () => ({}),
      onMessage: () => {
        current++
        if (!scheduled) {
          scheduled = true
          queueMicrotask(() => {
            batches.push(current)
            current = 0
            scheduled = false
          })
        }
      },
    })
    s.connect()
    await until(() => batches.reduce((a, b) => a + b, 0) === 200, 5000)
    s.close()
    expect(batches.length).toBeLessThan(20) // not one render per message
  })
})
