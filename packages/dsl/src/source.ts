import type { SourceLocation } from './ir.ts'

const here = new URL('.', import.meta.url).pathname
const enabled = process.env['TYPEFLOW_SOURCE_LOCATIONS'] !== '0'
const framePattern = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?$/

/**
 * The user's file:line:column that called into the DSL, skipping frames inside this package and
 * Node internals. Stack capture costs about a microsecond; set TYPEFLOW_SOURCE_LOCATIONS=0 to skip it.
 */
export function callerLocation(): SourceLocation | undefined {
  if (!enabled) return undefined
  const holder: { stack?: string } = {}
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 12
  Error.captureStackTrace(holder, callerLocation)
  Error.stackTraceLimit = limit
  const lines = holder.stack?.split('\n') ?? []
  for (let i = 1; i < lines.length; i++) {
    const match = framePattern.exec(lines[i]!.trim())
    if (!match) continue
    let file = match[1]!
    if (file.startsWith('file://')) file = decodeURIComponent(new URL(file).pathname)
    if (file.startsWith(here) || file.startsWith('node:') || file.includes('/node_modules/')) continue
    return { file, line: Number(match[2]), column: Number(match[3]) }
  }
  return undefined
}
