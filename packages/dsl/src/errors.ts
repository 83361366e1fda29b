import type { Diagnostic, DiagnosticCode } from './diagnostics.ts'
import { formatDiagnostic } from './diagnostics.ts'
import type { SourceLocation } from './ir.ts'

/** Marks every TypeflowError, whichever copy of this module made it (see `Symbol.hasInstance`). */
const TYPEFLOW_ERROR = Symbol.for('typeflow.TypeflowError')

/**
 * Thrown when a pipeline cannot be built or compiled; carries every diagnostic found.
 *
 * `instanceof TypeflowError` holds for errors made by any copy of `@typeflow/dsl` in the process:
 * the CLI imports a pipeline file with its own module instances (tsx's scoped import), and the
 * errors that file's DSL throws must still be read as diagnostics, not as crashes.
 *
 * @example
 * ```ts
 * try {
 *   await import('./pipeline.ts') // a mistake the DSL catches while the pipeline is declared
 * } catch (error) {
 *   if (!(error instanceof TypeflowError)) throw error
 *   for (const d of error.diagnostics) console.error(formatDiagnostic(d))
 * }
 * ```
 */
export class TypeflowError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses keep the ordinary prototype check.
    if (this !== TypeflowError) return Function.prototype[Symbol.hasInstance].call(this, value)
    return typeof value === 'object' && value !== null && (value as { [TYPEFLOW_ERROR]?: unknown })[TYPEFLOW_ERROR] === true
  }

  readonly diagnostics: readonly Diagnostic[]
  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'))
    this.name = 'TypeflowError'
    this.diagnostics = diagnostics
    Object.defineProperty(this, TYPEFLOW_ERROR, { value: true })
  }
}

/** @internal A single-diagnostic error raised while building the graph. */
export class DslError extends TypeflowError {
  constructor(code: DiagnosticCode, path: readonly string[], message: string, source?: SourceLocation) {
    super([{ code, path, message, ...(source !== undefined && { source }) }])
  }
}
