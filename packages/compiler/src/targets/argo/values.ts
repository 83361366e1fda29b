/**
 * Parameter values as Argo carries them: always strings.
 *
 * @module
 */

import type { JsonValue } from '@typeflow/dsl'
import { driverJson, driverNumberText } from '@typeflow/dsl/kfp'

/**
 * The text of a parameter value as the KFP driver passes it on command lines: strings as they
 * are, numbers written out in full (`driverNumberText`), `true` / `false`, and compact JSON for
 * lists and structs with keys sorted (`driverJson`).
 */
export function parameterText(value: JsonValue): string {
  if (typeof value === 'string') return value
  return typeof value === 'number' ? driverNumberText(value) : driverJson(value)
}
