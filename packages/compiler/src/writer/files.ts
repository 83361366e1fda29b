import { randomBytes } from 'node:crypto'
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

/** One file a compile produces: a path relative to the output directory and its text. */
export interface OutputFile {
  readonly path: string
  readonly content: string
}

/**
 * Writes every file atomically: each goes to a temporary sibling first and is renamed into
 * place, so a reader (or a concurrent compile) sees either the old file or the new one, never
 * a torn mix. Nothing is renamed until every temporary file was written.
 */
export function writeFilesAtomically(outDir: string, files: readonly OutputFile[]): string[] {
  const staged: { temp: string; target: string }[] = []
  try {
    for (const file of files) {
      const target = join(outDir, file.path)
      mkdirSync(dirname(target), { recursive: true })
      const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
      writeFileSync(temp, file.content)
      staged.push({ temp, target })
    }
    for (const { temp, target } of staged) renameSync(temp, target)
  } catch (error) {
    for (const { temp } of staged) rmSync(temp, { force: true })
    throw error
  }
  return staged.map((s) => s.target)
}
