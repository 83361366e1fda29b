/**
 * Parameter values as Argo carries them: always strings.
 *
 * @module
 */

import type { JsonValue } from '@typeflow/dsl'
import { driverJson, driverNumberText } from '@typeflow/dsl/kfp'

/**
 * The text of a parameter value: strings as they are, numbers as the KFP driver writes them
 * (`driverNumberText`), `true` / `false`, and compact JSON for lists and structs with keys sorted, as the KFP driver passes them
 * on command lines (see `driverJson`).
 */
export function parameterText(value: JsonValue): string {
  if (typeof value === 'string') return value
  return typeof value === 'number' ? driverNumberText(value) : driverJson(value)
}
