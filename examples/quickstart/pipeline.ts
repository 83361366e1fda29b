/**
 * The smallest useful pipeline, written as TypeScript functions: say a greeting, repeat it, count
 * the lines. `tsx examples/quickstart/pipeline.ts` writes dist/quickstart.{kfp,argo}.yaml;
 * `pnpm typeflow run examples/quickstart/pipeline.ts` runs it locally, no cluster needed.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { artifact, Dataset, functionComponent, param, pipeline } from '@typeflow/dsl'
import { build } from '@typeflow/compiler'

export const say = functionComponent(
  {
    name: 'say',
    description: 'Writes the greeting to a text file.',
    inputs: { greeting: param.string() },
    outputs: { message: artifact(Dataset) },
  },
  ({ greeting, message }) => {
    writeFileSync(message.path, `${greeting}\n`)
  },
)

export const repeat = functionComponent(
  {
    name: 'repeat',
    description: 'Repeats every line of a text file.',
    inputs: { message: artifact(Dataset), times: param.int() },
    outputs: { repeated: artifact(Dataset) },
  },
  ({ message, times, repeated }) => {
    const text = readFileSync(message.path, 'utf8')
    writeFileSync(repeated.path, text.repeat(times))
    repeated.metadata['times'] = times
  },
)

export const count = functionComponent(
  {
    name: 'count',
    description: 'Counts the lines of a text file.',
    inputs: { text: artifact(Dataset) },
    outputs: { lines: param.int() },
  },
  ({ text }) => ({ lines: readFileSync(text.path, 'utf8').split('\n').filter(Boolean).length }),
)

export const quickstart = pipeline(
  {
    name: 'quickstart',
    description: 'Says hello, repeats it, counts the lines.',
    inputs: { greeting: param.string({ default: 'Hello, Typeflow!' }), times: param.int({ default: 3 }) },
  },
  (dag, p) => {
    const said = dag.task(say, { greeting: p.greeting })
    const repeated = dag.task(repeat, { message: said.outputs.message, times: p.times })
    const counted = dag.task(count, { text: repeated.outputs.repeated })
    return { lines: counted.outputs.lines }
  },
)

export default quickstart
build(import.meta, quickstart)
