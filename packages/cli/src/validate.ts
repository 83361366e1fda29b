/**
 * `typeflow validate`: a compiled file against the strict schema of its target, KFP IR or Argo,
 * with each problem at its line in the file.
 *
 * @module
 */
import { validateArgoDocuments, validateKfpDocuments } from '@typeflow/compiler'
import type { Diagnostic } from '@typeflow/dsl'
import { type Document, isMap, isNode, isScalar, LineCounter, parseAllDocuments } from 'yaml'
import { readTextFile, yamlValues } from './read.ts'

/** Whether the documents are Argo manifests (`apiVersion: argoproj.io/…`) rather than KFP IR. */
function isArgo(values: readonly unknown[]): boolean {
  return values.some((v) => typeof v === 'object' && v !== null && String((v as { apiVersion?: unknown }).apiVersion ?? '').startsWith('argoproj.io/'))
}

/**
 * Where the value at `path` (keys and indices) starts in the document: the deepest node the path
 * reaches, so an unknown or missing field points at the object that has or lacks it.
 */
function positionOf(doc: Document, at: readonly string[], message: string, lines: LineCounter): { line: number; column: number } {
  // An unknown field is best shown at its key, not where its object starts.
  const unknown = /^unknown field "([^"]+)"/.exec(message)?.[1]
  if (unknown !== undefined) {
    const parent = at.length === 0 ? doc.contents : doc.getIn(at, true)
    const key = isMap(parent) ? parent.items.find((pair) => isScalar(pair.key) && pair.key.value === unknown)?.key : undefined
    if (isNode(key) && key.range) {
      const { line, col } = lines.linePos(key.range[0])
      return { line, column: col }
    }
  }
  for (let depth = at.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(at.slice(0, depth), true)
    if (isNode(node) && node.range) {
      const { line, col } = lines.linePos(node.range[0])
      return { line, column: col }
    }
  }
  return { line: 1, column: 1 }
}

/**
 * Checks one YAML file: malformed YAML, a file that is not UTF-8 or not readable, and every schema
 * problem of its documents, each with the line and column of the value concerned.
 *
 * @example
 * ```ts
 * for (const d of validateYamlFile('dist/etl.argo.yaml')) console.error(formatDiagnostic(d))
 * ```
 */
export function validateYamlFile(file: string): Diagnostic[] {
  const read = readTextFile(file)
  if (!read.ok) return [...read.diagnostics]
  const lines = new LineCounter()
  const parsed = parseAllDocuments(read.text, { lineCounter: lines })
  const docs = Array.isArray(parsed) ? parsed : []
  const yamlErrors = docs.flatMap((d) => d.errors)
  if (yamlErrors.length > 0 || docs.length === 0) {
    const first = yamlErrors[0]
    const pos = first?.linePos?.[0]
    return [{ code: 'E_SCHEMA', path: [], message: first ? `malformed YAML: ${first.message.split('\n')[0]!.replace(/:$/, '')}` : 'empty file', source: { file, line: pos?.line ?? 1, column: pos?.col ?? 1 } }]
  }
  const values = yamlValues(docs, file)
  if (!values.ok) return [...values.diagnostics]
  if (isArgo(values.values)) {
    return validateArgoDocuments(values.values).map((issue) => {
      const [index = '0', ...path] = issue.path.split('/').filter(Boolean)
      const doc = docs[Number(index)] ?? docs[0]!
      return { code: 'E_SCHEMA', path: [`document ${Number(index) + 1}`, ...path], message: issue.message, source: { file, ...positionOf(doc, path, issue.message, lines) } }
    })
  }
  return validateKfpDocuments(values.values).map((issue) => {
    const path = issue.path.split('/').filter(Boolean)
    const doc = docs[issue.document ?? 0] ?? docs[0]!
    return { code: 'E_SCHEMA', path, message: issue.message, source: { file, ...positionOf(doc, path, issue.message, lines) } }
  })
}
