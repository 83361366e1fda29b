/**
 * The `typeflow import` command.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Diagnostic } from '@typeflow/dsl'
import { TypeflowError } from '@typeflow/dsl'
import { type DiagnosticFormat, renderDiagnostics, useColour } from '../output.ts'
import { readTextFile } from '../read.ts'
// The importer (and the TypeScript compiler API it types code with) loads when an import runs.
import type { ImportKind, importKfp } from './index.ts'

/** Usage text shown by `typeflow import --help`. */
export const IMPORT_USAGE = `typeflow import <file.yaml> [--out file.ts] [--kind component|pipeline] [--format text|json|github]

Generates a typed TypeScript module from a KFP component (v1 component.yaml or a compiled
single component) or a compiled KFP pipeline (PipelineSpec YAML).

  --out <file.ts>            where to write the module (default: print it)
  --kind component|pipeline  what to generate (default: a component module for a v1
                             component.yaml, a pipeline module for compiled IR)
  --format text|json|github  how to print diagnostics (default: text)

A PlatformSpec becomes \`kubernetes\` task options. Features with no Typeflow equivalent (a
workspace, values embedded in strings) are listed as warnings and in the module's header. Exit code 1 on malformed input.`

/** Options of `typeflow import`, in `node:util` `parseArgs` form. */
export const IMPORT_OPTIONS = {
  out: { type: 'string' },
  kind: { type: 'string' },
  format: { type: 'string', default: 'text' },
} as const

function usageError(message: string): number {
  process.stderr.write(`typeflow import: ${message}\n\n${IMPORT_USAGE}\n`)
  return 2
}

/**
 * Runs `typeflow import`; returns the exit code (0 ok, 1 diagnostics, 2 usage).
 *
 * @example
 * ```ts
 * import { runImport } from './command.ts'
 * const code = await runImport(['pipeline.yaml'], { out: 'pipeline.ts' })
 * ```
 */
export async function runImport(positionals: readonly string[], values: Record<string, string | boolean | undefined>): Promise<number> {
  if (positionals.length !== 1) return usageError('expected one YAML file')
  const kind = values['kind']
  if (kind !== undefined && kind !== 'component' && kind !== 'pipeline') return usageError(`--kind must be component or pipeline (got "${String(kind)}")`)
  const format = values['format'] ?? 'text'
  if (format !== 'text' && format !== 'json' && format !== 'github') return usageError(`--format must be text, json or github (got "${String(format)}")`)
  const file = positionals[0]!
  const report = (diagnostics: readonly Diagnostic[]) => {
    const stream = format === 'json' ? process.stdout : process.stderr
    stream.write(renderDiagnostics(diagnostics, format as DiagnosticFormat, useColour(stream)))
    return 1
  }
  const read = readTextFile(file)
  if (!read.ok) return report(read.diagnostics)
  const text = read.text
  let result: ReturnType<typeof importKfp>
  try {
    result = (await import('./index.ts')).importKfp(text, kind as ImportKind | undefined, { file })
  } catch (error) {
    if (error instanceof TypeflowError) return report(error.diagnostics)
    throw error
  }
  for (const warning of result.warnings) process.stderr.write(`warning: not imported: ${warning}\n`)
  const out = values['out']
  if (typeof out === 'string') {
    try {
      mkdirSync(dirname(out), { recursive: true })
      writeFileSync(out, result.code)
    } catch (error) {
      return report([{ code: 'E_IO', path: [], message: `cannot write ${out}: ${(error as Error).message}` }])
    }
    if (format !== 'json') process.stdout.write(`wrote ${out} (${result.kind} module)\n`)
  } else process.stdout.write(result.code)
  return 0
}
