/**
 * Options several commands share: how each is parsed, and the usage error a bad value gives.
 *
 * @module
 */
import { type ClusterProfile, type CompileOptions, parseCachingSwitch, parseClusterProfile, parseTargets, type Target } from '@typeflow/compiler'

/** A bad command line: the command prints the message and its usage, and exits with 2. */
export class UsageError extends Error {}

/** `--target kfp,argo`: each name must be a target (a typo would otherwise be read as kfp). */
export function targetsOption(value: unknown): Target[] {
  const targets = parseTargets(String(value))
  if (targets === undefined) throw new UsageError(`--target takes kfp, argo or kfp,argo (got "${String(value)}")`)
  return [...new Set(targets)]
}

/** `--caching on|off` (also true/false, 1/0, yes/no), else the `TYPEFLOW_CACHING` environment variable. */
export function cachingOption(value: unknown): boolean | undefined {
  const text = (value as string | undefined) ?? process.env['TYPEFLOW_CACHING']
  if (text === undefined) return undefined
  const caching = parseCachingSwitch(String(text))
  if (caching === undefined) throw new UsageError(`--caching must be on or off (got "${String(text)}")`)
  return caching
}

/** `--cluster <profile>`, else the `TYPEFLOW_CLUSTER` environment variable. */
export function clusterOption(value: unknown): ClusterProfile | undefined {
  const text = (value as string | undefined) ?? process.env['TYPEFLOW_CLUSTER']
  const cluster = text ? parseClusterProfile(text) : undefined
  if (text && cluster === undefined) throw new UsageError(`unknown --cluster "${text}"; use gke, nvidia-gfd, karpenter or custom:<node label>`)
  return cluster
}

/** The compile options of `compile` and `check`: --target, --caching, --kfp-cache-keys, --cluster, --strict. */
export function compileOptionsFrom(values: Record<string, string | boolean | undefined>): CompileOptions {
  const caching = cachingOption(values['caching'])
  const keys = values['kfp-cache-keys'] ?? process.env['TYPEFLOW_KFP_CACHE_KEYS']
  if (keys !== undefined && keys !== 'content' && keys !== 'backend') throw new UsageError('--kfp-cache-keys must be content or backend')
  const cluster = clusterOption(values['cluster'])
  return {
    targets: targetsOption(values['target']),
    strict: values['strict'] === true,
    ...(cluster !== undefined && { cluster }),
    ...(caching !== undefined && { caching }),
    ...(keys !== undefined && { kfp: { cacheKeys: keys } }),
  }
}
