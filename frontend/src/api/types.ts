/**
 * REST shapes, all taken from src/api/schema.d.ts (generated from the gateway's OpenAPI
 * schema by `npm run gen:api`), never written by hand.
 */
import type { components, paths } from './schema'

type Schemas = components['schemas']

export type TaskInfo = Schemas['TaskInfo']
export type ModuleStateDoc = Schemas['ModuleState']
/** A module in the /ws snapshot: its state plus `images` (kind -> latest image). */
export type SnapshotModuleDoc = Schemas['SnapshotModule']
export type ModuleInfo = Schemas['ModuleInfo']
export type Health = Schemas['Health']
export type ConfigDoc = Schemas['ConfigDoc']
export type StartResponse = Schemas['StartResponse']
export type StopResponse = Schemas['StopResponse']
export type ReplyRequest = Schemas['ReplyRequest']
export type ReplyResponse = Schemas['ReplyResponse']
export type ReplyAnswer = ReplyRequest['answer']
export type ColorResponse = Schemas['ColorResponse']
export type ScreenshotList = Schemas['ScreenshotList']
export type ScreenshotUpload = Schemas['ScreenshotUpload']
export type ScreenshotRejected = Schemas['ScreenshotRejected']
export type DeviceStatus = Schemas['DeviceStatus']
/** One play of the scriptor's history (GET /api/scriptor/history). */
export type PlayRecord = Schemas['PlayRecord']
export type ErrorBundle = Schemas['ErrorBundle']
/** A device's touch offset and its moves (GET /api/scriptor/offsets). */
export type DeviceOffset = Schemas['DeviceOffsetView']
export type OffsetMove = Schemas['Move']
/** A screen model of the data dir (GET /api/ui_recognition/models). */
export type ScreenModel = Schemas['ModelEntry']
export type UseShipped = Schemas['UseShipped']
export type StateCoverage = Schemas['StateCoverage']
export type FrameFolder = Schemas['FrameFolder']
export type SavedFrame = Schemas['SavedFrame']
export type FrameListing = Schemas['FrameListing']
export type LastFit = Schemas['LastFit']
export type SavedCoefficients = Schemas['SavedCoefficients']
/** Each module's state fields (shared/live_state.py), by module name. */
export type LiveStates = Schemas['LiveStates']
export type ScriptorLive = LiveStates['scriptor']
export type WorkflowLive = LiveStates['workflow']

/** The device list with each device's scriptor (GET /api/devices) and a list to save. */
export type DevicesDoc = Schemas['DevicesDoc']
export type DeviceView = Schemas['DeviceView']
export type DeviceList = Schemas['DeviceList']
export type DeviceEntry = Schemas['DeviceEntry']

/** What an x-check path answers (e.g. /api/scriptor/check-song/{value}). */
export type CheckResult = Pick<Schemas['SongCheckResponse'], 'ok' | 'message'>

export type ConfigValues = ConfigDoc['config']

export type ModulesResponse = paths['/api/modules']['get']['responses']['200']['content']['application/json']
