/**
 * `typeflow graph`: draws a pipeline's DAG as an HTML page, SVG or Mermaid text.
 *
 * @module
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { type ClusterProfile, compile, computeCacheKeys } from '@typeflow/compiler'
import type { Diagnostic } from '@typeflow/dsl'
import { loadPipelineFile } from '@typeflow/runtime/load'
import { clusterOption, UsageError } from '../options.ts'
import { type DiagnosticFormat, renderDiagnostics, useColour } from '../output.ts'
import { toMermaid } from './mermaid.ts'
import { graphModel, parseRunStatus, type RunStatusMap } from './model.ts'

/** What the graph can be drawn as. */
export type GraphFormat = 'html' | 'svg' | 'mermaid'

const FORMATS: readonly GraphFormat[] = ['html', 'svg', 'mermaid']

/**
 * Tasks up to which HTML and SVG drawings are laid out unless `--max-tasks` says otherwise. The
 * layout is the slow part and grows faster than the graph: 2 to 3 s at 1,000 tasks of the
 * benchmark shapes, 6 to 14 s at 4,000 (see DETAILED_LAYOUT_SIZE in svg.ts). A drawing that large
 * is hardly readable either; Mermaid text has no limit.
 */
export const DEFAULT_MAX_DRAWN_TASKS = 2_000

const usage = `typeflow graph <pipeline.ts> [--format html|svg|mermaid] [--out file] [--run status.json] [--max-tasks n] [--cluster profile] [--diagnostics-format text|json|github]

  --format html|svg|mermaid  html: one self-contained page (tasks by kind, groups, GPU badges,
                             cache keys on hover); svg: the laid-out picture; mermaid: flowchart text
                             (default: html)
  --out <file>               write to this file instead of standard output
  --run <status.json>        overlay a run's results: { "<task>": { "state": "done", "durationMs": 1200 } }
                             (state: done, cached, failed, skipped, running or waiting)
  --max-tasks <n>            lay out HTML and SVG drawings of up to n tasks (default: ${DEFAULT_MAX_DRAWN_TASKS};
                             the layout grows faster than the graph: 6 to 14 s at 4,000 tasks)
  --cluster <profile>        gke, nvidia-gfd, karpenter or custom:<label>, for pipelines that name
                             accelerator models (env TYPEFLOW_CLUSTER)
  --diagnostics-format text|json|github
                             how to print the pipeline's diagnostics (--format names the drawing)
                             (default: text; json goes to standard output)`

/**
 * Loads the pipeline file, compiles it (writing nothing), and draws it in the chosen format.
 * HTML and SVG drawings of more than `maxTasks` tasks are refused with a message (`diagnostics`
 * empty): see DEFAULT_MAX_DRAWN_TASKS.
 *
 * @example
 * ```ts
 * const text = await renderGraphFile('examples/fraud-training/pipeline.ts', 'mermaid')
 * if (text.ok) process.stdout.write(text.output)
 * const gpu = await renderGraphFile('examples/gpu-finetune/pipeline.ts', 'html', { cluster: { kind: 'gke' } })
 * ```
 */
export async function renderGraphFile(
  file: string,
  format: GraphFormat,
  options: { readonly run?: RunStatusMap; readonly maxTasks?: number; readonly cluster?: ClusterProfile } = {},
): Promise<
  | { readonly ok: true; readonly output: string; readonly unknownTasks: readonly string[] }
  | { readonly ok: false; readonly report: string; readonly diagnostics: readonly Diagnostic[] }
> {
  const { run, maxTasks = DEFAULT_MAX_DRAWN_TASKS, cluster } = options
  const loaded = await loadPipelineFile(file)
  const result = loaded.ok ? compile(loaded.pipeline, cluster !== undefined ? { cluster } : {}) : loaded
  if (!result.ok) return { ok: false, report: renderDiagnostics(result.diagnostics, 'text', useColour(process.stderr)), diagnostics: result.diagnostics }
  const model = graphModel(result.analysed, computeCacheKeys(result.analysed), run)
  if (format !== 'mermaid' && model.nodes.length > maxTasks) {
    const report = `${file} has ${model.nodes.length.toLocaleString('en-US')} tasks; ${format.toUpperCase()} drawings are laid out for up to ${maxTasks.toLocaleString('en-US')} (--max-tasks), as the layout grows faster than the graph (6 to 14 s at 4,000 tasks). Use --format mermaid for text of any size, or raise --max-tasks.`
    return { ok: false, report, diagnostics: [] }
  }
  // The layout engine (elkjs: ~60 MiB and ~0.2 s to load) is loaded by the drawings that need it, not by every command.
  let output: string
  try {
    output = format === 'mermaid' ? toMermaid(model) : format === 'svg' ? await (await import('./svg.ts')).toSvg(model) : await (await import('./html.ts')).toHtml(model)
  } catch (error) {
    // The layout engine recurses along paths of the graph: with its careful settings it ran out of
    // stack after 4 minutes at 4,000 tasks. Should that happen at a size --max-tasks lets through,
    // say so instead of printing the engine's stack trace.
    if (!(error instanceof RangeError)) throw error
    return { ok: false, report: `the layout of ${file} (${model.nodes.length.toLocaleString('en-US')} tasks) failed: ${error.message}. Draw it with --format mermaid, or with a lower --max-tasks.`, diagnostics: [] }
  }
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
    'max-tasks': { type: 'string', default: String(DEFAULT_MAX_DRAWN_TASKS) },
    'diagnostics-format': { type: 'string', default: 'text' },
    cluster: { type: 'string' },
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
    const maxTasks = Number(values['max-tasks'])
    if (!Number.isInteger(maxTasks) || maxTasks < 1) return usageError(`--max-tasks must be a positive whole number (got "${String(values['max-tasks'])}")`)
    let cluster: ClusterProfile | undefined
    try {
      cluster = clusterOption(values['cluster'])
    } catch (error) {
      if (error instanceof UsageError) return usageError(error.message)
      throw error
    }
    const drawn = await renderGraphFile(positionals[0]!, format as GraphFormat, { ...(run !== undefined && { run }), maxTasks, ...(cluster !== undefined && { cluster }) })
    if (!drawn.ok && drawn.diagnostics.length === 0) {
      process.stderr.write(`typeflow graph: ${drawn.report}\n`)
      return 1
    }
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
