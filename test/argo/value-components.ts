/**
 * Components the value-delivery tests share: one that echoes a value, one that writes two values
 * side by side in one argument.
 */
import { component, concat, param } from '@typeflow/dsl'

/** `echo <v>`. */
export const show = component({ name: 'show', image: 'alpine:3.20', inputs: { v: param.string() }, command: ({ inputs }) => ['echo', inputs.v.value] })

/** `echo <a><b>`: two values joined in one argument. */
export const pair = component({
  name: 'pair',
  image: 'alpine:3.20',
  inputs: { a: param.string(), b: param.string() },
  command: ({ inputs }) => ['echo', concat(inputs.a.value, inputs.b.value)],
})
