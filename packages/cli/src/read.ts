/**
 * Reading the YAML files the CLI is given (`typeflow validate`, `typeflow import`) with the checks
 * and diagnostics of the DSL's component loaders, so a file is refused the same way whichever
 * command reads it.
 *
 * @module
 */

import { readFileSync, statSync } from 'node:fs'
import type { Diagnostic } from '@typeflow/dsl'
import type { Document } from 'yaml'

/** A file's text, or why it cannot be read as text. */
export type ReadResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] }

/**
 * Reads a file as UTF-8. Bytes that are not UTF-8 are reported (`E_COMPONENT_YAML`, as the loaders
 * report them) rather than turned into U+FFFD, which would validate or import a text that is not
 * the file's; a directory or a device is not read (`E_IO`).
 *
 * @example
 * ```ts
 * import { readTextFile } from './read.ts'
 * const read = readTextFile('pipeline.yaml')
 * if (read.ok) console.log(read.text.length)
 * ```
 */
export function readTextFile(file: string): ReadResult {
  let bytes: Buffer
  try {
    if (!statSync(file).isFile()) return { ok: false, diagnostics: [{ code: 'E_IO', path: [], message: `cannot read ${file}: not a regular file` }] }
    bytes = readFileSync(file)
  } catch (error) {
    return { ok: false, diagnostics: [{ code: 'E_IO', path: [], message: `cannot read ${file}: ${(error as Error).message}` }] }
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) }
  } catch {
    return { ok: false, diagnostics: [{ code: 'E_COMPONENT_YAML', path: [], message: 'file is not valid UTF-8', source: { file, line: 1, column: 1 } }] }
  }
}

/**
 * The plain values of parsed YAML documents, with the loaders' limit of 100 alias expansions: a
 * "billion laughs" file or nesting too deep to convert is a diagnostic, not an exception.
 *
 * @example
 * ```ts
 * import { parseAllDocuments } from 'yaml'
 * import { yamlValues } from './read.ts'
 * const values = yamlValues([parseAllDocuments('a: &x [1]\nb: *x\n')].flat(), 'inline.yaml')
 * ```
 */
export function yamlValues(docs: readonly Document[], file: string): { readonly ok: true; readonly values: unknown[] } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] } {
  try {
    return { ok: true, values: docs.map((d) => d.toJS({ maxAliasCount: 100 }) as unknown) }
  } catch (error) {
    const why = error instanceof ReferenceError ? 'too many alias expansions (a YAML bomb?)' : error instanceof RangeError ? 'nesting too deep' : undefined
    if (why === undefined) throw error
    return { ok: false, diagnostics: [{ code: 'E_COMPONENT_YAML', path: [], message: `cannot load YAML: ${why}`, source: { file, line: 1, column: 1 } }] }
  }
}
