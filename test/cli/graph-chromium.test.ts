/**
 * Renders `typeflow graph`'s HTML page for examples/fraud-training in headless Chromium (Debian's
 * /usr/bin/chromium, driven by playwright-core, which never downloads a browser) and checks what
 * a person would see: the DOM, the tooltip on hover, and the picture itself. The screenshots stay
 * in test/artifacts/ (git-ignored) for people and CI to look at.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { compile, computeCacheKeys, type TaskCacheKey } from '@typeflow/compiler'
import fraudTraining from '../../examples/fraud-training/pipeline.ts'
import { graphModel, type RunStatusMap, toHtml } from '../../packages/cli/src/graph/index.ts'

const CHROMIUM = '/usr/bin/chromium'
const available = existsSync(CHROMIUM)
if (!available) {
  console.warn(`graph-chromium.test.ts: skipped: ${CHROMIUM} is absent (apt-get install -y chromium; .ci/run installs it on CI)`)
}

const artifacts = resolve(import.meta.dirname, '../artifacts')

/** A run of fraud-training as the local runner would report it: the gate failed the model. */
const RUN: RunStatusMap = {
  'validate-schema': { state: 'cached', durationMs: 38 },
  'materialize-features': { state: 'done', durationMs: 48_200 },
  'train-model': { state: 'done', durationMs: 1_113_400 },
  'evaluate-holdout': { state: 'done', durationMs: 21_350 },
  'register-model': { state: 'skipped' },
  'notify-owner': { state: 'done', durationMs: 2_100 },
  'report-status': { state: 'done', durationMs: 900 },
}

/** What the screenshot decodes to in a canvas: pixel counts that tell a blank page from a graph. */
interface Picture {
  readonly width: number
  readonly height: number
  /** Pixels that are neither white nor the page background. */
  readonly ink: number
  /** Pixels close to each named colour. */
  readonly colours: Readonly<Record<string, number>>
}

/**
 * Decodes a PNG in the browser (an <img> drawn on a canvas) and counts its pixels: ink, and those
 * within a tolerance of each colour (thin, dashed, anti-aliased borders need a wider one).
 */
async function inspectPicture(page: Page, png: Buffer, colours: Readonly<Record<string, readonly [hex: string, tolerance: number]>>): Promise<Picture> {
  return page.evaluate(
    async ({ dataUrl, colours }) => {
      const dom = globalThis as any
      const img = new dom.Image()
      img.src = dataUrl
      await img.decode()
      const canvas = dom.document.createElement('canvas')
      canvas.width = img.naturalWidth
      canvas.height = img.naturalHeight
      const context = canvas.getContext('2d')
      context.drawImage(img, 0, 0)
      const data: Uint8ClampedArray = context.getImageData(0, 0, canvas.width, canvas.height).data
      const targets = Object.entries(colours).map(([name, [hex, tolerance]]) => [name, parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16), tolerance] as const)
      const counts: Record<string, number> = Object.fromEntries(targets.map(([name]) => [name, 0]))
      let ink = 0
      for (let i = 0; i < data.length; i += 4) {
        const r = data[i]!
        const g = data[i + 1]!
        const b = data[i + 2]!
        const near = (cr: number, cg: number, cb: number, tolerance: number) => Math.abs(r - cr) <= tolerance && Math.abs(g - cg) <= tolerance && Math.abs(b - cb) <= tolerance
        if (!near(255, 255, 255, 12) && !near(0xee, 0xf2, 0xf7, 6)) ink++
        for (const [name, cr, cg, cb, tolerance] of targets) if (near(cr, cg, cb, tolerance)) counts[name]!++
      }
      return { width: canvas.width, height: canvas.height, ink, colours: counts }
    },
    { dataUrl: `data:image/png;base64,${png.toString('base64')}`, colours },
  )
}

describe.skipIf(!available)('typeflow graph in headless Chromium (examples/fraud-training)', () => {
  let context: BrowserContext
  let profile: string
  let keys: ReadonlyMap<string, TaskCacheKey>
  let plainPage: string
  let runPage: string
  const requests: string[] = []
  const problems: string[] = []

  beforeAll(async () => {
    const result = compile(fraudTraining)
    if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'))
    keys = computeCacheKeys(result.analysed)
    mkdirSync(artifacts, { recursive: true })
    plainPage = join(artifacts, 'graph-fraud-training.html')
    runPage = join(artifacts, 'graph-fraud-training-run.html')
    writeFileSync(plainPage, await toHtml(graphModel(result.analysed, keys)))
    writeFileSync(runPage, await toHtml(graphModel(result.analysed, keys, RUN)))

    const { chromium } = await import('playwright-core')
    profile = mkdtempSync(join(tmpdir(), 'typeflow-chromium-'))
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor: 1,
      timeout: 60_000,
    })
    context.on('request', (request) => requests.push(request.url()))
    context.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`)
    })
    context.on('weberror', (error) => problems.push(`page error: ${error.error().message}`))
  }, 120_000)

  afterAll(async () => {
    await context?.close()
    if (profile) rmSync(profile, { recursive: true, force: true })
  })

  it('shows one node per task with its kind, the groups as clusters, and the GPU badge on train-model', async () => {
    const page = await context.newPage()
    await page.goto(pathToFileURL(plainPage).href)
    expect(await page.title()).toBe('fraud-training · Typeflow pipeline graph')

    const nodes = page.locator('svg.typeflow-graph .node')
    expect(await nodes.count()).toBe(7)
    const kinds = await nodes.evaluateAll((elements) => elements.map((e: any) => [e.getAttribute('data-task'), e.getAttribute('class')]))
    expect(Object.fromEntries(kinds)).toEqual({
      'validate-schema': 'node kind-container',
      'materialize-features': 'node kind-container',
      'train-model': 'node kind-container has-gpu',
      'evaluate-holdout': 'node kind-container',
      'register-model': 'node kind-container no-cache',
      'notify-owner': 'node kind-container',
      'report-status': 'node kind-exit-task no-cache',
    })
    for (const task of keys.keys()) await expect(page.locator(`.node[data-task="${task}"]`).isVisible()).resolves.toBe(true)

    const clusters = page.locator('svg.typeflow-graph .cluster')
    expect(await clusters.count()).toBe(4)
    expect(await page.locator('.cluster.group-exit-handler').count()).toBe(1)
    expect(await page.locator('.cluster.group-branches').count()).toBe(1)
    expect(await page.locator('.cluster.group-condition').count()).toBe(2)
    expect(await page.locator('.cluster-text[data-group="condition-3"] .cluster-title').textContent()).toBe('ifevaluation passed')
    // Each task sits inside the cluster of every group around it, as Chromium lays it out.
    const box = async (selector: string) => (await page.locator(selector).first().boundingBox())!
    const within = (inner: { x: number; y: number; width: number; height: number }, outer: typeof inner) =>
      inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height
    const exitHandler = await box('.cluster[data-group="exit-handler-1"] .cluster-box')
    for (const task of ['validate-schema', 'train-model', 'register-model', 'notify-owner']) expect(within(await box(`.node[data-task="${task}"]`), exitHandler), task).toBe(true)
    expect(within(await box('.node[data-task="register-model"]'), await box('.cluster[data-group="condition-3"] .cluster-box'))).toBe(true)
    expect(within(await box('.node[data-task="notify-owner"]'), await box('.cluster[data-group="condition-4"] .cluster-box'))).toBe(true)
    expect(within(await box('.node[data-task="report-status"]'), exitHandler)).toBe(false)

    const badges = page.locator('.gpu-badge')
    expect(await badges.count()).toBe(1)
    const badge = page.locator('.node[data-task="train-model"] .gpu-badge')
    expect(await badge.isVisible()).toBe(true)
    expect(await badge.textContent()).toBe('1× GPU')
    expect(within(await badge.boundingBox().then((b) => b!), await box('.node[data-task="train-model"] .node-box'))).toBe(true)

    expect(await page.locator('.legend li').count()).toBeGreaterThanOrEqual(11)
    expect(await page.locator('#tooltip').isHidden()).toBe(true)
    await page.close()
  })

  it('hovering a node shows its cache key, image and resources; leaving hides it; focus works too', async () => {
    const page = await context.newPage()
    await page.goto(pathToFileURL(plainPage).href)
    const tooltip = page.locator('#tooltip')
    await page.hover('.node[data-task="train-model"]')
    await expect.poll(() => tooltip.isVisible()).toBe(true)
    const text = (await tooltip.innerText()).replace(/\s+/g, ' ')
    expect(text).toContain(`Cache key ${keys.get('train-model')!.digest}`)
    expect(text).toContain(`Image registry.acme.dev/fraud/train@sha256:${'0'.repeat(64)}`)
    expect(text).toContain('Resources cpu 4 · memory 12Gi (limit 16Gi) · 1 × nvidia.com/gpu')
    expect(text).toContain('Inside exit handler train and gate')
    // The tooltip sits beside the node, on screen; the node's edges light up.
    const tip = (await tooltip.boundingBox())!
    const node = (await page.locator('.node[data-task="train-model"]').boundingBox())!
    expect(tip.x >= node.x + node.width || tip.x + tip.width <= node.x).toBe(true)
    expect(tip.x + tip.width).toBeLessThanOrEqual(1280)
    expect(await page.locator('.edge.lit').count()).toBe(3) // train in; model to evaluate-holdout and register-model
    mkdirSync(artifacts, { recursive: true })
    await page.screenshot({ path: join(artifacts, 'graph-fraud-training-hover.png') })

    await page.hover('.node[data-task="register-model"]')
    await expect.poll(async () => (await tooltip.innerText()).replace(/\s+/g, ' ')).toContain(`Cache key ${keys.get('register-model')!.digest}`)
    expect(await tooltip.innerText()).toContain('never reused: caching is off for this task')

    await page.mouse.move(2, 2)
    await expect.poll(() => tooltip.isHidden()).toBe(true)
    expect(await page.locator('.edge.lit').count()).toBe(0)

    await page.focus('.node[data-task="validate-schema"]')
    await expect.poll(async () => tooltip.innerText()).toContain(keys.get('validate-schema')!.digest)
    await page.keyboard.press('Escape')
    await expect.poll(() => tooltip.isHidden()).toBe(true)
    await page.close()
  })

  it('the picture is a graph, not a blank page: screenshot kept in test/artifacts/graph-fraud-training.png', async () => {
    const page = await context.newPage()
    await page.goto(pathToFileURL(plainPage).href)
    const png = await page.screenshot({ path: join(artifacts, 'graph-fraud-training.png'), fullPage: true })
    expect(existsSync(join(artifacts, 'graph-fraud-training.png'))).toBe(true)
    const decoder = await context.newPage()
    const picture = await inspectPicture(decoder, png, {
      container: ['#2563eb', 10],
      exitTask: ['#ea580c', 10],
      exitHandler: ['#e11d48', 40],
      condition: ['#d97706', 40],
      gpu: ['#76b900', 10],
    })
    await decoder.close()
    expect(picture.width).toBe(1280)
    expect(picture.height).toBeGreaterThan(700)
    // Boxes, words and edges: about a tenth of the page is ink (a blank page has none).
    expect(picture.ink / (picture.width * picture.height)).toBeGreaterThan(0.03)
    // Each kind shows in its colour: borders of container tasks, the exit task, the groups, the GPU badge.
    expect(picture.colours['container']).toBeGreaterThan(900)
    expect(picture.colours['exitTask']).toBeGreaterThan(150)
    expect(picture.colours['exitHandler']).toBeGreaterThan(100)
    expect(picture.colours['condition']).toBeGreaterThan(250)
    expect(picture.colours['gpu']).toBeGreaterThan(400)
    await page.close()
  })

  it('after a run: each task shows its state and duration (screenshot graph-fraud-training-run.png)', async () => {
    const page = await context.newPage()
    await page.goto(pathToFileURL(runPage).href)
    const states = await page.locator('.node').evaluateAll((elements) => elements.map((e: any) => [e.getAttribute('data-task'), e.getAttribute('data-state') ?? '']))
    expect(Object.fromEntries(states)).toEqual(Object.fromEntries(Object.entries(RUN).map(([task, s]) => [task, s.state])))
    expect(await page.locator('.node[data-task="train-model"] .status-state').textContent()).toBe('done')
    expect(await page.locator('.node[data-task="train-model"] .status-duration').textContent()).toBe('18 m 33 s')
    expect(await page.locator('.node[data-task="validate-schema"] .status-state').textContent()).toBe('cached')
    expect(await page.locator('.node[data-task="register-model"] .status-duration').count()).toBe(0)
    expect(await page.locator('.stats').innerText()).toMatch(/5\s+done[\s\S]*1\s+cached[\s\S]*1\s+skipped/)
    await page.hover('.node[data-task="train-model"]')
    await expect.poll(async () => (await page.locator('#tooltip').innerText()).replace(/\s+/g, ' ')).toContain('Duration 18 m 33 s')
    await page.mouse.move(2, 2)
    const png = await page.screenshot({ path: join(artifacts, 'graph-fraud-training-run.png'), fullPage: true })
    const decoder = await context.newPage()
    const picture = await inspectPicture(decoder, png, { done: ['#15803d', 10], cached: ['#0e7490', 10], doneFill: ['#dcfce7', 4] })
    await decoder.close()
    expect(picture.colours['done']).toBeGreaterThan(200)
    expect(picture.colours['cached']).toBeGreaterThan(80)
    expect(picture.colours['doneFill']).toBeGreaterThan(6000)
    await page.close()
  })

  it('fetched nothing but the page itself, and ran without errors or CSP violations', () => {
    const pages = new Set([pathToFileURL(plainPage).href, pathToFileURL(runPage).href])
    expect(requests.filter((url) => !pages.has(url) && !url.startsWith('data:') && url !== 'about:blank')).toEqual([])
    expect(problems).toEqual([])
  })
})
