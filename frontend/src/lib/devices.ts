/**
 * Devices and units: the first device of the device list is served by each module itself
 * (`scriptor`); another device NAME by its unit `scriptor@NAME` (shared/modules.py), with
 * its own state, events, images and routes.
 */
export const UNIT_SEP = '@'

/** `scriptor@mumu2` -> ['scriptor', 'mumu2']; `scriptor` -> ['scriptor', '']. */
export function splitUnit(unit: string): [string, string] {
  const at = unit.indexOf(UNIT_SEP)
  return at < 0 ? [unit, ''] : [unit.slice(0, at), unit.slice(at + 1)]
}

/** The unit of `module` for the device at `index` of the list (0: the module itself). */
export function unitOf(module: string, name: string, index: number): string {
  return index === 0 ? module : `${module}${UNIT_SEP}${name}`
}

/** A list's rows as the editor keeps them, and back: blank names and targets stay as typed
 * so the gateway's 422 names the field. */
export interface DeviceRow {
  name: string
  target: string
  kind: 'emulator' | 'simulator' | 'remote'
}

/** The 422's issues by row and field (`body.devices.1.name` -> '1.name'); issues of the
 * list as a whole under 'list'. */
export function issuesByField(issues: readonly { loc: readonly (string | number)[]; msg: string }[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const issue of issues) {
    const loc = issue.loc.slice(issue.loc[0] === 'body' ? 1 : 0)
    const key = loc[0] === 'devices' && loc.length >= 3 ? `${loc[1]}.${loc[2]}` : 'list'
    out[key] = out[key] ? `${out[key]}; ${issue.msg}` : issue.msg
  }
  return out
}
