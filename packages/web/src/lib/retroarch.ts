/**
 * What a player types into RetroArch's Cloud Sync settings for this server: the WebDAV URL
 * (`<origin>/dav/`), a user name (not checked: the password identifies the device), and the
 * device key as the password; plus the same as retroarch.cfg lines.
 */
export interface RetroArchSetup {
  url: string;
  username: string;
  password: string;
  /** Plain HTTP to a host that is not this machine or a private network: Basic auth would cross the internet unencrypted. */
  insecure: boolean;
}

const PRIVATE_HOST = /^(localhost|127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|\[?::1\]?$|[^.]+\.local$|[^.]+$)/i;

export function retroArchSetup(origin: string, deviceName: string, apiKey: string): RetroArchSetup {
  const url = new URL('/dav/', origin);
  const username = deviceName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'RetroArch';
  return { url: url.toString(), username, password: apiKey, insecure: url.protocol === 'http:' && !PRIVATE_HOST.test(url.hostname) };
}

/** retroarch.cfg lines (RetroArch reads `key = "value"`; later lines win). */
export function retroArchCfgLines(setup: RetroArchSetup): string[] {
  return [
    'cloud_sync_enable = "true"',
    'cloud_sync_driver = "webdav"',
    `webdav_url = "${setup.url}"`,
    `webdav_username = "${setup.username}"`,
    `webdav_password = "${setup.password}"`,
    'cloud_sync_sync_saves = "true"',
    'sort_savefiles_by_content_enable = "true"',
    'sort_savestates_by_content_enable = "true"',
  ];
}
