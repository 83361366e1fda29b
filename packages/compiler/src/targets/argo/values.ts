/**
 * Parameter values as Argo carries them: always strings.
 *
 * @module
 */

import type { JsonValue } from '@typeflow/dsl'
import { driverText } from '@typeflow/dsl/kfp'

/** The text of a parameter value, as the KFP driver passes it on command lines (see `driverText`). */
export function parameterText(value: JsonValue): string {
  return driverText(value)
}
