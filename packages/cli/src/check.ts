import { dirname, resolve } from 'node:path'
import type { Diagnostic } from '@typeflow/dsl'
import ts from 'typescript'

function compilerOptionsFor(file: string): ts.CompilerOptions {
  const configPath = ts.findConfigFile(dirname(resolve(file)), ts.sys.fileExists, 'tsconfig.json')
  // No tsconfig.json: what Typeflow's packages need (they export .ts sources that import with
  // .ts extensions and use Node's modules), as a project of pipeline files would set it.
  if (!configPath) {
    return {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      target: ts.ScriptTarget.ES2023,
      allowImportingTsExtensions: true,
      types: ['node'],
      skipLibCheck: true,
    }
  }
  const config = ts.readConfigFile(configPath, ts.sys.readFile)
  return ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(configPath)).options
}

/**
 * Runs the TypeScript checker over pipeline files with their nearest tsconfig.json and turns
 * every error into a diagnostic (code `TS<number>`, with file:line:column).
 */
export function typecheckFiles(files: readonly string[]): Diagnostic[] {
  if (files.length === 0) return []
  const options = { ...compilerOptionsFor(files[0]!), noEmit: true }
  const program = ts.createProgram(files.map((f) => resolve(f)), options)
  const wanted = new Set(files.map((f) => resolve(f)))
  const out: Diagnostic[] = []
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (d.category !== ts.DiagnosticCategory.Error) continue
    // Errors inside libraries are reported too: a broken dependency breaks the pipeline.
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n')
    if (d.file && d.start !== undefined) {
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start)
      if (!wanted.has(resolve(d.file.fileName)) && d.file.fileName.includes('/node_modules/')) continue
      out.push({ code: `TS${d.code}`, path: [], message, source: { file: d.file.fileName, line: line + 1, column: character + 1 } })
    } else {
      out.push({ code: `TS${d.code}`, path: [], message })
    }
  }
  return out
}
