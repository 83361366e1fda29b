import type { CommandArgNode, ConcatArgNode, IfPresentArgNode, PlaceholderNode, TextArgNode } from './ir.ts'

// Placeholders travel through user template strings as private-use code points, so
// `` `--out=${outputs.model.path}` `` works and is parsed back into structured parts. A random
// nonce, new in every process, follows the opening code point: text a user wrote (or read from a
// file) cannot spell a placeholder, because it cannot know the nonce.
const NONCE = [...globalThis.crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, '0')).join('')
const OPEN = `\uE000${NONCE}`
const CLOSE = '\uE001'
const tokenPattern = new RegExp(`\uE000${NONCE}([a-zA-Z]+)(?::([^\uE001]*))?\uE001`, 'g')

/** @internal Encodes a placeholder as a string token usable inside template literals. */
export function placeholderToken(node: PlaceholderNode): string {
  return 'name' in node ? `${OPEN}${node.ref}:${node.name}${CLOSE}` : `${OPEN}${node.ref}${CLOSE}`
}

const namedRefs = new Set([
  'inputValue', 'inputPath', 'inputUri', 'inputMetadata', 'inputArtifactList',
  'outputPath', 'outputUri', 'outputMetadata', 'outputParameterFile', 'runtime',
])

/** @internal Splits a user string into literal text and placeholders. */
export function parseTextArg(text: string): TextArgNode {
  if (!text.includes(OPEN)) return Object.freeze({ kind: 'text', parts: Object.freeze([text]) })
  const parts: (string | PlaceholderNode)[] = []
  let last = 0
  for (const match of text.matchAll(tokenPattern)) {
    if (match.index > last) parts.push(text.slice(last, match.index))
    const ref = match[1]!
    const name = match[2]
    parts.push(
      Object.freeze(
        name !== undefined && namedRefs.has(ref)
          ? ({ kind: 'placeholder', ref, name } as PlaceholderNode)
          : ({ kind: 'placeholder', ref } as PlaceholderNode),
      ),
    )
    last = match.index + match[0].length
  }
  if (last < text.length) parts.push(text.slice(last))
  return Object.freeze({ kind: 'text', parts: Object.freeze(parts) })
}

/** A command-line item: a string (which may embed placeholders) or a structured form. */
export type CommandItem = string | ConcatArgNode | IfPresentArgNode

/** @internal Normalizes what a user wrote into IR command arguments. */
export function toCommandArgs(items: readonly CommandItem[]): readonly CommandArgNode[] {
  return Object.freeze(items.map((item) => (typeof item === 'string' ? parseTextArg(item) : item)))
}

/**
 * Joins several items into one command-line argument (KFP `ConcatPlaceholder`). With template
 * literals you rarely need it; it exists for parity with KFP components.
 *
 * @example
 * ```ts
 * import { component, concat, param } from '@typeflow/dsl'
 * const greet = component({
 *   name: 'greet',
 *   image: 'alpine:3.20',
 *   inputs: { who: param.string() },
 *   command: ({ inputs }) => ['echo', concat('hello-', inputs.who.value)],
 * })
 * ```
 */
export function concat(...items: readonly CommandItem[]): ConcatArgNode {
  return Object.freeze({ kind: 'concat', items: toCommandArgs(items) })
}

/** @internal Builds an IfPresent node; users reach it through the command builder's `ifPresent`. */
export function ifPresentNode(input: string, then: readonly CommandItem[], otherwise?: readonly CommandItem[]): IfPresentArgNode {
  return Object.freeze({
    kind: 'ifPresent',
    input,
    then: toCommandArgs(then),
    ...(otherwise !== undefined && { else: toCommandArgs(otherwise) }),
  })
}
