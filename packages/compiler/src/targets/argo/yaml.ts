/**
 * Writing Argo manifests as YAML that kubectl and Argo (go-yaml, YAML 1.1) read back as written.
 *
 * @module
 */

import { toYaml, toYamlDocuments } from '../../writer/yaml.ts'

// The shared writer quotes what PyYAML's resolver would not read back as a string. go-yaml v2
// (used by kubectl and Argo through sigs.k8s.io/yaml) resolves a few more plain scalars: `y`/`n`
// booleans, `1e3` floats, `0o17` ints. Such strings must be quoted too.
const GO_BOOL = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/
const GO_NULL = /^(?:~|null|Null|NULL)$/
const GO_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/
const GO_SPECIAL = /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|<<)$/
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)$/

/** First characters of every plain scalar the patterns above match (`_` too: GO_INT ignores underscores). */
const GO_FIRST = /^[yYnNtTfFoO~0-9+\-.<_]/

function goYamlReadsAsNonString(text: string): boolean {
  if (!GO_FIRST.test(text)) return false
  return GO_BOOL.test(text) || GO_NULL.test(text) || GO_SPECIAL.test(text) || GO_FLOAT.test(text) || GO_INT.test(text.replace(/_/g, ''))
}

/** Strings the shared writer would leave plain although go-yaml reads them as something else. */
function ambiguous(text: string): boolean {
  if (text === '' || !goYamlReadsAsNonString(text)) return false
  const written = toYaml(text, { sortKeys: false })
  return !written.startsWith("'") && !written.startsWith('"')
}

function collect(value: unknown, found: Set<string>): void {
  if (typeof value === 'string') {
    if (ambiguous(value)) found.add(value)
  } else if (Array.isArray(value)) {
    for (const item of value) collect(item, found)
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (ambiguous(key)) found.add(key)
      collect(item, found)
    }
  }
}

function replace(value: unknown, tokens: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') return tokens.get(value) ?? value
  if (Array.isArray(value)) return value.map((item) => replace(item, tokens))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) out[tokens.get(key) ?? key] = replace(item, tokens)
    return out
  }
  return value
}

/**
 * Writes Argo documents as one multi-document YAML stream, keys in the order they were built
 * (`apiVersion`, `kind`, `metadata`, `spec`, …), with every string go-yaml could misread quoted.
 *
 * @example
 * ```ts
 * writeFileSync('dist/p.argo.yaml', argoYaml(emitArgo(analysed).documents))
 * ```
 */
export function argoYaml(documents: readonly unknown[]): string {
  const found = new Set<string>()
  for (const doc of documents) collect(doc, found)
  if (found.size === 0) return toYamlDocuments(documents, { sortKeys: false })
  // Swap each such string for a token the writer leaves plain, then put it back quoted: the writer
  // never splits a scalar without spaces, so each token stands alone where the string stood.
  const plain = JSON.stringify(documents)
  let prefix = 'typeflow_quoted_'
  while (plain.includes(prefix)) prefix = `${prefix}_`
  const tokens = new Map<string, string>()
  const originals = new Map<string, string>()
  for (const text of [...found].sort()) {
    const token = `${prefix}${tokens.size}_`
    tokens.set(text, token)
    originals.set(token, text)
  }
  const written = toYamlDocuments(documents.map((doc) => replace(doc, tokens)), { sortKeys: false })
  return written.replace(new RegExp(`${prefix}\\d+_`, 'g'), (token) => `'${originals.get(token)!}'`)
}
