import { getEventListeners } from 'node:events';
import { deferred } from '../../../../tools/jest/deferred.js';
import { untilAborted } from './until-aborted.js';

describe(untilAborted, () => {
  it('settles with the work while the signal stays quiet', async () => {
    const controller = new AbortController();
    await expect(untilAborted(Promise.resolve(7), controller.signal, 'orders')).resolves.toBe(7);
    await expect(untilAborted(Promise.reject(new Error('broker said no')), controller.signal, 'orders')).rejects.toThrow('broker said no');
  });

  it('keeps one abort listener on a signal however many deliveries wait on it, and none once they settle', async () => {
    const controller = new AbortController();
    const works = Array.from({ length: 300 }, () => deferred<number>());
    const waits = works.map((work) => untilAborted(work.promise, controller.signal, 'orders'));
    // A listener per wait would make each removal walk the signal's listener list.
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    works.forEach((work, i) => work.resolve(i));
    await expect(Promise.all(waits)).resolves.toHaveLength(300);
    // The settled waits left nothing behind: aborting now rejects no one and calls nothing stale.
    const late = deferred<number>();
    const pending = untilAborted(late.promise, controller.signal, 'orders');
    controller.abort(new Error('drain timeout'));
    await expect(pending).rejects.toMatchObject({ code: 'BRIDGE_DELIVERY_ABORTED' });
  });

  it('rejects every waiting delivery with BRIDGE_DELIVERY_ABORTED when the signal fires, and at once when it had fired', async () => {
    const controller = new AbortController();
    const works = Array.from({ length: 3 }, () => deferred<string>());
    const waits = works.map((work) => untilAborted(work.promise, controller.signal, 'orders'));
    controller.abort(new Error('drain timeout'));
    for (const wait of waits) {
      await expect(wait).rejects.toMatchObject({ code: 'BRIDGE_DELIVERY_ABORTED', message: expect.stringContaining("delivery to 'orders' was abandoned") });
    }
    // The work's late outcome is swallowed, not an unhandled rejection.
    works.forEach((work) => work.reject(new Error('late')));
    await expect(untilAborted(Promise.resolve('x'), controller.signal, 'orders')).rejects.toMatchObject({ code: 'BRIDGE_DELIVERY_ABORTED' });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
