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
  return name
    .toLowerCase()
    .replace(/[^-0-9a-z]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '')
}

/** A name Kubernetes accepts as a DNS-1123 label, and KFP as a pipeline or task name. */
export const KUBERNETES_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
