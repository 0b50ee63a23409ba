import { useCallback, useEffect, useRef, useState } from 'react';
import { deviceRoutes, type Device, type RouteData } from '@retrosync/api';
import { call } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Countdown } from '../../components/Time';
import { groupCode } from '../../lib/format';

type PairingCode = RouteData<typeof deviceRoutes.createPairingCode>;

type Props = { devices: readonly Device[]; onClose: () => void };

/**
 * Add device: a fresh 6-digit code in large digits, its QR code and a live countdown.
 * When a device pairs with it (the device list grows, pushed over SSE), the panel says so.
 */
export function AddDevicePanel({ devices, onClose }: Props) {
  const [pairing, setPairing] = useState<PairingCode | null>(null);
  const [expired, setExpired] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [known, setKnown] = useState<ReadonlySet<string> | null>(null);
  const current = useRef(devices);
  current.current = devices;

  const sequence = useRef(0);

  const create = useCallback(async () => {
    // Each new code cancels the previous one on the server, so only the latest answer counts.
    const mine = ++sequence.current;
    setBusy(true);
    setError(null);
    try {
      const code = await call(deviceRoutes.createPairingCode, {});
      if (mine !== sequence.current) return;
      // Remember the devices that exist now: one that appears later paired with this code.
      setKnown(new Set(current.current.map((device) => device.id)));
      setPairing(code);
      setExpired(false);
    } catch (caught) {
      if (mine === sequence.current) setError(caught);
    } finally {
      if (mine === sequence.current) setBusy(false);
    }
  }, []);

  // Once per panel (StrictMode runs effects twice in development; two codes would race).
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    void create();
  }, [create]);

  const paired = known ? devices.find((device) => !known.has(device.id)) : undefined;

  const onExpire = useCallback(() => setExpired(true), []);

  return (
    <section className="card" aria-labelledby="add-device-title">
      <h2 id="add-device-title">
        Add a device
        <button type="button" className="btn btn-small" onClick={onClose}>
          Close
        </button>
      </h2>
      <ErrorNotice error={error} />
      {paired ? (
        <div className="notice notice-ok" role="status">
          <strong>{paired.name}</strong> is paired and will appear in your list. You can add another device or close this
          panel.
        </div>
      ) : null}
      {pairing && !paired ? (
        <div className="pairing">
          <img className="pairing-qr" src={pairing.qrCode} width={168} height={168} alt={`QR code for pairing code ${pairing.code}`} />
          <div>
            <p className="muted small">On your handheld or PC, choose “Pair” and enter this code, or scan the QR code.</p>
            <p className="pairing-code" aria-label={`Pairing code ${pairing.code.split('').join(' ')}`} data-testid="pairing-code">
              {groupCode(pairing.code)}
            </p>
            {expired ? (
              <p className="notice notice-warn" role="status">
                This code has expired.
              </p>
            ) : (
              <p className="muted pairing-expiry" role="timer" aria-live="off">
                Expires in <Countdown until={pairing.expiresAt} onExpire={onExpire} /> · single use
              </p>
            )}
          </div>
        </div>
      ) : null}
      {!pairing && busy ? <p className="muted">Creating a code…</p> : null}
      {pairing && (expired || paired) ? (
        <div className="row">
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy}
            onClick={() => void create()}
          >
            New code
          </button>
        </div>
      ) : null}
    </section>
  );
}
