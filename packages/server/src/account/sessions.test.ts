/**
 * "Signs out other sessions" includes their open event streams: a dashboard left open elsewhere
 * holds GET /api/sync/events with its old cookie, and must not keep receiving the account's
 * events after two-factor sign-in is turned on (or the password changed). The session that made
 * the change keeps its stream.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { totpCode } from './totp.js';
import { bearer, createTestContext, databaseTargets, expectJson, registerUser, type TestContext } from '../test-support/index.js';

/** Reads SSE events from a fetch body; resolves 'ended' when the server closes the stream. */
function eventReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return async function next(): Promise<string> {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = block.split('\n').find((l) => l.startsWith('event: '))?.slice(7);
        if (event) return event;
        continue;
      }
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return 'ended';
      buffer += decoder.decode(value, { stream: true });
    }
  };
}

const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);

describe.each(databaseTargets())('signing out other sessions ends their event streams on %s', (target) => {
  let ctx: TestContext;
  let abort: AbortController;
  afterEach(async () => {
    abort.abort();
    await ctx?.close();
  });

  for (const change of ['two-factor on', 'password changed'] as const) {
    it(`${change}: the other session's stream ends, this session's stream goes on`, async () => {
      ctx = await createTestContext(target);
      abort = new AbortController();
      const base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
      const u = await registerUser(ctx);
      const elsewhere = expectJson(await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: u.email, password: u.password } }), 200).data.token;
      ctx.clock.advance(2000); // sessions carry whole seconds
      const here = expectJson(await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: u.email, password: u.password } }), 200).data.token;
      const open = async (token: string) => {
        const res = await fetch(`${base}/api/sync/events`, { headers: bearer(token), signal: abort.signal });
        expect(res.status).toBe(200);
        const next = eventReader(res.body!);
        expect(await next()).toBe('hello');
        return next;
      };
      const oldStream = await open(elsewhere);
      const newStream = await open(here);

      let current = here;
      if (change === 'two-factor on') {
        const setup = expectJson(await ctx.app.inject({ method: 'POST', url: '/api/auth/2fa/setup', headers: bearer(here) }), 200).data;
        const on = await ctx.app.inject({ method: 'POST', url: '/api/auth/2fa/enable', headers: bearer(here), payload: { password: u.password, code: totpCode(setup.secret, ctx.clock.now()) } });
        current = expectJson(on, 200).data.token;
      } else {
        const changed = await ctx.app.inject({ method: 'POST', url: '/api/auth/password', headers: bearer(here), payload: { currentPassword: u.password, newPassword: 'a brand new password' } });
        current = expectJson(changed, 200).data.token;
      }
      expect(await within(oldStream(), 5000)).toBe('ended');

      // The stream of the session that made the change still delivers.
      expectJson(await ctx.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(current) }), 200);
      await ctx.app.deps.sync.events.publish(u.user.id, { type: 'device', data: { deviceId: 'd1', online: true } });
      expect(await within(newStream(), 5000)).toBe('device');
    });
  }
});
