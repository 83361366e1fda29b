/**
 * Loading a pipeline file for the command line (`typeflow compile`, `run`, `plan`, …): the file is
 * imported as TypeScript, and its pipeline is picked from its exports.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, extname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Diagnostic, PipelineNode } from '@typeflow/dsl'
import { TypeflowError } from '@typeflow/dsl'
import { tsImport } from 'tsx/esm/api'

/** A pipeline file loaded, or why it could not be. */
export type LoadedPipeline = { readonly ok: true; readonly pipeline: PipelineNode } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] }

function isPipeline(value: unknown): value is PipelineNode {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'pipeline'
}

/** Extensions whose module format the nearest package.json decides (`.mts` and `.mjs` are always ES modules). */
const FORMAT_FROM_PACKAGE = new Set(['.ts', '.tsx', '.js', '.jsx'])

/**
 * The package.json that decides whether `file` loads as CommonJS, when it does: Node and tsx
 * read the nearest one, and a file without `"type": "module"` there (or with no package.json
 * at all) is compiled to CommonJS, where `import.meta`, top-level await and function
 * components' imports do not work as written.
 */
function commonJsReason(file: string): string | undefined {
  const extension = extname(file)
  if (extension === '.cts' || extension === '.cjs') return `${file} is a CommonJS file`
  if (!FORMAT_FROM_PACKAGE.has(extension)) return undefined
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) {
      let type: unknown
      try {
        type = (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type
      } catch {
        return undefined // Node reports an unreadable package.json itself.
      }
      return type === 'module' ? undefined : `${manifest} does not say "type": "module"`
    }
    if (dirname(dir) === dir) return 'no package.json above it says "type": "module"'
  }
}

/**
 * Splits a pipeline argument, `pipeline.ts#name`, into the file and the export it names (when the
 * whole argument is not itself a file).
 *
 * @example
 * ```ts
 * splitPipelineArgument('docs/examples/caching.ts#audit') // { file: 'docs/examples/caching.ts', exportName: 'audit' }
 * ```
 */
export function splitPipelineArgument(argument: string): { file: string; exportName?: string } {
  const at = argument.lastIndexOf('#')
  if (at <= 0 || existsSync(argument)) return { file: argument }
  return { file: argument.slice(0, at), exportName: argument.slice(at + 1) }
}

/** esbuild's syntax errors, one per line after its summary: `file:line:column: ERROR: text` (column from 0). */
const SYNTAX_ERROR = /^(.+):(\d+):(\d+): ERROR: (.+)$/m

/**
 * What went wrong while a file was imported, and where: a syntax error at the place esbuild names,
 * an exception at the first frame in the user's file (the message alone said neither).
 */
function loadFailure(error: unknown, path: string): { message: string; source?: { file: string; line: number; column: number } } {
  if (!(error instanceof Error)) return { message: String(error) }
  const syntax = SYNTAX_ERROR.exec(error.message)
  if (syntax) return { message: `syntax error: ${syntax[4]}`, source: { file: syntax[1]!, line: Number(syntax[2]), column: Number(syntax[3]) + 1 } }
  const message = `${error.name}: ${error.message.split('\n')[0]}`
  for (const frame of (error.stack ?? '').split('\n').slice(1)) {
    // `file:///…/p.ts?tsx-namespace=…:4:32` when tsx loaded the file under a namespace (a scoped import).
    const at = /\(?(?:file:\/\/)?([^()\s?]+)(?:\?[^()\s]*)?:(\d+):(\d+)\)?$/.exec(frame.trim())
    if (at && resolve(decodeURI(at[1]!)) === path) return { message, source: { file: path, line: Number(at[2]), column: Number(at[3]) } }
  }
  return { message }
}

/**
 * Imports a pipeline file and picks its pipeline: `file.ts#name` names the export; otherwise the
 * default export, or the only exported pipeline. Errors the DSL raises while the file is
 * evaluated come back as their diagnostics; any other failure is one `E_IO` diagnostic.
 *
 * @example
 * ```ts
 * const loaded = await loadPipelineFile('examples/quickstart/pipeline.ts')
 * if (loaded.ok) console.log(loaded.pipeline.name) // quickstart
 * const audit = await loadPipelineFile('docs/examples/caching.ts#audit')
 * ```
 */
export async function loadPipelineFile(argument: string): Promise<LoadedPipeline> {
  const { file, exportName } = splitPipelineArgument(argument)
  const path = resolve(file)
  const at = { file: path, line: 1, column: 1 }
  const fail = (message: string): LoadedPipeline => ({ ok: false, diagnostics: [{ code: 'E_IO', path: [], message, source: at }] })
  if (!existsSync(path)) return fail(`no such file: ${file}`)
  const commonJs = commonJsReason(path)
  if (commonJs !== undefined) {
    return fail(`${file} would load as CommonJS (${commonJs}); Typeflow pipeline files are ES modules: add "type": "module" to your package.json, or name the file .mts`)
  }
  let module: Record<string, unknown>
  try {
    module = (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>
  } catch (error) {
    if (error instanceof TypeflowError) return { ok: false, diagnostics: error.diagnostics }
    const { message, source } = loadFailure(error, path)
    return { ok: false, diagnostics: [{ code: 'E_IO', path: [], message: `cannot load ${file}: ${message}`, source: source ?? at }] }
  }
  const pipelines = Object.keys(module)
    .filter((name) => isPipeline(module[name]))
    .sort()
  if (exportName !== undefined) {
    const chosen = module[exportName]
    if (isPipeline(chosen)) return { ok: true, pipeline: chosen }
    const what = chosen === undefined ? `does not export "${exportName}"` : `exports "${exportName}", but it is not a pipeline`
    return fail(`${file} ${what}${pipelines.length > 0 ? `; its pipelines: ${pipelines.join(', ')}` : ''}`)
  }
  if (isPipeline(module['default'])) return { ok: true, pipeline: module['default'] }
  const distinct = [...new Set(pipelines.map((name) => module[name]))]
  if (distinct.length === 1) return { ok: true, pipeline: distinct[0] as PipelineNode }
  if (pipelines.length === 0) return fail(`${file} exports no pipeline; export one, as its default export`)
  return fail(`${file} exports ${pipelines.length} pipelines (${pipelines.join(', ')}) and none as its default: choose one with ${file}#${pipelines[0]}`)
}
