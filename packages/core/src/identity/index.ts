/**
 * Save identity: which save a file on a handheld or PC is (path → key), where a save lives on
 * a platform (key → path), which platform a device runs, and the save formats (RZIP) involved.
 * Pure: the file system comes in through {@link FileSystem}.
 */
export { LAYOUTS_URL } from './data.js';
export type { FolderLevel, StateNaming } from './data.js';
export { autoLoadStatesFor } from './auto-states.js';
export { detectPlatform, type Detection, type DetectOptions } from './detect.js';
export { memoryFs, rootedFs, type FileStat, type FileSystem, type MemoryFile } from './fs.js';
export { identifyPath, type IdentifyContext, type Identification } from './identify.js';
export { ignoreReason, isIgnoredFile, type IgnoreReason } from './ignore.js';
export { classifyFile, splitRomExtension, type FileClass } from './names.js';
export { normalizePath, underRoot } from './paths.js';
export { placeKey, PlacementError, type PlaceOptions, type Placement, type PlacementErrorCode } from './place.js';
export {
  DEVICE_TYPES,
  getPlatform,
  listPlatforms,
  UnknownPlatformError,
  type DeviceType,
  type PlatformInfo,
} from './platforms.js';
export { resolveProfile, scanRoots, type DirLayout, type Profile, type ProfileOptions } from './profile.js';
export { type Evidence } from './resolve-system.js';
export { parseRetroArchCfg, type RetroArchSettings } from './retroarch-cfg.js';
export { identifyRetroArchRelative, placeRetroArchRelative, type RetroArchRelativeOptions } from './retroarch-relative.js';
export { parsePlaylist, playlistRoms, systemForDatabase, type PlaylistEntry } from './playlists.js';
export { RomIndex, type RomHit } from './roms.js';
export { deflateRzip, inflateRzip, isRzip, rawSaveBytes, RzipError, RZIP_CHUNK_SIZE } from './rzip.js';
export { systemsForCore, systemsForFolder, systemsForTag, systemForExtension } from './systems.js';
/** Every canonical system id the layout tables know (sorted): what a sync filter can name. */
export { knownSystems } from './systems.js';
