/** RetroArch Cloud Sync (WebDAV) paths ↔ save keys; see cloud-path.ts. */
export {
  cloudPathForKey,
  cloudSegments,
  compareCloudPaths,
  DEFAULT_CLOUD_LAYOUT,
  identifyCloudPath,
  learnCloudLayout,
  type CloudFolders,
  type CloudIdentification,
  type CloudLayout,
  type IdentifyCloudOptions,
} from './cloud-path.js';
