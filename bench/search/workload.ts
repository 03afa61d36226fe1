/**
 * `pnpm bench --only=search`: the search index on the generated French corpus, Palabre's setup
 * against MiniSearch used naively, each in a fresh Node process one after the other (same
 * corpus, same queries), then the query latency in Chromium through the worker.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, type ServerChild } from '../children.js';
import { log } from '../log.js';
import { runBrowserSearch, type BrowserSearchResult } from './browser.js';
import type { SetupResult } from './measure.js';

export interface SearchResults {
  messages: number;
  node: SetupResult[];
  browser: BrowserSearchResult | null;
  browserError: string | null;
}

function measure(setup: 'naive' | 'palabre', count: number): Promise<SetupResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        '--max-old-space-size=4096',
        '--import',
        'tsx',
        join(ROOT, 'bench/search/measure.ts'),
        setup,
        String(count),
      ],
      { cwd: join(ROOT, 'bench'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`search ${setup}: exit ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as SetupResult);
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}

export async function runSearch(
  count: number,
  startServer: () => Promise<ServerChild>,
): Promise<SearchResults> {
  const node: SetupResult[] = [];
  for (const setup of ['naive', 'palabre'] as const) {
    log(`search: ${setup} (${count} messages, fresh Node process)`);
    const r = await measure(setup, count);
    log(
      `  build ${r.buildMs.toFixed(0)} ms, heap ${r.heapMiB.toFixed(1)} MiB, persisted ${r.persistedMiB.toFixed(1)} MiB, ` +
        `cold load ${r.coldLoadMs.toFixed(0)} ms, new message ${r.newMessage.p50.toFixed(2)} ms`,
    );
    for (const q of r.queries) log(`  ${q.kind}: p50 ${q.p50.toFixed(2)} ms, p99 ${q.p99.toFixed(2)} ms`);
    node.push(r);
  }
  let browser: BrowserSearchResult | null = null;
  let browserError: string | null = null;
  try {
    log('search: Chromium, through the worker, keystroke to results painted');
    browser = await runBrowserSearch(count, startServer);
    log(
      `  cold load ${browser.coldLoadMs.toFixed(0)} ms (median; ${browser.coldLoads.map((c) => c.loadMs.toFixed(0)).join(', ')}), keystroke p50 ${browser.keystroke.p50.toFixed(1)} ms, p99 ${browser.keystroke.p99.toFixed(1)} ms`,
    );
    log(
      `  results in the keystroke's own frame ${browser.frames.own}, one frame later ${browser.frames.next}, later ${browser.frames.later}`,
    );
    for (const k of browser.slowest)
      log(`  slow keystroke « ${k.text} »: ${k.ms.toFixed(0)} ms (worker ${k.workerMs.toFixed(1)} ms)`);
  } catch (error) {
    browserError = String(error);
    log(`  FAILED: ${browserError}`);
  }
  return { messages: count, node, browser, browserError };
}
