/**
 * Writing Argo manifests as YAML that kubectl and Argo (go-yaml v2, YAML 1.1) read back as written.
 *
 * @module
 */

import { toYamlDocuments } from '../../writer/yaml.ts'

/**
 * Writes Argo documents as one multi-document YAML stream, keys in the order they were built
 * (`apiVersion`, `kind`, `metadata`, `spec`, …), with every string go-yaml could misread (`y`,
 * `1e3`, `0o17`, `yes`, …) quoted: the shared writer's default `'portable'` quoting.
 *
 * @example
 * ```ts
 * writeFileSync('dist/p.argo.yaml', argoYaml(emitArgo(analysed).documents))
 * ```
 */
export function argoYaml(documents: readonly unknown[]): string {
  return toYamlDocuments(documents, { sortKeys: false })
}
