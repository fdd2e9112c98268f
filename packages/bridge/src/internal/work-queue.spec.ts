import { deferred } from '../../../../tools/jest/deferred.js';
import { WorkQueue } from './work-queue.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe(WorkQueue, () => {
  it('never runs more than `concurrency` tasks, and hands freed slots to waiters in arrival order', async () => {
    const queue = new WorkQueue(2);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const gates = Array.from({ length: 6 }, () => deferred());
    const results = gates.map((gate, i) =>
      queue.run(null, async () => {
        running += 1;
        peak = Math.max(peak, running);
        started.push(i);
        await gate.promise;
        running -= 1;
        return i * 10;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(queue.size).toBe(6);
    expect(queue.running).toBe(2);
    gates[1]!.resolve();
    await tick();
    // A task arriving right after a slot frees must not overtake the waiters.
    const late = queue.run(null, async () => {
      started.push(99);
      return 990;
    });
    await tick();
    expect(started).toEqual([0, 1, 2]);
    for (const gate of gates) gate.resolve();
    expect(await Promise.all([...results, late])).toEqual([0, 10, 20, 30, 40, 50, 990]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 99]);
    expect(peak).toBe(2);
    expect(queue.size).toBe(0);
    expect(queue.running).toBe(0);
  });

  it('runs tasks of one key one at a time in arrival order, other keys alongside', async () => {
    const queue = new WorkQueue(4);
    const log: string[] = [];
    const first = deferred();
    const a1 = queue.run('a', async () => {
      log.push('a1 start');
      await first.promise;
      log.push('a1 end');
    });
    const a2 = queue.run('a', async () => {
      log.push('a2');
    });
    const b1 = queue.run('b', async () => {
      log.push('b1');
    });
    await b1;
    expect(log).toEqual(['a1 start', 'b1']);
    first.resolve();
    await Promise.all([a1, a2]);
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
  });

  it('releases the slot and reports the error when a task throws synchronously or rejects', async () => {
    const queue = new WorkQueue(1);
    const sync = queue.run(null, () => {
      throw new Error('sync boom');
    });
    const rejected = queue.run('k', () => Promise.reject(new Error('async boom')));
    const after = queue.run(null, async () => 'ran');
    await expect(sync).rejects.toThrow('sync boom');
    await expect(rejected).rejects.toThrow('async boom');
    await expect(after).resolves.toBe('ran');
    expect(queue.running).toBe(0);
    expect(queue.size).toBe(0);
  });

  it('resolves onIdle once every pending task settled', async () => {
    const queue = new WorkQueue(1);
    await expect(queue.onIdle()).resolves.toBeUndefined();
    const gate = deferred();
    const task = queue.run(null, () => gate.promise);
    let idle = false;
    const whenIdle = queue.onIdle().then(() => {
      idle = true;
    });
    await tick();
    expect(idle).toBe(false);
    gate.resolve();
    await task;
    await whenIdle;
    expect(idle).toBe(true);
  });

  it('resolves whenBelow once fewer tasks than the limit are pending', async () => {
    const queue = new WorkQueue(1);
    await expect(queue.whenBelow(1)).resolves.toBeUndefined();
    const gates = [deferred(), deferred()];
    const tasks = gates.map((gate) => queue.run(null, () => gate.promise));
    let room = false;
    const waiting = queue.whenBelow(2).then(() => {
      room = true;
    });
    await tick();
    expect(room).toBe(false);
    gates[0]!.resolve();
    await tasks[0];
    await waiting;
    expect(room).toBe(true);
    expect(queue.size).toBe(1);
    gates[1]!.resolve();
    await tasks[1];
  });
});
