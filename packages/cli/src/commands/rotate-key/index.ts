/** `retrosync rotate-key`: a new API key for this device, without pairing again. */
import { EXIT, type Command } from '../../cli/command.js';
import { explain } from '../../session/errors.js';
import { SimulatedCrash } from '../../session/key-rotation.js';
import { openSession } from '../../session/open.js';

export const command: Command = {
  name: 'rotate-key',
  summary: "replace this device's API key (no re-pairing; the old key stops working)",
  usage: `usage: retrosync rotate-key

Asks the server for a new key, writes it to config.json (atomically, keeping the old key until
the server confirms the new one), then confirms it: from that moment the old key is refused on
every server replica. A running daemon picks the new key up when it next restarts; stop it first
or let the daemon rotate by itself (the dashboard's "Rotate key" asks it to).`,
  options: {},
  async run(_values, _pos, io) {
    try {
      const session = await openSession({ env: io.env as NodeJS.ProcessEnv });
      const before = session.apiKey();
      await session.rotateKey();
      session.log.info(`API key rotated (…${before.slice(-4)} → …${session.apiKey().slice(-4)}); the old key no longer works`);
      io.out(`New API key stored in ${session.paths.config} (ends …${session.apiKey().slice(-4)}). The old key no longer works on the server.`);
      return EXIT.ok;
    } catch (err) {
      if (err instanceof SimulatedCrash) throw err;
      io.err(`retrosync rotate-key: ${explain(err).message}`);
      return explain(err).code;
    }
  },
};
