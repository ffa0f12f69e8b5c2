// A durable record of the process groups this emulator launched (replicas, pipeline tasks, model
// servers), so that an instance started on the same data directory can kill the groups an earlier
// instance left running when it was killed without a chance to stop them (SIGKILL, a crash).
import { readdirSync, readFileSync } from 'node:fs';
import { emulatorLog } from '../../kit/log.js';
import { JsonStore } from '../state/json-store.js';

interface GroupRecord {
  /** The group leader's pid, which is also the group id. */
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks after boot): tells a reused pid from ours. */
  startTime: string;
  /** /proc/sys/kernel/random/boot_id: after a reboot no recorded group can be ours. */
  bootId: string;
  argv0: string;
}

interface ProcStat {
  pgrp: number;
  startTime: string;
}

/** pgrp and start time of a live process, from /proc (Linux); undefined when it is gone. */
function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const pgrp = Number(fields[2]);
  const startTime = fields[19];
  return startTime === undefined || !Number.isInteger(pgrp) ? undefined : { pgrp, startTime };
}

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

/** Live processes in group `pgid` that started no earlier than the recorded leader. */
function groupMembers(pgid: number, leaderStart: string): number[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  return pids.map(Number).filter((pid) => {
    const stat = procStat(pid);
    return stat !== undefined && stat.pgrp === pgid && BigInt(stat.startTime) >= BigInt(leaderStart);
  });
}

export class ProcessGroupRegistry {
  private readonly store: JsonStore<GroupRecord>;
  private readonly boot = bootId();

  constructor(stateDir: string) {
    this.store = new JsonStore<GroupRecord>(stateDir, 'processGroups');
  }

  /**
   * Kills every recorded group that is still ours: same boot, and the leader (or, once the leader
   * has exited, members of its group) started no earlier than recorded. Forgets every record.
   */
  async reapOrphans(): Promise<number> {
    await this.store.load();
    let reaped = 0;
    for (const [key, record] of this.store.entries()) {
      if (record.bootId === this.boot && this.isOurs(record)) {
        try {
          process.kill(-record.pid, 'SIGKILL');
          reaped++;
          emulatorLog('WARNING', 'vertex: killed a process group left running by an earlier emulator', { service: 'vertex', pid: record.pid, command: record.argv0 });
        } catch {
          // ESRCH: it ended meanwhile.
        }
      }
      await this.store.delete(key);
    }
    return reaped;
  }

  private isOurs(record: GroupRecord): boolean {
    const leader = procStat(record.pid);
    if (leader !== undefined) return leader.startTime === record.startTime && leader.pgrp === record.pid;
    // A pid is not handed out again while a group of that id exists, so its members are the leader's.
    return groupMembers(record.pid, record.startTime).length > 0;
  }

  /** Records a group just launched; settles once the record is on disk. */
  async add(pid: number, argv0: string): Promise<void> {
    const stat = procStat(pid);
    if (stat === undefined) return; // already gone (or no /proc): nothing can be orphaned
    await this.store.put(String(pid), { pid, startTime: stat.startTime, bootId: this.boot, argv0 });
  }

  /** The group has been killed as a whole: forget it. */
  async remove(pid: number): Promise<void> {
    if (this.store.has(String(pid))) await this.store.delete(String(pid));
  }

  flush(): Promise<void> {
    return this.store.flush();
  }
}
