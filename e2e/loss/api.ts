/** The dashboard side of a schedule: a player account on the server, through the HTTP API. */
const enc = (key: string) => key.split('/').map(encodeURIComponent).join('/');

export interface VersionRow {
  version: number;
  sha256: string | null;
  size: number;
  deleted?: boolean;
  conflict: boolean;
  head: boolean;
}

const PASSWORD = 'correct horse battery';

export class Player {
  private constructor(
    private readonly url: () => string,
    private readonly email: string,
    private token: string,
  ) {}

  static async register(url: () => string, email: string): Promise<Player> {
    const r = await fetch(`${url()}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD, name: 'Player' }),
    });
    if (!r.ok) throw new Error(`register failed: ${r.status} ${await r.text()}`);
    return new Player(url, email, ((await r.json()) as { data: { token: string } }).data.token);
  }

  /** Signs in again (after weeks of simulated time the session has expired, as it would). */
  private async login(): Promise<void> {
    const r = await fetch(`${this.url()}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: this.email, password: PASSWORD }) });
    if (!r.ok) throw new Error(`login failed: ${r.status} ${await r.text()}`);
    this.token = ((await r.json()) as { data: { token: string } }).data.token;
  }

  private async fetchAuthed(path: string, init: RequestInit = {}): Promise<Response> {
    const go = () => fetch(`${this.url()}${path}`, { ...init, headers: { authorization: `Bearer ${this.token}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers } });
    const r = await go();
    if (r.status !== 401) return r;
    await this.login();
    return go();
  }

  private async call<T>(path: string, init: RequestInit = {}): Promise<T> {
    const r = await this.fetchAuthed(path, init);
    if (!r.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${r.status} ${await r.text()}`);
    return ((await r.json()) as { data: T }).data;
  }

  async pairingCode(): Promise<string> {
    return (await this.call<{ code: string }>('/api/devices/create-pairing-code', { method: 'POST' })).code;
  }

  /** Every save, deleted ones included: key → head (sha256 null when the head is a deletion). */
  async saves(): Promise<{ key: string; version: number; sha256: string | null; deleted: boolean }[]> {
    return (await this.call<{ saves: { key: string; version: number; sha256: string | null; deleted: boolean }[] }>('/api/saves?includeDeleted=true')).saves;
  }

  async versions(key: string): Promise<VersionRow[]> {
    return (await this.call<{ versions: VersionRow[] }>(`/api/sync/versions/${enc(key)}`)).versions;
  }

  /** The bytes of one version (null when the server cannot serve them). */
  async versionBytes(key: string, version: number): Promise<Buffer | null> {
    const r = await this.fetchAuthed(`/api/sync/saves/${enc(key)}?version=${version}`);
    return r.ok ? Buffer.from(await r.arrayBuffer()) : null;
  }

  async restore(key: string, version: number): Promise<string> {
    return (await this.call<{ outcome: string }>('/api/saves/restore', { method: 'POST', body: JSON.stringify({ key, version }) })).outcome;
  }
}
