import { startDavServer } from '/work/wt/webdav/e2e/retroarch/dav-server.ts';
const s = await startDavServer();
const d = await s.pair('RetroArch test');
console.log(JSON.stringify({ url: s.url, ...d }));
setInterval(() => {}, 1 << 30);
