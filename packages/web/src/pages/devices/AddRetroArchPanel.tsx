import { useState, type FormEvent } from 'react';
import { deviceRoutes, type DeviceType } from '@retrosync/api';
import { call } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field, SelectField } from '../../components/Field';
import { retroArchCfgLines, retroArchSetup } from '../../lib/retroarch';

type Props = { onClose: () => void; onPaired: () => void };

const PLATFORMS: Array<{ label: string; type: DeviceType }> = [
  { label: 'Windows', type: 'windows' },
  { label: 'macOS', type: 'mac' },
  { label: 'Linux / Steam Deck', type: 'linux' },
  { label: 'Android, iOS, Switch or other', type: 'other' },
];

/**
 * Add RetroArch: pairs a device the way any client does (a fresh pairing code, used at once),
 * then shows what to type into RetroArch's own Cloud Sync settings — the /dav/ URL, a user name,
 * and the device key as the password (shown once) — and the same as retroarch.cfg lines.
 */
export function AddRetroArchPanel({ onClose, onPaired }: Props) {
  const [name, setName] = useState('RetroArch');
  const [type, setType] = useState<DeviceType>('windows');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [paired, setPaired] = useState<{ name: string; apiKey: string } | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { code } = await call(deviceRoutes.createPairingCode, {});
      const result = await call(deviceRoutes.pair, { body: { code, deviceName: name.trim() || 'RetroArch', deviceType: type } });
      setPaired({ name: result.device.name, apiKey: result.apiKey });
      onPaired();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const setup = paired ? retroArchSetup(window.location.origin, paired.name, paired.apiKey) : null;
  return (
    <section className="card" aria-labelledby="add-retroarch-title">
      <h2 id="add-retroarch-title">
        Add RetroArch (Cloud Sync)
        <button type="button" className="btn btn-small" onClick={onClose}>
          Close
        </button>
      </h2>
      <ErrorNotice error={error} />
      {!setup ? (
        <form className="stack" onSubmit={(e) => void submit(e)}>
          <p className="muted small">
            RetroArch 1.16 or newer syncs saves itself over WebDAV on Windows, macOS, Linux, Steam Deck, Android (1.22+), iOS and
            Switch. Pair it here, then type the details into RetroArch.
          </p>
          <Field label="Name" value={name} maxLength={64} onChange={(e) => setName(e.target.value)} />
          <SelectField label="Runs on" value={type} onChange={(v) => setType(v as DeviceType)} options={PLATFORMS.map((p) => ({ value: p.type, label: p.label }))} />
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? 'Pairing…' : 'Pair RetroArch'}
            </button>
          </div>
        </form>
      ) : (
        <div className="stack" data-testid="retroarch-setup">
          <p className="notice notice-ok" role="status">
            <strong>{paired?.name}</strong> is paired. The password is shown only now: copy it into RetroArch before closing.
          </p>
          {setup.insecure ? (
            <p className="notice notice-warn" role="alert">
              This server is reached over plain HTTP. RetroArch sends the password with every request, so use HTTPS for anything
              beyond your home network.
            </p>
          ) : null}
          <p>
            In RetroArch open <strong>Settings → Saving</strong>, turn on <strong>Sort Saves into Folders by Content Directory</strong>{' '}
            and <strong>Sort Save States into Folders by Content Directory</strong> (keep ROMs in one folder per system: gba, snes, …),
            then open <strong>Cloud Sync</strong> at the end of that list:
          </p>
          <dl className="retroarch-settings">
            <dt>Enable Cloud Sync</dt>
            <dd>On</dd>
            <dt>Cloud Sync Backend</dt>
            <dd>webdav</dd>
            <dt>Cloud Storage URL</dt>
            <dd>
              <code data-testid="retroarch-url">{setup.url}</code>
            </dd>
            <dt>Username</dt>
            <dd>
              <code data-testid="retroarch-username">{setup.username}</code> (any name works)
            </dd>
            <dt>Password</dt>
            <dd>
              <code data-testid="retroarch-password" className="mono">
                {setup.password}
              </code>
            </dd>
          </dl>
          <p className="muted small">Or add these lines to retroarch.cfg while RetroArch is closed:</p>
          <pre className="retroarch-cfg mono" data-testid="retroarch-cfg">
            {retroArchCfgLines(setup).join('\n')}
          </pre>
          <p className="muted small">
            RetroArch syncs when it starts and when you close a game. Saves it cannot tie to one system (a flat save folder, a
            multi-system core) stay with this RetroArch and are listed under Activity.
          </p>
        </div>
      )}
    </section>
  );
}
