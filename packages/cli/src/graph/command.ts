/**
 * `typeflow graph`: draws a pipeline's DAG as an HTML page, SVG or Mermaid text.
 *
 * @module
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { compile, computeCacheKeys } from '@typeflow/compiler'
import type { Diagnostic } from '@typeflow/dsl'
import { loadPipeline } from '../load.ts'
import { type DiagnosticFormat, renderDiagnostics, useColour } from '../output.ts'
import { toMermaid } from './mermaid.ts'
import { graphModel, parseRunStatus, type RunStatusMap } from './model.ts'

/** What the graph can be drawn as. */
export type GraphFormat = 'html' | 'svg' | 'mermaid'

const FORMATS: readonly GraphFormat[] = ['html', 'svg', 'mermaid']

const usage = `typeflow graph <pipeline.ts> [--format html|svg|mermaid] [--out file] [--run status.json] [--diagnostics-format text|json|github]

  --format html|svg|mermaid  html: one self-contained page (tasks by kind, groups, GPU badges,
                             cache keys on hover); svg: the laid-out picture; mermaid: flowchart text
                             (default: html)
  --out <file>               write to this file instead of standard output
  --run <status.json>        overlay a run's results: { "<task>": { "state": "done", "durationMs": 1200 } }
                             (state: done, cached, failed, skipped, running or waiting)
  --diagnostics-format text|json|github
                             how to print the pipeline's diagnostics (--format names the drawing)
                             (default: text; json goes to standard output)`

/**
 * Loads the pipeline file, compiles it (writing nothing), and draws it in the chosen format.
 *
 * @example
 * ```ts
 * const text = await renderGraphFile('examples/fraud-training/pipeline.ts', 'mermaid')
 * if (text.ok) process.stdout.write(text.output)
 * ```
 */
export async function renderGraphFile(
  file: string,
  format: GraphFormat,
  run?: RunStatusMap,
): Promise<
  | { readonly ok: true; readonly output: string; readonly unknownTasks: readonly string[] }
  | { readonly ok: false; readonly report: string; readonly diagnostics: readonly Diagnostic[] }
> {
  const loaded = await loadPipeline(file)
  const result = loaded.ok ? compile(loaded.pipeline) : loaded
  if (!result.ok) return { ok: false, report: renderDiagnostics(result.diagnostics, 'text', useColour(process.stderr)), diagnostics: result.diagnostics }
  const model = graphModel(result.analysed, computeCacheKeys(result.analysed), run)
  // The layout engine (elkjs: ~60 MiB and ~0.2 s to load) is loaded by the drawings that need it, not by every command.
  const output = format === 'mermaid' ? toMermaid(model) : format === 'svg' ? await (await import('./svg.ts')).toSvg(model) : await (await import('./html.ts')).toHtml(model)
  return { ok: true, output, unknownTasks: model.run?.unknownTasks ?? [] }
}

/** The `graph` entry of the CLI's command table. */
export const graphCommand = {
  summary: 'draw the DAG as a self-contained HTML page, SVG or Mermaid text (with a run\'s results)',
  usage,
  options: {
    format: { type: 'string', default: 'html' },
    out: { type: 'string' },
    run: { type: 'string' },
    'diagnostics-format': { type: 'string', default: 'text' },
  },
  async run(positionals: readonly string[], values: Record<string, string | boolean | undefined>): Promise<number> {
    const usageError = (message: string) => {
      process.stderr.write(`typeflow graph: ${message}\n\n${usage}\n`)
      return 2
    }
    if (positionals.length !== 1) return usageError('expected one pipeline file')
    const format = values['format']
    if (typeof format !== 'string' || !(FORMATS as readonly string[]).includes(format)) return usageError(`--format must be html, svg or mermaid (got "${String(format)}")`)
    const diagnosticsFormat = values['diagnostics-format']
    if (diagnosticsFormat !== 'text' && diagnosticsFormat !== 'json' && diagnosticsFormat !== 'github') {
      return usageError(`--diagnostics-format must be text, json or github (got "${String(diagnosticsFormat)}")`)
    }
    let run: RunStatusMap | undefined
    if (typeof values['run'] === 'string') {
      try {
        run = parseRunStatus(JSON.parse(readFileSync(values['run'], 'utf8')))
      } catch (error) {
        process.stderr.write(`typeflow graph: cannot use run status ${values['run']}: ${(error as Error).message}\n`)
        return 1
      }
    }
    const drawn = await renderGraphFile(positionals[0]!, format as GraphFormat, run)
    if (!drawn.ok) {
      const stream = diagnosticsFormat === 'json' ? process.stdout : process.stderr
      stream.write(renderDiagnostics(drawn.diagnostics, diagnosticsFormat as DiagnosticFormat, useColour(stream)))
      return 1
    }
    if (drawn.unknownTasks.length > 0) process.stderr.write(`typeflow graph: warning: the run status names tasks this pipeline does not have: ${drawn.unknownTasks.join(', ')}\n`)
    const out = values['out']
    if (typeof out === 'string') {
      mkdirSync(dirname(resolve(out)), { recursive: true })
      writeFileSync(out, drawn.output)
      process.stdout.write(`wrote ${out}\n`)
    } else {
      process.stdout.write(drawn.output)
    }
    return 0
  },
} as const
