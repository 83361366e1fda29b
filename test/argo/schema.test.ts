/**
 * The strict schema of what the Argo target emits rejects what it does not emit: unknown fields,
 * wrong types, names and sizes beyond the v4 CRD caps.
 */
import { describe, expect, it } from 'vitest'
import { validateArgoDocuments } from '../../packages/compiler/src/targets/argo/schema.ts'
import { compileArgo, examplePipelines } from './helpers.ts'

type Json = Record<string, any>

const fraud = (await examplePipelines()).find((e) => e.name === 'examples/fraud-training')!
const fresh = (): Json[] => structuredClone(compileArgo(fraud.pipeline)) as Json[]

describe('the Argo schema', () => {
  it('accepts what the target emits', () => {
    expect(validateArgoDocuments(fresh())).toEqual([])
  })

  it.each<[string, (doc: Json) => void, { path: string; message: string }]>([
    ['an unknown spec field', (d) => (d['spec']['entrypiont'] = 'x'), { path: '/0/spec', message: 'unknown field "entrypiont" (did you mean "entrypoint"?)' }],
    ['a typo in a DAG task', (d) => (d['spec']['templates'][0]['dag']['tasks'][1]['dependencis'] = ['a']), { path: '/0/spec/templates/0/dag/tasks/1', message: 'unknown field "dependencis"' }],
    ['an integer retry limit', (d) => (d['spec']['templates'].find((t: Json) => t['retryStrategy'])['retryStrategy']['limit'] = 2), { path: expect.stringMatching(/^\/0\/spec\/templates\/\d+\/retryStrategy\/limit$/) as unknown as string, message: 'must be string' }],
    ['an integer GPU quantity', (d) => (d['spec']['templates'].find((t: Json) => t['name'] === 'train-model')['container']['resources']['limits']['nvidia.com/gpu'] = 1), { path: expect.stringMatching(/\/resources\/limits\/nvidia\.com~1gpu$/) as unknown as string, message: 'must be string' }],
    ['a template name with capitals', (d) => (d['spec']['templates'][1]['name'] = 'Train'), { path: '/0/spec/templates/1/name', message: expect.stringContaining('must match pattern') as unknown as string }],
    ['a name over 128 characters', (d) => (d['spec']['templates'][0]['dag']['tasks'][0]['name'] = 'a'.repeat(129)), { path: '/0/spec/templates/0/dag/tasks/0/name', message: 'must NOT have more than 128 characters' }],
    ['a DAG task calling nothing', (d) => delete d['spec']['templates'][0]['dag']['tasks'][0]['template'], { path: '/0/spec/templates/0/dag/tasks/0', message: 'exactly one of "template", "templateRef" must be set' }],
    ['a DAG task calling a template and a template reference', (d) => (d['spec']['templates'][0]['dag']['tasks'][0]['templateRef'] = { name: 'lib', template: 'x' }), { path: '/0/spec/templates/0/dag/tasks/0', message: 'fields "template" and "templateRef" are mutually exclusive: set only one' }],
    ['metadata with a name and a generateName', (d) => (d['metadata']['name'] = 'fixed'), { path: '/0/metadata', message: 'fields "name" and "generateName" are mutually exclusive: set only one' }],
    ['a missing image', (d) => delete d['spec']['templates'][1]['container']['image'], { path: '/0/spec/templates/1/container', message: 'missing field "image"' }],
  ])('rejects %s', (_what, mutate, issue) => {
    const docs = fresh()
    mutate(docs[0]!)
    expect(validateArgoDocuments(docs)).toContainEqual(issue)
  })

  it('checks the control-flow and memoize fields exactly', () => {
    const docs = fresh()
    const templates = docs[0]!['spec']['templates'] as Json[]
    const root = templates[0]!
    const branches = templates.find((t) => t['name'] === 'condition-branches-2')!
    const memoized = templates.find((t) => t['memoize'])!
    branches['dag']['tasks'][0]['withItems'] = ['a']
    branches['dag']['tasks'][0]['withParam'] = '{{inputs.parameters.x}}'
    branches['dag']['tasks'][1]['when'] = ''
    delete memoized['memoize']['maxAge']
    memoized['memoize']['cache']['configMap']['key'] = 'v3-only'
    delete root['dag']['failFast']
    root['parallelism'] = 0
    const issues = validateArgoDocuments(docs).map((i) => `${i.path} ${i.message}`)
    const at = (t: Json) => `/0/spec/templates/${templates.indexOf(t)}`
    expect(issues).toEqual(
      expect.arrayContaining([
        `${at(branches)}/dag/tasks/0 fields "withItems" and "withParam" are mutually exclusive: set only one`,
        `${at(branches)}/dag/tasks/1/when must NOT have fewer than 1 characters`,
        `${at(memoized)}/memoize missing field "maxAge"`,
        `${at(memoized)}/memoize/cache/configMap unknown field "key"`,
        `${at(root)}/dag must have property failFast when property target is present`,
        `${at(root)}/parallelism must be >= 1`,
      ]),
    )
  })

  it('rejects more than 200 tasks in a DAG and more than 200 templates', () => {
    const docs = fresh()
    const spec = docs[0]!['spec']
    const task = spec['templates'][0]['dag']['tasks'][0]
    spec['templates'][0]['dag']['tasks'] = Array.from({ length: 201 }, (_, i) => ({ ...task, name: `t${i}` }))
    expect(validateArgoDocuments(docs)).toContainEqual({ path: '/0/spec/templates/0/dag/tasks', message: 'must NOT have more than 200 items' })
    spec['templates'] = Array.from({ length: 201 }, (_, i) => ({ ...spec['templates'][1], name: `c${i}` }))
    expect(validateArgoDocuments(docs)).toContainEqual({ path: '/0/spec/templates', message: 'must NOT have more than 200 items' })
  })
})
