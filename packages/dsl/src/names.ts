/**
 * Turns any name into the Kubernetes-style name KFP uses for tasks and components: lowercase
 * letters, digits and single dashes, no dash at either end (KFP `maybe_rename_for_k8s`).
 *
 * @example
 * ```ts
 * import { sanitizeName } from '@typeflow/dsl'
 * sanitizeName('Train_Model v2') // 'train-model-v2'
 * ```
 */
export function sanitizeName(name: string): string {
  // Most names are already sanitized (the compiler asks again for every task, group and template).
  if (isSanitized(name)) return name
  return name
    .toLowerCase()
    .replace(/[^-0-9a-z]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '')
}

/** Whether `sanitizeName` would give the name back as it is: `[a-z0-9]` runs joined by single dashes. */
function isSanitized(name: string): boolean {
  let dash = true
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c === 0x2d) {
      if (dash) return false
      dash = true
    } else if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) dash = false
    else return false
  }
  return !dash
}

/** Longest pipeline or task name the compiler accepts (Argo's template and task names, KFP's task keys). */
export const MAX_NAME_LENGTH = 128

/**
 * Cuts a sanitized name so that it and `suffix` together fit in `max` characters, never leaving a
 * '-' where it was cut (the result stays a valid name).
 *
 * @example
 * ```ts
 * import { fitName } from '@typeflow/dsl'
 * fitName('train-model', 8) // 'train'
 * fitName('train-model', 8, '-2') // 'train-2'
 * ```
 */
export function fitName(name: string, max: number, suffix = ''): string {
  return `${name.slice(0, max - suffix.length).replace(/-+$/, '')}${suffix}`
}

/** A name Kubernetes accepts as a DNS-1123 label, and KFP as a pipeline or task name. */
export const KUBERNETES_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
