/**
 * Progress of a local run. On a terminal: a live table of tasks (waiting, running, retrying,
 * done, cached, failed, skipped, not triggered) with durations, redrawn at most ten times a
 * second. Elsewhere (CI logs, pipes): one plain line per state change. Colour follows the
 * terminal and `NO_COLOR` / `FORCE_COLOR`.
 *
 * @module
 */
import type { RunEvent, RunResult } from './run.ts'
import type { TaskState } from './scheduler.ts'

/** Where progress goes and how it looks. */
export interface ProgressOptions {
  /** @default process.stdout */
  readonly stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number }
  /** Live table (true) or plain lines (false). @default whether the stream is a terminal */
  readonly live?: boolean
  /** @default live, unless NO_COLOR is set (FORCE_COLOR forces it on) */
  readonly color?: boolean
  /** Environment for NO_COLOR / FORCE_COLOR. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number
}

/** A progress display: feed it the runner's events, close it when the run ends. */
export interface Progress {
  readonly onEvent: (event: RunEvent) => void
  /** Stops redrawing and leaves the final table (and failure details) on screen. */
  readonly close: () => void
}

const SYMBOL: Readonly<Record<TaskState, string>> = {
  waiting: '·',
  running: '▶',
  retrying: '↻',
  done: '✓',
  cached: '◆',
  failed: '✗',
  skipped: '-',
  'not-triggered': '○',
}

const COLOUR: Readonly<Record<TaskState, string>> = {
  waiting: '2',
  running: '36',
  retrying: '33',
  done: '32',
  cached: '34',
  failed: '31',
  skipped: '2',
  'not-triggered': '2',
}

/**
 * Formats milliseconds for humans: `850ms`, `1.2s`, `12s`, `2m05s`.
 *
 * @example
 * ```ts
 * formatDuration(1234) // '1.2s'
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`
  const minutes = Math.floor(ms / 60_000)
  const seconds = Math.round((ms % 60_000) / 1000)
  return `${minutes}m${String(seconds).padStart(2, '0')}s`
}

/**
 * The one-line summary of a run: `6 tasks: 4 done, 2 cached in 1.2s`, saying so when nothing
 * had to execute.
 *
 * @example
 * ```ts
 * formatSummary(result) // '3 tasks: 3 cached in 45ms (nothing executed: every result came from the cache)'
 * ```
 */
export function formatSummary(result: RunResult): string {
  if (result.status === 'invalid') return `${result.pipeline}: ${result.error ?? 'the pipeline does not compile'}`
  const c = result.counts
  const total = result.tasks.length
  const parts = (
    [
      ['done', c.done],
      ['cached', c.cached],
      ['failed', c.failed],
      ['skipped', c.skipped],
      ['not triggered', c['not-triggered']],
    ] as const
  )
    .filter(([, n]) => n > 0)
    .map(([label, n]) => `${n} ${label}`)
  const executed = c.done + c.failed
  const note = executed === 0 && c.cached > 0 ? ' (nothing executed: every result came from the cache)' : ''
  return `${total} task${total === 1 ? '' : 's'}: ${parts.length > 0 ? parts.join(', ') : 'nothing to do'} in ${formatDuration(result.durationMs)}${note}`
}

interface Row {
  readonly path: string
  state: TaskState
  started?: number
  durationMs?: number
  message?: string
  attempt?: number
}

function useColour(options: ProgressOptions, live: boolean): boolean {
  const env = options.env ?? process.env
  if (options.color !== undefined) return options.color
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true
  return live
}

/**
 * Creates a progress display for {@link runPipeline}'s `onEvent`.
 *
 * @example
 * ```ts
 * const progress = createProgress()
 * const result = await runPipeline(p, { onEvent: progress.onEvent })
 * progress.close()
 * console.log(formatSummary(result))
 * ```
 */
export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stdout
  const live = options.live ?? Boolean(stream.isTTY)
  const colour = useColour(options, live)
  const now = options.now ?? Date.now
  const paint = (code: string, text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text)
  const rows = new Map<string, Row>()
  let drawnLines = 0
  let timer: ReturnType<typeof setInterval> | undefined
  let lastDraw = 0
  let pending: ReturnType<typeof setTimeout> | undefined
  let closed = false

  const plainLine = (row: Row, event: Extract<RunEvent, { type: 'task' }>): string => {
    const label = event.state === 'not-triggered' ? 'not triggered' : event.state
    let line = `${paint(COLOUR[event.state], label.padEnd(13))} ${row.path}`
    if (event.state === 'running' && (event.attempt ?? 1) > 1) line += ` (attempt ${event.attempt})`
    if (event.durationMs !== undefined && (event.state === 'done' || event.state === 'failed')) line += ` (${formatDuration(event.durationMs)})`
    if (event.message && event.state !== 'done') {
      const [first, ...rest] = event.message.split('\n')
      line += `: ${first}`
      if (event.state === 'failed' && rest.length > 0) line += `\n${rest.map((l) => `  ${l}`).join('\n')}`
    }
    return line
  }

  const render = () => {
    lastDraw = now()
    const width = Math.max(40, (stream.columns || 100) - 1)
    const height = Math.max(5, (stream.rows || 30) - 2)
    const all = [...rows.values()]
    // A loop, not Math.max(...spread): a run of a large nested pipeline has 100,000 rows and more,
    // past the arguments a call takes.
    let longestPath = 4
    for (const row of all) if (row.path.length > longestPath) longestPath = row.path.length
    const pathWidth = Math.min(longestPath, Math.max(20, width - 30))
    const lineFor = (row: Row) => {
      const timed = row.state === 'running' || row.state === 'retrying' || row.state === 'done' || row.state === 'failed'
      const elapsed = !timed ? undefined : (row.state === 'done' || row.state === 'failed') && row.durationMs !== undefined ? row.durationMs : row.started !== undefined ? now() - row.started : undefined
      const path = row.path.length > pathWidth ? `…${row.path.slice(row.path.length - pathWidth + 1)}` : row.path.padEnd(pathWidth)
      const label = (row.state === 'not-triggered' ? 'not triggered' : row.state).padEnd(13)
      const extra = row.state === 'retrying' && row.attempt ? ` attempt ${row.attempt + 1}` : ''
      const text = `${SYMBOL[row.state]} ${path}  ${label} ${elapsed !== undefined ? formatDuration(elapsed) : ''}${extra}`
      return paint(COLOUR[row.state], text.slice(0, width))
    }
    let shown = all
    let hidden = ''
    if (all.length > height) {
      // Keep the interesting rows: running, retrying and failed first, then the most recent.
      const isImportant = (r: Row) => r.state === 'running' || r.state === 'retrying' || r.state === 'failed'
      const important = all.filter(isImportant)
      const rest = all.filter((r) => !isImportant(r))
      shown = [...important.slice(0, height - 1), ...rest.slice(Math.max(0, rest.length - (height - 1 - important.length)))].slice(0, height - 1)
      const onScreen = new Set(shown)
      const counts = new Map<string, number>()
      for (const r of all) if (!onScreen.has(r)) counts.set(r.state, (counts.get(r.state) ?? 0) + 1)
      hidden = paint('2', `  … ${all.length - shown.length} more: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}`)
    }
    const lines = shown.map(lineFor)
    if (hidden) lines.push(hidden)
    let out = drawnLines > 0 ? `\x1b[${drawnLines}A\x1b[J` : ''
    out += lines.map((l) => `${l}\n`).join('')
    drawnLines = lines.length
    stream.write(out)
  }

  const scheduleRender = () => {
    if (closed || pending) return
    const wait = Math.max(0, 100 - (now() - lastDraw))
    pending = setTimeout(() => {
      pending = undefined
      if (!closed) render()
    }, wait)
    pending.unref?.()
  }

  const onEvent = (event: RunEvent) => {
    if (closed) return
    if (event.type === 'start') {
      stream.write(`${paint('1', `▶ ${event.pipeline}`)} run ${event.runId} (store: ${event.storeDir})\n`)
      if (live) {
        timer = setInterval(() => rows.size > 0 && scheduleRender(), 250)
        timer.unref?.()
      }
      return
    }
    if (event.type === 'end') return
    if (event.type === 'output') {
      const line = `${paint('2', `${event.path} │`)} ${event.line}\n`
      if (!live) {
        stream.write(line)
        return
      }
      // Above the table: erase it, print the line, draw it again.
      stream.write(`${drawnLines > 0 ? `\x1b[${drawnLines}A\x1b[J` : ''}${line}`)
      drawnLines = 0
      scheduleRender()
      return
    }
    let row = rows.get(event.path)
    if (!row) {
      row = { path: event.path, state: event.state }
      rows.set(event.path, row)
    }
    row.state = event.state
    if (event.state === 'running') row.started ??= now()
    if (event.durationMs !== undefined) row.durationMs = event.durationMs
    if (event.attempt !== undefined) row.attempt = event.attempt
    if (event.message !== undefined) row.message = event.message
    if (live) scheduleRender()
    else if (event.state !== 'waiting') stream.write(`${plainLine(row, event)}\n`)
  }

  const close = () => {
    if (closed) return
    if (timer) clearInterval(timer)
    if (pending) clearTimeout(pending)
    if (live) {
      render()
      for (const row of rows.values()) {
        if (row.state !== 'failed' || !row.message) continue
        stream.write(`${paint(COLOUR.failed, `✗ ${row.path}`)}: ${row.message.split('\n').join('\n  ')}\n`)
      }
    }
    closed = true
  }

  return { onEvent, close }
}
