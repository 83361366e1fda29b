/**
 * Reading the documentation: its Markdown files, the example markers in them, their fenced
 * blocks, links and headings. Shared by the docs tests.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'

export const repoRoot = path.resolve(import.meta.dirname, '../..')
export const docsRoot = path.join(repoRoot, 'docs')
export const examplesRoot = path.join(docsRoot, 'examples')

/** Files under a directory, recursively, as paths relative to the repository root, sorted. */
export function filesUnder(dir: string, keep: (file: string) => boolean): string[] {
  const out: string[] = []
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      if (name.startsWith('.')) continue
      const full = path.join(current, name)
      if (statSync(full).isDirectory()) walk(full)
      else if (keep(full)) out.push(path.relative(repoRoot, full).split(path.sep).join('/'))
    }
  }
  walk(dir)
  return out
}

/** Every Markdown file of the documentation (guides, migration guide, API reference, index). */
export const markdownFiles = filesUnder(docsRoot, (f) => f.endsWith('.md'))

/** Every example source file. */
export const exampleFiles = filesUnder(examplesRoot, (f) => f.endsWith('.ts'))

/** A fenced code block. */
export interface Fence {
  readonly lang: string
  readonly body: string
  /** 1-based line of the opening fence. */
  readonly line: number
}

/** An `<!-- example: path -->` marker and the fenced block that must follow it. */
export interface ExampleMarker {
  readonly doc: string
  readonly file: string
  readonly line: number
  readonly fence: Fence | undefined
}

const MARKER = /^<!-- example: (\S+) -->$/

/** The fenced blocks of a Markdown text (``` or ~~~, not nested). */
export function fences(text: string): Fence[] {
  const lines = text.split('\n')
  const out: Fence[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})(\S*)\s*$/.exec(lines[i]!)
    if (!open) continue
    const close = lines.findIndex((l, j) => j > i && l.startsWith(open[1]!) && l.trim() === open[1])
    if (close < 0) break
    out.push({ lang: open[2]!, body: lines.slice(i + 1, close).join('\n'), line: i + 1 })
    i = close
  }
  return out
}

/** The example markers of one Markdown file, each with the fenced block after it (blank lines allowed between). */
export function exampleMarkers(doc: string): ExampleMarker[] {
  const text = readFileSync(path.join(repoRoot, doc), 'utf8')
  const lines = text.split('\n')
  const blocks = fences(text)
  const out: ExampleMarker[] = []
  lines.forEach((line, i) => {
    const match = MARKER.exec(line.trim())
    if (!match) return
    let next = i + 1
    while (next < lines.length && lines[next]!.trim() === '') next++
    out.push({ doc, file: match[1]!, line: i + 1, fence: blocks.find((b) => b.line === next + 1) })
  })
  return out
}

/** Text outside fenced blocks (links and inline code in code blocks are not links). */
export function prose(text: string): string {
  const lines = text.split('\n')
  for (const f of fences(text)) {
    const end = f.line + f.body.split('\n').length
    for (let i = f.line - 1; i <= end && i < lines.length; i++) lines[i] = ''
  }
  return lines.join('\n')
}

/** Relative Markdown links `[text](target)` of the prose (no `http:`, no `mailto:`). */
export function relativeLinks(text: string): { target: string; anchor: string | undefined }[] {
  const out: { target: string; anchor: string | undefined }[] = []
  for (const match of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
    const href = match[1]!
    if (/^[a-z]+:/i.test(href)) continue
    const [target, anchor] = href.split('#') as [string, string | undefined]
    out.push({ target, anchor })
  }
  return out
}

/** The anchors GitHub gives a file's headings (lowercase, punctuation dropped, `-1` … for repeats). */
export function headingAnchors(text: string): Set<string> {
  const used = new Map<string, number>()
  const out = new Set<string>()
  for (const match of prose(text).matchAll(/^#{1,6}\s+(.+)$/gm)) {
    const base = match[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}_\- ]/gu, '')
      .replace(/ /g, '-')
    const seen = used.get(base) ?? 0
    used.set(base, seen + 1)
    out.add(seen === 0 ? base : `${base}-${seen}`)
  }
  return out
}
