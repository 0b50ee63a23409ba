/**
 * `retroarch.cfg`: the settings that move saves and states. Platforms ship defaults; a device's
 * own config wins over the table (the data README asks for exactly that).
 */

/** The layout-relevant settings, as read from a `retroarch.cfg` (absent keys stay undefined). */
export interface RetroArchSettings {
  savefileDirectory?: string;
  savestateDirectory?: string;
  /** `sort_savefiles_enable`: a folder per core (library_name). */
  sortSavefilesByCore?: boolean;
  sortSavestatesByCore?: boolean;
  /** `sort_savefiles_by_content_enable`: a folder per ROM folder name. */
  sortSavefilesByContent?: boolean;
  sortSavestatesByContent?: boolean;
  savefilesInContentDir?: boolean;
  savestatesInContentDir?: boolean;
  saveFileCompression?: boolean;
  savestateFileCompression?: boolean;
  savestateAutoLoad?: boolean;
  /** `rgui_browser_directory`: where the user keeps ROMs (used as a ROM root). */
  contentDirectory?: string;
  /** `playlist_directory` and `content_history_directory`: where RetroArch's playlists are. */
  playlistDirectory?: string;
  contentHistoryDirectory?: string;
}

const KEYS: Record<string, keyof RetroArchSettings> = {
  savefile_directory: 'savefileDirectory',
  savestate_directory: 'savestateDirectory',
  sort_savefiles_enable: 'sortSavefilesByCore',
  sort_savestates_enable: 'sortSavestatesByCore',
  sort_savefiles_by_content_enable: 'sortSavefilesByContent',
  sort_savestates_by_content_enable: 'sortSavestatesByContent',
  savefiles_in_content_dir: 'savefilesInContentDir',
  savestates_in_content_dir: 'savestatesInContentDir',
  save_file_compression: 'saveFileCompression',
  savestate_file_compression: 'savestateFileCompression',
  savestate_auto_load: 'savestateAutoLoad',
  rgui_browser_directory: 'contentDirectory',
  playlist_directory: 'playlistDirectory',
  content_history_directory: 'contentHistoryDirectory',
};

/** Parses `key = "value"` lines; later lines win, as in RetroArch. Unknown keys are skipped. */
export function parseRetroArchCfg(text: string): RetroArchSettings {
  const out: RetroArchSettings = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z0-9_]+)\s*=\s*(?:"([^"]*)"|(\S*))/.exec(line);
    if (!m?.[1]) continue;
    const field = KEYS[m[1]];
    if (!field) continue;
    const value = m[2] ?? m[3] ?? '';
    if (field.endsWith('Directory')) {
      // "default" and "" mean RetroArch's built-in default: keep the platform's.
      if (value !== '' && value !== 'default') (out as Record<string, unknown>)[field] = value;
    } else if (value === 'true' || value === 'false') {
      (out as Record<string, unknown>)[field] = value === 'true';
    }
  }
  return out;
}

/**
 * A RetroArch directory setting as a device path: `~` is the home folder and a leading `:` the
 * RetroArch folder (Windows' application-relative paths).
 */
export function retroArchDir(value: string, vars: Readonly<Record<string, string | undefined>>): string {
  if (value.startsWith(':') && vars.retroarch) return `${vars.retroarch}/${value.slice(1).replace(/^[\\/]+/, '')}`;
  if ((value === '~' || value.startsWith('~/')) && vars.home) return `${vars.home}${value.slice(1)}`;
  return value;
}
