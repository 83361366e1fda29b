import type { Diagnostic, DiagnosticCode } from './diagnostics.ts'
import { formatDiagnostic } from './diagnostics.ts'
import type { SourceLocation } from './ir.ts'

/** Thrown when a pipeline cannot be built or compiled; carries every diagnostic found. */
export class TypeflowError extends Error {
  readonly diagnostics: readonly Diagnostic[]
  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'))
    this.name = 'TypeflowError'
    this.diagnostics = diagnostics
  }
}

/** @internal A single-diagnostic error raised while building the graph. */
export class DslError extends TypeflowError {
  constructor(code: DiagnosticCode, path: readonly string[], message: string, source?: SourceLocation) {
    super([{ code, path, message, ...(source !== undefined && { source }) }])
  }
}
