/**
 * The graph as SVG, laid out by ELK's layered (Sugiyama) algorithm with compound nodes: groups
 * are clusters that contain their members, and edges cross cluster borders where they must.
 *
 * Text is measured with fixed Arial metrics (not the fonts of the machine), ELK is deterministic,
 * and numbers are rounded to one decimal, so the same model always gives the same bytes.
 *
 * @module
 */
import ELK from 'elkjs/lib/elk.bundled.js'
import type { ElkExtendedEdge, ElkNode, ElkPoint } from 'elkjs/lib/elk.bundled.js'
import { formatDuration, type GraphEdge, type GraphGroup, type GraphModel, type GraphNode, type GroupKind, type NodeKind, type RunState } from './model.ts'
import { escapeXml, fitText, num, textWidth } from './text.ts'

/** Colours of task kinds: the border and accent, and the fill. */
export const KIND_COLOURS: Readonly<Record<NodeKind, { readonly stroke: string; readonly fill: string; readonly name: string }>> = {
  container: { stroke: '#2563eb', fill: '#eff6ff', name: 'container' },
  function: { stroke: '#0891b2', fill: '#ecfeff', name: 'TypeScript function' },
  importer: { stroke: '#0d9488', fill: '#f0fdfa', name: 'importer' },
  'nested-pipeline': { stroke: '#7c3aed', fill: '#f5f3ff', name: 'nested pipeline' },
  'exit-task': { stroke: '#ea580c', fill: '#fff7ed', name: 'exit task' },
}

/** Colours of group kinds. */
export const GROUP_COLOURS: Readonly<Record<GroupKind, { readonly stroke: string; readonly fill: string; readonly title: string; readonly dash?: string; readonly name: string }>> = {
  exitHandler: { stroke: '#e11d48', fill: '#fff1f2', title: '#be123c', dash: '7 4', name: 'exit handler' },
  branches: { stroke: '#94a3b8', fill: '#f8fafc', title: '#475569', dash: '3 3', name: 'if / elif / else' },
  condition: { stroke: '#d97706', fill: '#fffbeb', title: '#b45309', name: 'condition' },
  loop: { stroke: '#16a34a', fill: '#f0fdf4', title: '#15803d', name: 'loop' },
}

/** Colours of run states: text and dot, and the footer's fill. */
export const STATE_COLOURS: Readonly<Record<RunState, { readonly stroke: string; readonly fill: string }>> = {
  done: { stroke: '#15803d', fill: '#dcfce7' },
  cached: { stroke: '#0e7490', fill: '#cffafe' },
  failed: { stroke: '#dc2626', fill: '#fee2e2' },
  skipped: { stroke: '#6b7280', fill: '#f3f4f6' },
  running: { stroke: '#1d4ed8', fill: '#dbeafe' },
  waiting: { stroke: '#a16207', fill: '#fef9c3' },
}

/** The GPU badge's colours. */
export const GPU_BADGE = { fill: '#76b900', text: '#0b2000' } as const

/** The font stack of every label (Liberation Sans is metric-compatible with Arial). */
export const FONT = `'Liberation Sans', Arial, Helvetica, sans-serif`

const NODE_H = 50
const STATUS_H = 22
const NODE_MIN_W = 168
const NODE_MAX_W = 300
const PAD_X = 16
const LABEL_SIZE = 13
const SUB_SIZE = 11
const BADGE_SIZE = 10
const EDGE_LABEL_SIZE = 10
const TITLE_SIZE = 12
const DETAIL_SIZE = 10.5
const MARGIN = 16

/** `nvidia.com/gpu` → `GPU`; other types keep their last part, shortened. */
function gpuWord(type: string): string {
  const last = type.split('/').pop() ?? type
  return (last.length > 0 ? last : type).toUpperCase().slice(0, 12)
}

/**
 * The text of a task's GPU badge.
 *
 * @example
 * ```ts
 * gpuBadgeText({ type: 'nvidia.com/gpu', count: 2 }) // '2× GPU'
 * ```
 */
export function gpuBadgeText(gpu: { readonly type: string; readonly count: number }): string {
  return `${gpu.count}× ${gpuWord(gpu.type)}`
}

interface NodeBox {
  readonly width: number
  readonly height: number
  readonly badge?: { readonly text: string; readonly width: number }
}

function nodeBox(node: GraphNode, withStatus: boolean): NodeBox {
  const badge = node.gpu ? { text: gpuBadgeText(node.gpu), width: Math.ceil(textWidth(gpuBadgeText(node.gpu), BADGE_SIZE, true) + 12) } : undefined
  const labelW = textWidth(node.label, LABEL_SIZE, true) + (badge ? badge.width + 10 : 0)
  const subW = textWidth(node.subtitle, SUB_SIZE)
  const width = Math.min(NODE_MAX_W, Math.max(NODE_MIN_W, Math.ceil(Math.max(labelW, subW) + 2 * PAD_X)))
  return { width, height: NODE_H + (withStatus ? STATUS_H : 0), ...(badge && { badge }) }
}

const DETAIL_MAX_W = 300
const DETAIL_LINES = 3
const DETAIL_LEADING = 13

function titleWidth(group: GraphGroup): number {
  return textWidth(group.keyword, TITLE_SIZE, true) + 6 + textWidth(group.label, TITLE_SIZE)
}

/** The width the cluster's text needs: its title, and its detail up to a few wrapped lines. */
function clusterTextWidth(group: GraphGroup): number {
  const detail = group.detail ? Math.min(DETAIL_MAX_W, textWidth(group.detail, DETAIL_SIZE)) : 0
  return Math.ceil(Math.max(titleWidth(group), detail))
}

/** Words wrapped into lines of at most `width` pixels; the last line ends in … when text is left over. */
function wrapText(text: string, width: number, size: number, maxLines: number): string[] {
  const lines: string[] = []
  let line = ''
  const words = text.split(' ')
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!
    const next = line ? `${line} ${word}` : word
    if (textWidth(next, size) <= width || !line) {
      line = next
      continue
    }
    if (lines.length === maxLines - 1) return [...lines, fitText(`${line} ${words.slice(i).join(' ')}`, width, size)]
    lines.push(line)
    line = word
  }
  if (line) lines.push(fitText(line, width, size))
  return lines
}

function detailLines(group: GraphGroup): string[] {
  return group.detail ? wrapText(group.detail, clusterTextWidth(group), DETAIL_SIZE, DETAIL_LINES) : []
}

function clusterTop(group: GraphGroup): number {
  return 32 + detailLines(group).length * DETAIL_LEADING
}

/** Where ELK put everything, in absolute coordinates. */
interface Layout {
  readonly width: number
  readonly height: number
  readonly nodes: ReadonlyMap<string, { x: number; y: number; box: NodeBox }>
  readonly groups: ReadonlyMap<string, { x: number; y: number; width: number; height: number }>
  readonly edges: readonly { edge: GraphEdge; points: readonly ElkPoint[]; label?: { x: number; y: number; width: number; height: number } }[]
}

const nodeId = (name: string) => `n:${name}`
const groupId = (name: string) => `g:${name}`

/**
 * Nodes plus edges up to which the layout takes ELK's most careful settings: network-simplex node
 * placement, seven crossing-minimisation passes, and the declaration order kept where it costs no
 * crossings. They give the straightest picture, but their cost grows far faster than the graph (a
 * 500-task lattice took 38 s, a 1,000-task fan-out 5 minutes). Above this size Brandes-Köpf
 * placement, one pass and no model order take 2 to 3 s at 1,000 tasks of every benchmark shape
 * and 6 to 14 s at 4,000. Every example is below it, so their pictures are the careful ones.
 */
export const DETAILED_LAYOUT_SIZE = 200

/** ELK settings that depend on the size of the graph (see DETAILED_LAYOUT_SIZE). */
function effortOptions(model: GraphModel): Record<string, string> {
  return model.nodes.length + model.edges.length <= DETAILED_LAYOUT_SIZE
    ? { 'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES', 'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX' }
    : { 'elk.layered.considerModelOrder.strategy': 'NONE', 'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF', 'elk.layered.thoroughness': '1' }
}

/** Items by key, each list in the items' order. */
function groupedBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>()
  for (const item of items) {
    const k = key(item)
    const list = groups.get(k)
    if (list) list.push(item)
    else groups.set(k, [item])
  }
  return groups
}

/** Lays the model out with ELK (layered, top-down, clusters included in one hierarchical run). */
async function layout(model: GraphModel): Promise<Layout> {
  const withStatus = model.run !== undefined
  const boxes = new Map(model.nodes.map((n) => [n.id, nodeBox(n, withStatus)]))
  const groupIds = new Set(model.groups.map((g) => g.id))
  const elkId = (name: string) => (groupIds.has(name) ? groupId(name) : nodeId(name))

  // Members by parent, made once: filtering every node per group grows as tasks × groups.
  const nodesIn = groupedBy(model.nodes, (n) => n.parent)
  const groupsIn = groupedBy(model.groups, (g) => g.parent)
  const children = (parent: string | null): ElkNode[] => [
    ...(nodesIn.get(parent) ?? []).map((n): ElkNode => ({ id: nodeId(n.id), width: boxes.get(n.id)!.width, height: boxes.get(n.id)!.height })),
    ...(groupsIn.get(parent) ?? []).map(
        (g): ElkNode => ({
          id: groupId(g.id),
          layoutOptions: {
            'elk.padding': `[top=${clusterTop(g)},left=16,bottom=16,right=16]`,
            'elk.nodeSize.constraints': 'MINIMUM_SIZE',
            // (height, width): ELK 0.12 transposes a compound node's minimum size in a
            // top-down hierarchical layout; the unit tests check clusters come out wide enough.
            'elk.nodeSize.minimum': `(40,${clusterTextWidth(g) + 26})`,
          },
          children: children(g.id),
        }),
      ),
  ]
  const edges: ElkExtendedEdge[] = model.edges.map((e, i) => ({
    id: `e${i}`,
    sources: [elkId(e.from)],
    targets: [elkId(e.to)],
    ...(e.label && { labels: [{ id: `e${i}:label`, text: e.label, width: Math.ceil(textWidth(e.label, EDGE_LABEL_SIZE) + 8), height: 14 }] }),
  }))
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '40',
      'elk.layered.spacing.edgeNodeBetweenLayers': '14',
      'elk.spacing.nodeNode': '28',
      'elk.spacing.edgeNode': '14',
      'elk.spacing.edgeEdge': '10',
      'elk.spacing.edgeLabel': '3',
      'elk.edgeLabels.placement': 'CENTER',
      ...effortOptions(model),
      'elk.padding': `[top=${MARGIN},left=${MARGIN},bottom=${MARGIN},right=${MARGIN}]`,
      'elk.randomSeed': '1',
    },
    children: children(null),
    edges,
  }
  const out = await new ELK().layout(graph)

  const origin = new Map<string, { x: number; y: number }>([['root', { x: 0, y: 0 }]])
  const nodes = new Map<string, { x: number; y: number; box: NodeBox }>()
  const groups = new Map<string, { x: number; y: number; width: number; height: number }>()
  const visit = (node: ElkNode, ox: number, oy: number) => {
    for (const child of node.children ?? []) {
      const x = ox + (child.x ?? 0)
      const y = oy + (child.y ?? 0)
      origin.set(child.id, { x, y })
      if (child.id.startsWith('n:')) {
        const name = child.id.slice(2)
        nodes.set(name, { x, y, box: boxes.get(name)! })
      } else {
        groups.set(child.id.slice(2), { x, y, width: child.width ?? 0, height: child.height ?? 0 })
        visit(child, x, y)
      }
    }
  }
  visit(out, 0, 0)
  const laidEdges = (out.edges ?? []).map((e, i) => {
    const container = (e as ElkExtendedEdge & { container?: string }).container ?? 'root'
    const at = origin.get(container) ?? { x: 0, y: 0 }
    const section = e.sections?.[0]
    const points = section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((p) => ({ x: p.x + at.x, y: p.y + at.y })) : []
    const l = e.labels?.[0]
    return {
      edge: model.edges[i]!,
      points,
      ...(l && { label: { x: (l.x ?? 0) + at.x, y: (l.y ?? 0) + at.y, width: l.width ?? 0, height: l.height ?? 0 } }),
    }
  })
  return { width: Math.ceil(out.width ?? 0), height: Math.ceil(out.height ?? 0), nodes, groups, edges: laidEdges }
}

/** An orthogonal polyline with rounded corners. */
function roundedPath(points: readonly ElkPoint[], radius = 6): string {
  if (points.length === 0) return ''
  const parts = [`M${num(points[0]!.x)},${num(points[0]!.y)}`]
  for (let i = 1; i < points.length - 1; i++) {
    const prev = points[i - 1]!
    const at = points[i]!
    const next = points[i + 1]!
    const d1 = Math.hypot(at.x - prev.x, at.y - prev.y)
    const d2 = Math.hypot(next.x - at.x, next.y - at.y)
    const r = Math.min(radius, d1 / 2, d2 / 2)
    if (r < 0.5) {
      parts.push(`L${num(at.x)},${num(at.y)}`)
      continue
    }
    const a = { x: at.x - ((at.x - prev.x) / d1) * r, y: at.y - ((at.y - prev.y) / d1) * r }
    const b = { x: at.x + ((next.x - at.x) / d2) * r, y: at.y + ((next.y - at.y) / d2) * r }
    parts.push(`L${num(a.x)},${num(a.y)}`, `Q${num(at.x)},${num(at.y)} ${num(b.x)},${num(b.y)}`)
  }
  const last = points[points.length - 1]!
  parts.push(`L${num(last.x)},${num(last.y)}`)
  return parts.join(' ')
}

/** Attribute text: escaped and quoted. */
const attr = (name: string, value: string | number) => ` ${name}="${escapeXml(String(value))}"`

/** Where a task sits, in words: `exit handler train and gate › if evaluation passed`. */
function placeOf(node: GraphNode, groupNames: ReadonlyMap<string, string>): string | undefined {
  return node.path.length ? node.path.map((id) => groupNames.get(id) ?? id).join(' › ') : undefined
}

/**
 * The lines of a task's tooltip, as plain text (the `<title>` of a task in the standalone SVG).
 *
 * @example
 * ```ts
 * tooltipLines(model.nodes[0]!, new Map()).join('\n')
 * // 'validate-schema\ncontainer · component validate-schema\nimage: …\ncache key: 2b01…'
 * ```
 */
export function tooltipLines(node: GraphNode, groupNames: ReadonlyMap<string, string>): string[] {
  const lines = [node.label === node.id ? node.id : `${node.label} (${node.id})`, `${node.subtitle.split(' · ')[0]} · component ${node.component}`]
  if (node.image) lines.push(`image: ${node.image}`)
  if (node.resourcesText) lines.push(`resources: ${node.resourcesText}`)
  lines.push(`cache key: ${node.cache.digest}`)
  lines.push(node.cache.cacheable ? `cacheable${node.cache.runtimeInputs.length ? ` (+ run-time values of ${node.cache.runtimeInputs.join(', ')})` : ''}` : `never reused: ${node.cache.reason ?? 'caching off'}`)
  const place = placeOf(node, groupNames)
  if (place) lines.push(`inside: ${place}`)
  if (node.status) lines.push(`status: ${node.status.state}${node.status.runs > 1 ? ` (${node.status.runs} runs)` : ''}${node.status.durationMs !== undefined ? ` in ${formatDuration(node.status.durationMs)}` : ''}`)
  return lines
}

/** How the SVG is rendered. */
export interface SvgOptions {
  /**
   * For inlining into the HTML page: no XML declaration and no `<title>` tooltips (the page
   * shows its own), but the same picture.
   */
  readonly embedded?: boolean
}

function renderNode(node: GraphNode, at: { x: number; y: number; box: NodeBox }, embedded: boolean, groupNames: ReadonlyMap<string, string>, withRun: boolean): string {
  const { width: w, height: h, badge } = at.box
  const colour = KIND_COLOURS[node.kind]
  const state = node.status?.state
  const stateColour = state ? STATE_COLOURS[state] : undefined
  const classes = ['node', `kind-${node.kind}`, ...(node.gpu ? ['has-gpu'] : []), ...(node.cache.cacheable ? [] : ['no-cache']), ...(state ? [`state-${state}`] : withRun ? ['not-run'] : [])]
  const data: [string, string | undefined][] = [
    ['task', node.id],
    ['label', node.label],
    ['kind', node.kind],
    ['component', node.component],
    ['image', node.image],
    ['resources', node.resourcesText],
    ['gpu', node.gpu && `${node.gpu.count} × ${node.gpu.type}`],
    ['cache-key', node.cache.digest],
    ['caching', node.cache.cacheable ? `cacheable${node.cache.runtimeInputs.length ? ` + run-time values of ${node.cache.runtimeInputs.join(', ')}` : ''}` : `never reused: ${node.cache.reason ?? 'caching off'}`],
    ['groups', placeOf(node, groupNames)],
    ['state', state && `${state}${node.status!.runs > 1 ? ` (${node.status!.runs} runs)` : ''}`],
    ['duration', node.status?.durationMs !== undefined ? formatDuration(node.status.durationMs) : undefined],
  ]
  const out: string[] = []
  out.push(
    `<g${attr('class', classes.join(' '))}${data.map(([k, v]) => (v === undefined ? '' : attr(`data-${k}`, v))).join('')} transform="translate(${num(at.x)},${num(at.y)})" tabindex="0" role="img"${attr('aria-label', `${node.label}: ${node.subtitle}`)}${state === 'skipped' ? ' opacity="0.6"' : ''}>`,
  )
  if (!embedded) out.push(`<title>${escapeXml(tooltipLines(node, groupNames).join('\n'))}</title>`)
  const strokeColour = state === 'failed' || state === 'running' ? stateColour!.stroke : colour.stroke
  const strokeWidth = state === 'failed' || state === 'running' ? 2.5 : 1.5
  out.push(`<rect class="node-box" width="${w}" height="${h}" rx="8" fill="${colour.fill}" stroke="${strokeColour}" stroke-width="${strokeWidth}"/>`)
  if (node.kind === 'nested-pipeline') out.push(`<rect x="3.5" y="3.5" width="${w - 7}" height="${NODE_H - 7}" rx="5" fill="none" stroke="${colour.stroke}" stroke-width="1" opacity="0.6"/>`)
  // The kind's colour as a bar down the left edge, following the box's rounded corners.
  out.push(`<path class="node-accent" d="M6,0.8 A8,8 0 0 0 0,8 V${h - 8} A8,8 0 0 0 6,${num(h - 0.8)} Z" fill="${colour.stroke}"/>`)
  const labelRoom = w - 2 * PAD_X - (badge ? badge.width + 8 : 0)
  out.push(`<text class="node-label" x="${PAD_X}" y="21" font-size="${LABEL_SIZE}" font-weight="700" fill="#0f172a">${escapeXml(fitText(node.label, labelRoom, LABEL_SIZE, true))}</text>`)
  out.push(`<text class="node-subtitle" x="${PAD_X}" y="38" font-size="${SUB_SIZE}" fill="#475569">${escapeXml(fitText(node.subtitle, w - 2 * PAD_X + 4, SUB_SIZE))}</text>`)
  if (badge) {
    const bx = w - badge.width - 8
    out.push(
      `<g class="gpu-badge" transform="translate(${bx},8)"><rect width="${badge.width}" height="17" rx="8.5" fill="${GPU_BADGE.fill}"/><text x="${num(badge.width / 2)}" y="12.5" text-anchor="middle" font-size="${BADGE_SIZE}" font-weight="700" fill="${GPU_BADGE.text}">${escapeXml(badge.text)}</text></g>`,
    )
  }
  if (node.status && stateColour) {
    const y = NODE_H
    out.push(
      `<g class="node-status"><path d="M1,${y} H${w - 1} V${h - 8} A7,7 0 0 1 ${w - 8},${h - 1} H8 A7,7 0 0 1 1,${h - 8} Z" fill="${stateColour.fill}"/>` +
        `<line x1="1" y1="${y}" x2="${w - 1}" y2="${y}" stroke="${colour.stroke}" stroke-opacity="0.35"/>` +
        `<circle cx="${PAD_X + 3}" cy="${y + 11}" r="4" fill="${stateColour.stroke}"/>` +
        `<text class="status-state" x="${PAD_X + 12}" y="${y + 15}" font-size="11" font-weight="700" fill="${stateColour.stroke}">${escapeXml(node.status.state)}${node.status.runs > 1 ? ` ×${node.status.runs}` : ''}</text>` +
        (node.status.durationMs !== undefined
          ? `<text class="status-duration" x="${w - 10}" y="${y + 15}" text-anchor="end" font-size="11" fill="#334155">${escapeXml(formatDuration(node.status.durationMs))}</text>`
          : '') +
        `</g>`,
    )
  } else if (withRun) {
    // In a run's picture, a task the run did not report says so rather than leaving a gap.
    const y = NODE_H
    out.push(
      `<g class="node-status"><line x1="1" y1="${y}" x2="${w - 1}" y2="${y}" stroke="${colour.stroke}" stroke-opacity="0.35"/>` +
        `<circle cx="${PAD_X + 3}" cy="${y + 11}" r="3.5" fill="none" stroke="#94a3b8" stroke-width="1.5"/>` +
        `<text class="status-state" x="${PAD_X + 12}" y="${y + 15}" font-size="11" fill="#64748b">not run</text></g>`,
    )
  }
  out.push('</g>')
  return out.join('')
}

const groupClass = (group: GraphGroup) => `group-${group.kind === 'exitHandler' ? 'exit-handler' : group.kind}`

function renderGroup(group: GraphGroup, at: { x: number; y: number; width: number; height: number }): string {
  const colour = GROUP_COLOURS[group.kind]
  const dash = colour.dash ? ` stroke-dasharray="${colour.dash}"` : ''
  const title = `${group.keyword}: ${group.label}${group.detail ? `\n${group.detail}` : ''}`
  const out = [
    `<g${attr('class', `cluster ${groupClass(group)}`)}${attr('data-group', group.id)}${attr('data-kind', group.kind)} transform="translate(${num(at.x)},${num(at.y)})">`,
    `<title>${escapeXml(title)}</title>`,
  ]
  // A loop runs its body once per item: a second card peeks out behind it.
  if (group.kind === 'loop') out.push(`<rect x="5" y="5" width="${num(at.width)}" height="${num(at.height)}" rx="10" fill="${colour.fill}" stroke="${colour.stroke}" stroke-opacity="0.5"/>`)
  out.push(`<rect class="cluster-box" width="${num(at.width)}" height="${num(at.height)}" rx="10" fill="${colour.fill}" fill-opacity="0.85" stroke="${colour.stroke}" stroke-width="1.5"${dash}/>`)
  out.push('</g>')
  return out.join('')
}

/**
 * A cluster's title and detail, drawn above the edges (with a halo in the cluster's colour), so
 * an edge that enters the cluster never runs over its words.
 */
function renderGroupText(group: GraphGroup, at: { x: number; y: number; width: number; height: number }): string {
  const colour = GROUP_COLOURS[group.kind]
  const halo = ` stroke="${colour.fill}" stroke-width="4" stroke-linejoin="round" paint-order="stroke"`
  const keywordW = textWidth(group.keyword, TITLE_SIZE, true)
  const room = at.width - 24 - keywordW - 6
  const out = [
    `<g${attr('class', `cluster-text ${groupClass(group)}`)}${attr('data-group', group.id)} transform="translate(${num(at.x)},${num(at.y)})">`,
    `<text class="cluster-title" x="12" y="20" font-size="${TITLE_SIZE}"${halo}><tspan font-weight="700" fill="${colour.title}">${escapeXml(group.keyword)}</tspan><tspan dx="6" fill="#1e293b">${escapeXml(fitText(group.label, room, TITLE_SIZE))}</tspan></text>`,
  ]
  detailLines(group).forEach((line, i) => {
    out.push(`<text class="cluster-detail" x="12" y="${34 + i * DETAIL_LEADING}" font-size="${DETAIL_SIZE}" fill="#475569"${halo}>${escapeXml(fitText(line, at.width - 24, DETAIL_SIZE))}</text>`)
  })
  out.push('</g>')
  return out.join('')
}

const EDGE_STYLE = {
  data: { stroke: '#475569', width: 1.5, dash: '', marker: 'tf-arrow' },
  order: { stroke: '#94a3b8', width: 1.5, dash: ' stroke-dasharray="5 4"', marker: 'tf-arrow-order' },
} as const

/**
 * Lays out and renders the model; shared by {@link toSvg} and the HTML page.
 *
 * @example
 * ```ts
 * const inline = await renderSvg(model, { embedded: true }) // no XML declaration, no <title> tooltips
 * ```
 */
export async function renderSvg(model: GraphModel, options: SvgOptions = {}): Promise<string> {
  const embedded = options.embedded === true
  const laid = await layout(model)
  const width = laid.width + 8
  const height = laid.height + 8
  const out: string[] = []
  if (!embedded) out.push('<?xml version="1.0" encoding="UTF-8"?>\n')
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="typeflow-graph" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="${escapeXml(FONT)}"${attr('data-pipeline', model.pipeline.name)} role="img"${attr('aria-label', `Pipeline ${model.pipeline.label}: ${model.nodes.length} tasks`)}>\n`,
  )
  if (!embedded) out.push(`<title>${escapeXml(model.pipeline.label)}${model.pipeline.description ? ` – ${escapeXml(model.pipeline.description)}` : ''}</title>\n`)
  out.push(
    '<defs>' +
      Object.values(EDGE_STYLE)
        .map((s) => `<marker id="${s.marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,1 L10,5 L0,9 z" fill="${s.stroke}"/></marker>`)
        .join('') +
      '</defs>\n',
  )
  out.push('<g class="clusters">\n')
  // Outer groups first, so inner ones are drawn on top of them.
  const depthFirst = [...model.groups].sort((a, b) => a.path.length - b.path.length)
  for (const group of depthFirst) {
    const at = laid.groups.get(group.id)
    if (at) out.push(`${renderGroup(group, at)}\n`)
  }
  out.push('</g>\n<g class="edges">\n')
  for (const { edge, points } of laid.edges) {
    const style = EDGE_STYLE[edge.kind]
    out.push(
      `<path${attr('class', `edge edge-${edge.kind}`)}${attr('data-from', edge.from)}${attr('data-to', edge.to)} d="${roundedPath(points)}" fill="none" stroke="${style.stroke}" stroke-width="${style.width}"${style.dash} marker-end="url(#${style.marker})"/>\n`,
    )
  }
  for (const { edge, label } of laid.edges) {
    if (!label || !edge.label) continue
    out.push(
      `<text class="edge-label" x="${num(label.x + label.width / 2)}" y="${num(label.y + label.height - 3.5)}" text-anchor="middle" font-size="${EDGE_LABEL_SIZE}" fill="${edge.kind === 'data' ? '#334155' : '#be123c'}" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">${escapeXml(edge.label)}</text>\n`,
    )
  }
  out.push('</g>\n<g class="cluster-texts">\n')
  for (const group of depthFirst) {
    const at = laid.groups.get(group.id)
    if (at) out.push(`${renderGroupText(group, at)}\n`)
  }
  out.push('</g>\n<g class="nodes">\n')
  const groupNames = new Map(model.groups.map((g) => [g.id, `${g.keyword} ${g.label}`]))
  for (const node of model.nodes) {
    const at = laid.nodes.get(node.id)
    if (at) out.push(`${renderNode(node, at, embedded, groupNames, model.run !== undefined)}\n`)
  }
  out.push('</g>\n</svg>\n')
  return out.join('')
}

/**
 * Renders the model as a standalone SVG document: tasks coloured by kind with GPU badges (and
 * run state and duration when the model has a run), groups as clusters, data and order edges.
 * Every task has a `<title>` tooltip with its cache key, image and resources. Same model, same bytes.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs'
 * writeFileSync('fraud-training.svg', await toSvg(graphModel(analysed, computeCacheKeys(analysed))))
 * ```
 */
export function toSvg(model: GraphModel): Promise<string> {
  return renderSvg(model)
}
