import { component, param, pipeline } from '@typeflow/dsl'

export const square = component({ name: 'square', image: 'ghcr.io/acme/math:1.0', inputs: { x: param.int() }, outputs: { y: param.int() } })
export const sum = component({ name: 'sum', image: 'ghcr.io/acme/math:1.0', inputs: { ys: param.list<number>() } })

export default pipeline({ name: 'squares', inputs: { xs: param.list<number>({ default: [1, 2, 3] }) } }, (dag, p) => {
  const squared = dag.forEach(p.xs, (x) => dag.task(square, { x }).outputs.y, { parallelism: 2 })
  dag.task(sum, { ys: squared })
})
