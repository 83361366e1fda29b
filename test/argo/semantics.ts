/**
 * A structural reading of any Argo Workflow (upstream examples written by hand, and what the Argo
 * target emits) into a model of what it means, so that the two can be compared:
 *
 * - units: the container (or script) runs, named by the path of task / step names that leads to
 *   them (a Typeflow task is named by its `typeflow-task` argument; Typeflow's control-flow group,
 *   parallelism wrapper and partition templates add nothing to paths);
 * - order: which unit finishes before which starts (transitive; steps groups and DAG `depends` alike);
 * - `when`: every condition a unit runs under, normalized: references become `param(x)`,
 *   `output(unit)`, `item(depth).field`, `wfstatus`; casts and quoting styles are dropped; `&&`,
 *   `||`, `!` are parsed and printed canonically; `!(x == a) && x == b` is simplified to `x == b`;
 * - loops: what each enclosing loop iterates over (a literal list, `param(x)`, `output(unit)`);
 * - limits: `parallelism` of a template (or the workflow) and the units under it;
 * - exits: units that run after others whatever happened (onExit, exit hooks, exit handlers);
 * - args: where each unit's arguments come from (sources, not names);
 * - outputs: where the entrypoint's outputs come from.
 */

type Json = Record<string, any>

export interface Unit {
  readonly name: string
  readonly deps: Set<string>
  readonly whens: string[]
  readonly loops: string[]
  readonly args: Set<string>
  readonly exitAfter: Set<string>
}

export interface SemanticModel {
  readonly units: Map<string, Unit>
  readonly limits: Set<string>
  readonly outputs: Map<string, string>
}

interface Ctx {
  readonly path: readonly string[]
  readonly deps: ReadonlySet<string>
  readonly whens: readonly string[]
  readonly loops: readonly string[]
  readonly bindings: ReadonlyMap<string, string>
  readonly exitAfter: ReadonlySet<string>
  /** Loops enclosing the template (the depth of its tasks' own `{{item}}`). */
  readonly depth: number
}

interface Walked {
  readonly units: Set<string>
  readonly outputs: Map<string, string>
}

const LIT = `'((?:[^'\\\\]|\\\\.)*)'|"((?:[^"\\\\]|\\\\.)*)"`

function unescape(text: string): string {
  return text.replace(/\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))/g, (_, x, u, U, c) => {
    const hex = x ?? u ?? U
    if (hex) return String.fromCodePoint(parseInt(hex, 16))
    return ({ n: '\n', t: '\t' } as Record<string, string>)[c] ?? c
  })
}

/** Reads Workflow `documents` (the object with an entrypoint; library templates by name). */
export function semanticModel(documents: readonly Json[]): SemanticModel {
  const templates = new Map<string, Json>()
  for (const d of documents) for (const t of (d['kind'] === 'CronWorkflow' ? d['spec']['workflowSpec'] : d['spec'])['templates'] as Json[]) templates.set(t['name'], t)
  const main = documents.find((d) => (d['kind'] === 'CronWorkflow' ? d['spec']['workflowSpec'] : d['spec'])['entrypoint'])!
  const spec = main['kind'] === 'CronWorkflow' ? main['spec']['workflowSpec'] : main['spec']
  const ours = typeof main['metadata']?.['annotations']?.['typeflow.dev/compiler'] === 'string'
  const units = new Map<string, Unit>()
  const limits = new Set<string>()

  /** Replaces references in `text` by `⟨source⟩`; `outputs` maps task names of the DAG to sources. */
  const refs = (text: string, ctx: Ctx, taskOut: (task: string, output?: string) => string, itemDepth: number, mode: 'template' | 'expression' = 'template'): string => {
    const item = (field: string | undefined) => `item(${itemDepth})${field ? `.${field}` : ''}`
    const input = (name: string) => ctx.bindings.get(name) ?? `input(${name})`
    const simple = (tag: string): string => {
      let m: RegExpExecArray | null
      if ((m = /^inputs\.(?:parameters|artifacts)\.([-\w]+)$/.exec(tag))) return input(m[1]!)
      if ((m = /^workflow\.parameters\.([-\w]+)$/.exec(tag))) return `param(${m[1]})`
      if (tag === 'workflow.status') return 'wfstatus'
      if (tag === 'workflow.name') return 'wfname'
      if ((m = /^item(?:\.([-\w]+))?$/.exec(tag))) return item(m[1])
      if ((m = /^(?:tasks|steps)\.([-\w]+)\.status$/.exec(tag))) return `status(${m[1]})`
      if ((m = /^(?:tasks|steps)\.([-\w]+)\.outputs(?:\.(?:parameters|artifacts)(?:\.([-\w]+))?|\.result)?$/.exec(tag))) return taskOut(m[1]!, m[2])
      return `unknown(${tag})`
    }
    const name = (a?: string, b?: string, c?: string) => unescape(a ?? b ?? c ?? '')
    const inExpr = (expr: string): string => {
      // Known references first (as placeholders, so later patterns do not look inside them).
      const found: string[] = []
      const hold = (source: string) => `\u0001${found.push(source) - 1}\u0001`
      let out = expr
        .replace(new RegExp(`jsonpath\\(\\s*([^,]+?)\\s*,\\s*(?:${LIT})\\s*\\)`, 'g'), (_, ref: string) => ref)
        .replace(new RegExp(`fromJSON\\(inputs\\.parameters\\[(?:${LIT})\\]\\)((?:,(?:${LIT})\\))+)`, 'g'), (_, a, b, fields: string) => {
          const path = [...fields.matchAll(new RegExp(`,(?:${LIT})\\)`, 'g'))].map((f) => name(f[1], f[2])).join('.')
          return hold(`${input(name(a, b))}.${path}`)
        })
        .replace(new RegExp(`inputs\\.(?:parameters|artifacts)(?:\\[(?:${LIT})\\]|\\.([-\\w]+))`, 'g'), (_, a, b, c) => hold(input(name(a, b, c))))
        .replace(new RegExp(`workflow\\.parameters(?:\\[(?:${LIT})\\]|\\.([-\\w]+))`, 'g'), (_, a, b, c) => hold(`param(${name(a, b, c)})`))
        .replace(/workflow\.status/g, () => hold('wfstatus'))
        .replace(/workflow\.name/g, () => hold('wfname'))
        .replace(new RegExp(`(?:tasks|steps)(?:\\[(?:${LIT})\\]|\\.([-\\w]+))\\.status`, 'g'), (_, a, b, c) => hold(`status(${name(a, b, c)})`))
        .replace(new RegExp(`(?:tasks|steps)(?:\\[(?:${LIT})\\]|\\.([-\\w]+))\\.outputs(?:\\.result|\\.(?:parameters|artifacts)(?:\\[(?:${LIT})\\]|\\.([-\\w]+))?)`, 'g'), (_, a, b, c, d, e, f) =>
          hold(taskOut(name(a, b, c), d ?? e ?? f ? name(d, e, f) : undefined)),
        )
      out = out.replace(/(?<![-\w'"\u0001.])item(?:\.([-\w]+))?(?![-\w])/g, (_, f) => hold(item(f)))
      return out.replace(/\u0001(\d+)\u0001/g, (_, i: string) => `⟨${found[Number(i)]}⟩`)
    }
    if (mode === 'expression') return inExpr(text)
    return text.replace(/\{\{\s*(=?)\s*([\s\S]*?)\s*\}\}/g, (_, eq: string, body: string) => (eq ? inExpr(body) : `⟨${simple(body)}⟩`))
  }
  const sourcesOf = (replaced: string): string[] => [...new Set([...replaced.matchAll(/⟨([^⟩]*)⟩/g)].map((m) => m[1]!))]

  /** For `c ? a : b` (nested), the sources of the values, not of the conditions. */
  const valueSources = (replaced: string): string[] => {
    const top = (text: string, ch: string): number => {
      let depth = 0
      let quote = ''
      for (let i = 0; i < text.length; i++) {
        const c = text[i]!
        if (quote) {
          if (c === '\\') i++
          else if (c === quote) quote = ''
        } else if (c === "'" || c === '"') quote = c
        else if (c === '(' || c === '[') depth++
        else if (c === ')' || c === ']') depth--
        else if (depth === 0 && c === ch && !(ch === '?' && text[i + 1] === '?') && !(ch === '?' && text[i - 1] === '?')) return i
      }
      return -1
    }
    const q = top(replaced, '?')
    if (q < 0) return sourcesOf(replaced).filter((s) => !s.startsWith('status('))
    const rest = replaced.slice(q + 1)
    const c = top(rest, ':')
    return [...new Set([...valueSources(rest.slice(0, c)), ...valueSources(rest.slice(c + 1))])]
  }

  const unitsUnder = (walked: Walked) => [...walked.units].sort().join(',')

  const walk = (name: string, ctx: Ctx): Walked => {
    const template = templates.get(name)
    if (!template) throw new Error(`no template ${name}`)
    if (template['container'] || template['script'] || template['suspend'] || template['resource']) throw new Error('walk is for DAG and steps templates')
    const walked: Walked = { units: new Set(), outputs: new Map() }
    const taskSources = new Map<string, string>()
    const taskUnits = new Map<string, Set<string>>()
    const taskOut = (task: string, output?: string) => (output !== undefined ? taskSources.get(`${task}\u0000${output}`) : undefined) ?? taskSources.get(task) ?? `output(${[...ctx.path, task].join('/')})`

    const call = (task: Json, deps: ReadonlySet<string>, exitAfter: ReadonlySet<string>): Set<string> => {
      const looped = 'withItems' in task || 'withParam' in task
      const itemDepth = ctx.depth
      const r = (text: string) => refs(String(text), ctx, taskOut, itemDepth)
      const params = (task['arguments']?.['parameters'] ?? []) as Json[]
      const artifacts = (task['arguments']?.['artifacts'] ?? []) as Json[]
      const identity = params.find((p) => p['name'] === 'typeflow-task')?.['value'] as string | undefined
      const callee = templates.get(task['template'] ?? task['templateRef']['template'])!
      const group = callee['metadata']?.['annotations']?.['typeflow.dev/group']
      const transparent = ours && identity === undefined
      const segment = identity ?? task['name']
      const bindings = new Map<string, string>()
      const args = new Set<string>()
      for (const p of params) {
        if (String(p['name']).startsWith('typeflow-')) continue
        const sources = sourcesOf(r(p['value']))
        bindings.set(p['name'], sources.join('|') || 'literal')
        args.add(sources.join('|') || 'literal')
      }
      for (const a of artifacts) {
        const sources = a['from'] !== undefined ? sourcesOf(r(a['from'])) : valueSources(refs(String(a['fromExpression']), ctx, taskOut, itemDepth, 'expression'))
        bindings.set(a['name'], sources.join('|') || 'literal')
        args.add(sources.join('|') || 'literal')
      }
      for (const p of (callee['inputs']?.['parameters'] ?? []) as Json[]) if (!bindings.has(p['name']) && p['default'] !== undefined) bindings.set(p['name'], 'literal')
      const whens = [...ctx.whens]
      if (typeof task['when'] === 'string') whens.push(canonicalCondition(r(task['when'])))
      const loops = [...ctx.loops]
      if ('withItems' in task) loops.push(`items${JSON.stringify(task['withItems'])}`)
      if ('withParam' in task) loops.push(sourcesOf(r(task['withParam'])).join('|'))
      const inner: Ctx = {
        path: transparent ? ctx.path : [...ctx.path, segment],
        deps,
        whens,
        loops,
        bindings,
        exitAfter,
        depth: ctx.depth + (looped ? 1 : 0),
      }
      let produced: Set<string>
      if (callee['container'] || callee['script'] || callee['resource']) {
        const unitName = [...ctx.path, segment].join('/').toLowerCase()
        units.set(unitName, { name: unitName, deps: new Set(deps), whens: whens.sort(), loops, args, exitAfter: new Set(exitAfter) })
        produced = new Set([unitName])
        taskSources.set(task['name'], `${looped ? 'collected(' : ''}output(${unitName})${looped ? ')' : ''}`)
      } else {
        const sub = walk(callee['name'], inner)
        produced = sub.units
        if (typeof callee['parallelism'] === 'number' && !group?.includes('"part"')) limits.add(`${callee['parallelism']}:${unitsUnder(sub)}`)
        else if (typeof callee['parallelism'] === 'number') limits.add(`${callee['parallelism']}:${unitsUnder(sub)}`)
        const outs = [...sub.outputs.values()]
        taskSources.set(task['name'], outs.length === 1 ? (looped ? `collected(${outs[0]})` : outs[0]!) : `outputs(${[...ctx.path, segment].join('/')})`)
        for (const [k, v] of sub.outputs) taskSources.set(`${task['name']}\u0000${k}`, looped ? `collected(${v})` : v)
      }
      for (const u of produced) walked.units.add(u)
      return produced
    }

    const runExit = (exitTemplate: string, after: ReadonlySet<string>, label: string, deps: ReadonlySet<string>) => {
      const callee = templates.get(exitTemplate)!
      if (callee['container'] || callee['script']) {
        const unitName = [...ctx.path, label].join('/').toLowerCase()
        units.set(unitName, { name: unitName, deps: new Set(deps), whens: [...ctx.whens].sort(), loops: [...ctx.loops], args: new Set(), exitAfter: new Set(after) })
        walked.units.add(unitName)
      } else {
        const sub = walk(exitTemplate, { ...ctx, path: [...ctx.path, label], deps, exitAfter: after })
        for (const u of sub.units) walked.units.add(u)
      }
    }

    if (template['dag']) {
      const tasks = template['dag']['tasks'] as Json[]
      const done = new Set<string>()
      while (done.size < tasks.length) {
        const before = done.size
        for (const task of tasks) {
          if (done.has(task['name'])) continue
          const depends = typeof task['depends'] === 'string' ? task['depends'] : ((task['dependencies'] ?? []) as string[]).join(' && ')
          const names = [...new Set([...depends.matchAll(/([A-Za-z][-\w]*)(?:\.(\w+))?/g)].map((m) => m[1]!))]
          if (names.some((n) => !done.has(n))) continue
          // `(X.Succeeded || X.Failed || X.Errored …)` for every dependency: runs after them whatever happened.
          const anyOutcome = names.length > 0 && names.every((n) => ['Succeeded', 'Failed', 'Errored'].every((r) => depends.includes(`${n}.${r}`)))
          const before = new Set([...ctx.deps, ...names.flatMap((n) => [...taskUnits.get(n)!])])
          const produced = anyOutcome
            ? call(task, new Set(ctx.deps), new Set([...ctx.exitAfter, ...names.flatMap((n) => [...taskUnits.get(n)!])]))
            : call(task, before, ctx.exitAfter)
          taskUnits.set(task['name'], produced)
          done.add(task['name'])
          const exit = task['onExit'] ?? task['hooks']?.['exit']?.['template']
          if (exit) runExit(exit, produced, `${task['name']}.onExit`, ctx.deps)
        }
        if (done.size === before) throw new Error(`cannot order the tasks of ${name}`)
      }
    } else {
      let previous = new Set(ctx.deps)
      for (const group of template['steps'] as Json[][]) {
        const produced = new Set<string>()
        for (const step of group) {
          for (const u of call(step, previous, ctx.exitAfter)) produced.add(u)
          const exit = step['onExit'] ?? step['hooks']?.['exit']?.['template']
          if (exit) runExit(exit, produced, `${step['name']}.onExit`, previous)
        }
        previous = new Set([...previous, ...produced])
      }
    }

    const outTaskSource = (text: string, mode: 'template' | 'expression') => refs(String(text), ctx, taskOut, ctx.depth, mode)
    for (const p of (template['outputs']?.['parameters'] ?? []) as Json[]) {
      const from = p['valueFrom']
      const replaced = from['parameter'] !== undefined ? outTaskSource(from['parameter'], 'template') : outTaskSource(from['expression'], 'expression')
      walked.outputs.set(p['name'], valueSources(replaced).join('|'))
    }
    for (const a of (template['outputs']?.['artifacts'] ?? []) as Json[]) {
      walked.outputs.set(a['name'], valueSources(a['from'] !== undefined ? outTaskSource(a['from'], 'template') : outTaskSource(a['fromExpression'], 'expression')).join('|'))
    }
    return walked
  }

  const bindings = new Map<string, string>()
  for (const p of (spec['arguments']?.['parameters'] ?? []) as Json[]) bindings.set(p['name'], `param(${p['name']})`)
  const root: Ctx = { path: [], deps: new Set(), whens: [], loops: [], bindings, exitAfter: new Set(), depth: 0 }
  const entry = templates.get(spec['entrypoint'])!
  let walked: Walked
  if (entry['container'] || entry['script']) {
    units.set(spec['entrypoint'], { name: spec['entrypoint'], deps: new Set(), whens: [], loops: [], args: new Set(), exitAfter: new Set() })
    walked = { units: new Set([spec['entrypoint']]), outputs: new Map() }
  } else walked = walk(spec['entrypoint'], root)
  if (typeof entry['parallelism'] === 'number') limits.add(`${entry['parallelism']}:${unitsUnder(walked)}`)
  if (typeof spec['parallelism'] === 'number') limits.add(`${spec['parallelism']}:${unitsUnder(walked)}`)
  if (typeof spec['onExit'] === 'string') {
    const exitTemplate = templates.get(spec['onExit'])!
    if (exitTemplate['container'] || exitTemplate['script']) units.set(spec['onExit'], { name: spec['onExit'], deps: new Set(), whens: [], loops: [], args: new Set(), exitAfter: new Set(walked.units) })
    else walk(spec['onExit'], { ...root, exitAfter: new Set(walked.units) })
  }
  return { units, limits, outputs: walked.outputs }
}

// ---------------------------------------------------------------------------------------------
// Conditions

type Cond = { op: 'and' | 'or'; items: Cond[] } | { op: 'not'; item: Cond } | { op: 'cmp'; cmp: string; left: string; right: string }

/** Normalizes a condition whose references are already `⟨source⟩` (govaluate or expr syntax). */
export function canonicalCondition(text: string): string {
  let body = text.trim()
  const tag = /^\{\{\s*=?([\s\S]*)\}\}$/.exec(body)
  if (tag) body = tag[1]!
  // Casts and readers do not change what is compared, nor does reading encoded text back (a chain
  // of `join(split(x,'…'),'…')`, see kubeletDecoded).
  for (let prev = ''; prev !== body; ) {
    prev = body
    body = body.replace(/\b(?:int|float|asInt|asFloat|string|lower|trim|sprig\.trim|sprig\.lower)\(\s*(⟨[^⟩]*⟩)\s*\)/g, '$1')
    body = body.replace(/\bjoin\(split\((⟨[^⟩]*⟩),'[^']*'\),'[^']*'\)/g, '$1')
  }
  const tokens: string[] = []
  const re = new RegExp(`\\s*(⟨[^⟩]*⟩|==|!=|=~|<=|>=|<|>|&&|\\|\\||!|\\(|\\)|${LIT}|[^\\s()!=<>&|'"]+)`, 'y')
  for (let m: RegExpExecArray | null; (m = re.exec(body)) && m[0].trim() !== ''; ) {
    const t = m[1] ?? ''
    tokens.push(m[2] !== undefined || m[3] !== undefined ? `'${unescape(m[2] ?? m[3]!)}'` : t)
    if (re.lastIndex >= body.length) break
  }
  let pos = 0
  const peek = () => tokens[pos]
  const operand = (): string => {
    const t = tokens[pos++]!
    if (t.startsWith('⟨')) return t.slice(1, -1)
    return t.startsWith("'") ? t : `'${t}'`
  }
  const or = (): Cond => {
    const items = [and()]
    while (peek() === '||') {
      pos++
      items.push(and())
    }
    return items.length === 1 ? items[0]! : { op: 'or', items }
  }
  const and = (): Cond => {
    const items = [unary()]
    while (peek() === '&&') {
      pos++
      items.push(unary())
    }
    return items.length === 1 ? items[0]! : { op: 'and', items }
  }
  const unary = (): Cond => {
    if (peek() === '!') {
      pos++
      return { op: 'not', item: unary() }
    }
    if (peek() === '(') {
      pos++
      const inner = or()
      pos++
      if (['==', '!=', '<', '<=', '>', '>='].includes(peek() ?? '')) {
        // `(a == b) == true`
        const cmp = tokens[pos++]!
        const right = operand()
        return cmp === '==' && right === "'true'" ? inner : { op: 'not', item: inner }
      }
      return inner
    }
    const left = operand()
    const cmp = tokens[pos++]!
    const right = operand()
    return left.startsWith("'") && !right.startsWith("'") ? { op: 'cmp', cmp: flip(cmp), left: right, right: left } : { op: 'cmp', cmp, left, right }
  }
  const flip = (cmp: string) => ({ '<': '>', '>': '<', '<=': '>=', '>=': '<=' })[cmp] ?? cmp
  const simplify = (c: Cond): Cond => {
    if (c.op === 'not') {
      const item = simplify(c.item)
      if (item.op === 'cmp' && (item.cmp === '==' || item.cmp === '!=')) return { ...item, cmp: item.cmp === '==' ? '!=' : '==' }
      return { op: 'not', item }
    }
    if (c.op === 'cmp') return c
    let items = c.items.map(simplify).flatMap((i) => (i.op === c.op ? i.items : [i]))
    if (c.op === 'and') {
      // x == b makes x != a (a ≠ b) true.
      const equal = items.filter((i): i is Cond & { op: 'cmp' } => i.op === 'cmp' && i.cmp === '==')
      items = items.filter((i) => !(i.op === 'cmp' && i.cmp === '!=' && equal.some((e) => e.left === i.left && e.right !== i.right && e.right.startsWith("'") && i.right.startsWith("'"))))
    }
    return items.length === 1 ? items[0]! : { op: c.op, items }
  }
  const print = (c: Cond): string => {
    switch (c.op) {
      case 'cmp':
        return `${c.left} ${c.cmp} ${c.right}`
      case 'not':
        return `!(${print(c.item)})`
      default:
        return `(${c.items.map(print).join(c.op === 'and' ? ' && ' : ' || ')})`
    }
  }
  const result = print(simplify(or()))
  return result.startsWith('(') && result.endsWith(')') && !result.slice(1, -1).includes('(') ? result.slice(1, -1) : result
}

// ---------------------------------------------------------------------------------------------
// Comparing

/** How one upstream example maps onto its Typeflow translation. */
export interface Translation {
  /** Upstream unit name → our unit name (names are lower-cased). */
  readonly rename?: Readonly<Record<string, string>>
  /** Units left out of the comparison on either side, and why. */
  readonly excluded?: { readonly upstream?: readonly string[]; readonly ours?: readonly string[]; readonly why: string }
  /** Normalized conditions that mean the same on both sides (upstream → ours). */
  readonly equivalent?: Readonly<Record<string, string>>
  /** Aspects not compared, with why. */
  readonly skip?: { readonly aspects: readonly Aspect[]; readonly why: string }
}

export type Aspect = 'units' | 'order' | 'when' | 'loops' | 'limits' | 'exits' | 'args' | 'outputs'

/** The comparable facts of a model, as sorted strings per aspect. */
function facts(model: SemanticModel, rename: (n: string) => string, excluded: ReadonlySet<string>, equivalent: (w: string) => string): Record<Aspect, string[]> {
  const keep = (u: string) => !excluded.has(u)
  const units = [...model.units.values()].filter((u) => keep(u.name))
  const closure = new Map<string, Set<string>>()
  const before = (name: string): Set<string> => {
    let set = closure.get(name)
    if (set) return set
    set = new Set()
    closure.set(name, set)
    for (const d of model.units.get(name)?.deps ?? []) {
      set.add(d)
      for (const x of before(d)) set.add(x)
    }
    return set
  }
  const fix = (text: string) => text.replace(/(output|status)\(([^)]*)\)/g, (_, k, n: string) => `${k}(${rename(n.toLowerCase())})`)
  const sorted = (list: string[]) => [...new Set(list)].sort()
  return {
    units: sorted(units.map((u) => rename(u.name))),
    order: sorted(units.flatMap((u) => [...before(u.name)].filter(keep).map((d) => `${rename(u.name)} after ${rename(d)}`))),
    when: sorted(units.map((u) => `${rename(u.name)}: ${sorted(u.whens.map((w) => equivalent(fix(w)))).join(' ; ')}`)),
    loops: sorted(units.map((u) => `${rename(u.name)}: ${u.loops.map(fix).join(' > ')}`)),
    limits: sorted([...model.limits].map((l) => {
      const [n, list] = l.split(':') as [string, string]
      return `${n}: ${list.split(',').filter(keep).map(rename).sort().join(',')}`
    })),
    exits: sorted(units.filter((u) => u.exitAfter.size > 0).map((u) => `${rename(u.name)} after any end of ${[...u.exitAfter].filter(keep).map(rename).sort().join(',')}`)),
    args: sorted(units.map((u) => `${rename(u.name)}: ${sorted([...u.args].map(fix)).join(' ; ')}`)),
    outputs: sorted([...model.outputs].map(([k, v]) => `${k} <- ${fix(v).split('|').sort().join('|')}`)),
  }
}

export interface Comparison {
  readonly same: boolean
  readonly compared: readonly Aspect[]
  readonly differences: readonly string[]
}

/** Compares an upstream example's model with our translation's, aspect by aspect. */
export function compareModels(upstream: SemanticModel, ours: SemanticModel, translation: Translation = {}): Comparison {
  const rename = (n: string) => translation.rename?.[n] ?? n
  const identity = (n: string) => n
  const upstreamFacts = facts(upstream, rename, new Set(translation.excluded?.upstream ?? []), (w) => translation.equivalent?.[w] ?? w)
  const ourFacts = facts(ours, identity, new Set(translation.excluded?.ours ?? []), identity)
  const compared = (['units', 'order', 'when', 'loops', 'limits', 'exits', 'args', 'outputs'] as const).filter((a) => !translation.skip?.aspects.includes(a))
  const differences: string[] = []
  for (const aspect of compared) {
    const a = new Set(upstreamFacts[aspect])
    const b = new Set(ourFacts[aspect])
    for (const x of a) if (!b.has(x)) differences.push(`${aspect}: upstream only: ${x}`)
    for (const x of b) if (!a.has(x)) differences.push(`${aspect}: ours only: ${x}`)
  }
  return { same: differences.length === 0, compared, differences }
}
