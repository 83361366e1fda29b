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
// Once per process: `typeflow compile --watch` imports this module afresh for every compile.
const HANDLER_INSTALLED = Symbol.for('typeflow.build.uncaughtException')
if (!('__vitest_worker__' in globalThis) && !(HANDLER_INSTALLED in globalThis)) {
  Object.defineProperty(globalThis, HANDLER_INSTALLED, { value: true })
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

/**
 * The caching switch as written on a command line or in `TYPEFLOW_CACHING`: `on`/`off`, also
 * `true`/`false`, `1`/`0`, `yes`/`no`, in any case. `undefined` for anything else; `build()` and
 * the CLI each say so in their own words.
 *
 * @example
 * ```ts
 * parseCachingSwitch('Off') // false
 * parseCachingSwitch('maybe') // undefined
 * ```
 */
export function parseCachingSwitch(text: string): boolean | undefined {
  const v = text.toLowerCase()
  if (['on', 'true', '1', 'yes'].includes(v)) return true
  if (['off', 'false', '0', 'no'].includes(v)) return false
  return undefined
}

/**
 * Targets as written on a command line: `kfp`, `argo` or `kfp,argo`. `undefined` when a name is
 * not a target, so that a typo is an error rather than a KFP compile.
 *
 * @example
 * ```ts
 * parseTargets('kfp, argo') // ['kfp', 'argo']
 * parseTargets('argos') // undefined
 * ```
 */
export function parseTargets(text: string): Target[] | undefined {
  const names = text.split(',').map((t) => t.trim())
  return names.every((t): t is Target => t === 'kfp' || t === 'argo') ? names : undefined
}

/** A bad flag or environment variable: said once, nothing compiled, exit code 2 as the CLI's usage errors. */
function usageError(message: string): void {
  process.stderr.write(`error: ${message}\n`)
  process.exitCode = 2
}

/** Flags given without a value (`--out-dir` last, or followed by another flag). */
const missingValues: string[] = []

function flag(name: string): string | undefined {
  const args = process.argv.slice(2)
  const index = args.indexOf(name)
  if (index >= 0) {
    const value = args[index + 1]
    if (value === undefined || value.startsWith('--')) missingValues.push(name)
    else return value
  }
  const inline = args.find((a) => a.startsWith(`${name}=`))
  return inline?.slice(name.length + 1)
}

/**
 * Compiles the pipeline and writes `<outDir>/<name>.kfp.yaml` and `<outDir>/<name>.argo.yaml`
 * (the targets chosen) when the calling module is the
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
  const cachingText = (flag('--caching') ?? process.env['TYPEFLOW_CACHING'])?.trim()
  const caching = cachingText ? parseCachingSwitch(cachingText) : undefined
  if (cachingText && caching === undefined) return usageError(`--caching must be on or off (got "${cachingText}")`)
  const kfpCacheKeys = flag('--kfp-cache-keys') ?? process.env['TYPEFLOW_KFP_CACHE_KEYS']
  if (kfpCacheKeys !== undefined && kfpCacheKeys !== 'content' && kfpCacheKeys !== 'backend') return usageError(`--kfp-cache-keys must be content or backend (got "${kfpCacheKeys}")`)
  const targetText = flag('--target')
  const targets = targetText === undefined ? undefined : parseTargets(targetText)
  if (targetText !== undefined && targets === undefined) return usageError(`--target takes kfp, argo or kfp,argo (got "${targetText}")`)
  const clusterText = flag('--cluster') ?? process.env['TYPEFLOW_CLUSTER']
  const cluster = clusterText !== undefined && clusterText !== '' ? parseClusterProfile(clusterText) : options.cluster
  if (clusterText !== undefined && clusterText !== '' && cluster === undefined) return usageError(`unknown cluster profile "${clusterText}"; use gke, nvidia-gfd, karpenter or custom:<node label>`)
  if (missingValues.length > 0) return usageError(`${missingValues.join(', ')} needs a value`)
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
