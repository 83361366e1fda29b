/**
 * The graph as Mermaid flowchart text: groups as nested subgraphs, kinds as classes.
 *
 * @module
 */
import { formatDuration, type GraphModel, type GraphNode, NODE_KINDS, RUN_STATES } from './model.ts'

/**
 * Text for inside a quoted Mermaid label. Everything but letters, digits, spaces and a few
 * harmless marks becomes a Mermaid entity code (`#60;`), so no label can close its quotes, start
 * a directive or slip HTML into the page that renders it.
 *
 * @example
 * ```ts
 * mermaidText('<b>"x"</b>') // '#60;b#62;#34;x#34;#60;/b#62;'
 * ```
 */
export function mermaidText(text: string): string {
  return text.replace(/[^\p{L}\p{N} ._,:/+=()·×›-]/gu, (char) => `#${char.codePointAt(0)};`)
}

const KIND_STYLE: Readonly<Record<GraphNode['kind'], string>> = {
  container: 'fill:#eff6ff,stroke:#2563eb,color:#0f172a',
  function: 'fill:#ecfeff,stroke:#0891b2,color:#0f172a',
  importer: 'fill:#f0fdfa,stroke:#0d9488,color:#0f172a',
  'nested-pipeline': 'fill:#f5f3ff,stroke:#7c3aed,color:#0f172a',
  'exit-task': 'fill:#fff7ed,stroke:#ea580c,color:#0f172a',
}

const STATE_STYLE: Readonly<Record<string, string>> = {
  done: 'stroke:#15803d,stroke-width:2px',
  cached: 'stroke:#0e7490,stroke-width:2px,stroke-dasharray:4 2',
  failed: 'stroke:#dc2626,stroke-width:3px',
  skipped: 'opacity:0.5',
  running: 'stroke:#1d4ed8,stroke-width:3px',
  waiting: 'stroke:#a16207,stroke-dasharray:2 2',
}

/** Node shapes: boxes for containers (rounded for functions), parallelograms for importers, subroutines for pipelines, pills for exit tasks. */
function shape(kind: GraphNode['kind'], label: string): string {
  switch (kind) {
    case 'container':
      return `["${label}"]`
    case 'function':
      return `("${label}")`
    case 'importer':
      return `[/"${label}"/]`
    case 'nested-pipeline':
      return `[["${label}"]]`
    case 'exit-task':
      return `(["${label}"])`
  }
}

/**
 * Renders the model as a Mermaid flowchart (top-down): one node per task with its kind, image,
 * GPUs and run state; one subgraph per control-flow group; solid arrows for data (labelled with
 * the outputs read), dotted arrows for order-only dependencies.
 *
 * @example
 * ```ts
 * const text = toMermaid(graphModel(analysed, computeCacheKeys(analysed)))
 * // flowchart TD
 * //   subgraph g_exit_handler_1["exit handler: train and gate"] …
 * ```
 */
export function toMermaid(model: GraphModel): string {
  const ids = new Map<string, string>()
  const taken = new Set<string>()
  const idOf = (prefix: 't' | 'g', name: string): string => {
    const key = `${prefix}:${name}`
    const known = ids.get(key)
    if (known) return known
    const base = `${prefix}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`
    let id = base
    for (let n = 2; taken.has(id); n++) id = `${base}_${n}`
    taken.add(id)
    ids.set(key, id)
    return id
  }
  // Assign ids in model order first, so they never depend on the order edges mention them.
  for (const group of model.groups) idOf('g', group.id)
  for (const node of model.nodes) idOf('t', node.id)
  const groupIds = new Set(model.groups.map((g) => g.id))
  const endpoint = (name: string) => (groupIds.has(name) ? idOf('g', name) : idOf('t', name))

  const lines: string[] = [`%% ${mermaidText(model.pipeline.name)}${model.pipeline.description ? `: ${mermaidText(model.pipeline.description)}` : ''}`, 'flowchart TD']
  const nodeLine = (node: GraphNode, indent: string) => {
    const parts = [mermaidText(node.label), mermaidText(node.subtitle)]
    if (node.gpu) parts.push(mermaidText(`${node.gpu.count} × ${node.gpu.type}`))
    if (node.status) {
      const runs = node.status.runs > 1 ? ` ×${node.status.runs}` : ''
      parts.push(mermaidText(`${node.status.state}${runs}${node.status.durationMs !== undefined ? ` · ${formatDuration(node.status.durationMs)}` : ''}`))
    }
    lines.push(`${indent}${idOf('t', node.id)}${shape(node.kind, parts.join('<br/>'))}`)
  }
  // Members of a scope in the pipeline's order: a group stands where its first task does.
  const position = new Map<string, number>()
  model.nodes.forEach((node, i) => {
    for (const id of [...node.path, node.id]) if (!position.has(id)) position.set(id, i)
  })
  const emitScope = (parent: string | null, indent: string) => {
    const members = [
      ...model.nodes.filter((n) => n.parent === parent).map((node) => ({ at: position.get(node.id)!, node })),
      ...model.groups.filter((g) => g.parent === parent).map((group) => ({ at: position.get(group.id) ?? model.nodes.length, group })),
    ].sort((a, b) => a.at - b.at)
    for (const member of members) {
      if ('node' in member) {
        nodeLine(member.node, indent)
        continue
      }
      const group = member.group
      lines.push(`${indent}subgraph ${idOf('g', group.id)}["${mermaidText(`${group.keyword}: ${group.label}`)}"]`)
      lines.push(`${indent}  direction TB`)
      emitScope(group.id, `${indent}  `)
      lines.push(`${indent}end`)
    }
  }
  emitScope(null, '  ')

  for (const edge of model.edges) {
    const arrow = edge.kind === 'data' ? '-->' : '-.->'
    const label = edge.label ? `|"${mermaidText(edge.label)}"|` : ''
    lines.push(`  ${endpoint(edge.from)} ${arrow}${label} ${endpoint(edge.to)}`)
  }

  for (const kind of NODE_KINDS) {
    const members = model.nodes.filter((n) => n.kind === kind).map((n) => idOf('t', n.id))
    if (members.length === 0) continue
    lines.push(`  classDef ${kind.replace('-', '_')} ${KIND_STYLE[kind]}`)
    lines.push(`  class ${members.join(',')} ${kind.replace('-', '_')}`)
  }
  const gpu = model.nodes.filter((n) => n.gpu).map((n) => idOf('t', n.id))
  if (gpu.length > 0) lines.push('  classDef gpu stroke-width:3px', `  class ${gpu.join(',')} gpu`)
  for (const state of RUN_STATES) {
    const members = model.nodes.filter((n) => n.status?.state === state).map((n) => idOf('t', n.id))
    if (members.length === 0) continue
    lines.push(`  classDef state_${state} ${STATE_STYLE[state]}`, `  class ${members.join(',')} state_${state}`)
  }
  return `${lines.join('\n')}\n`
}
