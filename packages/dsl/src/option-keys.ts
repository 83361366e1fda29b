/**
 * Option objects checked for keys their type does not have. TypeScript refuses a misspelt option;
 * JavaScript, a cast, or settings read from a file would have it dropped in silence (`defualt`,
 * `cachng`, `memoryLimt` compiled to a pipeline without the default, with caching on, without the
 * limit). Each list of known keys sits next to its interface (here, for the interfaces of a module
 * the package index exports whole), and a type test holds the two equal.
 *
 * @module
 */

import { DslError } from './errors.ts'
import type { SourceLocation } from './ir.ts'

/** The keys of `ParamOptions` and `ArtifactOptions` (types.ts). */
export const PARAM_OPTION_KEYS = ['default', 'optional', 'description'] as const
export const ARTIFACT_OPTION_KEYS = ['optional', 'description'] as const

/** Edit distance (insertions, deletions, substitutions): short words only, so quadratic is fine. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    previous = current
  }
  return previous[b.length]!
}

/**
 * The one of `names` closest to `name`, when close enough to be what a typo meant: differing in
 * case only, or by at most 2 edits (a quarter of the word for long ones). Ties go to the first in
 * sorted order.
 *
 * @example
 * ```ts
 * closestName('paralelism', ['displayName', 'parallelism']) // 'parallelism'
 * closestName('priority', ['name', 'caching']) // undefined
 * ```
 */
export function closestName(name: string, names: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined
  for (const candidate of [...names].sort()) {
    const d = candidate.toLowerCase() === name.toLowerCase() ? 0 : distance(name, candidate)
    if (d <= Math.max(2, Math.floor(name.length / 4)) && (best === undefined || d < best.d)) best = { name: candidate, d }
  }
  return best?.name
}

/**
 * Throws `E_INVALID_CONSTANT` at `[...path, key]` for the first key of `value` that is not in
 * `known`, naming the closest known key and all of them. Anything but a plain object is left to
 * the checks of the value itself.
 */
export function refuseUnknownKeys(
  value: unknown,
  known: readonly string[],
  what: string,
  path: readonly string[],
  /** Where the value was written, or how to find out (a stack trace costs too much to take for every value). */
  source: SourceLocation | undefined | (() => SourceLocation | undefined),
): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue
    const guess = closestName(key, known)
    throw new DslError(
      'E_INVALID_CONSTANT',
      [...path, key],
      `"${key}" is not ${what}${guess !== undefined ? ` (did you mean "${guess}"?)` : ''}; the options are ${known.join(', ')}`,
      typeof source === 'function' ? source() : source,
    )
  }
}
