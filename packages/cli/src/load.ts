import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Diagnostic, PipelineNode } from '@typeflow/dsl'
import { TypeflowError } from '@typeflow/dsl'
import { tsImport } from 'tsx/esm/api'

/** A pipeline module loaded, or why it could not be. */
export type Loaded = { readonly ok: true; readonly pipeline: PipelineNode } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] }

function isPipeline(value: unknown): value is PipelineNode {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'pipeline'
}

/**
 * Imports a pipeline file and picks its pipeline: the default export, or the only exported
 * pipeline. Errors the DSL raises while building come back as diagnostics.
 */
export async function loadPipeline(file: string): Promise<Loaded> {
  const path = resolve(file)
  let module: Record<string, unknown>
  try {
    module = (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>
  } catch (error) {
    if (error instanceof TypeflowError) return { ok: false, diagnostics: error.diagnostics }
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error)
    return { ok: false, diagnostics: [{ code: 'E_IO', path: [], message: `cannot load ${file}: ${message}`, source: { file: path, line: 1, column: 1 } }] }
  }
  if (isPipeline(module['default'])) return { ok: true, pipeline: module['default'] }
  const exported = Object.values(module).filter(isPipeline)
  if (exported.length === 1) return { ok: true, pipeline: exported[0]! }
  return {
    ok: false,
    diagnostics: [{ code: 'E_IO', path: [], message: `${file} must export one pipeline (as its default export); found ${exported.length}`, source: { file: path, line: 1, column: 1 } }],
  }
}
