/**
 * Names for the Argo target: template, task, parameter and artifact names that Argo and the v4 CRDs
 * accept, unique where they must be, and the same for the same input on every machine.
 *
 * @module
 */

import { createHash } from 'node:crypto'
import { fitName, MAX_NAME_LENGTH, sanitizeName } from '@typeflow/dsl'

/** The v4 CRDs cap template and DAG task names at 128 characters, the compiler's own name limit. */
export const MAX_ARGO_NAME = MAX_NAME_LENGTH

/** Kubernetes label values: at most 63 characters. */
export const MAX_LABEL_VALUE = 63

/** First hex digits of the SHA-256 of a string: a short, stable disambiguator. */
export function shortHash(text: string, length = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length)
}

/**
 * Cuts a name to `max` characters, replacing its tail with `-<hash>` of the whole name so that two
 * long names sharing a prefix stay different.
 */
export function truncateName(name: string, max: number): string {
  if (name.length <= max) return name
  return fitName(name, max, `-${shortHash(name)}`)
}

/**
 * A DNS-1123 label-like name (lowercase letters, digits, `-`), starting with a letter so that Argo's
 * `depends` parser and expression tags can never mistake it for a number, at most `max` long.
 */
export function kubeName(raw: string, fallback: string, max = MAX_ARGO_NAME): string {
  let name = sanitizeName(raw)
  if (name === '') name = fallback
  if (!/^[a-z]/.test(name)) name = `${fallback}-${name}`
  return truncateName(name, max)
}

/**
 * Hands out unique names in one namespace (templates of a workflow, tasks of one DAG, inputs of one
 * template). A taken name gets `-2`, `-3` … appended, still within the length limit.
 */
export class NameAllocator {
  private readonly taken = new Set<string>()
  private readonly nextSuffix = new Map<string, number>()
  constructor(private readonly max = MAX_ARGO_NAME) {}

  /** Marks a name as used without allocating it (reserved names). */
  reserve(name: string): void {
    this.taken.add(name)
  }

  /** Returns `base`, or the first free `base-N`. */
  allocate(base: string): string {
    let candidate = truncateName(base, this.max)
    // Names are never freed, so every suffix below the last one given for `base` is still taken:
    // start there (a thousand templates of one component would otherwise cost a million probes).
    let i = this.nextSuffix.get(base) ?? 2
    while (this.taken.has(candidate)) {
      const suffix = `-${i++}`
      candidate = `${truncateName(base, this.max - suffix.length)}${suffix}`
    }
    if (i > 2) this.nextSuffix.set(base, i)
    this.taken.add(candidate)
    return candidate
  }
}

/** Names Argo accepts for parameters and artifacts (`workflow/validate`: `^[-a-zA-Z0-9_]+$`). */
const ARGO_IO_NAME = /^[-a-zA-Z0-9_]+$/

/** Prefix of every name Typeflow adds itself (reserved inputs, outputs, env vars). */
export const RESERVED_PREFIX = 'typeflow-'

/**
 * The Argo name of a component or pipeline input/output. Valid names are kept as they are (the
 * common case, so YAML reads like the pipeline code); anything else, and any name that could clash
 * with Typeflow's reserved `typeflow-…` names, becomes `<sanitized>-<hash>` so the mapping stays
 * one-to-one. The original name is recorded next to the template (see `io-names` annotations).
 */
export function argoIoName(name: string): string {
  if (ARGO_IO_NAME.test(name) && !name.startsWith(RESERVED_PREFIX) && name.length <= MAX_ARGO_NAME) return name
  const cleaned = name.replace(/[^-a-zA-Z0-9_]+/g, '_').replace(/^typeflow-/, 'typeflow_')
  return `${truncateName(cleaned || 'io', MAX_ARGO_NAME - 9)}-${shortHash(name)}`
}

/** A valid Kubernetes label value (`[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`, ≤63) for any text. */
export function labelValue(text: string): string {
  const cleaned = text.replace(/[^-A-Za-z0-9_.]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
  if (cleaned.length <= MAX_LABEL_VALUE) return cleaned
  return truncateName(cleaned, MAX_LABEL_VALUE).replace(/^[^A-Za-z0-9]+/, '')
}
