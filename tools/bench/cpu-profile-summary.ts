import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/*
 * Where a process's CPU time went, from the .cpuprofile files `node --cpu-prof` writes: self time per
 * function (name, file and line), largest first. The footprint benchmark prints it with --cpu-prof.
 */

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  readonly frame: string;
  readonly selfMs: number;
  readonly share: number;
}

export function selfTimes(profileDir: string, top: number): SelfTime[] {
  const totals = new Map<string, number>();
  let allUs = 0;
  for (const file of readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(path.join(profileDir, file), 'utf8')) as CpuProfile;
    const frames = new Map(
      profile.nodes.map((node) => {
        const { functionName, url, lineNumber } = node.callFrame;
        const where = url === '' ? '' : ` ${path.basename(url)}:${lineNumber + 1}`;
        return [node.id, `${functionName || '(anonymous)'}${where}`];
      }),
    );
    profile.samples.forEach((id, index) => {
      const us = profile.timeDeltas[index] ?? 0;
      allUs += us;
      const frame = frames.get(id) ?? '?';
      totals.set(frame, (totals.get(frame) ?? 0) + us);
    });
  }
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, us]) => ({ frame, selfMs: us / 1000, share: allUs === 0 ? 0 : us / allUs }));
}
