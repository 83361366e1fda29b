import { realpathSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Diagnostic, PipelineNode } from '@typeflow/dsl'
import { formatDiagnostic, TypeflowError } from '@typeflow/dsl'
import { compile, type Target } from './compile.ts'
import { type ClusterKind, type ClusterProfile, parseClusterProfile } from './passes/placement.ts'
import type { ArgoOptions } from './targets/argo/index.ts'
import { writeFilesAtomically } from './writer/files.ts'

/** Options for {@link build}; each can also come from the command line or the environment. */
export interface BuildOptions {
  /** Output directory (`--out-dir`, `TYPEFLOW_OUT_DIR`). @default 'dist' */
  readonly outDir?: string
  /** Targets to write. @default ['kfp', 'argo'] */
  readonly targets?: readonly Target[]
  readonly argo?: ArgoOptions
  /** The cluster profile for accelerator placement (`--cluster gke|nvidia-gfd|karpenter|custom:<label>`, `TYPEFLOW_CLUSTER`). */
  readonly cluster?: ClusterProfile | Exclude<ClusterKind, 'custom'>
}

function printDiagnostics(diagnostics: readonly Diagnostic[]): void {
  const plural = diagnostics.length === 1 ? '' : 's'
  process.stderr.write(`${diagnostics.map((d) => `error ${formatDiagnostic(d)}`).join('\n')}\n\n${diagnostics.length} error${plural}; nothing was written.\n`)
}

// Errors the DSL raises while the pipeline module is still being evaluated (before build() runs)
// are TypeflowErrors too: print them as diagnostics rather than a stack trace.
// Inside a vitest worker the test runner owns uncaught errors.
if (!('__vitest_worker__' in globalThis)) {
  process.on('uncaughtException', (error) => {
    if (error instanceof TypeflowError) printDiagnostics(error.diagnostics)
    else process.stderr.write(`${error.stack ?? String(error)}\n`)
    process.exit(1)
  })
}

function isEntryModule(meta: ImportMeta): boolean {
  const entry = process.argv[1]
  if (!entry) return false
  try {
    return realpathSync(fileURLToPath(meta.url)) === realpathSync(resolve(entry))
  } catch {
    return false
  }
}

/** `on`/`off` (also `true`/`false`, `1`/`0`, `yes`/`no`); anything else means "not set". */
function cachingSwitch(value: string | undefined): boolean | undefined {
  const v = value?.trim().toLowerCase()
  if (v === undefined || v === '') return undefined
  if (['on', 'true', '1', 'yes'].includes(v)) return true
  if (['off', 'false', '0', 'no'].includes(v)) return false
  return undefined
}

function flag(name: string): string | undefined {
  const args = process.argv.slice(2)
  const index = args.indexOf(name)
  if (index >= 0) return args[index + 1]
  const inline = args.find((a) => a.startsWith(`${name}=`))
  return inline?.slice(name.length + 1)
}

/**
 * Compiles the pipeline and writes `<outDir>/<name>.kfp.yaml` when the calling module is the
 * program being run (`tsx pipeline.ts`); does nothing when it is imported, so the same file
 * works with the `typeflow` CLI and in tests. On errors it prints every diagnostic with its
 * file:line:column, writes nothing, and sets exit code 1.
 *
 * @example
 * ```ts
 * import { component, pipeline } from '@typeflow/dsl'
 * import { build } from '@typeflow/compiler'
 * const hello = component({ name: 'hello', image: 'alpine:3.20', command: ['echo', 'hi'] })
 * const helloPipeline = pipeline({ name: 'hello' }, (dag) => { dag.task(hello) })
 * export default helloPipeline
 * build(import.meta, helloPipeline)
 * ```
 */
export function build(meta: ImportMeta, pipeline: PipelineNode, options: BuildOptions = {}): void {
  if (!isEntryModule(meta)) return
  const outDir = flag('--out-dir') ?? process.env['TYPEFLOW_OUT_DIR'] ?? options.outDir ?? 'dist'
  const caching = cachingSwitch(flag('--caching') ?? process.env['TYPEFLOW_CACHING'])
  const kfpCacheKeys = flag('--kfp-cache-keys') ?? process.env['TYPEFLOW_KFP_CACHE_KEYS']
  const targets = flag('--target')?.split(',') as Target[] | undefined
  const clusterText = flag('--cluster') ?? process.env['TYPEFLOW_CLUSTER']
  const cluster = clusterText !== undefined && clusterText !== '' ? parseClusterProfile(clusterText) : options.cluster
  if (clusterText !== undefined && clusterText !== '' && cluster === undefined) {
    process.stderr.write(`error: unknown cluster profile "${clusterText}"; use gke, nvidia-gfd, karpenter or custom:<node label>\n`)
    process.exitCode = 1
    return
  }
  const result = compile(pipeline, {
    targets: targets ?? options.targets ?? ['kfp', 'argo'],
    ...(options.argo !== undefined && { argo: options.argo }),
    ...(caching !== undefined && { caching }),
    ...(cluster !== undefined && { cluster }),
    ...((kfpCacheKeys === 'content' || kfpCacheKeys === 'backend') && { kfp: { cacheKeys: kfpCacheKeys } }),
    strict: process.argv.includes('--strict'),
  })
  if (!result.ok) {
    printDiagnostics(result.diagnostics)
    process.exitCode = 1
    return
  }
  for (const warning of result.warnings) process.stderr.write(`warning ${formatDiagnostic(warning)}\n`)
  for (const path of writeFilesAtomically(outDir, result.files)) process.stdout.write(`wrote ${path}\n`)
}
