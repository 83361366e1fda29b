import type { SourceLocation } from './ir.ts'

const here = new URL('.', import.meta.url).pathname
const enabled = process.env['TYPEFLOW_SOURCE_LOCATIONS'] !== '0'
const framePattern = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?$/

type PrepareStackTrace = (error: object, sites: NodeJS.CallSite[]) => unknown

/** Hands V8's call sites back as they are, so no frame is formatted that is not needed. */
const asCallSites: PrepareStackTrace = (_error, sites) => sites

/**
 * Locations already found, by the call site's position in the code that runs. A pipeline built in
 * a loop calls the DSL from a few places many times, and under tsx formatting a stack maps every
 * frame through the source map (about 30 µs for the 12 frames a call used to format), so each
 * place is formatted once. Capped like the other process-wide caches: a place is only a lookup,
 * never a different answer.
 */
const locationsByPosition = new Map<string, SourceLocation | null>()
const MAX_REMEMBERED_POSITIONS = 10_000

/**
 * The user's file:line:column that called into the DSL, skipping frames inside this package and
 * Node internals. Set TYPEFLOW_SOURCE_LOCATIONS=0 to skip it.
 *
 * Frames are formatted by whatever `Error.prepareStackTrace` is installed (tsx's or vitest's
 * source-map support, or V8's own), so the location is the one a stack trace would print; only the
 * one frame that is the answer is formatted, once per position in the running code.
 */
export function callerLocation(): SourceLocation | undefined {
  if (!enabled) return undefined
  // The user's frame is usually two or three up (dag.task, then addTask): V8 makes a call site per
  // captured frame, so a short stack first, and the full depth only when that one holds no answer.
  const near = locate(NEAR_FRAMES)
  return near.location ?? (near.complete ? undefined : locate(MAX_FRAMES).location)
}

const NEAR_FRAMES = 4
const MAX_FRAMES = 12

/** The first frame outside this package and Node among the innermost `limit`; `complete` when the stack had no more. */
function locate(limit: number): { location: SourceLocation | undefined; complete: boolean } {
  const format = Error.prepareStackTrace as PrepareStackTrace | undefined
  const previousLimit = Error.stackTraceLimit
  const holder: { stack?: unknown } = {}
  Error.stackTraceLimit = limit
  Error.prepareStackTrace = asCallSites as typeof Error.prepareStackTrace
  try {
    Error.captureStackTrace(holder, callerLocation)
    holder.stack // formats now, with asCallSites, while it is installed
  } finally {
    Error.prepareStackTrace = format as typeof Error.prepareStackTrace
    Error.stackTraceLimit = previousLimit
  }
  const sites = Array.isArray(holder.stack) ? (holder.stack as NodeJS.CallSite[]) : []
  for (const site of sites) {
    const file = site.getFileName()
    if (!file || isInternalFile(file)) continue
    const position = `${file}:${site.getLineNumber()}:${site.getColumnNumber()}`
    let location = locationsByPosition.get(position)
    if (location === undefined) {
      location = formatFrame(format, holder, site) ?? null
      if (locationsByPosition.size >= MAX_REMEMBERED_POSITIONS) locationsByPosition.clear()
      locationsByPosition.set(position, location)
    }
    if (location) return { location, complete: true }
  }
  return { location: undefined, complete: sites.length < limit }
}

/** The frame as a stack trace prints it, read back; undefined when it maps into this package or Node. */
function formatFrame(format: PrepareStackTrace | undefined, holder: object, site: NodeJS.CallSite): SourceLocation | undefined {
  const printed = format?.call(Error, holder, [site])
  let location: SourceLocation
  if (typeof printed === 'string') {
    const match = framePattern.exec(printed.slice(printed.lastIndexOf('\n') + 1).trim())
    if (!match) return undefined
    location = { file: pathOf(match[1]!), line: Number(match[2]), column: Number(match[3]) }
  } else {
    // No formatter (or one that does not print text): V8's own positions, as its default trace prints them.
    location = { file: pathOf(site.getFileName()!), line: site.getLineNumber()!, column: site.getColumnNumber()! }
  }
  return isInternal(location.file) ? undefined : Object.freeze(location)
}

const internalFiles = new Map<string, boolean>()

/** Whether a call site's file is this package's or Node's, remembered per file (frames repeat). */
function isInternalFile(file: string): boolean {
  let internal = internalFiles.get(file)
  if (internal === undefined) {
    internal = isInternal(pathOf(file))
    if (internalFiles.size >= MAX_REMEMBERED_POSITIONS) internalFiles.clear()
    internalFiles.set(file, internal)
  }
  return internal
}

function pathOf(file: string): string {
  return file.startsWith('file://') ? decodeURIComponent(new URL(file).pathname) : file
}

function isInternal(file: string): boolean {
  return file.startsWith(here) || file.startsWith('node:') || file.includes('/node_modules/')
}
