import { describe, expect, it } from 'vitest'
import { replyTextError } from '@/lib/reply'

describe('replyTextError', () => {
  it('wants a whole number for an id', () => {
    expect(replyTextError('song id', '')).toBe('enter the song id')
    expect(replyTextError('song id', 'abc')).toBe('song id must be a whole number')
    expect(replyTextError('song id', '-3')).toBe('song id must be a whole number')
    expect(replyTextError('song id', ' 655 ')).toBe('')
    expect(replyTextError('id', '1.5')).toBe('id must be a whole number')
  })
  it('accepts a name where the task allows one', () => {
    expect(replyTextError('state id or name', 'ready')).toBe('')
    expect(replyTextError('state id or name', '22')).toBe('')
    expect(replyTextError('state id or name', '  ')).toBe('enter the state id or name')
  })
})
