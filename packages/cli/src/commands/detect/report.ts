/** What `detect` prints: a plan built from the detection, then text or JSON. */
import type { Detection, RetroArchSettings } from '@retrosync/core';

export interface DetectionReport {
  platform: string;
  name: string;
  deviceType: string;
  verifiedAgainstSource: boolean;
  bestGuess: readonly string[];
  marker: string;
  saveRoots: string[];
  stateRoots: string[];
  romRoots: string[];
  /** RetroArch playlist folders read for ROM lookup. */
  playlists: string[];
  compressSaves: boolean;
  compressStates: boolean;
  autoLoadStates: boolean;
  retroarchConfig: string | null;
  retroarchSettings: RetroArchSettings;
}

/** `host` maps a device path to where it is read (under --root). */
export function detectionReport(d: Detection, host: (devicePath: string) => string): DetectionReport {
  const saves = d.profile.saves.find((l) => l.placeable && l.primary);
  const states = d.profile.states.find((l) => l.placeable && l.primary);
  return {
    platform: d.platform,
    name: d.name,
    deviceType: d.deviceType,
    verifiedAgainstSource: d.profile.platform.verifiedAgainstSource,
    bestGuess: d.profile.platform.bestGuess,
    marker: d.marker === '' ? '' : host(d.marker),
    saveRoots: d.saveRoots.map(host),
    stateRoots: d.stateRoots.map(host),
    romRoots: d.romRoots.map(host),
    playlists: d.profile.playlists.map(host),
    compressSaves: saves?.compressed ?? false,
    compressStates: states?.compressed ?? false,
    autoLoadStates: d.profile.states.some((l) => l.autoLoad),
    retroarchConfig: d.retroarch.config === null ? null : host(d.retroarch.config),
    retroarchSettings: d.retroarch.settings,
  };
}

export function formatReport(r: DetectionReport): string {
  const rows: [string, string | string[]][] = [
    ['platform', `${r.platform} (${r.name})`],
    ['device type', r.deviceType],
    ['layout', r.verifiedAgainstSource ? 'verified against source' : `best guess: ${r.bestGuess.join('; ') || 'see data notes'}`],
    ['marker', r.marker || '(none: platform given)'],
    ['save roots', r.saveRoots],
    ['state roots', r.stateRoots],
    ['rom roots', r.romRoots.length ? r.romRoots : ['(none: add --rom-root DIR)']],
    ['playlists', r.playlists.length ? r.playlists : ['(none)']],
    ['compressed', `saves ${r.compressSaves ? 'yes' : 'no'}, states ${r.compressStates ? 'yes' : 'no'}`],
    ['auto-load', r.autoLoadStates ? 'yes (auto states can overwrite synced saves)' : 'no'],
    ['retroarch', r.retroarchConfig ?? '(no retroarch.cfg read)'],
  ];
  return rows
    .flatMap(([label, value]) =>
      (Array.isArray(value) ? value : [value]).map((v, i) => `${(i === 0 ? label : '').padEnd(12)} ${v}`),
    )
    .join('\n');
}
