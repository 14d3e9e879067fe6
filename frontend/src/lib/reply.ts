/**
 * The text box after "No": what the task asked for (its text hint) decides the check.
 * A plain id ("song id") must be a whole number; hints that also allow a name
 * ("state id or name") only need some text. The task validates again (and says why).
 */
export function replyTextError(hint: string, text: string): string {
  const t = text.trim()
  if (!t) return `enter the ${hint}`
  if (wantsNumber(hint) && !/^\d+$/.test(t)) return `${hint} must be a whole number`
  return ''
}

export function wantsNumber(hint: string): boolean {
  return /\bid\b/i.test(hint) && !/\bname\b/i.test(hint)
}
