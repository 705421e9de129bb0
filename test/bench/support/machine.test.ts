import { describe, expect, test } from 'vitest';
import { kernelWriteback, writebackNote } from './machine.ts';

describe("the kernel's background writeback", () => {
  test('the ratio applies to available memory; bytes, when set, win', () => {
    const byRatio = kernelWriteback({ backgroundBytes: 0, backgroundRatio: 10, expireCentisecs: 3000 }, 23_890_252);
    expect(byRatio.thresholdMb).toBeCloseTo(2333, 0);
    expect(byRatio).toMatchObject({ setBy: 'vm.dirty_background_ratio = 10 %', expireS: 30 });
    const byBytes = kernelWriteback(
      { backgroundBytes: 16_777_216, backgroundRatio: 0, expireCentisecs: 3000 },
      23_890_252,
    );
    expect(byBytes).toMatchObject({ thresholdMb: 16, setBy: 'vm.dirty_background_bytes = 16777216' });
  });

  test('a note only when the kernel would let hundreds of MB pile up', () => {
    const bursty = kernelWriteback({ backgroundBytes: 0, backgroundRatio: 10, expireCentisecs: 3000 }, 23_890_252);
    expect(writebackNote(bursty)).toMatch(
      /^The kernel starts writing dirty pages only at 2,333 MB \(vm\.dirty_background_ratio = 10 %\), else when they are 30 s old/,
    );
    expect(
      writebackNote(
        kernelWriteback({ backgroundBytes: 16_777_216, backgroundRatio: 0, expireCentisecs: 3000 }, 23_890_252),
      ),
    ).toBeNull();
    // 10 % of a 2 GB machine: 200 MB, under the bar.
    expect(
      writebackNote(kernelWriteback({ backgroundBytes: 0, backgroundRatio: 10, expireCentisecs: 3000 }, 2_000_000)),
    ).toBeNull();
    expect(writebackNote(null)).toBeNull();
  });
});
