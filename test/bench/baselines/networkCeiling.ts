/**
 * The network ceiling: autocannon POSTing 1 KB bodies straight to the receiver, at the
 * worker's concurrency. Hookpost's delivery can never beat what this machine's HTTP
 * stack and the receiver do alone.
 */
import { emptyResult, type BenchContext, type ScenarioResult } from '../scenario.ts';
import { checkNoErrors } from '../support/checks.ts';
import { cpuSources, startCpuWindow } from '../support/cpuWindow.ts';
import { eventBody } from '../support/hookpostApi.ts';
import { runLoad } from '../support/loadGenerator.ts';
import { PRODUCT_WORKER_CONCURRENCY } from '../options.ts';

export async function runNetworkCeiling(ctx: BenchContext): Promise<ScenarioResult> {
  const { options, receiver } = ctx;
  const connections = options.workerConcurrency ?? PRODUCT_WORKER_CONCURRENCY;
  const result = emptyResult(
    'network-ceiling',
    `autocannon → the receiver directly, ${connections} connections (the worker's concurrency), 1 KB POST bodies`,
  );
  ctx.log(`network-ceiling: ${connections} connections for ${options.durationS} s`);
  const cpu = startCpuWindow(cpuSources({ postmasterPid: null, processes: [], receiver }));
  const run = await runLoad({
    url: `${receiver.url}/ceiling`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: eventBody(options.payloadBytes),
    connections,
    durationS: options.durationS,
  });
  result.cpu.push(cpu.end('network-ceiling', `${connections} connections`, 'request', run.ok));
  result.rows.push({
    scenario: 'network-ceiling',
    case: `${connections} connections`,
    key: 'network',
    rate: run.rate,
    unit: 'req/s',
    count: run.ok,
    durationS: run.durationS,
    p50: run.latency.p50,
    p99: run.latency.p99,
    max: run.latency.max,
    errors: run.non2xx + run.errors,
  });
  result.checks.push(checkNoErrors('network ceiling', run));
  return result;
}
