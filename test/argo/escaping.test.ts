/**
 * User text never becomes Argo template syntax: strings with `{{`, `{{=`, `}}` (and the kubelet's
 * `$(…)`, `$$`) in constants, parameter defaults, env values and command lines reach the container
 * exactly as the KFP target delivers them, however many times Argo substitutes the template.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { TaskNode, CommandArgNode, JsonValue, PipelineNode } from '@typeflow/dsl'
import { component, concat, param, pipeline } from '@typeflow/dsl'
import { type ArgItem, encodeArg, encodeValue, LBRACE_ENV } from '../../packages/compiler/src/targets/argo/text.ts'
import { validateArgoDocuments } from '../../packages/compiler/src/targets/argo/schema.ts'
import { exprLiteral, kubeletEncodedJson } from '../../packages/compiler/src/targets/argo/expr.ts'
import { argoSubstitute, containerEnv, evaluateExpression, kubeletExpand } from './simulate.ts'
import { compileArgo } from './helpers.ts'

const HOSTILE = [
  '{{workflow.name}}',
  '{{inputs.parameters.v}}',
  '{{=1+1}}',
  "{{= sprig.trim(' x ') }}",
  '{{pod.name}}',
  '}}',
  '{{',
  '{{{',
  'a{{b}}c',
  '${{ secrets.TOKEN }}',
  '$(HOME) and $$ and $',
  '{',
  '{"a":{"b":1}}',
  '{{$}}',
  '$({{x}})',
  'ends with $',
  'ends with {',
  '$(',
] as const

type Json = Record<string, unknown>

/** Values the kubelet would see under KFP: literal text expanded, placeholder values inserted after. */
function kfpArg(arg: CommandArgNode, values: (name: string) => string, paths: (name: string) => string, env: ReadonlyMap<string, string>): string[] {
  if (arg.kind === 'concat') return [arg.items.flatMap((a) => kfpArg(a, values, paths, env)).join('')]
  if (arg.kind === 'ifPresent') throw new Error('not used here')
  const inserted: string[] = []
  let text = ''
  for (const part of arg.parts) {
    if (typeof part === 'string') text += part
    else {
      inserted.push(part.ref === 'inputValue' ? values(part.name) : paths('name' in part ? part.name : ''))
      // A private-use character stands for the placeholder: the kubelet treats it as plain text.
      text += String.fromCharCode(0xe100 + inserted.length - 1)
    }
  }
  return [kubeletExpand(text, env).replace(/[\ue100-\ue1ff]/g, (c) => inserted[c.charCodeAt(0) - 0xe100]!)]
}

function hostilePipeline(): { pipeline: PipelineNode; values: Record<string, string> } {
  const echo = component({
    name: 'echo',
    image: 'alpine:3.20',
    inputs: { v: param.string(), w: param.string({ default: HOSTILE[2] }), n: param.string({ default: '{{inputs.parameters.n}}' }) },
    outputs: { out: param.string() },
    command: ({ inputs, outputs }) => [
      'sh',
      '-c',
      'printf "%s\\n" "$@" > "$0"',
      outputs.out.path,
      ...HOSTILE,
      inputs.v.value,
      `x{${inputs.v.value}}{{`,
      `{{${inputs.w.value}$`,
      `$(${inputs.v.value})`,
      concat('{', inputs.n.value, '{{', inputs.v.value, '}}'),
    ],
  })
  const p = pipeline({ name: 'hostile', inputs: { p: param.string({ default: '{{workflow.name}} ${{ x }}' }) } }, (dag, inputs) => {
    HOSTILE.forEach((text, i) => dag.task(echo, { v: text }, { name: `c${i}`, env: { HOSTILE: text, SECOND: `${text}{{pod.name}}` } }))
    dag.task(echo, { v: inputs.p }, { name: 'from-default' })
  })
  const values: Record<string, string> = { 'from-default': '{{workflow.name}} ${{ x }}' }
  HOSTILE.forEach((text, i) => (values[`c${i}`] = text))
  return { pipeline: p, values }
}

describe('hostile `{{` text in an emitted Workflow', () => {
  const { pipeline: p, values } = hostilePipeline()
  const docs = compileArgo(p)
  const spec = docs[0]!['spec'] as { arguments: { parameters: Json[] }; templates: Json[] }
  const root = spec.templates[0] as { dag: { tasks: { name: string; template: string; arguments: { parameters: { name: string; value: string }[] } }[] } }
  type Container = { inputs: { parameters: { name: string; default?: string }[] }; container: { command: string[]; env?: { name: string; value: string }[] } }
  const templateOf = (task: { template?: unknown }) => spec.templates.find((t) => t['name'] === task.template) as Container
  const component = (p.body[0] as TaskNode).component as { command?: readonly CommandArgNode[] }

  it('validates against the strict schema', () => {
    expect(validateArgoDocuments(docs)).toEqual([])
  })

  it('writes no `{{` except its own tags', () => {
    const text = JSON.stringify(docs)
    const tags = [...text.matchAll(/\{\{(.*?)\}\}/g)].map((m) => m[1]!)
    const ours = /^(?:workflow\.parameters\.[-\w]+|inputs\.parameters\.[-\w]+|tasks\.[-\w]+\.outputs\.(?:parameters|artifacts)\.[-\w]+|=toJson\(inputs\.parameters\['[-\w]+'\]\)|=sprig\.sha256sum\([^{}\s"]+\))$/
    expect(tags.filter((t) => !ours.test(t))).toEqual([])
  })

  it.each([1, 2, 3, 4])('delivers every argument and env value exactly after %i substitution passes', (passes) => {
    const globals = new Map<string, string>([
      ['workflow.name', 'WF-NAME'],
      ['pod.name', 'POD-NAME'],
      ...spec.arguments.parameters.map((a) => [`workflow.parameters.${String(a['name'])}`, String(a['value'])] as [string, string]),
    ])
    for (const task of root.dag.tasks) {
      const echo = templateOf(task)
      const args = argoSubstitute(task.arguments.parameters, globals, passes)
      const vars = new Map(globals)
      for (const input of echo.inputs.parameters) if (input.default !== undefined) vars.set(`inputs.parameters.${input.name}`, input.default)
      for (const a of args) vars.set(`inputs.parameters.${a.name}`, a.value)
      const container = argoSubstitute(echo.container, vars, passes)
      const env = containerEnv(container.env ?? [])
      const got = container.command.map((c) => kubeletExpand(c, env))

      const userEnv = containerEnv((p.body as readonly TaskNode[]).find((t) => t.name === task.name)!.env)
      const inputValue = (name: string) => (name === 'v' ? values[task.name]! : name === 'w' ? HOSTILE[2] : '{{inputs.parameters.n}}')
      const expected = component.command!.flatMap((arg) => kfpArg(arg, inputValue, () => '/tmp/outputs/out', userEnv))
      expect(got).toEqual(expected)
      expect(env.get('HOSTILE')).toBe(userEnv.get('HOSTILE'))
      expect(env.get('SECOND')).toBe(userEnv.get('SECOND'))
    }
  })

  it('leaves ordinary text alone', () => {
    expect(templateOf(root.dag.tasks[0]!).container.command.slice(0, 3)).toEqual(['sh', '-c', 'printf "%s\\n" "$@" > "$0"'])
    expect(encodeValue('Hello, Typeflow!').text).toBe('Hello, Typeflow!')
    expect(encodeArg([{ kind: 'user', text: 'for i in $(seq "$1"); do echo "$0"; done > "$2"' }]).text).toBe('for i in $(seq "$1"); do echo "$0"; done > "$2"')
    expect(encodeArg([{ kind: 'user', text: '{"a": {"b": [1, {"c": 2}]}}' }]).text).toBe('{"a": {"b": [1, {"c": 2}]}}')
  })
})

describe('the encoder, on arbitrary text', () => {
  const text = fc.string({ unit: fc.constantFrom('{', '}', '$', '(', ')', '=', 'a', ' ', '.'), maxLength: 14 })
  const item = fc.oneof(
    text.map((t): ArgItem => ({ kind: 'user', text: t })),
    fc.integer({ min: 0, max: 2 }).map((i): ArgItem => ({ kind: 'tag', tag: `inputs.parameters.p${i}` })),
    fc.constantFrom<ArgItem>({ kind: 'verbatim', text: '/tmp/outputs/x' }, { kind: 'verbatim', text: '{"k":[{}]}' }),
  )

  it('gives back what the kubelet gives under KFP, for any text and values, after any number of passes', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 6 }), fc.array(text, { minLength: 3, maxLength: 3 }), fc.integer({ min: 1, max: 4 }), (items, values, passes) => {
        const encoded = encodeArg(items).text
        const vars = new Map(values.map((v, i) => [`inputs.parameters.p${i}`, encodeValue(v).text] as [string, string]))
        const [substituted] = argoSubstitute([encoded], vars, passes)
        const got = kubeletExpand(substituted!, new Map([[LBRACE_ENV, '{']]))

        const inserted: string[] = []
        let kfpText = ''
        for (const it of items) {
          if (it.kind === 'user') kfpText += it.text
          else {
            inserted.push(it.kind === 'verbatim' ? it.text : values[Number(it.tag.slice(-1))]!)
            kfpText += String.fromCharCode(0xe100 + inserted.length - 1)
          }
        }
        const expected = kubeletExpand(kfpText, new Map()).replace(/[\ue100-\ue1ff]/g, (c) => inserted[c.charCodeAt(0) - 0xe100]!)
        expect(got).toBe(expected)
        // No brace pair survives outside the tags we wrote.
        expect(encoded.replace(/\{\{inputs\.parameters\.p\d\}\}/g, '')).not.toContain('{{')
      }),
      { numRuns: 3000 },
    )
  })

  it('encodes values so that the kubelet returns them unchanged wherever they land', () => {
    fc.assert(
      fc.property(text, text, text, (before, value, after) => {
        const items: ArgItem[] = [{ kind: 'user', text: before.replace(/\$/g, 'a') }, { kind: 'tag', tag: 'inputs.parameters.v' }]
        const encoded = encodeArg(items).text + after.replace(/[$({]/g, 'a')
        const [substituted] = argoSubstitute([encoded], new Map([['inputs.parameters.v', encodeValue(value).text]]), 3)
        const got = kubeletExpand(substituted!, new Map([[LBRACE_ENV, '{']]))
        expect(got).toBe(kubeletExpand(before.replace(/\$/g, 'a'), new Map()) + value + after.replace(/[$({]/g, 'a'))
      }),
      { numRuns: 2000 },
    )
  })

  it('encodes the strings of a list Argo iterates so that its items, side by side with each other or with any value, give back their concatenation', () => {
    // The values hold no `"`: a JSON object directly after an item ending in `{` is the one pairing
    // left (see kubeletEncodedJson).
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 4 }), text, (list, value) => {
        const encodedList = evaluateExpression(kubeletEncodedJson(exprLiteral(JSON.stringify(list))), new Map()) as string
        // What `withParam` hands each `{{item}}`, and a value written as a parameter value.
        const pieces = [...(JSON.parse(encodedList) as string[]), encodeValue(value).text]
        const raw = [...list, value]
        pieces.forEach((a, i) =>
          pieces.forEach((b, j) => {
            expect(a + b).not.toContain('{{')
            expect(kubeletExpand(a + b, new Map([[LBRACE_ENV, '{']]))).toBe(raw[i]! + raw[j]!)
          }),
        )
      }),
      { numRuns: 2000 },
    )
  })

  it('writes any text as an expression string literal of safe characters and escapes, which reads back as the text', () => {
    // Code points from the whole range (astral ones and lone surrogates too), safe ones often.
    const anyText = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'Z', '9', '_', '-', '=', '~', '*'), fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c))), maxLength: 20 })
    fc.assert(
      fc.property(anyText, (value) => {
        const literal = exprLiteral(value)
        expect(literal).toMatch(/^'([A-Za-z0-9_.,/@+\-=%~^*]|\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|\\U[0-9a-f]{8})*'$/)
        expect(evaluateExpression(literal, new Map())).toBe(value)
      }),
      { numRuns: 2000 },
    )
    expect(exprLiteral('a:{"b"}')).toBe("'a\\x3a\\x7b\\x22b\\x22\\x7d'")
    expect(exprLiteral('é😀')).toBe("'\\u00e9\\U0001f600'")
  })

  it('keeps JSON parameter values (lists, structs) readable', () => {
    const value: JsonValue = { a: [1, 2], b: { c: 'd' } }
    expect(encodeValue(JSON.stringify(value)).text).toBe('{"a":[1,2],"b":{"c":"d"}}')
  })
})
