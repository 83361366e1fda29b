/**
 * Text built from parameter values (KFP f-strings): `fmt` is a tagged template whose `${…}` are
 * pipeline inputs, task outputs or loop items; the text is assembled when the task runs.
 */
import { component, fmt, param, pipeline } from '@typeflow/dsl'
import { build } from '@typeflow/compiler'

export const version = component({
  name: 'version',
  image: 'alpine:3.20',
  outputs: { tag: param.string() },
  command: ({ outputs }) => ['sh', '-c', 'printf v1.4.2 > "$0"', outputs.tag.path],
})
export const say = component({
  name: 'say',
  image: 'alpine:3.20',
  inputs: { text: param.string() },
  command: ({ inputs }) => ['echo', inputs.text.value],
})

export const greetings = pipeline({ name: 'greetings', inputs: { user: param.string({ default: 'world' }) } }, (dag, p) => {
  const v = dag.task(version)
  dag.task(say, { text: fmt`Hello ${p.user}, this is release ${v.outputs.tag} (build ${42})` })
  dag.forEach(['eu', 'us'], (region) => {
    dag.task(say, { text: fmt`deploying ${v.outputs.tag} to ${region}` })
  })
})

export default greetings
build(import.meta, greetings)
