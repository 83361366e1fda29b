import type { Diagnostic } from '@typeflow/dsl'
import { formatDiagnostic } from '@typeflow/dsl'

/** How diagnostics are printed: for people, for CI tools, or for GitHub Actions annotations. */
export type DiagnosticFormat = 'text' | 'json' | 'github'

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColour(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !('NO_COLOR' in process.env) && process.env['TERM'] !== 'dumb'
}

const paint = (on: boolean, code: number, text: string) => (on ? `\u001b[${code}m${text}\u001b[0m` : text)

/** Diagnostics as JSON output gives them: each with its severity (a diagnostic without one is an error). */
export function jsonDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.map((d) => (d.severity === undefined ? { ...d, severity: 'error' } : d))
}

/** Renders diagnostics in the chosen format. */
export function renderDiagnostics(diagnostics: readonly Diagnostic[], format: DiagnosticFormat, colour: boolean): string {
  if (format === 'json') return `${JSON.stringify({ diagnostics: jsonDiagnostics(diagnostics) }, null, 2)}\n`
  if (format === 'github') {
    const escape = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
    const prop = (s: string) => escape(s).replace(/:/g, '%3A').replace(/,/g, '%2C')
    return diagnostics
      .map((d) => {
        const where = d.source ? `file=${prop(d.source.file)},line=${d.source.line},col=${d.source.column},` : ''
        return `::${d.severity === 'warning' ? 'warning' : 'error'} ${where}title=${prop(d.code)}::${escape(`${d.path.length ? `${d.path.join('.')}: ` : ''}${d.message}`)}\n`
      })
      .join('')
  }
  return diagnostics
    .map((d) => `${d.severity === 'warning' ? paint(colour, 33, 'warning') : paint(colour, 31, 'error')} ${formatDiagnostic(d)}\n`)
    .join('')
}
