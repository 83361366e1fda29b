import type { IoSpecNode, JsonValue, PipelineNode } from '@typeflow/dsl'
import { compareNames } from '../../analyse/graph.ts'

const pythonTypeNames: Readonly<Record<string, string>> = {
  STRING: 'str',
  NUMBER_INTEGER: 'int',
  NUMBER_DOUBLE: 'float',
  BOOLEAN: 'bool',
  LIST: 'list',
  STRUCT: 'dict',
  TASK_FINAL_STATUS: 'PipelineTaskFinalStatus',
}

function pythonFloat(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`
  return String(value)
}

/** Python's `repr` of a protobuf Value as the SDK prints it in the header (numbers are floats). */
function pythonRepr(value: JsonValue): string {
  if (value === null) return 'None'
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  if (typeof value === 'number') return pythonFloat(value)
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`
  return `{${Object.entries(value)
    .map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`)
    .join(', ')}}`
}

function typeName(spec: IoSpecNode): string {
  return spec.kind === 'parameter' ? pythonTypeNames[spec.type]! : spec.type.schemaTitle
}

/** The comment block the KFP SDK puts at the top of every compiled pipeline. */
export function kfpHeader(pipeline: PipelineNode): string {
  const lines = ['# PIPELINE DEFINITION', `# Name: ${pipeline.name}`]
  if (pipeline.description) {
    const [first, ...rest] = pipeline.description.trim().split('\n')
    lines.push(`# Description: ${first}`, ...rest.map((l) => `#              ${l}`))
  }
  const inputs = Object.keys(pipeline.inputs).sort(compareNames)
  if (inputs.length > 0) {
    lines.push('# Inputs:')
    for (const name of inputs) {
      const spec = pipeline.inputs[name]!
      const def = spec.kind === 'parameter' && spec.default !== undefined ? ` [Default: ${pythonRepr(spec.default)}]` : ''
      lines.push(`#    ${name}: ${typeName(spec)}${def}`)
    }
  }
  const outputs = Object.keys(pipeline.outputs).sort(compareNames)
  if (outputs.length > 0) {
    lines.push('# Outputs:')
    for (const name of outputs) lines.push(`#    ${name}: ${typeName(pipeline.outputs[name]!.spec)}`)
  }
  return `${lines.join('\n')}\n`
}
