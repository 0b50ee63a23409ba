/**
 * "Sign out other sessions" (password change, two-factor turned on). Sessions are JWTs, so the
 * database refuses every token issued before `users.tokens_valid_after` (http/auth.ts); what a
 * token check cannot reach is a stream already open — a dashboard elsewhere holding GET
 * /api/sync/events. This tells every replica (event hub control channel) to end the user's
 * streams opened with a session from before that instant; the caller's own fresh session is
 * issued at or after it and keeps its stream.
 */
import type { AppDeps } from '../app-deps.js';

export async function endOtherSessionStreams(deps: Pick<AppDeps, 'users' | 'sync'>, userId: string): Promise<void> {
  const { tokens_valid_after: before } = await deps.users.get(userId);
  await deps.sync.events.publishControl({ type: 'sign-out', userId, before });
}
