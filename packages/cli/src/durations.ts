/**
 * Duration estimates for `typeflow plan`: from a JSON file written by hand, or measured by the
 * local runner (`.typeflow/runs/<run-id>/run.json`).
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Diagnostic, SourceLocation } from '@typeflow/dsl'

const UNITS: readonly (readonly [string, number])[] = [
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
  ['ms', 0.001],
]

/**
 * Seconds in a duration: a number of seconds, or text such as `"90"`, `"90s"`, `"45m"`,
 * `"1h30m"`, `"1h 30m"`, `"1d2h"`, `"250ms"` (units d, h, m, s, ms, each at most once, largest first).
 * Undefined for anything else, negative numbers included.
 *
 * @example
 * ```ts
 * parseDuration('1h30m') // 5400
 * parseDuration(45) // 45
 * parseDuration('soon') // undefined
 * ```
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined
  if (typeof value !== 'string') return undefined
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text)
  const part = /\s*(\d+(?:\.\d+)?)\s*(ms|d|h|m|s)/y
  let seconds = 0
  let lastUnit = -1
  let at = 0
  while (at < text.length) {
    part.lastIndex = at
    const match = part.exec(text)
    if (!match) return undefined
    const unit = UNITS.findIndex(([name]) => name === match[2])
    // "30m1h" or "1h1h" are more likely typos than intent.
    if (unit <= lastUnit) return undefined
    lastUnit = unit
    seconds += Number(match[1]) * UNITS[unit]![1]
    at = part.lastIndex
  }
  return at === 0 ? undefined : seconds
}

/**
 * A duration for people: `2h 5m`, `45m`, `1m 30s`, `12s`, `0.25s`.
 *
 * @example
 * ```ts
 * formatSeconds(5400) // '1h 30m'
 * ```
 */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Number(seconds.toFixed(seconds < 10 ? 2 : 1))}s`
  let rest = Math.round(seconds)
  const parts: string[] = []
  for (const [name, size] of UNITS.slice(0, 4)) {
    const n = Math.floor(rest / size)
    rest -= n * size
    if (n > 0) parts.push(`${n}${name}`)
  }
  return parts.join(' ')
}

/** One entry of a durations file, with where it is written. */
export interface DurationEntry {
  readonly task: string
  readonly seconds: number
  readonly source: SourceLocation
}

/** Line and column (1-based) of a character offset. */
function locate(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)))
  const lines = before.split('\n')
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 }
}

/** Every key of the top-level object with its offset, in order (duplicates included). */
function topLevelKeys(text: string): { key: string; offset: number }[] {
  const keys: { key: string; offset: number }[] = []
  let depth = 0
  let expectKey = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '"') {
      const start = i
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++
      if (depth === 1 && expectKey) {
        keys.push({ key: JSON.parse(text.slice(start, i + 1)) as string, offset: start })
        expectKey = false
      }
    } else if (c === '{' || c === '[') {
      depth++
      if (depth === 1 && c === '{') expectKey = true
    } else if (c === '}' || c === ']') {
      depth--
    } else if (c === ',' && depth === 1) {
      expectKey = true
    }
  }
  return keys
}

/**
 * Reads a durations file: a JSON object from task path (`train`, or `outer/inner` for a task of
 * a nested pipeline) to a duration ({@link parseDuration}). Problems come back as diagnostics
 * pointing into the file: `E_IO` (unreadable), `E_SCHEMA` (not a JSON object),
 * `E_INVALID_DURATION` (a value that is not a duration, or a task given twice).
 *
 * @example
 * ```ts
 * const { entries, diagnostics } = readDurationsFile('durations.json')
 * ```
 */
export function readDurationsFile(file: string): { readonly entries: readonly DurationEntry[]; readonly diagnostics: readonly Diagnostic[] } {
  const path = resolve(file)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    return { entries: [], diagnostics: [{ code: 'E_IO', path: ['durations'], message: `cannot read durations file ${file}: ${(error as Error).message}` }] }
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    const message = (error as Error).message
    const offset = /position (\d+)/.exec(message)
    const lineCol = /line (\d+) column (\d+)/.exec(message)
    const where = lineCol ? { line: Number(lineCol[1]), column: Number(lineCol[2]) } : offset ? locate(text, Number(offset[1])) : { line: 1, column: 1 }
    return { entries: [], diagnostics: [{ code: 'E_SCHEMA', path: ['durations'], message: `durations file ${file} is not valid JSON: ${message.split('\n')[0]}`, source: { file: path, ...where } }] }
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return {
      entries: [],
      diagnostics: [{ code: 'E_SCHEMA', path: ['durations'], message: `durations file ${file} must hold a JSON object from task name to duration, e.g. { "train": "1h30m", "evaluate": 600 }`, source: { file: path, line: 1, column: 1 } }],
    }
  }
  const record = data as Record<string, unknown>
  const entries: DurationEntry[] = []
  const diagnostics: Diagnostic[] = []
  const seen = new Set<string>()
  for (const { key, offset } of topLevelKeys(text)) {
    const source = { file: path, ...locate(text, offset) }
    if (seen.has(key)) {
      diagnostics.push({ code: 'E_INVALID_DURATION', path: ['durations', key], message: `task "${key}" is given twice`, source })
      continue
    }
    seen.add(key)
    const seconds = parseDuration(record[key])
    if (seconds === undefined) {
      diagnostics.push({
        code: 'E_INVALID_DURATION',
        path: ['durations', key],
        // JSON.stringify writes a number too large for a double (1e400, read as Infinity) as null.
        message: `${typeof record[key] === 'number' ? String(record[key]) : JSON.stringify(record[key])} is not a duration; use seconds (90) or text such as "90s", "45m", "1h30m"`,
        source,
      })
      continue
    }
    entries.push({ task: key, seconds, source })
  }
  return { entries, diagnostics }
}

/** One task execution as the runner records it in `run.json`. */
export interface RecordedTask {
  /** The runner's task path: groups and loop iterations included (`for-loop-2[1]/train`). */
  readonly path: string
  readonly state: string
  /** Measured seconds; for a cached task, those of the execution that filled the cache. */
  readonly seconds: number | undefined
}

/** The run the estimates were taken from. */
export interface RecordedRun {
  readonly runId: string
  readonly file: string
  readonly status: string
  readonly tasks: readonly RecordedTask[]
}

interface RunFile {
  readonly runId?: unknown
  readonly pipeline?: unknown
  readonly status?: unknown
  readonly tasks?: unknown
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return undefined
  }
}

/**
 * The last finished local run of a pipeline with each task's measured duration. `location` is
 * the runner's store (`.typeflow`, where runs live in `runs/<run-id>/run.json`), one run's
 * directory, or a `run.json` file. Run ids start with their UTC start time, so the last run is
 * the greatest id (within one second, the latest `startedAt`); in a store, the last run that
 * succeeded, else the last that failed (`status` says which). A task served from the cache took 0 ms in that run; its duration is then the
 * one recorded with the cache entry, when the entry is still there.
 *
 * @example
 * ```ts
 * const run = lastRecordedRun('.typeflow', 'fraud-training')
 * if (run.ok) console.log(run.run.runId, run.run.tasks.length)
 * ```
 */
export function lastRecordedRun(location: string, pipeline: string): { readonly ok: true; readonly run: RecordedRun } | { readonly ok: false; readonly diagnostic: Diagnostic } {
  const fail = (message: string) => ({ ok: false as const, diagnostic: { code: 'E_IO' as const, path: ['from-run'], message } })
  const dir = resolve(location)
  if (!existsSync(dir)) return fail(`no local runs: ${location} does not exist (run the pipeline with \`typeflow run\` first, or name the store with --from-run <dir>)`)
  let runFile: string | undefined
  let storeDir: string | undefined
  if (statSync(dir).isFile()) {
    runFile = dir
  } else if (existsSync(join(dir, 'run.json'))) {
    runFile = join(dir, 'run.json')
  } else if (existsSync(join(dir, 'runs'))) {
    storeDir = dir
    const ids = readdirSync(join(dir, 'runs')).sort().reverse()
    const records = new Map<string, (RunFile & { startedAt?: unknown }) | undefined>()
    const record = (id: string) => {
      if (!records.has(id)) records.set(id, readJson(join(dir, 'runs', id, 'run.json')) as RunFile | undefined)
      return records.get(id)
    }
    const usable = (id: string, status: string) => {
      const candidate = record(id)
      if (candidate?.pipeline !== pipeline || candidate.status !== status || !Array.isArray(candidate.tasks)) return undefined
      return { id, startedAt: typeof candidate.startedAt === 'string' ? candidate.startedAt : '' }
    }
    // The last run that succeeded measured every task it ran; a failed one only those before the
    // failure, so it is taken only when no run succeeded.
    for (const status of ['succeeded', 'failed']) {
      for (const id of ids) {
        const found = usable(id, status)
        if (!found) continue
        // Ids carry the start to the second, then random text: within one second, the recorded
        // start time (milliseconds) decides.
        const stamp = id.slice(0, 15)
        let best = found
        for (const other of ids) {
          if (other === id || !other.startsWith(stamp)) continue
          const candidate = usable(other, status)
          if (candidate && candidate.startedAt > best.startedAt) best = candidate
        }
        runFile = join(dir, 'runs', best.id, 'run.json')
        break
      }
      if (runFile) break
    }
    if (!runFile) return fail(`no finished run of pipeline "${pipeline}" in ${join(location, 'runs')}`)
  } else {
    return fail(`${location} is neither a run store (with runs/), a run directory nor a run.json file`)
  }
  const data = readJson(runFile) as RunFile | undefined
  if (!data || !Array.isArray(data.tasks)) return fail(`${runFile} is not a run record of the local runner`)
  if (data.pipeline !== pipeline) return fail(`${runFile} records a run of "${String(data.pipeline)}", not of "${pipeline}"`)
  // A run directory sits in <store>/runs/<id>/: the cache is two levels up.
  storeDir ??= resolve(runFile, '../../..')
  const tasks: RecordedTask[] = []
  for (const item of data.tasks as unknown[]) {
    const task = item as { path?: unknown; state?: unknown; durationMs?: unknown; cacheKey?: unknown }
    if (typeof task.path !== 'string' || typeof task.state !== 'string') continue
    let ms: number | undefined
    if (task.state === 'done' && typeof task.durationMs === 'number') ms = task.durationMs
    if (task.state === 'cached' && typeof task.cacheKey === 'string' && /^[0-9a-f]{16,128}$/.test(task.cacheKey)) {
      const entry = readJson(join(storeDir, 'cache', `${task.cacheKey}.json`)) as { durationMs?: unknown } | undefined
      if (typeof entry?.durationMs === 'number') ms = entry.durationMs
    }
    tasks.push({ path: task.path, state: task.state, seconds: ms === undefined ? undefined : ms / 1000 })
  }
  return { ok: true, run: { runId: typeof data.runId === 'string' ? data.runId : runFile, file: runFile, status: String(data.status), tasks } }
}
