import { component, eq, gt, param, pipeline, type Task } from '@typeflow/dsl'

export const flip = component({ name: 'flip', image: 'ghcr.io/acme/coin:1.0', outputs: { side: param.string(), score: param.float() } })
export const say = component({ name: 'say', image: 'ghcr.io/acme/coin:1.0', inputs: { text: param.string() }, outputs: { said: param.string() } })

export default pipeline({ name: 'coin' }, (dag) => {
  const coin = dag.task(flip)
  let heads!: Task<typeof say.outputs>
  let lucky!: Task<typeof say.outputs>
  let tails!: Task<typeof say.outputs>
  dag
    .if(eq(coin.outputs.side, 'heads'), () => {
      heads = dag.task(say, { text: 'heads' })
    })
    .elif(gt(coin.outputs.score, 0.5), () => {
      lucky = dag.task(say, { text: 'tails, high score' })
    })
    .else(() => {
      tails = dag.task(say, { text: 'tails' })
    })
  return { said: dag.oneOf(heads.outputs.said, lucky.outputs.said, tails.outputs.said) }
})
