import { component, param, pipeline } from '@typeflow/dsl'

export const echo = component({
  name: 'echo',
  image: 'alpine:3.20',
  inputs: { text: param.string(), times: param.int() },
  command: ({ inputs }) => ['sh', '-c', 'for i in $(seq "$1"); do echo "$0"; done', inputs.text.value, inputs.times.value],
})

export default pipeline(
  {
    name: 'hello',
    description: 'Says hello a few times.',
    inputs: {
      text: param.string({ default: 'hi' }),
      times: param.int({ default: 3 }),
      tags: param.list<string>({ default: [] }),
      note: param.string({ optional: true }),
    },
  },
  (dag, p) => {
    dag.task(echo, { text: p.text, times: p.times })
  },
)
