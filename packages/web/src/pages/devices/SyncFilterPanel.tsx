import { useId, useMemo, useState } from 'react';
import { deviceFilterRoutes, saveRoutes, type Device, type DeviceFilterView, type SyncFilterWire } from '@retrosync/api';
import { call } from '../../api/client';
import { fieldErrors } from '../../api/errors';
import { useServerEvents } from '../../app/events';
import { ErrorNotice } from '../../components/ErrorNotice';
import { RelativeTime } from '../../components/Time';
import { splitKey } from '../../lib/saves';
import { useLoad } from '../../lib/useLoad';
import { useSubmit } from '../../lib/useSubmit';

const EVERYTHING: SyncFilterWire = { systemMode: 'all', systems: [], includeGames: [], excludeGames: [], states: true };
const MODES = [
  { value: 'all', label: 'All systems' },
  { value: 'only', label: 'Only these systems' },
  { value: 'except', label: 'All systems except these' },
] as const;

/** A list of `<system>/<game>` entries with an input to add one (suggestions: the player's saves). */
function GameList({ label, hint, games, suggestions, error, onChange }: { label: string; hint: string; games: string[]; suggestions: string[]; error?: string | undefined; onChange: (games: string[]) => void }) {
  const id = useId();
  const [text, setText] = useState('');
  const add = () => {
    const entry = text.trim();
    if (entry && !games.includes(entry)) onChange([...games, entry]);
    setText('');
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {games.length > 0 ? (
        <ul className="filter-games" aria-label={label}>
          {games.map((g) => (
            <li key={g} className="badge badge-plain">
              {g}
              <button type="button" className="btn-link" aria-label={`Remove ${g} from “${label}”`} onClick={() => onChange(games.filter((x) => x !== g))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="row">
        <input
          id={id}
          className="grow"
          list={`${id}-games`}
          value={text}
          placeholder="e.g. gba/Tetris"
          aria-describedby={`${id}-hint`}
          aria-invalid={error ? true : undefined}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              add();
            }
          }}
        />
        <button type="button" className="btn" onClick={add} disabled={!text.trim()}>
          Add
        </button>
      </div>
      <datalist id={`${id}-games`}>
        {suggestions.map((g) => (
          <option key={g} value={g} />
        ))}
      </datalist>
      <span className="hint" id={`${id}-hint`}>
        {hint}
      </span>
      {error ? <span className="field-error">{error}</span> : null}
    </div>
  );
}

/**
 * Selective sync for one device: which systems and games it syncs and whether save states do.
 * Saved on the server; the device applies it at its next pass (no re-pairing). Excluding never
 * deletes anything.
 */
export function SyncFilterPanel({ device }: { device: Device }) {
  const view = useLoad(() => call(deviceFilterRoutes.get, { query: { deviceId: device.id } }), `filter:${device.id}`);
  const saves = useLoad(() => call(saveRoutes.list, { query: {} }), 'saves');
  const [savedRevision, setSavedRevision] = useState<number | null>(null);
  useServerEvents(
    (type) => type === 'filter' || type === 'resync',
    (event) => {
      if (event.type === 'resync' || (event.data as { deviceId?: string } | null)?.deviceId === device.id) void view.reload();
    },
  );
  const games = useMemo(() => [...new Set((saves.data?.saves ?? []).map((s) => `${splitKey(s.key).system}/${splitKey(s.key).game}`))].sort(), [saves.data]);
  const v = view.data;
  return (
    <section className="card" aria-labelledby="filter-title" data-testid="sync-filter">
      <h2 id="filter-title">What this device syncs</h2>
      <p className="muted small">
        Leave out systems, games or save states on {device.name}. Excluding never deletes anything: the saves stay on the server and
        on your other devices, and {device.name} keeps its own copies — it just stops sending and fetching them. Include them again and
        they sync as before.
      </p>
      <ErrorNotice error={view.error} />
      {v ? (
        <p data-testid="filter-summary">
          <strong>Now:</strong> {v.summary}
          {v.updatedBy ? (
            <span className="muted small">
              {' '}
              · set {v.updatedBy === 'device' ? 'on the device' : 'here'} <RelativeTime value={v.updatedAt} />
            </span>
          ) : null}
        </p>
      ) : null}
      {v && savedRevision === v.revision ? (
        <p className="notice notice-ok" role="status">
          Saved. {device.name} applies it at its next sync — no need to pair it again.
        </p>
      ) : null}
      {v ? (
        // A new revision (saved here, or changed on the device) starts the form afresh.
        <FilterForm
          key={v.revision}
          device={device}
          view={v}
          games={games}
          onSaved={async (revision) => {
            setSavedRevision(revision);
            await view.reload();
          }}
        />
      ) : view.loading ? (
        <p className="muted">Loading…</p>
      ) : null}
    </section>
  );
}

function FilterForm({ device, view: v, games, onSaved }: { device: Device; view: DeviceFilterView; games: string[]; onSaved: (revision: number) => Promise<void> }) {
  const [f, setDraft] = useState<SyncFilterWire>(v.filter);
  const save = (filter: SyncFilterWire) => async () => {
    const saved = await call(deviceFilterRoutes.set, { body: { deviceId: device.id, filter } });
    await onSaved(saved.revision);
  };
  const submit = useSubmit(save(f));
  const reset = useSubmit(save(EVERYTHING));
  const errors = fieldErrors(submit.error);
  const fieldError = (prefix: string) => Object.entries(errors).find(([k]) => k.startsWith(`filter.${prefix}`))?.[1];
  const systems = [...new Set([...v.savedSystems, ...f.systems])].sort();
  const others = v.knownSystems.filter((s) => !systems.includes(s));
  const changed = JSON.stringify(f) !== JSON.stringify(v.filter);
  const toggle = (system: string, on: boolean) => setDraft({ ...f, systems: on ? [...f.systems, system] : f.systems.filter((s) => s !== system) });

  return (
    <form className="form" onSubmit={submit.onSubmit} aria-label="Sync filter">
      <fieldset className="field filter-fieldset">
        <legend>Systems</legend>
        <div className="filter-modes">
          {MODES.map((m) => (
            <label key={m.value} className="check">
              <input type="radio" name={`mode-${device.id}`} value={m.value} checked={f.systemMode === m.value} onChange={() => setDraft({ ...f, systemMode: m.value })} />
              {m.label}
            </label>
          ))}
        </div>
        {f.systemMode !== 'all' ? (
          <>
            <div className="filter-systems" role="group" aria-label={f.systemMode === 'only' ? 'Systems to sync' : 'Systems to leave out'}>
              {systems.map((s) => (
                <label key={s} className="check">
                  <input type="checkbox" checked={f.systems.includes(s)} onChange={(event) => toggle(s, event.target.checked)} />
                  {s}
                </label>
              ))}
              {systems.length === 0 ? <span className="muted small">No saves yet — pick from all systems below.</span> : null}
            </div>
            <div className="field">
              <label htmlFor={`${device.id}-more`} className="muted small">
                More systems
              </label>
              <select id={`${device.id}-more`} value="" onChange={(event) => event.target.value && toggle(event.target.value, true)}>
                <option value="">Add a system…</option>
                {others.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </div>
            {fieldError('systems') ? <span className="field-error">{fieldError('systems')}</span> : null}
          </>
        ) : null}
      </fieldset>
      <div className="field">
        <label className="check">
          <input type="checkbox" checked={f.states} aria-describedby={`${device.id}-states-hint`} onChange={(event) => setDraft({ ...f, states: event.target.checked })} />
          Sync save states
        </label>
        <span className="hint" id={`${device.id}-states-hint`}>
          A state only loads in the same emulator core; battery saves (in-game saves) sync either way.
        </span>
      </div>
      <GameList
        label="Never sync these games"
        hint="<system>/<game> as in your saves list; wins over everything else."
        games={f.excludeGames}
        suggestions={games}
        error={fieldError('excludeGames')}
        onChange={(excludeGames) => setDraft({ ...f, excludeGames })}
      />
      <GameList
        label="Always sync these games"
        hint="Synced even when their system is left out above (save states still follow the switch above)."
        games={f.includeGames}
        suggestions={games}
        error={fieldError('includeGames')}
        onChange={(includeGames) => setDraft({ ...f, includeGames })}
      />
      <ErrorNotice error={Object.keys(errors).length ? (reset.error ?? null) : (submit.error ?? reset.error)} />
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={submit.busy || !changed}>
          {submit.busy ? 'Saving…' : 'Save filter'}
        </button>
        <button type="button" className="btn" disabled={!changed} onClick={() => setDraft(v.filter)}>
          Undo changes
        </button>
        <span className="spacer" />
        <button type="button" className="btn" disabled={reset.busy || v.summary === 'everything'} onClick={(event) => reset.onSubmit(event)}>
          Sync everything
        </button>
      </div>
    </form>
  );
}
