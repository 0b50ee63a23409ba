/**
 * Helpers that do a whole flow over HTTP in one call, for tests of later features:
 *
 *   const alice = await registerUser(ctx);                 // { user, token, email, password }
 *   const gba = await pairDevice(ctx, alice.token);        // { device, apiKey, userId }
 *   await ctx.app.inject({ method: 'POST', url: '/api/sync/heartbeat', headers: deviceHeaders(gba.apiKey) });
 */
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { DeviceType, User } from '@retrosync/api';
import type { TestContext } from './context.js';

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export function deviceHeaders(apiKey: string): Record<string, string> {
  return { 'x-api-key': apiKey };
}

/** Parses a JSON reply and fails loudly (with the body) when the status is not the expected one. */
export function expectJson<T = any>(res: LightMyRequestResponse, status: number): T {
  if (res.statusCode !== status) {
    throw new Error(`expected HTTP ${status}, got ${res.statusCode}: ${res.body}`);
  }
  return res.json() as T;
}

export interface RegisteredUser {
  user: User;
  token: string;
  email: string;
  password: string;
}

/**
 * Registers over HTTP. Each call comes from its own address (198.18.0.0/15, the benchmarking
 * range) unless `ip` is given: registration is limited per address, and tests that create many
 * users stand for many people, not one client.
 */
export async function registerUser(ctx: TestContext, input: { email?: string; password?: string; name?: string; ip?: string } = {}): Promise<RegisteredUser> {
  const email = input.email ?? `user-${randomBytes(6).toString('hex')}@example.com`;
  const password = input.password ?? 'correct horse battery';
  const ip = input.ip ?? `198.${18 + (randomBytes(1)[0]! & 1)}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
  const res = await ctx.app.inject({ method: 'POST', url: '/api/auth/register', remoteAddress: ip, payload: { email, password, name: input.name ?? 'Test User' } });
  const body = expectJson(res, 201);
  return { user: body.data.user, token: body.data.token, email, password };
}

export interface PairedDevice {
  device: { id: string; name: string; deviceType: DeviceType };
  userId: string;
  apiKey: string;
}

export async function pairDevice(
  ctx: TestContext,
  token: string,
  input: { deviceName?: string; deviceType?: DeviceType; ip?: string } = {},
): Promise<PairedDevice> {
  const created = expectJson(await ctx.app.inject({ method: 'POST', url: '/api/devices/create-pairing-code', headers: bearer(token) }), 201);
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/devices/pair',
    payload: { code: created.data.code, deviceName: input.deviceName ?? 'Test Device', deviceType: input.deviceType ?? 'linux' },
    ...(input.ip ? { remoteAddress: input.ip } : {}),
  });
  return expectJson(res, 201).data;
}

/** A registered user with one paired device. */
export async function userWithDevice(ctx: TestContext, input: { deviceName?: string; deviceType?: DeviceType } = {}): Promise<RegisteredUser & { device: PairedDevice }> {
  const user = await registerUser(ctx);
  return { ...user, device: await pairDevice(ctx, user.token, input) };
}
