/**
 * The graph as one self-contained HTML page: the SVG inline, the styles inline, and a few lines
 * of inline script for tooltips. It fetches nothing: its Content-Security-Policy forbids every
 * request and lets only its own script and style (by hash) run.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import { formatDuration, GROUP_KINDS, type GraphModel, NODE_KINDS, RUN_STATES } from './model.ts'
import { FONT, GPU_BADGE, GROUP_COLOURS, KIND_COLOURS, renderSvg, STATE_COLOURS } from './svg.ts'
import { escapeXml } from './text.ts'

/** The page's styles: constant (user text never enters them), so their hash can go in the CSP. */
const STYLE = `
*{box-sizing:border-box}
html{background:#eef2f7}
body{margin:0;padding:24px 28px 32px;font-family:${FONT};color:#0f172a;font-size:14px;line-height:1.4}
header{margin:0 0 18px}
h1{margin:0;font-size:22px;font-weight:700;letter-spacing:-.01em}
h1 .name{margin-left:10px;font-size:13px;font-weight:400;color:#64748b;font-family:'Liberation Mono',Menlo,Consolas,monospace}
.description{margin:4px 0 10px;color:#334155}
.stats{display:flex;flex-wrap:wrap;gap:8px;margin:0;padding:0;list-style:none}
.stats li{background:#fff;border:1px solid #dbe2ea;border-radius:999px;padding:3px 11px;font-size:12.5px;color:#334155}
.stats li b{color:#0f172a}
.stats .run-state{display:inline-flex;align-items:center;gap:6px}
.stats .run-state svg{display:block}
.layout{display:flex;gap:20px;align-items:flex-start}
.canvas{flex:1 1 auto;min-width:0;overflow:auto;background:#fff;border:1px solid #dbe2ea;border-radius:12px;padding:16px;box-shadow:0 1px 3px rgba(15,23,42,.06);display:flex;justify-content:center}
.canvas svg{display:block;max-width:none}
.legend{flex:0 0 232px;background:#fff;border:1px solid #dbe2ea;border-radius:12px;padding:14px 16px;font-size:12.5px;box-shadow:0 1px 3px rgba(15,23,42,.06)}
.legend h2{margin:12px 0 6px;font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:#64748b}
.legend h2:first-child{margin-top:0}
.legend ul{margin:0;padding:0;list-style:none}
.legend li{display:flex;align-items:center;gap:8px;margin:5px 0;color:#1e293b}
.legend svg{flex:0 0 auto;display:block}
.legend .hint{margin:14px 0 0;color:#64748b;font-size:12px}
.node{cursor:default;outline:none}
.node .node-box{filter:drop-shadow(0 1px 1.5px rgba(15,23,42,.14));transition:stroke-width .1s}
.node:hover .node-box,.node:focus-visible .node-box,.node.active .node-box{stroke-width:3;filter:drop-shadow(0 3px 6px rgba(15,23,42,.22))}
.edge.lit{stroke:#0f172a;stroke-width:2.5}
#tooltip{position:fixed;z-index:10;max-width:440px;background:#0f172a;color:#e2e8f0;border-radius:8px;padding:10px 12px;font-size:12px;box-shadow:0 8px 24px rgba(15,23,42,.35);pointer-events:none}
#tooltip[hidden]{display:none}
#tooltip .tip-title{font-weight:700;font-size:13px;color:#fff;margin-bottom:6px}
#tooltip dl{display:grid;grid-template-columns:auto 1fr;gap:3px 10px;margin:0}
#tooltip dt{color:#94a3b8}
#tooltip dd{margin:0;overflow-wrap:anywhere}
#tooltip dd.mono{font-family:'Liberation Mono',Menlo,Consolas,monospace;font-size:11px;color:#a5f3fc}
footer{margin-top:14px;color:#94a3b8;font-size:11.5px}
`

/**
 * The page's script: shows a tooltip for the task under the pointer (or with focus) built from its
 * `data-*` attributes with `textContent` (never as HTML), and highlights the task's edges.
 */
const SCRIPT = `
(function () {
  'use strict';
  var tip = document.getElementById('tooltip');
  var rows = [['task', 'Task'], ['kind', 'Kind'], ['component', 'Component'], ['image', 'Image'], ['resources', 'Resources'],
    ['gpu', 'Accelerators'], ['cacheKey', 'Cache key'], ['caching', 'Caching'], ['groups', 'Inside'], ['state', 'Status'], ['duration', 'Duration']];
  var edges = Array.prototype.slice.call(document.querySelectorAll('.edge'));
  var active = null;
  function show(node) {
    hide();
    active = node;
    var d = node.dataset;
    tip.textContent = '';
    var title = document.createElement('div');
    title.className = 'tip-title';
    title.textContent = d.label || d.task || '';
    tip.appendChild(title);
    var list = document.createElement('dl');
    rows.forEach(function (row) {
      var value = d[row[0]];
      if (!value || (row[0] === 'task' && value === d.label)) return;
      var dt = document.createElement('dt');
      dt.textContent = row[1];
      var dd = document.createElement('dd');
      dd.textContent = value;
      if (row[0] === 'cacheKey') dd.className = 'mono';
      list.appendChild(dt);
      list.appendChild(dd);
    });
    tip.appendChild(list);
    tip.hidden = false;
    node.classList.add('active');
    edges.forEach(function (edge) {
      if (edge.dataset.from === d.task || edge.dataset.to === d.task) edge.classList.add('lit');
    });
    var box = node.getBoundingClientRect();
    var size = tip.getBoundingClientRect();
    var left = box.right + 12;
    if (left + size.width > window.innerWidth - 8) left = Math.max(8, box.left - size.width - 12);
    var top = Math.max(8, Math.min(box.top, window.innerHeight - size.height - 8));
    tip.style.left = left + 'px';
    tip.style.top = top + 'px';
  }
  function hide() {
    if (active) active.classList.remove('active');
    active = null;
    tip.hidden = true;
    edges.forEach(function (edge) { edge.classList.remove('lit'); });
  }
  Array.prototype.forEach.call(document.querySelectorAll('.node'), function (node) {
    node.addEventListener('mouseenter', function () { show(node); });
    node.addEventListener('mouseleave', hide);
    node.addEventListener('focus', function () { show(node); });
    node.addEventListener('blur', hide);
  });
  document.addEventListener('keydown', function (event) { if (event.key === 'Escape') hide(); });
})();
`

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`

/** Forbids every fetch (images, fonts, frames, connections); only this page's own style and script run. */
const CSP = `default-src 'none'; style-src ${hash(STYLE)}; script-src ${hash(SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'`

function swatchNode(stroke: string, fill: string, double = false): string {
  return (
    `<svg width="30" height="18" viewBox="0 0 30 18" aria-hidden="true"><rect x="0.75" y="0.75" width="28.5" height="16.5" rx="4" fill="${fill}" stroke="${stroke}" stroke-width="1.5"/>` +
    (double ? `<rect x="3" y="3" width="24" height="12" rx="2.5" fill="none" stroke="${stroke}" stroke-width="1" opacity="0.6"/>` : '') +
    `<path d="M4,1.2 A4,4 0 0 0 0.75,4.5 V13.5 A4,4 0 0 0 4,16.8 Z" fill="${stroke}"/></svg>`
  )
}

function swatchGroup(stroke: string, fill: string, dash: string | undefined): string {
  return `<svg width="30" height="18" viewBox="0 0 30 18" aria-hidden="true"><rect x="1" y="1" width="28" height="16" rx="5" fill="${fill}" stroke="${stroke}" stroke-width="1.5"${dash ? ` stroke-dasharray="${dash === '7 4' ? '5 3' : dash}"` : ''}/></svg>`
}

function swatchEdge(kind: 'data' | 'order'): string {
  const stroke = kind === 'data' ? '#475569' : '#94a3b8'
  return `<svg width="30" height="18" viewBox="0 0 30 18" aria-hidden="true"><line x1="1" y1="9" x2="22" y2="9" stroke="${stroke}" stroke-width="1.5"${kind === 'order' ? ' stroke-dasharray="4 3"' : ''}/><path d="M21,5 L29,9 L21,13 z" fill="${stroke}"/></svg>`
}

function dot(colour: string): string {
  return `<svg width="10" height="10" viewBox="0 0 10 10" aria-hidden="true"><circle cx="5" cy="5" r="4.5" fill="${colour}"/></svg>`
}

function legend(model: GraphModel): string {
  const out = ['<aside class="legend" aria-label="Legend">', '<h2>Tasks</h2><ul>']
  for (const kind of NODE_KINDS) {
    const c = KIND_COLOURS[kind]
    out.push(`<li class="legend-kind kind-${kind}">${swatchNode(c.stroke, c.fill, kind === 'nested-pipeline')}${escapeXml(c.name)}</li>`)
  }
  out.push(
    `<li class="legend-gpu"><svg width="30" height="18" viewBox="0 0 30 18" aria-hidden="true"><rect x="0" y="1" width="30" height="16" rx="8" fill="${GPU_BADGE.fill}"/><text x="15" y="12.5" text-anchor="middle" font-size="9" font-weight="700" fill="${GPU_BADGE.text}">GPU</text></svg>accelerators requested</li>`,
  )
  out.push('</ul><h2>Groups</h2><ul>')
  for (const kind of GROUP_KINDS) {
    const c = GROUP_COLOURS[kind]
    out.push(`<li class="legend-group group-${kind}">${swatchGroup(c.stroke, c.fill, c.dash)}${escapeXml(c.name)}</li>`)
  }
  out.push('</ul><h2>Dependencies</h2><ul>')
  out.push(`<li>${swatchEdge('data')}data, labelled with the outputs read</li>`)
  out.push(`<li>${swatchEdge('order')}order only (after, exit)</li>`)
  out.push('</ul>')
  if (model.run) {
    out.push('<h2>Run</h2><ul>')
    for (const state of RUN_STATES) out.push(`<li class="legend-state state-${state}">${dot(STATE_COLOURS[state].stroke)}${state}</li>`)
    out.push(`<li class="legend-state not-run"><svg width="10" height="10" viewBox="0 0 10 10" aria-hidden="true"><circle cx="5" cy="5" r="3.75" fill="none" stroke="#94a3b8" stroke-width="1.5"/></svg>not run (no record)</li>`)
    out.push('</ul>')
  }
  out.push('<p class="hint">Hover over or tab to a task for its cache key, image and resources.</p></aside>')
  return out.join('')
}

function stats(model: GraphModel): string {
  const gpuTasks = model.nodes.filter((n) => n.gpu)
  const gpus = gpuTasks.reduce((sum, n) => sum + n.gpu!.count, 0)
  const word = gpuTasks.every((n) => /gpu$/i.test(n.gpu!.type)) ? 'GPU' : 'accelerator'
  const items = [
    `<li><b>${model.nodes.length}</b> task${model.nodes.length === 1 ? '' : 's'}</li>`,
    `<li><b>${model.groups.length}</b> group${model.groups.length === 1 ? '' : 's'}</li>`,
    `<li><b>${model.edges.length}</b> dependenc${model.edges.length === 1 ? 'y' : 'ies'}</li>`,
    gpuTasks.length > 0 ? `<li><b>${gpus}</b> ${word}${gpus === 1 ? '' : 's'} on ${gpuTasks.length} task${gpuTasks.length === 1 ? '' : 's'}</li>` : '',
  ]
  if (model.run) {
    for (const state of RUN_STATES) {
      const count = model.run.counts[state]
      if (count) items.push(`<li class="run-state state-${state}">${dot(STATE_COLOURS[state].stroke)}<span><b>${count}</b> ${state}</span></li>`)
    }
    items.push(`<li class="run-total"><b>${escapeXml(formatDuration(model.run.totalMs))}</b> of task time</li>`)
  }
  return `<ul class="stats">${items.join('')}</ul>`
}

/**
 * Renders the model as one self-contained HTML page: the laid-out SVG inline, tasks coloured
 * by kind with GPU badges, loops and conditions as clusters, a legend, tooltips with each task's
 * cache key, image and resources, and each task's state and duration when the model has a run.
 * Nothing is fetched: a strict Content-Security-Policy forbids it. Same model, same bytes.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs'
 * const model = graphModel(analysed, computeCacheKeys(analysed), JSON.parse(readFileSync('status.json', 'utf8')))
 * writeFileSync('fraud-training.html', await toHtml(model))
 * ```
 */
export async function toHtml(model: GraphModel): Promise<string> {
  const svg = await renderSvg(model, { embedded: true })
  const { pipeline } = model
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="typeflow graph">
<title>${escapeXml(pipeline.label)} · Typeflow pipeline graph</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeXml(pipeline.label)}${pipeline.label !== pipeline.name ? `<span class="name">${escapeXml(pipeline.name)}</span>` : ''}</h1>
${pipeline.description ? `<p class="description">${escapeXml(pipeline.description)}</p>\n` : ''}${stats(model)}
</header>
<div class="layout">
<main class="canvas">
${svg}</main>
${legend(model)}
</div>
<footer>Generated by typeflow graph.</footer>
<div id="tooltip" role="tooltip" hidden></div>
<script>${SCRIPT}</script>
</body>
</html>
`
}
