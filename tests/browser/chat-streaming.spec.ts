/**
 * Streaming stays smooth in a long thread: the cost of showing a piece of streamed text must not grow
 * with the thread before it or with the block it lands in. A conversation of 40 replies of about
 * 6 KB is imported through the sidebar, then a 30 KB code block streams into the real chat view at
 * 30 deltas a second, through the conversation store as useReply streams (tests/harness/chat-stream).
 *
 * The Long Tasks API measures wall-clock time, which on a loaded machine counts the time the thread
 * waited for a core: with other tests running here, tasks of 5 ms of work showed as 90 ms long
 * tasks, and the test failed or passed by chance. So the bound is on the main thread's CPU time per
 * task, from a Chromium trace: no task over 50 ms (half the issue's 100 ms wall-clock bound; the
 * previous renderer reached 82 to 97 ms of CPU per task, with 530 to 810 long tasks of up to 1 s,
 * and fell behind: 30 s of text took 85 to 125 s). The stream must also keep pace. The Long Tasks
 * API's figures are printed with the rest.
 */
import { test, expect, type Browser, type Page } from '@playwright/test';
import { toJson } from '../../src/chat/transfer';
import type { ChatNode, Conversation } from '../../src/chat/conversation';

/** Pseudo-random but fixed, so that every run streams the same text. */
function words(seed: number): () => string {
  const list = [
    'value',
    'state',
    'index',
    'result',
    'buffer',
    'config',
    'handler',
    'render',
    'update',
    'count',
    'items',
    'token',
    'cache',
    'queue',
  ];
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return list[s % list.length]!;
  };
}

/** About `bytes` of plausible JavaScript: functions with comments, strings, templates, regexes, loops. */
function javascript(bytes: number, seed: number): string {
  const w = words(seed);
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const a = w();
    const b = w();
    const f = `/**
 * Updates the ${a} from the ${b} (step ${i}).
 * @param {object} ${a} the current ${a}
 */
export function ${a}From${b[0]!.toUpperCase()}${b.slice(1)}${i}(${a}, ${b} = {}) {
  const out = { ...${a}, id: ${i}, label: \`${a} #\${${i} + 1}\` };
  for (let k = 0; k < ${(i % 7) + 2}; k++) {
    if (/^${b}\\d+$/.test(String(${b}[k]))) out['${b}' + k] = ${b}[k] * ${i % 13} + 0x${((i * 37) % 255).toString(16)};
    else out.count = (out.count ?? 0) + 1; // ${w()} ${w()}
  }
  return out;
}

`;
    parts.push(f);
    size += f.length;
  }
  return parts.join('').slice(0, bytes);
}

function reply(i: number): string {
  const w = words(i + 100);
  const prose = (n: number) =>
    Array.from({ length: n }, () => `The ${w()} keeps its ${w()} in \`${w()}\`, so **${w()}** can read it.`).join(' ');
  const html =
    i % 4 === 0
      ? `\nA page to try it:\n\n\`\`\`html\n<!DOCTYPE html>\n<html><head><title>Demo ${i}</title></head>\n<body><button id="b">Click</button>\n<script>document.getElementById('b').onclick = () => console.log(${i});</script>\n</body></html>\n\`\`\`\n`
      : '';
  return `## Step ${i + 1}: the ${w()}\n\n${prose(6)}\n\n- ${prose(1)}\n- ${prose(1)}\n- ${prose(1)}\n\n\`\`\`javascript\n${javascript(3700, i)}\n\`\`\`\n\n${prose(8)}\n\n\`\`\`python\ndef ${w()}(${w()}):\n    return [${w()} for ${w()} in range(${i})]  # ${prose(1)}\n\`\`\`\n${html}\n${prose(10)}\n`;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args: { name?: string; data?: { frames?: { processId: number; isOutermostMainFrame?: boolean }[] } };
}

/** What the main thread did in the busiest task: its longest steps (CPU ms), to read a failure by. */
const STEPS = [
  'FunctionCall',
  'TimerFire',
  'RunMicrotasks',
  'Layout',
  'UpdateLayoutTree',
  'PrePaint',
  'Paint',
  'Layerize',
  'Commit',
  'ParseHTML',
  'MajorGC',
  'MinorGC',
  'V8.GC_MARK_COMPACTOR',
  'V8.GC_SCAVENGER',
  'BlinkGC.AtomicPauseMarkTransitiveClosure',
  'BlinkGC.AtomicPauseSweepAndCompact',
];

/**
 * Runs `f` while tracing the page; returns its result, the CPU milliseconds of each task of the
 * page's main thread, and what the busiest one did.
 */
async function tracingTasks<T>(
  browser: Browser,
  page: Page,
  f: () => Promise<T>,
): Promise<{ result: T; cpuMs: number[]; busiest: string }> {
  await browser.startTracing(page, {
    categories: [
      'disabled-by-default-devtools.timeline',
      'devtools.timeline',
      'v8',
      'disabled-by-default-v8.gc',
      'blink_gc',
    ],
  });
  const result = await f();
  const trace = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] };
  const events = trace.traceEvents;
  const pid = events
    .find((e) => e.name === 'TracingStartedInBrowser')!
    .args.data!.frames!.find((f) => f.isOutermostMainFrame)!.processId;
  const tid = events.find(
    (e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === pid && e.args.name === 'CrRendererMain',
  )!.tid;
  const main = events.filter((e) => e.ph === 'X' && e.pid === pid && e.tid === tid);
  const tasks = main.filter((e) => e.name === 'RunTask');
  const cpu = (e: TraceEvent) => (e.tdur ?? e.dur ?? 0) / 1000;
  const top = tasks.reduce((a, b) => (cpu(b) > cpu(a) ? b : a), tasks[0]!);
  const steps = new Map<string, number>();
  for (const e of main) {
    if (e.ts >= top.ts && e.ts + (e.dur ?? 0) <= top.ts + (top.dur ?? 0) && STEPS.includes(e.name))
      steps.set(e.name, (steps.get(e.name) ?? 0) + cpu(e));
  }
  const busiest = `${((top.ts - tasks[0]!.ts) / 1e6).toFixed(1)} s in: ${[...steps]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([k, v]) => `${k} ${v.toFixed(0)}`)
    .join(', ')}`;
  return { result, cpuMs: tasks.map(cpu), busiest };
}

function conversation(): Conversation {
  const nodes: Record<string, ChatNode> = {};
  let parent: string | null = null;
  for (let i = 0; i < 40; i++) {
    const u = `u${i}`;
    const a = `a${i}`;
    nodes[u] = { id: u, parent, role: 'user', content: `Next step ${i + 1}, please.`, createdAt: 1000 + 2 * i };
    nodes[a] = { id: a, parent: u, role: 'assistant', content: reply(i), createdAt: 1001 + 2 * i };
    parent = a;
  }
  return {
    id: 'thread',
    title: 'A long thread',
    createdAt: 1000,
    updatedAt: 2000,
    systemPrompt: '',
    settings: { temperature: 0.3, top_p: 0.95, max_tokens: 2048, seed: null },
    nodes,
    active: {},
    contextFrom: null,
  };
}

test('a 30 KB code block streams into a thread of 40 long replies with no main-thread task over 50 ms of CPU', async ({
  page,
  browser,
}) => {
  test.setTimeout(480_000); // the old renderer took minutes to keep up
  const conv = conversation();
  const replySizes = Object.values(conv.nodes)
    .filter((n) => n.role === 'assistant')
    .map((n) => n.content.length);
  expect(Math.min(...replySizes)).toBeGreaterThan(5500);
  expect(Math.max(...replySizes)).toBeLessThan(7000);

  await page.goto('/tests/harness/chat-stream.html');
  await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
  await expect.poll(() => page.evaluate(() => window.chatStream.ready())).toBe(true);
  await page
    .getByTestId('import-chat-file')
    .setInputFiles({ name: 'thread.json', mimeType: 'application/json', buffer: Buffer.from(toJson(conv)) });
  await expect(page.getByTestId('msg-assistant')).toHaveCount(40);
  await expect(page.locator('.msg.assistant pre code.hljs')).toHaveCount(90); // javascript and python in each, html in every fourth
  // Let the first render of the thread (one long task, as for any page) settle before streaming.
  await page.waitForTimeout(1000);

  const code = javascript(30_000, 7);
  const text = `Here is everything in one file:\n\n\`\`\`javascript\n${code}\n\`\`\`\n\nSave it as \`app.js\`.\n`;
  // 30 deltas a second, the rate of a 30 tokens/s reply; 34 characters each, so that 30 KB takes 30 s.
  const {
    result: { start, end },
    cpuMs,
    busiest: inside,
  } = await tracingTasks(browser, page, () =>
    page.evaluate((text) => window.chatStream.stream({ text, rate: 30, size: 34 }), text),
  );
  const longTasks = (await page.evaluate(() => window.chatStream.longTasks())).filter(
    (t) => t.start >= start && t.start <= end,
  );
  const worst = Math.max(0, ...cpuMs);
  const busiest = [...cpuMs]
    .sort((a, b) => b - a)
    .slice(0, 5)
    .map((ms) => ms.toFixed(0))
    .join(', ');
  console.log(
    `streamed ${text.length} characters in ${((end - start) / 1000).toFixed(1)} s, ${cpuMs.length} tasks; the busiest took ${busiest} ms of CPU ` +
      `(the first: ${inside}); ` +
      `Long Tasks API (wall-clock): ${longTasks.length} over 50 ms, the longest ${Math.max(0, ...longTasks.map((t) => t.duration)).toFixed(0)} ms`,
  );

  const last = page.getByTestId('msg-assistant').last();
  await expect(last.locator('pre code')).toHaveText(code);
  await expect(last.locator('pre code.hljs .hljs-keyword').first()).toBeVisible();
  expect(cpuMs.length, 'tasks traced').toBeGreaterThan(1000);
  expect(worst, 'the busiest main-thread task while streaming (ms of CPU)').toBeLessThanOrEqual(50);
  expect((end - start) / 1000, 'seconds to show 30 s of streamed text').toBeLessThan(60);
});
