/** The start-at-login entries, as text: a systemd user unit, a macOS LaunchAgent, a Windows Startup script. */

export interface Launch {
  /** Absolute path of node. */
  node: string;
  /** Absolute path of bin/retrosync.js. */
  script: string;
  /** Environment to pass (RETROSYNC_HOME when it is not the default). */
  env: Record<string, string>;
}

/** systemd quoting: a word with spaces, quotes or backslashes goes in double quotes, escaped; `%` doubles. */
function sdQuote(word: string): string {
  const escaped = word.replace(/%/g, '%%');
  return /[\s"'\\]/.test(escaped) ? `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : escaped;
}

export function systemdUnit(l: Launch): string {
  const env = Object.entries(l.env).map(([k, v]) => `Environment=${sdQuote(`${k}=${v}`)}\n`).join('');
  return `[Unit]
Description=RetroSync save sync daemon
Documentation=https://github.com/retrosync/retrosync
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=${[l.node, l.script, 'daemon'].map(sdQuote).join(' ')}
${env}Restart=on-failure
RestartSec=10

[Install]
WantedBy=default.target
`;
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export const LAUNCH_AGENT_LABEL = 'dev.retrosync.daemon';

export function launchAgent(l: Launch, logFile: string): string {
  const env = Object.entries(l.env)
    .map(([k, v]) => `      <key>${xml(k)}</key><string>${xml(v)}</string>\n`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
  <dict>
    <key>Label</key><string>${LAUNCH_AGENT_LABEL}</string>
    <key>ProgramArguments</key>
    <array>
      <string>${xml(l.node)}</string>
      <string>${xml(l.script)}</string>
      <string>daemon</string>
    </array>
    <key>EnvironmentVariables</key>
    <dict>
${env}    </dict>
    <key>RunAtLoad</key><true/>
    <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>
    <key>StandardErrorPath</key><string>${xml(logFile)}</string>
  </dict>
</plist>
`;
}

export function windowsStartup(l: Launch): string {
  const env = Object.entries(l.env).map(([k, v]) => `set "${k}=${v}"\r\n`).join('');
  return `@echo off\r\nrem RetroSync save sync daemon, started at login\r\n${env}start "RetroSync" /min "${l.node}" "${l.script}" daemon\r\n`;
}
