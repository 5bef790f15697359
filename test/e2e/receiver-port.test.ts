// Moving the receiver to another port in Settings: the window's CSP names the receiver's origin, so
// the window reloads and must come back connected to the new port, still in Settings.
import { createServer } from 'node:net';
import { expect, it } from 'vitest';
import { describeInBrowser } from '../support/e2e/chromium';
import { watchCspViolations } from '../support/e2e/page-actions';
import { waitFor } from '../support/e2e/receiver-watch';
import { appWindowSuite } from '../support/e2e/suites';

/** A loopback port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describeInBrowser('the window when the receiver moves', () => {
  const windows = appWindowSuite();

  it('(i) a new port in Settings leaves the window connected to the receiver on that port', async () => {
    const app = await windows.start();
    const { core } = app;
    const status = () => app.page.getByTestId('receiver-status');
    const oldPort = core.receiverInfo().port;
    await waitFor('connected at first', async () => (await status().getAttribute('data-connection')) === 'open');
    expect(await status().textContent()).toContain(`:${oldPort}`);

    const port = await freePort();
    await app.page.getByRole('tab', { name: /settings/i }).click();
    const field = app.page.getByLabel('Port', { exact: true });
    await field.fill(String(port));
    await field.press('Enter');
    // While it moves the receiver is briefly not running, and says so: not yet, rather than a failure.
    const portNow = () => {
      try {
        return core.receiverInfo().port;
      } catch (error) {
        if (error instanceof Error && /not running/.test(error.message)) return undefined;
        throw error;
      }
    };
    await waitFor('the receiver on the new port', () => portNow() === port || undefined, 10_000);

    // The reloaded page: connected over /ws to the new origin, which its fresh CSP allows.
    await waitFor(
      'connected on the new port',
      async () =>
        (await status().getAttribute('data-connection')) === 'open' &&
        (await status().textContent())?.includes(`:${port}`),
      10_000,
    );
    const csp = await watchCspViolations(app.page);
    expect(await app.page.getByLabel('Port', { exact: true }).inputValue()).toBe(String(port));
    expect(core.receiverInfo().origin).toBe(`http://127.0.0.1:${port}`);
    expect(oldPort).not.toBe(port);
    expect(await csp()).toEqual([]);
  });
});
