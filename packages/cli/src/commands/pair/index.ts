/**
 * `retrosync pair <code> --server URL [--name N] [--platform ID] [--root DIR]` (a code from the
 * dashboard) and `retrosync pair --server URL --show-code` (this device shows a code; the user
 * enters it in the dashboard). Writes config.json (mode 0600) with the API key.
 */
import { hostname } from 'node:os';
import { createApiClient, deviceRoutes } from '@retrosync/api';
import { EXIT, UsageError, type Command } from '../../cli/command.js';
import { machineVars, openDevice, ROM_ROOT_OPTION, romRootsOption } from '../../cli/device.js';
import { loadConfig, saveConfig, NotPairedError } from '../../config/config.js';
import { homePaths } from '../../config/home.js';
import { explain } from '../../session/errors.js';
import { discoverServers } from './discover.js';
import { waitForLink } from './show-code.js';

const usage = `usage: retrosync pair CODE --server URL [--name NAME] [--platform ID] [--root DIR]
       retrosync pair --server URL --show-code [--name NAME] [--platform ID] [--root DIR]

Links this device to your RetroSync account.
  CODE              the code from the dashboard (Devices → Add device): 6 digits, or 12
  --server URL      your RetroSync server, e.g. https://saves.example.com
                    (without it: the one server that answers on the local network)
  --show-code       show a code here instead, and enter it in the dashboard
  --name NAME       how the device is listed (default: this computer's name)
  -p, --platform ID the device's platform (default: detected; see retrosync detect)
  -r, --root DIR    the device's / is DIR (a mounted SD card); default: this machine
  --json            print the result as JSON`;

export const command: Command = {
  name: 'pair',
  summary: 'link this device to your account (code from the dashboard, or --show-code)',
  usage,
  options: {
    server: { type: 'string' },
    name: { type: 'string' },
    platform: { type: 'string', short: 'p' },
    root: { type: 'string', short: 'r' },
    'show-code': { type: 'boolean' },
    json: { type: 'boolean' },
    ...ROM_ROOT_OPTION,
  },
  async run(values, positionals, io) {
    let server = typeof values.server === 'string' ? values.server.replace(/\/+$/, '') : undefined;
    if (server === undefined) server = await findServer(io);
    if (!server || !/^https?:\/\//.test(server)) throw new UsageError('--server URL is required (http:// or https://)');
    const showCode = values['show-code'] === true;
    const code = positionals[0];
    if (!showCode && (code === undefined || !/^\d{6}$/.test(code.trim()))) throw new UsageError('give the 6-digit code from the dashboard, or --show-code');
    const paths = homePaths(io.env as NodeJS.ProcessEnv);
    try {
      const existing = await loadConfig(paths.config);
      io.err(`retrosync pair: already paired with ${existing.server} as "${existing.deviceName}". Run retrosync unpair first.`);
      return EXIT.failure;
    } catch (err) {
      if (!(err instanceof NotPairedError)) throw err;
    }
    const device = openDevice(values, io);
    const deviceName = typeof values.name === 'string' ? values.name : hostname().slice(0, 64) || 'computer';
    const deviceType = device.detection.deviceType;
    const anonymous = createApiClient({ baseUrl: server, credentials: 'omit' });
    let paired: { device: { id: string; name: string }; apiKey: string };
    try {
      paired = showCode
        ? await waitForLink(anonymous, { deviceName, deviceType }, io)
        : await anonymous.call(deviceRoutes.pair, { body: { code: (code as string).trim(), deviceName, deviceType } });
    } catch (err) {
      const e = explain(err, server);
      io.err(`retrosync pair: ${e.message}`);
      return e.code;
    }
    const vars = Object.fromEntries(Object.entries(machineVars(io)).filter((e): e is [string, string] => typeof e[1] === 'string'));
    await saveConfig(paths.config, {
      server,
      deviceId: paired.device.id,
      deviceName: paired.device.name,
      apiKey: paired.apiKey,
      platform: device.detection.platform,
      roots: [device.root ?? '/'], // '/': this machine (device paths are host paths, also C:/… on Windows)
      vars,
      romRoots: romRootsOption(values, io),
      backups: { maxEntries: 200, maxAgeDays: 30 },
      rescanSeconds: 300,
      pairedAt: new Date().toISOString(),
    });
    if (values.json) {
      io.out(JSON.stringify({ deviceId: paired.device.id, name: paired.device.name, platform: device.detection.platform, server, config: paths.config }));
    } else {
      io.out(`Paired "${paired.device.name}" (${device.detection.name}) with ${server}.`);
      io.out(`Config: ${paths.config}. Next: retrosync sync (once) or retrosync daemon (keeps syncing).`);
    }
    return EXIT.ok;
  },
};

/** No --server: the server that answers LAN discovery (docs/discovery.md); more than one → say which. */
async function findServer(io: Parameters<Command['run']>[2]): Promise<string> {
  const found = await discoverServers(io.env as Record<string, string | undefined>);
  if (found.length === 1) {
    const s = found[0] as (typeof found)[number];
    io.err(`Found "${s.name}" at ${s.url} (version ${s.version}) on the local network.`);
    return s.url;
  }
  if (found.length === 0) throw new UsageError('no RetroSync server answered on the local network; give --server URL');
  throw new UsageError(`several servers answered; pick one with --server:\n${found.map((s) => `  ${s.url}  ${s.name}`).join('\n')}`);
}
