/**
 * Parameter values as Argo carries them: always strings.
 *
 * @module
 */

import type { JsonValue } from '@typeflow/dsl'

/**
 * The text of a parameter value: strings as they are, numbers as JavaScript writes them, `true` /
 * `false`, and compact JSON for lists and structs (what KFP passes on command lines too).
 */
export function parameterText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}
