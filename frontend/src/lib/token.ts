/** The gateway token (asked for only when the gateway listens beyond loopback): kept as the
 * same-origin cookie the gateway reads, so fetch, images and the WebSocket all carry it. */
export const TOKEN_COOKIE = 'autobang_token'
export const TOKEN_REQUIRED_EVENT = 'autobang:token-required'

export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token.trim())}; path=/; SameSite=Strict; max-age=31536000`
}

/** Called by the API client on a 401: the prompt opens once. */
export function announceTokenRequired(): void {
  window.dispatchEvent(new CustomEvent(TOKEN_REQUIRED_EVENT))
}
