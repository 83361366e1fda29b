import { describe, expect, it } from 'vitest'
import { artifact, collected, component, Dataset, eq, fmt, gt, not, or, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { compile } from '@typeflow/compiler'
import { parse } from 'yaml'

const produce = component({ name: 'produce', image: 'img', outputs: { n: param.int(), text: param.string(), items: param.list<number>(), data: artifact(Dataset) } })
const consumeInt = component({ name: 'consume-int', image: 'img', inputs: { n: param.int() } })
const consumeList = component({ name: 'consume-list', image: 'img', inputs: { ns: param.list<number>() } })
const report = component({ name: 'report', image: 'img', inputs: { status: param.finalStatus() } })

function codes(p: PipelineNode): string[] {
  const result = compile(p)
  return result.ok ? [] : result.diagnostics.map((d) => `${d.code} ${d.path.join('.')}`).sort()
}

function kfp(p: PipelineNode): Record<string, any> {
  const result = compile(p)
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'))
  return parse(result.files[0]!.content)
}

describe('control flow: visibility and types', () => {
  it('a task output from inside a condition is not visible outside it', () => {
    const p = pipeline({ name: 'p' }, (dag) => {
      const a = dag.task(produce)
      let inner: ReturnType<typeof dag.task<{}, typeof produce.outputs>> | undefined
      dag.if(gt(a.outputs.n, 1), () => {
        inner = dag.task(produce, {}, { name: 'inner' })
      })
      dag.task(consumeInt, { n: inner!.outputs.n })
    })
    expect(codes(p)).toEqual(['E_INVALID_REFERENCE tasks.consume-int.inputs.n'])
  })

  it('a task output from inside a loop needs fan-in; collected() gives a list', () => {
    const bad = pipeline({ name: 'p' }, (dag) => {
      let inner: ReturnType<typeof dag.task<{}, typeof produce.outputs>> | undefined
      dag.forEach([1, 2], () => {
        inner = dag.task(produce)
      })
      dag.task(consumeInt, { n: inner!.outputs.n })
    })
    expect(codes(bad)).toEqual(['E_INVALID_REFERENCE tasks.consume-int.inputs.n'])
    const good = pipeline({ name: 'p' }, (dag) => {
      const ns = dag.forEach([1, 2], (x) => dag.task(consumeInt, { n: x }) && dag.task(produce, {}, { name: 'p2' }).outputs.n)
      dag.task(consumeList, { ns })
    })
    expect(codes(good)).toEqual([])
    const wrongType = pipeline({ name: 'p' }, (dag) => {
      let inner: ReturnType<typeof dag.task<{}, typeof produce.outputs>> | undefined
      dag.forEach([1, 2], () => {
        inner = dag.task(produce)
      })
      dag.task(consumeInt, { n: collected(inner!.outputs.n) as never })
    })
    expect(codes(wrongType)).toEqual(['E_TYPE_MISMATCH tasks.consume-int.inputs.n'])
  })

  it('conditions compare like with like', () => {
    const p = pipeline({ name: 'p' }, (dag) => {
      const a = dag.task(produce)
      dag.if(eq(a.outputs.n as never, 'heads'), () => void dag.task(consumeInt, { n: 1 }))
      dag.if(eq(a.outputs.items as never, 3), () => void dag.task(consumeInt, { n: 2 }, { name: 'c2' }))
    })
    expect(codes(p)).toEqual(['E_TYPE_MISMATCH groups.condition-1', 'E_TYPE_MISMATCH groups.condition-2'])
  })

  it('loops need a positive parallelism and a LIST to iterate', () => {
    const p = pipeline({ name: 'p' }, (dag) => {
      const a = dag.task(produce)
      dag.forEach([1], () => void dag.task(consumeInt, { n: 1 }), { parallelism: 0 })
      dag.forEach(a.outputs.n as never, () => void dag.task(consumeInt, { n: 1 }, { name: 'c2' }))
    })
    expect(codes(p)).toEqual(['E_INVALID_CONSTANT groups.for-loop-2', 'E_TYPE_MISMATCH groups.for-loop-3'])
  })

  it('a final status is only for exit tasks and tasks that ignore upstream failure', () => {
    const p = pipeline({ name: 'p' }, (dag) => {
      dag.exitHandler(
        (status) => dag.task(report, { status }),
        () => {
          dag.task(report, { status: { kind: 'paramRef', source: { kind: 'taskFinalStatus' } } as never }, { name: 'misplaced' })
        },
      )
    })
    expect(codes(p)).toEqual(['E_INVALID_REFERENCE tasks.misplaced.inputs.status'])
  })

  it('a task that ignores upstream failure reads an upstream output only into an input with a default (KFP SDK rule)', () => {
    const withDefault = component({ name: 'with-default', image: 'img', inputs: { n: param.int({ default: 0 }) } })
    const without = pipeline({ name: 'p' }, (dag) => {
      const a = dag.task(produce)
      dag.task(consumeInt, { n: a.outputs.n }).ignoreUpstreamFailure()
    })
    const withIt = pipeline({ name: 'p' }, (dag) => {
      const a = dag.task(produce)
      dag.task(withDefault, { n: a.outputs.n }).ignoreUpstreamFailure()
    })
    expect(codes(without)).toEqual(['E_INVALID_REFERENCE tasks.consume-int.inputs.n'])
    expect(codes(withIt)).toEqual([])
  })

  it('a dependency cycle through a group is reported', () => {
    const p = pipeline({ name: 'p' }, (dag) => {
      const a = dag.task(produce)
      let inner: ReturnType<typeof dag.task<{}, typeof produce.outputs>> | undefined
      dag.if(gt(a.outputs.n, 1), () => {
        inner = dag.task(produce, {}, { name: 'inner' })
      })
      a.after(inner!)
    })
    expect(codes(p)).toEqual(['E_CYCLE tasks.condition-1'])
  })
})

describe('control flow: KFP structure', () => {
  it('and / or / not become CEL with the SDK casts', () => {
    const doc = kfp(
      pipeline({ name: 'p', inputs: { mode: param.string() } }, (dag, p) => {
        const a = dag.task(produce)
        dag.if(or(gt(a.outputs.n, 3), not(eq(p.mode, "it's"))), () => void dag.task(consumeInt, { n: a.outputs.n }))
      }),
    )
    expect(doc.root.dag.tasks['condition-1'].triggerPolicy.condition).toBe(
      "int(inputs.parameter_values['pipelinechannel--produce-n']) > 3 || !(inputs.parameter_values['pipelinechannel--mode'] == 'it\\'s')",
    )
    expect(Object.keys(doc.components['comp-condition-1'].inputDefinitions.parameters)).toEqual(['pipelinechannel--mode', 'pipelinechannel--produce-n'])
  })

  it('elif and else negate the earlier branches', () => {
    const doc = kfp(
      pipeline({ name: 'p' }, (dag) => {
        const a = dag.task(produce)
        dag
          .if(gt(a.outputs.n, 10), () => void dag.task(consumeInt, { n: 1 }, { name: 'big' }))
          .elif(gt(a.outputs.n, 5), () => void dag.task(consumeInt, { n: 2 }, { name: 'medium' }))
          .else(() => void dag.task(consumeInt, { n: 3 }, { name: 'small' }))
      }),
    )
    const branches = doc.components['comp-condition-branches-1'].dag.tasks
    const n = "int(inputs.parameter_values['pipelinechannel--produce-n'])"
    expect(branches['condition-2'].triggerPolicy.condition).toBe(`${n} > 10`)
    expect(branches['condition-3'].triggerPolicy.condition).toBe(`!(${n} > 10) && ${n} > 5`)
    expect(branches['condition-4'].triggerPolicy.condition).toBe(`!(${n} > 10) && !(${n} > 5)`)
  })

  it('an if becomes a branch chain when else is given later: only its own tasks move into the chain', () => {
    // The tasks of the first branch are renamed into the chain when .else() comes; tasks declared
    // before the if, and between the if and its .else(), stay where they are.
    const p = pipeline({ name: 'p' }, (dag) => {
      const a = dag.task(produce, {}, { name: 'a' })
      for (let i = 0; i < 20; i++) dag.task(consumeInt, { n: a.outputs.n }, { name: `before-${i}` })
      let big: { outputs: { n: unknown } } | undefined
      let small: { outputs: { n: unknown } } | undefined
      const chain = dag.if(gt(a.outputs.n, 10), () => {
        big = dag.task(produce, {}, { name: 'big' })
        dag.if(gt(a.outputs.n, 20), () => void dag.task(consumeInt, { n: 1 }, { name: 'huge' }))
      })
      dag.task(consumeInt, { n: a.outputs.n }, { name: 'between' })
      chain.else(() => void (small = dag.task(produce, {}, { name: 'small' })))
      dag.task(consumeInt, { n: dag.oneOf(big!.outputs.n as never, small!.outputs.n as never) }, { name: 'after' })
    })
    const root = kfp(p).root.dag.tasks
    expect(Object.keys(root).sort()).toEqual(['a', 'after', 'before-0', 'before-1', 'before-10', 'before-11', 'before-12', 'before-13', 'before-14', 'before-15', 'before-16', 'before-17', 'before-18', 'before-19', 'before-2', 'before-3', 'before-4', 'before-5', 'before-6', 'before-7', 'before-8', 'before-9', 'between', 'condition-branches-1'])
    const doc = kfp(p)
    // KFP's numbering: the chain takes the first branch's number, the first branch the next free one.
    const first = doc.components['comp-condition-branches-1'].dag.tasks['condition-3']
    expect(Object.keys(doc.components[first.componentRef.name].dag.tasks).sort()).toEqual(['big', 'condition-2'])
    expect(root['after'].inputs.parameters.n.taskOutputParameter.producerTask).toBe('condition-branches-1')
  })

  it('oneOf() that some case leaves without a value is a warning where it is read, in f-strings and nested pipelines too', () => {
    const text = component({ name: 'text', image: 'img', inputs: { s: param.string() } })
    const branches = (otherwise: 'none' | 'silent' | 'gives') =>
      pipeline({ name: 'inner', inputs: { n: param.int() } }, (dag, p) => {
        const made: { outputs: { n: unknown } }[] = []
        const chain = dag.if(gt(p.n, 10), () => void made.push(dag.task(produce, {}, { name: 'big' }))).elif(gt(p.n, 5), () => void made.push(dag.task(produce, {}, { name: 'small' })))
        if (otherwise === 'silent') chain.else(() => void dag.task(consumeInt, { n: 0 }, { name: 'silent' }))
        if (otherwise === 'gives') chain.else(() => void made.push(dag.task(produce, {}, { name: 'none' })))
        const picked = dag.oneOf(...(made.map((m) => m.outputs.n) as [never, never]))
        dag.task(text, { s: fmt`picked ${picked}` })
        return { picked }
      })
    const outer = (inner: ReturnType<typeof branches>) => pipeline({ name: 'outer' }, (dag) => void dag.task(inner, { n: 7 }, { name: 'choose' }))
    const warnings = (p: PipelineNode) => {
      const result = compile(p, { targets: ['kfp', 'argo'], policies: 'off' })
      if (!result.ok) throw new Error(JSON.stringify(result.diagnostics))
      // The message names the if by where it is written: this file, at a line of its own.
      return result.warnings.map((w) => `${w.code} ${w.path.join('.')}: ${w.message.replace(/\/\S+\/control-flow\.test\.ts:\d+:\d+/, 'FILE').split(':')[0]}`)
    }
    const value = 'the value given to input "s" of task "text" is a oneOf() over the if at FILE, and '
    const output = 'pipeline output "picked" is a oneOf() over the if at FILE, and '
    expect(warnings(outer(branches('none')))).toEqual([
      `W_ONEOF_NOT_EXHAUSTIVE tasks.choose.tasks.text.inputs.s: ${value}its if/elif has no else, so when no branch runs, nothing produces it`,
      `W_ONEOF_NOT_EXHAUSTIVE tasks.choose.outputs.picked: ${output}its if/elif has no else, so when no branch runs, nothing produces it`,
    ])
    expect(warnings(outer(branches('silent')))).toEqual([
      `W_ONEOF_NOT_EXHAUSTIVE tasks.choose.tasks.text.inputs.s: ${value}its else branch gives it no value`,
      `W_ONEOF_NOT_EXHAUSTIVE tasks.choose.outputs.picked: ${output}its else branch gives it no value`,
    ])
    expect(warnings(outer(branches('gives')))).toEqual([])
  })

  it('oneOf() taken from a task that may not run when its branch does is a warning too (the random differential, seed 33)', () => {
    /** An if/else; `big` is under a condition of its own inside the if (`inner`), waits for a task that is (`waits`), or neither. */
    const chain = (how: 'inner' | 'waits' | 'waitsPlain' | 'plain') =>
      pipeline({ name: 'p', inputs: { n: param.int() } }, (dag, p) => {
        let big: { outputs: { n: unknown } } | undefined
        let small: { outputs: { n: unknown } } | undefined
        dag
          .if(gt(p.n, 10), () => {
            if (how === 'inner') return void dag.if(gt(p.n, 20), () => void (big = dag.task(produce, {}, { name: 'big' })))
            let first: unknown
            if (how === 'waits') dag.if(gt(p.n, 20), () => void (first = dag.task(produce, {}, { name: 'first' })))
            if (how === 'waitsPlain') first = dag.task(produce, {}, { name: 'first' })
            big = dag.task(produce, {}, { name: 'big', ...(first !== undefined && { after: [first as never] }) })
          })
          .else(() => void (small = dag.task(produce, {}, { name: 'small' })))
        dag.task(consumeInt, { n: dag.oneOf(big!.outputs.n as never, small!.outputs.n as never) }, { name: 'after' })
      })
    const warnings = (p: PipelineNode) => {
      const result = compile(p, { targets: ['kfp', 'argo'], policies: 'off' })
      if (!result.ok) throw new Error(JSON.stringify(result.diagnostics))
      return result.warnings.map((w) => `${w.code} ${w.path.join('.')}: ${w.message.replace(/^.* and /, '')}`)
    }
    const skipped = `W_ONEOF_NOT_EXHAUSTIVE tasks.after.inputs.n: "big", which gives it its value in the first branch, may not run when that branch does (it sits under a condition inside the branch, or waits for a task that may not run): the run fails where it is read when that happens. Take the value from a task that runs whenever its branch does`
    expect(warnings(chain('inner'))).toEqual([skipped])
    expect(warnings(chain('waits'))).toEqual([skipped])
    expect(warnings(chain('waitsPlain'))).toEqual([])
    expect(warnings(chain('plain'))).toEqual([])
  })

  it('nested loops punch values through every level and keep parallelism', () => {
    const doc = kfp(
      pipeline({ name: 'p', inputs: { xs: param.list<number>() } }, (dag, p) => {
        const a = dag.task(produce)
        dag.forEach(p.xs, () => {
          dag.forEach([1, 2], (y) => {
            dag.task(consumeInt, { n: y })
            dag.task(consumeInt, { n: a.outputs.n }, { name: 'outer-value' })
          }, { parallelism: 2 })
        })
      }),
    )
    const outer = doc.components['comp-for-loop-1']
    expect(outer.dag.tasks['for-loop-3'].iteratorPolicy).toEqual({ parallelismLimit: 2 })
    expect(outer.dag.tasks['for-loop-3'].inputs.parameters['pipelinechannel--produce-n']).toEqual({ componentInputParameter: 'pipelinechannel--produce-n' })
    expect(doc.root.dag.tasks['for-loop-1'].inputs.parameters['pipelinechannel--produce-n'].taskOutputParameter).toEqual({ outputParameterKey: 'n', producerTask: 'produce' })
  })

  it('fmt embeds values as KFP f-strings: a placeholder constant plus a pipelinechannel input', () => {
    const say = component({ name: 'say', image: 'img', inputs: { text: param.string() } })
    const doc = kfp(
      pipeline({ name: 'p', inputs: { name: param.string() } }, (dag, p) => {
        const a = dag.task(produce)
        dag.task(say, { text: fmt`${p.name} has ${a.outputs.n} (${3})` })
        dag.forEach([1, 2], (x) => void dag.task(say, { text: fmt`item ${x} of ${p.name}` }, { name: 'in-loop' }))
      }),
    )
    const say1 = doc.root.dag.tasks['say']
    expect(say1.inputs.parameters).toEqual({
      'pipelinechannel--name': { componentInputParameter: 'name' },
      'pipelinechannel--produce-n': { taskOutputParameter: { outputParameterKey: 'n', producerTask: 'produce' } },
      text: { runtimeValue: { constant: "{{$.inputs.parameters['pipelinechannel--name']}} has {{$.inputs.parameters['pipelinechannel--produce-n']}} (3)" } },
    })
    expect(say1.dependentTasks).toEqual(['produce'])
    expect(Object.keys(doc.components['comp-say'].inputDefinitions.parameters)).toEqual(['text'])
    const inLoop = doc.components['comp-for-loop-2'].dag.tasks['in-loop']
    expect(inLoop.inputs.parameters['pipelinechannel--loop-item-param-1']).toEqual({ componentInputParameter: 'pipelinechannel--loop-item-param-1' })
    expect(doc.root.dag.tasks['for-loop-2'].inputs.parameters).toEqual({ 'pipelinechannel--name': { componentInputParameter: 'name' } })
  })

  it('groups inside a condition receive the operands of every enclosing condition', () => {
    const doc = kfp(
      pipeline({ name: 'p', inputs: { mode: param.string() } }, (dag, p) => {
        dag.if(eq(p.mode, 'a'), () => {
          dag.forEach([1, 2], (x) => void dag.task(consumeInt, { n: x }))
        })
      }),
    )
    expect(Object.keys(doc.components['comp-for-loop-3'].inputDefinitions.parameters)).toEqual(['pipelinechannel--loop-item-param-2', 'pipelinechannel--mode'])
    expect(doc.components['comp-for-loop-3'].dag.tasks['consume-int'].inputs.parameters).toEqual({ n: { componentInputParameter: 'pipelinechannel--loop-item-param-2' } })
  })

  it('component keys do not depend on the declaration order of independent tasks', () => {
    const inner = pipeline({ name: 'inner' }, (dag) => void dag.task(consumeInt, { n: 1 }))
    const build = (leafFirst: boolean) =>
      compile(
        pipeline({ name: 'p' }, (dag) => {
          if (leafFirst) dag.task(consumeInt, { n: 2 })
          dag.task(inner)
          dag.forEach([1], () => void dag.task(inner, {}, { name: 'looped' }))
          if (!leafFirst) dag.task(consumeInt, { n: 2 })
        }),
      )
    const [a, b] = [build(true), build(false)]
    if (!a.ok || !b.ok) throw new Error('compile failed')
    expect(a.files[0]!.content).toBe(b.files[0]!.content)
    const doc = parse(a.files[0]!.content)
    // Level by level, groups first, then leaf tasks before nested pipelines.
    expect(doc.components['comp-for-loop-2'].dag.tasks.looped.componentRef.name).toBe('comp-looped')
    expect(doc.root.dag.tasks['consume-int'].componentRef.name).toBe('comp-consume-int')
    expect(doc.components['comp-inner'].dag.tasks['consume-int'].componentRef.name).toBe('comp-consume-int-2')
    expect(doc.components['comp-looped'].dag.tasks['consume-int'].componentRef.name).toBe('comp-consume-int-3')
  })

  it('references inside a list or dict argument become placeholders plus pipelinechannel inputs', () => {
    const job = component({ name: 'job', image: 'img', inputs: { specs: param.list() } })
    const doc = kfp(
      pipeline({ name: 'p', inputs: { machine: param.string() } }, (dag, p) => {
        const a = dag.task(produce)
        // TaskArgs types LIST arguments as JSON; references inside are accepted at run time.
        dag.task(job, { specs: [{ machine: p.machine, count: a.outputs.n, label: fmt`n=${a.outputs.n}`, replicas: 1 }] as never })
      }),
    )
    const task = doc.root.dag.tasks['job']
    const n = "{{$.inputs.parameters['pipelinechannel--produce-n']}}"
    expect(task.inputs.parameters).toEqual({
      'pipelinechannel--machine': { componentInputParameter: 'machine' },
      'pipelinechannel--produce-n': { taskOutputParameter: { outputParameterKey: 'n', producerTask: 'produce' } },
      specs: { runtimeValue: { constant: [{ count: n, label: `n=${n}`, machine: "{{$.inputs.parameters['pipelinechannel--machine']}}", replicas: 1 }] } },
    })
    expect(task.dependentTasks).toEqual(['produce'])
  })
})
