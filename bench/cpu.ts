/**
 * CPU accounting and a sampling profile, to say where the time goes: the bench process's CPU (client,
 * adapter, handlers, SDK) from `process.cpuUsage()`, DynamoDB Local's from `/proc` (Linux; absent elsewhere),
 * and a V8 CPU profile of a phase grouped by package or project folder.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

export interface CpuSnapshot {
  /** CPU time of this process so far (user + system), ms. */
  nodeMs: number;
  /** Of which in the kernel (system time: syscalls, loopback TCP), ms. */
  nodeSystemMs: number;
  /** CPU time of DynamoDB Local's JVM so far, ms (undefined when it cannot be read). */
  javaMs?: number;
  /** CPU time of the whole machine so far (all cores, not idle), ms: tells when other work competes. */
  machineMs?: number;
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Fields of /proc/<pid>/stat after the command name: [state, ppid, …, utime (index 11), stime (12)]. */
function procStat(pid: number): { comm: string; fields: string[] } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    return { comm: text.slice(text.indexOf('(') + 1, close), fields: text.slice(close + 2).split(' ') };
  } catch {
    return undefined;
  }
}

/** The JVM this process started (DynamoDB Local), if /proc can tell. */
export function findJavaChild(): number | undefined {
  try {
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid)) continue;
      const stat = procStat(pid);
      if (stat?.comm === 'java' && Number(stat.fields[1]) === process.pid) return pid;
    }
  } catch {
    // Not Linux: no figure for DynamoDB Local.
  }
  return undefined;
}

export function cpuSnapshot(javaPid: number | undefined): CpuSnapshot {
  const usage = process.cpuUsage();
  const snapshot: CpuSnapshot = {
    nodeMs: (usage.user + usage.system) / 1000,
    nodeSystemMs: usage.system / 1000,
  };
  const stat = javaPid === undefined ? undefined : procStat(javaPid);
  if (stat) {
    const ticks = Number(stat.fields[11]) + Number(stat.fields[12]);
    snapshot.javaMs = (ticks / ticksPerSecond()) * 1000;
  }
  const machine = machineBusyTicks();
  if (machine !== undefined) snapshot.machineMs = (machine / ticksPerSecond()) * 1000;
  return snapshot;
}

/** Busy ticks of all cores from /proc/stat (user nice system idle iowait irq softirq steal). */
function machineBusyTicks(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = [user, nice, system, irq, softirq, steal].reduce<number>((sum, v) => sum + (v ?? 0), 0);
    return Number.isFinite(busy) ? busy : undefined;
  } catch {
    return undefined;
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  orders: number;
  /** Sampled CPU time, ms, excluding idle and the profiler's own dispatch. */
  busyMs: number;
  /** Self time by package / folder, ms per order, largest first. */
  bySource: Array<{ source: string; msPerOrder: number; share: number }>;
  /** The hottest functions by self time. */
  topFunctions: Array<{ fn: string; source: string; msPerOrder: number }>;
}

const ROOT = new URL('../', import.meta.url).href;

function sourceOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(garbage collector)') return '(garbage collector)';
    return functionName.startsWith('(') ? functionName : 'node C++ (socket writev, microtask runner)';
  }
  if (url.startsWith('node:')) {
    const [, area] = /^node:(?:internal\/)?([^/]+)/.exec(url) ?? [];
    return `node:${area ?? url}`;
  }
  const inModules = url.split('node_modules/');
  if (inModules.length > 1) {
    const tail = inModules[inModules.length - 1] as string;
    return tail.startsWith('@') ? tail.split('/').slice(0, 2).join('/') : (tail.split('/')[0] as string);
  }
  if (url.startsWith(ROOT)) return url.slice(ROOT.length).split('/').slice(0, 2).join('/');
  return url;
}

/**
 * Profiles `work` (sampling every `intervalUs`, 100 µs by default) and groups self time by where the code
 * comes from (the `topSources` largest); `orders` is the unit the per-order figures divide by.
 */
export async function profile(
  orders: number,
  work: () => Promise<void>,
  intervalUs = 100,
  topSources = 14,
): Promise<ProfileSummary> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
    await work();
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const selfUs = new Map<number, number>();
    profile.samples.forEach((id, i) => {
      selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
    });
    const bySource = new Map<string, number>();
    const byFunction = new Map<string, { source: string; us: number }>();
    let busyUs = 0;
    for (const [id, us] of selfUs) {
      const node = byId.get(id);
      // (idle): waiting in the event loop; `dispatch` with no script: the in-process inspector serving the
      // profiler itself, where V8 also files the time the thread spends waiting.
      const { functionName, url } = node?.callFrame ?? { functionName: '(idle)', url: '' };
      if (functionName === '(idle)' || functionName === '(program)' || (functionName === 'dispatch' && !url))
        continue;
      if (!node) continue;
      busyUs += us;
      const source = sourceOf(node.callFrame);
      bySource.set(source, (bySource.get(source) ?? 0) + us);
      const fn = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').pop() ?? ''}:${node.callFrame.lineNumber + 1}`;
      const entry = byFunction.get(fn) ?? { source, us: 0 };
      entry.us += us;
      byFunction.set(fn, entry);
    }
    const perOrder = (us: number) => Math.round((us / 1000 / orders) * 1000) / 1000;
    return {
      orders,
      busyMs: Math.round(busyUs / 1000),
      bySource: [...bySource.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, topSources)
        .map(([source, us]) => ({
          source,
          msPerOrder: perOrder(us),
          share: Math.round((us / busyUs) * 1000) / 1000,
        })),
      topFunctions: [...byFunction.entries()]
        .sort((a, b) => b[1].us - a[1].us)
        .slice(0, 12)
        .map(([fn, { source, us }]) => ({ fn, source, msPerOrder: perOrder(us) })),
    };
  } finally {
    await session.post('Profiler.disable').catch(() => {});
    session.disconnect();
  }
}
